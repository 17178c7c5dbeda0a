import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { notAnAddress } from "../src/common/write-throttler.guard.js";
import { maxCachedPageBytes } from "../src/notes/notes.cache.js";
import { baseEnv, json, sendJson, startReadyApi, type ApiProcess } from "./support/api-process.js";
import { clearRedisPrefix, createTestDatabase, randomSuffix, redisKeys, testRedis } from "./support/services.js";

const writeBudget = 5;

/** Redis holds what the API decides, not what clients choose: keys and bytes stay bounded whatever the reads and addresses. */
describe("reads and client addresses cannot fill Redis (built dist/main.js)", function () {
  let database: { name: string; drop: () => Promise<void> };
  const prefix = `nexiom_test_${randomSuffix()}:`;
  let api: ApiProcess;
  let notes: string;
  let redis: Redis;

  before(async () => {
    database = await createTestDatabase();
    api = await startReadyApi({ env: { ...baseEnv(database.name, prefix), WRITE_RATE_LIMIT: String(writeBudget) } });
    notes = `${api.url}/api/notes`;
    redis = new Redis(testRedis);
    // 30 notes of 20 KB each: a first page of 5 fits the per-page bound, one of 20 does not.
    for (let i = 0; i < 30; i += 1) assert.equal(await statusOf(sendJson(notes, "POST", { title: `n${i}`, body: "z".repeat(20_000) }, `192.0.2.${i + 1}`)), 201);
  });

  after(async () => {
    redis?.disconnect();
    await api?.stop();
    await database?.drop();
    await clearRedisPrefix(prefix);
  });

  /**
   * The status of a request, its body read: a response left unread holds its connection busy,
   * which the API's shutdown then waits for.
   */
  const statusOf = async (response: Promise<Response>) => {
    const answer = await response;
    await answer.arrayBuffer();
    return answer.status;
  };
  /** Writes are cached without waiting for Redis: give them a moment to land before counting. */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 300));
  const listKeys = () => redisKeys(`${prefix}notes:list:*`);

  it("caches no page reached through a cursor, however many distinct cursors name the same page", async () => {
    for (let i = 0; i < 50; i += 1) {
      // Cursors past the newest note: each is valid, and each names the first page.
      const cursor = Buffer.from(String(10n ** 15n + BigInt(i))).toString("base64url");
      const response = await fetch(`${notes}?limit=5&cursor=${cursor}`);
      assert.equal(response.status, 200);
      assert.equal((await json(response)).items.length, 5);
    }
    await settle();
    assert.deepEqual(await listKeys(), []);
  });

  it("keeps one key per page size however many writes and reads come", async () => {
    for (let round = 0; round < 3; round += 1) {
      assert.equal(await statusOf(sendJson(notes, "POST", { title: `round ${round}` }, `198.51.100.${round + 1}`)), 201);
      for (let limit = 1; limit <= 8; limit += 1) assert.equal(await statusOf(fetch(`${notes}?limit=${limit}`)), 200);
    }
    await settle();
    const keys = await listKeys();
    assert.equal(keys.length, 8, keys.join(", "));
  });

  it(`does not cache a first page over ${maxCachedPageBytes / 1024} KiB, and no entry is larger`, async () => {
    assert.equal(await statusOf(fetch(`${notes}?limit=20`)), 200);
    await settle();
    const keys = await listKeys();
    assert.ok(!keys.includes(`${prefix}notes:list:first:20`), keys.join(", "));
    for (const key of keys) assert.ok((await redis.strlen(key)) <= maxCachedPageBytes, key);
  });

  // The library's own tracker does this; the test keeps it so when the tracker is overridden.
  it("gives one rate-limit key, and one budget, to every address of an IPv6 /64", async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= writeBudget + 3; i += 1) statuses.push(await statusOf(sendJson(notes, "POST", { title: `v6 ${i}` }, `2001:db8:1:2::${i.toString(16)}`)));
    assert.deepEqual(statuses, [...Array<number>(writeBudget).fill(201), 429, 429, 429]);
    const keys = await redisKeys(`${prefix}*2001:db8:1:2*`);
    assert.ok(keys.length > 0 && keys.every((key) => key.includes("2001:db8:1:2::/64")), keys.join(", "));
    assert.equal(new Set(keys.map((key) => key.replace(/:(hits|blocked)$/, ""))).size, 1, keys.join(", "));
  });

  it("keys X-Forwarded-For entries that are not addresses in one shared bucket, not in keys the client writes", async () => {
    for (let i = 0; i < 3; i += 1) assert.equal(await statusOf(sendJson(notes, "POST", { title: "spoofed" }, `${"spoof".repeat(200)}${i}`)), 201);
    const keys = await redisKeys(`${prefix}*spoof*`);
    assert.deepEqual(keys, []);
    assert.ok((await redisKeys(`${prefix}*${notAnAddress}*`)).length > 0);
  });
});
