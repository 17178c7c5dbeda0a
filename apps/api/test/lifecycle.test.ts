import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { apiRoot, baseEnv, json, sendJson, startReadyApi } from "./support/api-process.js";
import { clearRedisPrefix, createTestDatabase, queryTestDatabase, randomSuffix } from "./support/services.js";

describe("process lifecycle", function () {
  let database: { name: string; drop: () => Promise<void> };
  const prefix = `nexiom_test_${randomSuffix()}:`;

  beforeEach(async () => {
    database = await createTestDatabase();
  });

  afterEach(async () => {
    await database.drop();
    await clearRedisPrefix(prefix);
  });

  it("applies each migration once when three replicas boot at once against a fresh database", async () => {
    const apis = await Promise.all([1, 2, 3].map(() => startReadyApi({ env: baseEnv(database.name, prefix) })));
    try {
      const files = readdirSync(join(apiRoot, "migrations")).filter((file) => file.endsWith(".sql"));
      const rows = await queryTestDatabase<{ name: string }>(database.name, "SELECT name FROM pgmigrations ORDER BY id");
      assert.deepEqual(
        rows.map((row) => row.name),
        files.map((file) => file.replace(/\.sql$/, "")),
      );
      const applied = apis.map((api) => api.logLines().find((line) => line.msg === "migrations applied")?.applied as string[]);
      assert.equal(applied.filter((names) => names.length > 0).length, 1, "exactly one replica ran the migrations");
      for (const api of apis) assert.equal((await sendJson(`${api.url}/api/notes`, "POST", { title: "works" })).status, 201);
    } finally {
      await Promise.all(apis.map((api) => api.stop()));
    }
  });

  it("on SIGTERM finishes the request in flight, refuses new connections, and exits 0", async () => {
    const api = await startReadyApi({ env: baseEnv(database.name, prefix) });
    const body = JSON.stringify({ title: "sent across a shutdown" });
    const half = Math.floor(body.length / 2);
    const { port } = new URL(api.url);

    // A POST whose body arrives in two parts: the request is in flight when SIGTERM lands. The cue is the
    // server's 100 Continue, sent once it has read the headers; a fixed delay would also pass before that
    // under load, and a SIGTERM then would find only an idle connection.
    const responded = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: "127.0.0.1",
          port,
          method: "POST",
          path: "/api/notes",
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), expect: "100-continue" },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8").on("data", (chunk) => (text += chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on("error", reject);
      req.once("continue", () => {
        req.write(body.slice(0, half));
        api.child.kill("SIGTERM");
        void refusedAfterSigterm().then((refused) => {
          assert.ok(refused, "new connections are refused while the in-flight request runs");
          req.end(body.slice(half));
        }, reject);
      });
      req.flushHeaders();
    });

    async function refusedAfterSigterm(): Promise<boolean> {
      for (let attempt = 0; attempt < 200; attempt += 1) {
        try {
          await fetch(`${api.url}/api/health`, { signal: AbortSignal.timeout(500) });
        } catch {
          return true;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return false;
    }

    const response = await responded;
    assert.equal(response.status, 201, response.text);
    assert.equal(JSON.parse(response.text).title, "sent across a shutdown");
    const exit = await api.exited;
    assert.deepEqual(exit, { code: 0, signal: null });
    const rows = await queryTestDatabase(database.name, "SELECT 1 FROM notes WHERE title = 'sent across a shutdown'");
    assert.equal(rows.length, 1);
  });

  it("never writes a password or an Authorization header to its logs", async () => {
    const password = `pw-${randomSuffix()}-do-not-log`;
    const token = `tok-${randomSuffix()}-do-not-log`;
    // trust auth ignores the password, so the API works while holding a secret it must not print.
    const api = await startReadyApi({ env: { ...baseEnv(database.name, prefix), DATABASE_PASSWORD: password, LOG_LEVEL: "trace" } });
    try {
      const headers = { authorization: `Bearer ${token}`, cookie: `session=${token}` };
      const created = await json(await sendJson(`${api.url}/api/notes`, "POST", { title: "secret-free" }, "192.0.2.10", headers));
      await fetch(`${api.url}/api/notes/${created.id}`, { headers });
      await fetch(`${api.url}/api/notes/nope`, { headers });
      await sendJson(`${api.url}/api/notes`, "POST", "{bad json", "192.0.2.10", headers);
      await fetch(`${api.url}/api/ready`, { headers });
    } finally {
      await api.stop();
    }
    const output = api.output();
    assert.ok(output.includes("request completed"), "the requests were logged");
    assert.ok(!output.includes(password), "database password in the logs");
    assert.ok(!output.includes(token), "authorization header in the logs");
  });

  it("logs only JSON lines on stdout, from boot to shutdown", async () => {
    const api = await startReadyApi({ env: baseEnv(database.name, prefix) });
    await fetch(`${api.url}/api/notes`);
    await api.stop();
    const lines = api.logLines();
    assert.ok(lines.length > 3);
    for (const line of lines) {
      assert.equal(typeof line.level, "string");
      assert.equal(typeof line.time, "string");
      assert.equal(typeof line.msg, "string");
    }
  });
});
