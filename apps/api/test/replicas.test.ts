import assert from "node:assert/strict";
import { baseEnv, json, sendJson, startReadyApi, waitForReadiness, type ApiProcess } from "./support/api-process.js";
import { clearRedisPrefix, createTestDatabase, randomSuffix, redisKeys, testRedis } from "./support/services.js";
import { cuttableProxy, type CuttableProxy } from "./support/tcp-proxy.js";

/**
 * Two replicas on one database and one Redis, as behind the load balancer; one of them loses
 * Redis. A write it acknowledges must show in the other's next read, whose list page is cached.
 */
describe("two replicas, one of which loses Redis (built dist/main.js)", function () {
  let database: { name: string; drop: () => Promise<void> };
  const prefix = `nexiom_test_${randomSuffix()}:`;
  let redisOfA: CuttableProxy;
  let a: ApiProcess;
  let b: ApiProcess;

  /** b's first page of 5, read twice so that the second read is the cached one. */
  async function pageOfB(): Promise<{ items: { id: string; title: string }[] }> {
    await json(await fetch(`${b.url}/api/notes?limit=5`));
    return json(await fetch(`${b.url}/api/notes?limit=5`));
  }

  before(async () => {
    database = await createTestDatabase();
    redisOfA = await cuttableProxy(testRedis);
    // A long cache TTL, so that an entry outliving a write cannot be mistaken for one that expired.
    const env = { ...baseEnv(database.name, prefix), WRITE_RATE_LIMIT: "1000", NOTES_CACHE_TTL_SECONDS: "3600" };
    [a, b] = await Promise.all([startReadyApi({ env: { ...env, REDIS_PORT: String(redisOfA.port) } }), startReadyApi({ env })]);
    for (let i = 0; i < 3; i += 1) assert.equal((await sendJson(`${a.url}/api/notes`, "POST", { title: `before ${i}` })).status, 201);
    await pageOfB();
    // b's page is in Redis before a loses it.
    const deadline = Date.now() + 5_000;
    while ((await redisKeys(`${prefix}notes:list:*`)).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok((await redisKeys(`${prefix}notes:list:*`)).length > 0);
    await redisOfA.cut();
    await waitForReadiness(a, (body) => body.error?.redis?.status === "down");
  });

  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redisOfA?.close();
    await database?.drop();
    await clearRedisPrefix(prefix);
  });

  let created: { id: string };

  it("shows a note that the replica without Redis created in the other replica's list at once", async () => {
    const response = await sendJson(`${a.url}/api/notes`, "POST", { title: "created without Redis" });
    assert.equal(response.status, 201);
    created = await json(response);
    const page = await pageOfB();
    assert.equal(page.items[0]?.id, created.id, JSON.stringify(page));
  });

  it("shows its update in the other replica's list at once", async () => {
    assert.equal((await sendJson(`${a.url}/api/notes/${created.id}`, "PATCH", { title: "updated without Redis" })).status, 200);
    assert.equal((await pageOfB()).items[0]?.title, "updated without Redis");
  });

  it("drops its deletion from the other replica's list at once", async () => {
    const response = await fetch(`${a.url}/api/notes/${created.id}`, { method: "DELETE" });
    assert.equal(response.status, 204);
    assert.ok(!(await pageOfB()).items.some((note) => note.id === created.id));
  });
});
