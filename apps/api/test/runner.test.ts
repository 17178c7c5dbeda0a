import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, posix } from "node:path";
import { pathToFileURL } from "node:url";
import type { Instruction } from "dockerfile-ast";
import { baseEnv, json, repoRoot, sendJson, startReadyApi, type ApiProcess } from "./support/api-process.js";
import { args, flag, healthcheckCommand, keyword, stage, workdir, type Stage } from "./support/dockerfile.js";
import { clearRedisPrefix, createTestDatabase, randomSuffix } from "./support/services.js";

/**
 * No Docker here: run the builder's build command, then assemble an empty directory, standing for the
 * image's root, from exactly what the runner stage copies: the builder's output (the builder's WORKDIR
 * being the repository root), and the compile-cache stage's output after running that stage's own RUN
 * in the same root. Absolute paths in RUN and ENV are taken inside that root. Then start the API from
 * it with the runner's CMD and ENV. It proves the runner needs nothing else, and that the compile cache
 * is made where the runner looks for it, for the file it runs.
 */
describe("runner image assembled from the Dockerfile's stages", function () {
  let root: string;
  let runnerCwd: string;
  let api: ApiProcess;
  let database: { name: string; drop: () => Promise<void> };
  const prefix = `nexiom_test_${randomSuffix()}:`;
  /** An absolute path in the image, as a path in the assembled root. */
  const inRoot = (path: string) => join(root, path);

  /** Applies a stage's `COPY --from=builder` into the root. */
  function copyFromBuilder(target: Stage, copy: Instruction) {
    const builderWorkdir = workdir(stage("builder"));
    const parts = args(copy);
    const destination = posix.resolve(workdir(target), parts.at(-1)!);
    for (const source of parts.slice(0, -1)) {
      const fromRepo = posix.relative(builderWorkdir, posix.resolve(builderWorkdir, source));
      assert.ok(!fromRepo.startsWith("..") && !isAbsolute(fromRepo), `${source} is outside the builder's WORKDIR`);
      cpSync(join(repoRoot, fromRepo), inRoot(destination), { recursive: true });
    }
  }

  /** Runs the compile-cache stage in the root: its copies, then its RUN with image paths taken inside the root. */
  function runCompileCacheStage() {
    const cacheStage = stage("compile-cache");
    for (const copy of keyword(cacheStage, "COPY")) {
      assert.equal(flag(copy, "from"), "builder", "the compile-cache stage copies from the builder only");
      copyFromBuilder(cacheStage, copy);
    }
    for (const run of keyword(cacheStage, "RUN")) {
      const command = (run.getArgumentsContent() ?? "").replace(/(?<=^|[\s=])\/(?=[a-z])/g, `${root}/`);
      // This Node (the suite runs on the images' major) stands for the image's `node`.
      const path = `${dirname(process.execPath)}:${process.env.PATH ?? ""}`;
      execFileSync("sh", ["-c", command], { cwd: inRoot(workdir(cacheStage)), env: { ...process.env, PATH: path }, stdio: "inherit" });
    }
  }

  before(async function () {
    this.timeout(180_000);
    const runner = stage("runner");
    const build = keyword(stage("builder"), "RUN").map((run) => run.getArgumentsContent() ?? "").filter((command) => /run build/.test(command));
    assert.equal(build.length, 1, "one build command in the builder");
    execFileSync("sh", ["-c", build[0]], { cwd: repoRoot, stdio: "inherit" });

    root = mkdtempSync(join(tmpdir(), "nexiom-runner-"));
    runnerCwd = inRoot(workdir(runner));
    for (const copy of keyword(runner, "COPY")) {
      const from = flag(copy, "from");
      if (from === "builder") {
        copyFromBuilder(runner, copy);
        continue;
      }
      assert.equal(from, "compile-cache", "the runner copies from the builder and the compile-cache stage only");
      runCompileCacheStage();
      const parts = args(copy);
      for (const source of parts.slice(0, -1)) cpSync(inRoot(source), inRoot(posix.resolve(workdir(runner), parts.at(-1)!)), { recursive: true });
    }
    database = await createTestDatabase();
    const [cmd] = keyword(runner, "CMD").map(args);
    assert.equal(cmd[0], "node");
    const runnerEnv = Object.fromEntries(
      keyword(runner, "ENV").flatMap((env) =>
        args(env).map((pair) => {
          const [name, value] = pair.split("=") as [string, string];
          return [name, value.startsWith("/") ? inRoot(value) : value];
        }),
      ),
    );
    // Node says on stderr whether it used the compile cache.
    const env = { ...runnerEnv, ...baseEnv(database.name, prefix), NODE_DEBUG_NATIVE: "COMPILE_CACHE" };
    api = await startReadyApi({ env, command: [process.execPath, ...cmd.slice(1)], cwd: runnerCwd });
  });

  after(async () => {
    await api?.stop();
    await database?.drop();
    await clearRedisPrefix(prefix);
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("becomes ready from the copied files alone", async () => {
    assert.equal((await fetch(`${api.url}/api/ready`)).status, 200);
  });

  it("serves notes, with the migrations it carries applied", async () => {
    const response = await sendJson(`${api.url}/api/notes`, "POST", { title: "from the runner" });
    assert.equal(response.status, 201);
    assert.equal((await json(response)).title, "from the runner");
  });

  it("starts from the compile cache the compile-cache stage made, not by compiling the bundle", () => {
    const main = pathToFileURL(join(runnerCwd, "dist", "main.js")).href;
    assert.ok(api.output().includes(`V8 code cache for ESM ${main} was accepted`), `Node did not use the cache for ${main}:\n${api.output()}`);
  });

  it("carries no node_modules: the bundle is self-contained", () => {
    const output = execFileSync("find", [root, "-name", "node_modules"], { encoding: "utf8" });
    assert.equal(output.trim(), "");
    assert.ok(statSync(join(runnerCwd, "dist", "main.js")).isFile());
    assert.ok(existsSync(join(runnerCwd, "dist", "migrations")));
  });

  it("passes its own HEALTHCHECK command", () => {
    const [healthcheck] = keyword(stage("runner"), "HEALTHCHECK");
    const command = healthcheckCommand(healthcheck);
    const result = spawnSync(process.execPath, command.slice(1), { cwd: runnerCwd, env: { PORT: new URL(api.url).port }, timeout: 10_000 });
    assert.equal(result.status, 0, String(result.stderr));
  });
});
