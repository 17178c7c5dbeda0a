import assert from "node:assert/strict";
import pg from "pg";
import { baseEnv, json, sendJson, startReadyApi, waitForReadiness, type ApiProcess } from "./support/api-process.js";
import { clearRedisPrefix, createTestDatabase, randomSuffix, testDatabase } from "./support/services.js";
import { cuttableProxy, type CuttableProxy } from "./support/tcp-proxy.js";

/** The bound: every request ends within a few seconds, whatever PostgreSQL does. */
const answerBoundMs = 5_000;
/** The test's own client waits longer, so that a hang shows as a broken bound with its status, not as a test timeout. */
const clientTimeoutMs = 15_000;
/** Pooled connections in the API: more requests than this wait for a connection, which must be bounded too. */
const poolSize = 10;

interface Timed {
  what: string;
  status: number;
  text: string;
  ms: number;
}

async function timed(what: string, url: string, init: RequestInit = {}): Promise<Timed> {
  const started = performance.now();
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(clientTimeoutMs) });
    const text = await response.text();
    return { what, status: response.status, text, ms: Math.round(performance.now() - started) };
  } catch (error) {
    return { what, status: 0, text: (error as Error).message, ms: Math.round(performance.now() - started) };
  }
}

const patch = (title: string): RequestInit => ({ method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ title }) });
const post = (title: string): RequestInit => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ title }) });

/** Addresses, ports and driver vocabulary that belong in the log, not in a response. */
function assertNoInternals(text: string, what: string): void {
  assert.doesNotMatch(text, /127\.0\.0\.1|localhost|:\d{4,5}\b|ECONN|ETIMEDOUT|SQLSTATE|55P03|57014|Query read timeout|trying to connect/, `${what} exposes internals: ${text}`);
}

/** A 503 within the bound whose body names PostgreSQL (message and `dependency`) and nothing internal. */
function assertPostgres503(answer: Timed): void {
  assert.equal(answer.status, 503, `${answer.what}: ${answer.status} after ${answer.ms} ms: ${answer.text}`);
  assert.ok(answer.ms < answerBoundMs, `${answer.what} took ${answer.ms} ms`);
  const body = JSON.parse(answer.text);
  assert.deepEqual(Object.keys(body).sort(), ["dependency", "error", "message", "statusCode"], answer.text);
  assert.equal(body.dependency, "postgres");
  assert.equal(body.error, "Service Unavailable");
  assert.match(body.message, /PostgreSQL/);
  assertNoInternals(answer.text, answer.what);
}

