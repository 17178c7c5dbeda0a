import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import dockerignoreModule from "@balena/dockerignore";
import { apiRoot, repoRoot } from "./support/api-process.js";
import { args, healthcheckCommand, keyword, parseStages, stage, workdir } from "./support/dockerfile.js";

// CommonJS module.exports = factory; its typings declare an ES default export instead.
const dockerignore = dockerignoreModule as unknown as typeof dockerignoreModule.default;

const pinnedNodeAlpine = /^node:24\.\d+\.\d+-alpine3\.2\d$/;

/** What `docker build` would send with context = repository root, after Dockerfile.dockerignore. */
function contextFiles(): string[] {
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: repoRoot, encoding: "utf8" })
    .split("\n")
    .filter(Boolean);
  const ignore = dockerignore({ ignorecase: false }).add(readFileSync(join(apiRoot, "Dockerfile.dockerignore"), "utf8").split("\n"));
  return ignore.filter(files);
}

describe("apps/api/Dockerfile", () => {
  it("has exactly the stages builder, compile-cache and runner, all on the same pinned node alpine image", () => {
    const stages = parseStages();
    assert.deepEqual(stages.map((s) => s.name), ["builder", "compile-cache", "runner"]);
    for (const s of stages) assert.match(s.image, pinnedNodeAlpine);
    assert.deepEqual(new Set(stages.map((s) => s.image)).size, 1);
  });

  it("fills the compile cache as the runner's user, at the runner's WORKDIR: Node uses it only for the same user and script path", () => {
    const cacheStage = stage("compile-cache");
    const runner = stage("runner");
    assert.deepEqual(keyword(cacheStage, "USER").map((u) => args(u)[0]), keyword(runner, "USER").map((u) => args(u)[0]));
    assert.equal(workdir(cacheStage), workdir(runner));
    const [fill] = keyword(cacheStage, "RUN").map((run) => run.getArgumentsContent() ?? "");
    assert.match(fill ?? "", /\bnode dist\/main\.js --fill-compile-cache\b/);
  });

  it("installs from the lockfile before copying sources, so source changes reuse the install layer", () => {
    const builder = stage("builder").instructions.map((i) => `${i.getKeyword()} ${i.getArgumentsContent()}`);
    const install = builder.findIndex((line) => /^RUN .*pnpm install --frozen-lockfile --filter @nexiom\/api\.\.\./s.test(line));
    const sources = builder.findIndex((line) => /^COPY apps\/api\/ /.test(line));
    const lockfile = builder.findIndex((line) => /^COPY .*pnpm-lock\.yaml/.test(line));
    assert.ok(lockfile >= 0 && install > lockfile, "lockfile copied, then install");
    assert.ok(sources > install, "sources copied after install");
    assert.ok(builder.some((line) => /^RUN pnpm --filter @nexiom\/api run build$/.test(line)));
  });

  it("runs as the unprivileged node user in the runner", () => {
    assert.deepEqual(keyword(stage("runner"), "USER").map((u) => args(u)[0]), ["node"]);
  });

  it("starts node dist/main.js, with V8 options only before the script", () => {
    const [cmd, ...more] = keyword(stage("runner"), "CMD").map(args);
    assert.deepEqual(more, []);
    assert.equal(cmd?.[0], "node");
    assert.equal(cmd?.at(-1), "dist/main.js");
    for (const option of cmd!.slice(1, -1)) assert.match(option, /^--[a-z-]+=\d+$/, `${option} is a V8 size option`);
  });

  it("exposes 3000", () => {
    assert.deepEqual(keyword(stage("runner"), "EXPOSE").map((e) => args(e)[0]), ["3000"]);
  });

  it("health-checks the runner with node itself, not curl", () => {
    const [healthcheck] = keyword(stage("runner"), "HEALTHCHECK");
    assert.ok(healthcheck);
    const command = healthcheckCommand(healthcheck);
    assert.equal(command[0], "node");
    assert.match(command.join(" "), /\/api\/health/);
  });
});

describe("apps/api/Dockerfile.dockerignore (context = repository root)", () => {
  it("lets in every path the builder copies from the context", () => {
    const files = contextFiles();
    for (const copy of keyword(stage("builder"), "COPY")) {
      const sources = args(copy).slice(0, -1);
      for (const source of sources) {
        const path = source.replace(/\/$/, "");
        assert.ok(files.some((file) => file === path || file.startsWith(`${path}/`)), `${source} is not in the build context`);
      }
    }
  });

  it("leaves out apps/web, the Pulumi program and the API's tests, so their changes do not touch the API build", () => {
    const files = contextFiles();
    const outside = files.filter((file) => !/^(package\.json|pnpm-lock\.yaml|pnpm-workspace\.yaml|tsconfig\.base\.json|apps\/api\/.*)$/.test(file));
    assert.deepEqual(outside, []);
    assert.ok(!files.some((file) => file.startsWith("apps/api/test/") || file.startsWith("apps/api/bench/")));
  });
});
