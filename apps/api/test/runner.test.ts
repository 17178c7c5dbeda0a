import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, posix } from "node:path";
import { baseEnv, json, repoRoot, sendJson, startReadyApi, type ApiProcess } from "./support/api-process.js";
import { args, flag, healthcheckCommand, keyword, stage, workdir } from "./support/dockerfile.js";
import { clearRedisPrefix, createTestDatabase, randomSuffix } from "./support/services.js";

/**
 * No Docker here: run the builder's build command, then assemble an empty directory from exactly
 * what the runner stage copies from the builder (the builder's WORKDIR being the repository root)
 * and start the API from it with the runner's CMD. It proves the runner needs nothing else.
 */
describe("runner image assembled from the Dockerfile's COPY --from=builder", function () {
  let root: string;
  let runnerCwd: string;
  let api: ApiProcess;
  let database: { name: string; drop: () => Promise<void> };
  const prefix = `nexiom_test_${randomSuffix()}:`;

  before(async function () {
    this.timeout(180_000);
    const builder = stage("builder");
    const runner = stage("runner");
    const build = keyword(builder, "RUN").map((run) => run.getArgumentsContent() ?? "").filter((command) => /run build/.test(command));
    assert.equal(build.length, 1, "one build command in the builder");
    execFileSync("sh", ["-c", build[0]], { cwd: repoRoot, stdio: "inherit" });

    root = mkdtempSync(join(tmpdir(), "nexiom-runner-"));
    const builderWorkdir = workdir(builder);
    runnerCwd = join(root, workdir(runner));
    for (const copy of keyword(runner, "COPY")) {
      assert.equal(flag(copy, "from"), "builder");
      const parts = args(copy);
      const destination = parts.at(-1)!;
      for (const source of parts.slice(0, -1)) {
        const inBuilder = posix.resolve(builderWorkdir, source);
        const fromRepo = posix.relative(builderWorkdir, inBuilder);
        assert.ok(!fromRepo.startsWith("..") && !isAbsolute(fromRepo), `${source} is outside the builder's WORKDIR`);
        const target = join(root, posix.resolve(workdir(runner), destination));
        cpSync(join(repoRoot, fromRepo), target, { recursive: true });
      }
    }
    database = await createTestDatabase();
    const [cmd] = keyword(runner, "CMD").map(args);
    assert.equal(cmd[0], "node");
    const runnerEnv = Object.fromEntries(
      keyword(runner, "ENV").flatMap((env) => args(env).map((pair) => pair.split("=") as [string, string])),
    );
    api = await startReadyApi({ env: { ...runnerEnv, ...baseEnv(database.name, prefix) }, command: [process.execPath, ...cmd.slice(1)], cwd: runnerCwd });
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