/** Faults that make PostgreSQL hold requests rather than refuse them: silence on the wire, and locks. */
describe("every request bounded in time under a silent or locked PostgreSQL (built dist/main.js)", function () {
  let database: { name: string; drop: () => Promise<void> };
  const prefix = `nexiom_test_${randomSuffix()}:`;
  let proxy: CuttableProxy;
  let api: ApiProcess;
  let notes: string;
  let held: { id: string };
  let other: { id: string };

  before(async () => {
    database = await createTestDatabase();
    proxy = await cuttableProxy(testDatabase);
    api = await startReadyApi({ env: { ...baseEnv(database.name, prefix), DATABASE_PORT: String(proxy.port), WRITE_RATE_LIMIT: "1000" } });
    notes = `${api.url}/api/notes`;
    held = await json(await sendJson(notes, "POST", { title: "the locked one" }));
    other = await json(await sendJson(notes, "POST", { title: "another" }));
  });

  after(async () => {
    await api?.stop();
    await proxy?.close();
    await database?.drop();
    await clearRedisPrefix(prefix);
  });

  describe("PostgreSQL stops answering (a TCP proxy that stops forwarding)", () => {
    before(() => proxy.stall());

    it(`answers list, get, create, update and delete with a 503 naming PostgreSQL within ${answerBoundMs / 1000} s, with more requests than pooled connections`, async () => {
      const answers = await Promise.all([
        // Limits no one asked for, so that the pages cannot come from Redis.
        timed("list", `${notes}?limit=97`),
        timed("list with a cursor", `${notes}?limit=98&cursor=${Buffer.from("999").toString("base64url")}`),
        timed("create", notes, post("while silent")),
        timed("update", `${notes}/${other.id}`, patch("while silent")),
        timed("delete", `${notes}/${other.id}`, { method: "DELETE" }),
        ...Array.from({ length: poolSize + 2 }, (_, i) => timed(`get #${i + 1}`, `${notes}/${held.id}`)),
      ]);
      for (const answer of answers) assertPostgres503(answer);
    });

    it(`answers /api/ready with 503 within ${answerBoundMs / 1000} s, naming postgres as down and redis as up, without addresses or driver text`, async () => {
      const answer = await timed("ready", `${api.url}/api/ready`);
      assert.equal(answer.status, 503, answer.text);
      assert.ok(answer.ms < answerBoundMs, `ready took ${answer.ms} ms`);
      const body = JSON.parse(answer.text);
      assert.equal(body.error.postgres.status, "down");
      assert.match(body.error.postgres.message, /^no answer to a query on notes within 1 s$/);
      assert.equal(body.details.redis.status, "up");
      assertNoInternals(answer.text, "ready");
    });

    it("keeps /api/health at 200 at once: liveness, which the load balancer and Docker probe, does not wait on PostgreSQL", async () => {
      const answer = await timed("health", `${api.url}/api/health`);
      assert.equal(answer.status, 200);
      assert.ok(answer.ms < 1_000, `health took ${answer.ms} ms`);
    });

    it("logs the driver's reason for each 503 with the request id", () => {
      const lines = api.logLines().filter((line) => line.dependency === "postgres" && typeof line.requestId === "string");
      assert.ok(lines.length > 0, api.output().slice(-2_000));
      assert.ok(lines.every((line) => typeof (line.err as { message?: unknown })?.message === "string"), JSON.stringify(lines[0]));
    });

    it("serves notes again by itself once the path forwards again", async () => {
      await proxy.restore();
      await waitForReadiness(api, (body) => body.status === "ok");
      assert.equal((await timed("get", `${notes}/${held.id}`)).status, 200);
      assert.equal((await timed("list", `${notes}?limit=97`)).status, 200);
    });
  });

  describe("a lock held on the notes table", () => {
    let locker: pg.Client;
    before(async () => {
      locker = new pg.Client({ ...testDatabase, database: database.name });
      await locker.connect();
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE notes IN ACCESS EXCLUSIVE MODE");
    });
    after(async () => {
      await locker?.query("ROLLBACK");
      await locker?.end();
    });

    it(`answers list, get, create and update with a 503 naming PostgreSQL within ${answerBoundMs / 1000} s`, async () => {
      const answers = await Promise.all([
        timed("list", `${notes}?limit=96`),
        timed("get", `${notes}/${held.id}`),
        timed("create", notes, post("while locked")),
        timed("update", `${notes}/${held.id}`, patch("while locked")),
      ]);
      for (const answer of answers) assertPostgres503(answer);
    });

    it("answers /api/ready with 503 naming postgres: SELECT 1 would still pass", async () => {
      const answer = await timed("ready", `${api.url}/api/ready`);
      assert.equal(answer.status, 503, answer.text);
      assert.ok(answer.ms < answerBoundMs, `ready took ${answer.ms} ms`);
      assert.equal(JSON.parse(answer.text).error.postgres.status, "down");
    });
  });

  describe("a lock held on one row", () => {
    let locker: pg.Client;
    before(async () => {
      await waitForReadiness(api, (body) => body.status === "ok");
      locker = new pg.Client({ ...testDatabase, database: database.name });
      await locker.connect();
      await locker.query("BEGIN");
      await locker.query("SELECT 1 FROM notes WHERE id = $1 FOR UPDATE", [held.id]);
    });
    after(async () => {
      await locker?.query("ROLLBACK");
      await locker?.end();
    });

    it(`answers update and delete of that note with a 503 naming the lock within ${answerBoundMs / 1000} s`, async () => {
      // One after the other: two waiters on one row queue behind each other, and the second's wait can span two
      // lock timeouts and end as a statement timeout instead (a 503 naming PostgreSQL as well, but not the lock).
      for (const request of [() => timed("update", `${notes}/${held.id}`, patch("while row-locked")), () => timed("delete", `${notes}/${held.id}`, { method: "DELETE" })]) {
        const answer = await request();
        assertPostgres503(answer);
        assert.match(JSON.parse(answer.text).message, /lock/);
      }
    });

    it("still reads that note and writes the others", async () => {
      assert.equal((await timed("get", `${notes}/${held.id}`)).status, 200);
      assert.equal((await timed("update", `${notes}/${other.id}`, patch("not locked"))).status, 200);
    });
  });
});
