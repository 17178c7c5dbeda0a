import dockerignore from "@balena/dockerignore";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** What makes an image: the same in every stack, so both stacks build the same thing. */
export interface BuildDefinition {
  /** Build context directory, relative to the project root. */
  context: string;
  /** Dockerfile path, relative to the project root. */
  dockerfile: string;
  /** Stage to build. */
  target: string;
  /** Build arguments (never secrets: they end up in the image's history). */
  buildArgs: Record<string, string>;
}

/**
 * A digest of everything the build reads: the files Docker would send as the context (after the
 * Dockerfile's own `<Dockerfile>.dockerignore`, else the context's `.dockerignore`, as BuildKit does),
 * the Dockerfile, the target and the build args.
 *
 * Image tags derive from it, so an unchanged app keeps its tag: no rebuild, no new task definition,
 * no container replacement. Paths are hashed relative to the context, so the digest is the same on
 * every machine.
 *
 * `image` adds what else makes the image's bytes (file permissions, which Docker copies into layers; the
 * target platform), for tags that must never name two different images (ECR, see components/image/aws.ts).
 */
export function contextDigest(build: BuildDefinition, projectRoot: string = process.cwd(), image: ImageIdentity = {}): string {
  const contextDir = path.resolve(projectRoot, build.context);
  const dockerfilePath = path.resolve(projectRoot, build.dockerfile);
  const ignoreFile = [`${dockerfilePath}.dockerignore`, path.join(contextDir, ".dockerignore")].find((f) => fs.existsSync(f));
  const patterns = ignoreFile ? parseIgnoreFile(fs.readFileSync(ignoreFile, "utf8")) : [];
  const ignore = dockerignore({ ignorecase: false }).add(patterns);
  // A directory can be skipped whole only when no `!pattern` could bring something inside it back.
  const negations = patterns.filter((p) => p.startsWith("!")).map((p) => p.slice(1).replace(/^\/+/, ""));
  const mayReinclude = (dir: string) => negations.some((n) => n.includes("*") || n === dir || n.startsWith(`${dir}/`) || dir.startsWith(`${n}/`));

  const hash = createHash("sha256");
  hash.update(`dockerfile\0${path.relative(contextDir, dockerfilePath).split(path.sep).join("/")}\0`);
  hash.update(fs.readFileSync(dockerfilePath));
  hash.update(`\0target\0${build.target}\0`);
  for (const key of Object.keys(build.buildArgs).sort()) hash.update(`arg\0${key}=${build.buildArgs[key]}\0`);
  if (image.platform !== undefined) hash.update(`platform\0${image.platform}\0`);

  const walk = (relativeDir: string): void => {
    const entries = fs.readdirSync(path.join(contextDir, relativeDir), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const relative = relativeDir === "" ? entry.name : `${relativeDir}/${entry.name}`;
      const ignored = ignore.ignores(relative);
      if (entry.isDirectory()) {
        if (!ignored || mayReinclude(relative)) walk(relative);
      } else if (!ignored) {
        const full = path.join(contextDir, relative);
        // Docker sends symlinks as links, so hash where they point rather than following them.
        const content = entry.isSymbolicLink() ? `link:${fs.readlinkSync(full)}` : fs.readFileSync(full);
        hash.update(`file\0${relative}\0`);
        if (image.fileModes) hash.update(`mode\0${(fs.lstatSync(full).mode & 0o7777).toString(8)}\0`);
        hash.update(content);
        hash.update("\0");
      }
    }
  };
  walk("");
  return hash.digest("hex");
}

/** What besides the build context makes an image's bytes. */
export interface ImageIdentity {
  /** Hash each file's permission bits: Docker copies them into the layer. @default false */
  fileModes?: boolean;
  /** The platform built for, e.g. `linux/amd64`. @default - not hashed (the machine's own) */
  platform?: string;
}

function parseIgnoreFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

/** The docker-build inputs both targets share. */
export function buildInputs(build: BuildDefinition) {
  return {
    context: { location: build.context },
    dockerfile: { location: build.dockerfile },
    target: build.target,
    buildArgs: build.buildArgs,
    // The tag already says whether the content changed, so a preview need not build (and needs no Docker engine).
    buildOnPreview: false,
  };
}
