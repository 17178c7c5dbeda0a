import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { builtEntry, baseEnv, startReadyApi } from "./support/api-process.js";
import { clearRedisPrefix, createTestDatabase, randomSuffix } from "./support/services.js";

describe("the runner bundle (dist/main.js)", function () {
  this.timeout(30_000);

  it("imports no Node built-in as an ES module except node:module, which defines require", () => {
    // An ESM import of node:http builds its facade, which reads every export: its WebSocket getters load
    // undici and http2 at start. The build routes built-ins through require() instead.
    const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
    const imported = [...readFileSync(builtEntry, "utf8").matchAll(/(?:^|[;}\n])\s*import\s*[^"'();]*?from\s*["']([^"']+)["']/g)].map((m) => m[1]!);
    assert.deepEqual(
      imported.filter((name) => builtins.has(name)),
      ["node:module"],
    );
  });

  it("keeps the class names Nest uses for log contexts and route mapping", async () => {
    const database = await createTestDatabase();
    const prefix = `nexiom_test_${randomSuffix()}:`;
    const api = await startReadyApi({ env: baseEnv(database.name, prefix) });
    try {
      const lines = api.logLines();
      assert.ok(lines.some((l) => l.context === "DatabaseService" && l.msg === "migrations applied"), "DatabaseService's own line");
      assert.ok(lines.some((l) => l.context === "RoutesResolver" && l.msg === "HealthController {/api}:"), "the controller mapped by name");
      assert.ok(lines.some((l) => l.context === "InstanceLoader" && l.msg === "NotesModule dependencies initialized"), "modules by name");
    } finally {
      await api.stop();
      await database.drop();
      await clearRedisPrefix(prefix);
    }
  });
});
