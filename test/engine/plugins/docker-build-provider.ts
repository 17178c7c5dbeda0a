/**
 * Stand-in for `pulumi-resource-docker-build` (the plugin behind @pulumi/docker-build 0.0.22).
 *
 * Why a stand-in: the Go module proxy this machine reaches refuses `github.com/pulumi/pulumi-docker-build`
 * and `github.com/pulumi/pulumi-go-provider` (403, "not available").
 *
 * The contract kept, for the inputs the program sets: `Image` builds with BuildKit through buildx
 * (`docker buildx build`), loading the result into the engine when `load` is true and pushing when
 * `push` is true; a `contextHash` of the context (the Dockerfile's own `.dockerignore` applied) and the
 * inputs decides whether an update rebuilds, so an unchanged tree previews as unchanged; every change
 * is an in-place update (a rebuild), never a replacement; `buildOnPreview: false` builds nothing
 * during a preview. The real plugin drives BuildKit through buildx's Go library with a
 * `docker-container` builder; this one runs the buildx CLI with whatever builder is current (here the
 * engine's own BuildKit), so builder-specific cache behaviour is not reproduced.
 */
import * as provider from "@pulumi/pulumi/provider";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { contextDigest } from "../../../components/image/build-definition";
import { changedKeys, reveal, typeOf, unsupportedInputs } from "./provider-kit";

type Inputs = Record<string, any>;
// `network` is defaulted to "default" by the SDK itself.
const supported = ["context", "dockerfile", "target", "buildArgs", "buildOnPreview", "push", "load", "tags", "network"];

function contextHash(inputs: Inputs): string {
  const i = reveal<Inputs>(inputs);
  return contextDigest(
    { context: i.context.location, dockerfile: i.dockerfile?.location ?? path.join(i.context.location, "Dockerfile"), target: i.target ?? "", buildArgs: i.buildArgs ?? {} },
    process.cwd(),
  );
}

/** Runs one build; buildx's plain progress goes to stderr, which the engine shows with the resource. */
async function build(inputs: Inputs): Promise<Inputs> {
  const i = reveal<Inputs>(inputs);
  const idFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "nexiom-build-")), "id");
  const args = ["buildx", "build", "--progress=plain", "--iidfile", idFile];
  if (i.dockerfile?.location) args.push("--file", i.dockerfile.location);
  if (i.target) args.push("--target", i.target);
  if (i.network && i.network !== "default") args.push("--network", i.network);
  for (const [key, value] of Object.entries<string>(i.buildArgs ?? {})) args.push("--build-arg", `${key}=${value}`);
  for (const tag of i.tags ?? []) args.push("--tag", tag);
  if (i.load) args.push("--load");
  if (i.push) args.push("--push");
  args.push(i.context.location);

  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn("docker", args, { stdio: ["ignore", "pipe", "pipe"] });
    const keep = (chunk: Buffer) => {
      output.push(String(chunk));
      process.stderr.write(chunk);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (code !== 0) {
    const tail = output.join("").split("\n").slice(-40).join("\n");
    throw new Error(`docker ${args.join(" ")} exited with ${code}:\n${tail}`);
  }
  const digest = fs.readFileSync(idFile, "utf8").trim();
  fs.rmSync(path.dirname(idFile), { recursive: true, force: true });
  return { ...inputs, contextHash: contextHash(inputs), digest, ref: i.push ? `${i.tags?.[0]}@${digest}` : (i.tags?.[0] ?? digest) };
}

async function imageExists(tag: string): Promise<boolean> {
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn("docker", ["image", "inspect", tag], { stdio: "ignore" });
    child.on("error", () => resolve(1));
    child.on("close", resolve);
  });
  return code === 0;
}

const dockerBuildProvider: provider.Provider = {
  version: "0.0.22",
  async check(urn, _olds, news) {
    const failures = unsupportedInputs(typeOf(urn), news, supported);
    if (typeOf(urn) !== "docker-build:index:Image") failures.push({ property: "", reason: `the stand-in docker-build provider does not implement ${typeOf(urn)}` });
    return { inputs: news, failures };
  },
  async diff(_id, _urn, olds, news) {
    const changed = changedKeys(olds, news).filter((key) => !["contextHash", "digest", "ref"].includes(key));
    const rebuild = changed.length > 0 || olds.contextHash !== contextHash(news);
    return { changes: rebuild, replaces: [] };
  },
  async create(_urn, inputs) {
    const outs = await build(inputs);
    return { id: reveal<Inputs>(inputs).tags?.[0] ?? outs.digest, outs };
  },
  async read(id, _urn, props) {
    const p = reveal<Inputs>(props ?? {});
    // A loaded image that the engine no longer has is gone: the next update builds it again.
    if (p.load && !p.push && p.tags?.[0] && !(await imageExists(p.tags[0]))) return { id: "", props: {} };
    const { contextHash: _hash, digest: _digest, ref: _ref, ...inputs } = props ?? {};
    return { id, props, inputs };
  },
  async update(_id, _urn, _olds, news) {
    return { outs: await build(news) };
  },
  // Like the real plugin, deleting the resource leaves loaded images and pushed tags in place.
  async delete() {},
};

void provider.main(dockerBuildProvider, process.argv.slice(2));
