import assert from "node:assert/strict";
import { baseEnv, json, sendJson, startReadyApi, waitForReadiness, type ApiProcess } from "./support/api-process.js";
import { clearRedisPrefix, createTestDatabase, randomSuffix, testDatabase, testRedis } from "./support/services.js";
import { cuttableProxy, type CuttableProxy } from "./support/tcp-proxy.js";

/** A correctness bound, not a speed goal: a request during an outage must be answered, not left hanging. */
const clientTimeoutMs = 5_000;
/** How long the API may take to notice that a dependency is back, on its own. */
const recoveryBoundMs = 30_000;
/** Each outage lasts at least this long, so the clients' reconnect backoff has grown as it would in a real one. */
const minimumOutageMs = 3_000;

const timed = (init: RequestInit = {}): RequestInit => ({ ...init, signal: AbortSignal.timeout(clientTimeoutMs) });

/**
 * Outages of a running API's dependencies, made by cutting a TCP proxy between the API and the
 * real service (every connection reset, the port refusing) and restoring it on the same port.
 */
describe("dependency outages through a TCP proxy (built dist/main.js)", function () {
  let database: { name: string; drop: () => Promise<void> };
  const prefix = `nexiom_test_${randomSuffix()}:`;
  let postgres: CuttableProxy;
  let redis: CuttableProxy;
  let api: ApiProcess;
  let pid: number;
  let notes: string;
  let firstNote: { id: string; title: string };

  async function create(title: string): Promise<Response> {
    return fetch(notes, timed({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ title }) }));
  }

  /** Restores the proxy and returns the milliseconds until /api/ready first answers 200. */
  async function restoreAndTimeRecovery(proxy: CuttableProxy, name: string, cutAt: number): Promise<number> {
    const outage = Math.max(0, minimumOutageMs - (performance.now() - cutAt));
    await new Promise((resolve) => setTimeout(resolve, outage));
    await proxy.restore();
    const restoredAt = performance.now();
    const { status } = await waitForReadiness(api, (body) => body.status === "ok", recoveryBoundMs);
    const elapsed = Math.round(performance.now() - restoredAt);
    assert.equal(status, 200);
    console.log(`      ${name} recovery: ${elapsed} ms from proxy restart to the first 200 on /api/ready (outage ${Math.round(performance.now() - cutAt - elapsed)} ms)`);
    return elapsed;
  }

  before(async () => {
    database = await createTestDatabase();
    postgres = await cuttableProxy(testDatabase);
    redis = await cuttableProxy(testRedis);
    api = await startReadyApi({
      env: { ...baseEnv(database.name, prefix), DATABASE_PORT: String(postgres.port), REDIS_PORT: String(redis.port), WRITE_RATE_LIMIT: "1000" },
    });
    pid = api.child.pid!;
    notes = `${api.url}/api/notes`;
    const response = await create("written before any outage");
    assert.equal(response.status, 201);
    firstNote = await json(response);
  });

  after(async () => {
    await api?.stop();
    await Promise.all([postgres?.close(), redis?.close()]);
    await database?.drop();
    await clearRedisPrefix(prefix);
  });

  function assertSameProcessAlive(): Promise<void> {
    assert.equal(api.child.exitCode, null, api.output());
    assert.equal(api.child.pid, pid);
    return fetch(`${api.url}/api/health`, timed()).then((response) => assert.equal(response.status, 200));
  }

  describe("PostgreSQL cut", () => {
    let cutAt: number;
    before(async () => {
      await postgres.cut();
      cutAt = performance.now();
    });

    it("answers /api/ready with 503 naming postgres as down and redis as up", async () => {
      const { status, body } = await waitForReadiness(api, (b) => b.error?.postgres?.status === "down", clientTimeoutMs);
      assert.equal(status, 503);
      assert.equal(body.details.redis.status, "up");
    });

    it("answers a list page it has not cached with 503, without hanging", async () => {
      // A limit no one asked for yet, so the page cannot come from Redis and needs PostgreSQL.
      const response = await fetch(`${notes}?limit=97`, timed());
      assert.equal(response.status, 503);
      assert.equal((await json(response)).error, "Service Unavailable");
    });

    it("answers get, create, update and delete with 503, without hanging", async () => {
      const statuses = [
        (await fetch(`${notes}/${firstNote.id}`, timed())).status,
        (await create("written while PostgreSQL was cut")).status,
        (await fetch(`${notes}/${firstNote.id}`, timed({ method: "PATCH", headers: { "content-type": "application/json" }, body: '{"title":"x"}' }))).status,
        (await fetch(`${notes}/${firstNote.id}`, timed({ method: "DELETE" }))).status,
      ];
      assert.deepEqual(statuses, [503, 503, 503, 503]);
    });

    it("keeps the same process up and answering /api/health", async () => {
      await assertSameProcessAlive();
    });

    it(`is ready again by itself within ${recoveryBoundMs / 1000} s of PostgreSQL coming back`, async () => {
      await restoreAndTimeRecovery(postgres, "PostgreSQL", cutAt);
    });

    it("creates and reads notes again once PostgreSQL is back", async () => {
      const response = await create("written after PostgreSQL came back");
      assert.equal(response.status, 201);
      const { id } = await json(response);
      assert.equal((await json(await fetch(`${notes}/${id}`, timed()))).title, "written after PostgreSQL came back");
      assert.equal((await fetch(`${notes}?limit=97`, timed())).status, 200);
    });
  });

  describe("Redis cut", () => {
    let writtenDuringOutage: string;
    let cutAt: number;

    before(async () => {
      await fetch(`${notes}?limit=5`, timed()); // a cached page that must not outlive the outage's writes
      await redis.cut();
      cutAt = performance.now();
    });

    it("answers /api/ready with 503 naming redis as down and postgres as up", async () => {
      const { status, body } = await waitForReadiness(api, (b) => b.error?.redis?.status === "down", clientTimeoutMs);
      assert.equal(status, 503);
      assert.equal(body.details.postgres.status, "up");
    });

    it("lists and gets notes from PostgreSQL, without hanging", async () => {
      const page = await fetch(`${notes}?limit=96`, timed());
      assert.equal(page.status, 200);
      assert.ok((await json(page)).items.some((note: { id: string }) => note.id === firstNote.id));
      const one = await fetch(`${notes}/${firstNote.id}`, timed());
      assert.equal(one.status, 200);
      assert.equal((await json(one)).title, firstNote.title);
    });

    it("accepts writes without hanging: Redis only counts them, and the limiter fails open", async () => {
      const response = await create("written while Redis was cut");
      assert.equal(response.status, 201);
      writtenDuringOutage = (await json(response)).id;
    });

    it("keeps the same process up and answering /api/health", async () => {
      await assertSameProcessAlive();
    });

    it(`is ready again by itself within ${recoveryBoundMs / 1000} s of Redis coming back`, async () => {
      const connectionsBefore = redis.connections;
      await restoreAndTimeRecovery(redis, "Redis", cutAt);
      assert.ok(redis.connections > connectionsBefore, "the API reconnected through the proxy");
    });

    it("lists the note written during the outage once Redis is back, not the page cached before it", async () => {
      const page = await json(await fetch(`${notes}?limit=5`, timed()));
      assert.ok(page.items.some((note: { id: string }) => note.id === writtenDuringOutage), JSON.stringify(page));
    });

    it("creates and reads notes again once Redis is back", async () => {
      const response = await sendJson(notes, "POST", { title: "written after Redis came back" });
      assert.equal(response.status, 201);
      const { id } = await json(response);
      assert.equal((await json(await fetch(`${notes}/${id}`, timed()))).title, "written after Redis came back");
    });
  });
});
