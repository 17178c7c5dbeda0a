import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import ignore from "@balena/dockerignore";
import { contextDir, readStages, stage, webDir } from "./support/image";

const stages = readStages();
const builder = stage(stages, "builder");
const runner = stage(stages, "runner");
const instructions = (name: string) => stage(stages, name).template.getInstructions();

/** The files BuildKit sends as the context: the repository's files minus Dockerfile.dockerignore. */
function dockerignore() {
  return ignore().add(readFileSync(join(webDir, "Dockerfile.dockerignore"), "utf8").split("\n"));
}

function buildContext(): string[] {
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: contextDir, encoding: "utf8" })
    .split("\n")
    .filter((file) => file && existsSync(join(contextDir, file)));
  return dockerignore().filter(files);
}

describe("apps/web/Dockerfile", () => {
  it("has exactly the stages builder and runner", () => {
    assert.deepEqual(
      stages.map((s) => s.name),
      ["builder", "runner"],
    );
  });

  it("builds on Node 24 alpine and serves with unprivileged nginx", () => {
    assert.match(builder.image, /^node:24\.\d+\.\d+-alpine3\.2\d$/);
    assert.match(runner.image, /^nginxinc\/nginx-unprivileged:1\.\d+\.\d+-alpine$/);
  });

  it("installs from the lockfile before copying sources, so source changes reuse the install layer", () => {
    const steps = instructions("builder").map((i) => `${i.getKeyword()} ${i.getArgumentsContent()}`);
    const install = steps.findIndex((s) => /^RUN pnpm install --frozen-lockfile --filter @nexiom\/web\.\.\./.test(s));
    const sources = steps.findIndex((s) => s.startsWith("COPY apps/web/src"));
    const build = steps.findIndex((s) => s.startsWith("RUN pnpm --filter @nexiom/web run build"));
    assert.ok(install > 0, "a frozen-lockfile install of @nexiom/web and its dependencies");
    assert.ok(steps.slice(0, install).some((s) => /^COPY .*pnpm-lock\.yaml/.test(s)), "the lockfile is copied before installing");
    assert.ok(sources > install, "sources come after the install");
    assert.ok(build > sources, "the build comes after the sources");
  });

  it("runner listens on 8080 and exposes it", () => {
    assert.equal(runner.env.NGINX_PORT, "8080");
    const exposed = instructions("runner").filter((i) => i.getKeyword() === "EXPOSE");
    assert.deepEqual(
      exposed.map((i) => i.getArgumentsContent()),
      ["8080"],
    );
  });

  it("runner health check asks nginx for /healthz", () => {
    const healthcheck = instructions("runner").find((i) => i.getKeyword() === "HEALTHCHECK");
    assert.match(healthcheck?.getArgumentsContent() ?? "", /\/healthz/);
  });

  it("the build context holds every file the Dockerfile copies from it", () => {
    const context = buildContext();
    const sources = stages.flatMap((s) => s.copies.filter((c) => !c.from).flatMap((c) => c.sources));
    for (const source of sources) {
      const inside = context.some((file) => file === source || file.startsWith(`${source.replace(/\/$/, "")}/`));
      assert.ok(inside, `${source} is copied but excluded from the context`);
    }
  });

  it("the builder copies every file its build script runs, so the image builds from what it copied", () => {
    const script: string = JSON.parse(readFileSync(join(webDir, "package.json"), "utf8")).scripts.build;
    const run = [...script.matchAll(/\bnode\s+(\S+)/g)].map((match) => posix.join("apps/web", match[1]!));
    assert.ok(run.length > 0, "the build script runs a node script (scripts/precompress.mjs)");
    const copied = builder.copies.filter((c) => !c.from).flatMap((c) => c.sources.map((source) => source.replace(/\/$/, "")));
    for (const file of run) {
      assert.ok(copied.some((source) => file === source || file.startsWith(`${source}/`)), `${file} is run by \`pnpm run build\` but never copied into the builder`);
    }
  });

  it("the build context leaves out the API, infrastructure, tests and generated folders", () => {
    const context = buildContext();
    const leaked = context.filter((file) =>
      /^(apps\/api\/|apps\/web\/test\/|apps\/web\/bench\/|components\/|environments\/|test\/|\.ci\/|\.git\/)|(^|\/)(node_modules|dist)\//.test(file) ||
      /^(index\.ts|Pulumi\.[^/]*\.yaml|Pulumi\.yaml)$/.test(file),
    );
    assert.deepEqual(leaked, []);
    assert.ok(context.includes("apps/web/src/main.tsx"), "and still holds the sources");
  });

  const excluded = [
    "apps/api/src/main.ts",
    "apps/api/package.json",
    "node_modules/.pnpm/lock.yaml",
    "apps/web/node_modules/vite/package.json",
    "apps/web/dist/index.html",
    "apps/web/src/dist/x.js",
    "apps/web/test/nginx.test.ts",
    "apps/web/bench/bench.ts",
    "apps/web/Dockerfile",
    ".git/HEAD",
    "index.ts",
    "Pulumi.prod.yaml",
    "components/service.ts",
  ];
  for (const path of excluded) {
    it(`the build context never holds ${path}`, () => {
      assert.ok(dockerignore().ignores(path));
    });
  }
});
