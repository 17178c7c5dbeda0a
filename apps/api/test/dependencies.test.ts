import assert from "node:assert/strict";
import { baseEnv, freePort, json, sendJson, spawnApi, startReadyApi, waitFor, waitForLogLine, waitForReadiness, type ApiProcess } from "./support/api-process.js";
import { clearRedisPrefix, createTestDatabase, randomSuffix } from "./support/services.js";

describe("dependencies down", function () {
  let database: { name: string; drop: () => Promise<void> };
  const prefix = `nexiom_test_${randomSuffix()}:`;
  const running: ApiProcess[] = [];

  before(async () => {
    database = await createTestDatabase();
    // Migrate the database once with a healthy API, so the Redis-down API below only lacks Redis.
    const healthy = await startReadyApi({ env: baseEnv(database.name, prefix) });
    await sendJson(`${healthy.url}/api/notes`, "POST", { title: "written while Redis was up" });
    await healthy.stop();
  });

  after(async () => {
    await Promise.all(running.map((api) => api.stop()));
    await database?.drop();
    await clearRedisPrefix(prefix);
  });

  async function start(env: Record<string, string>): Promise<ApiProcess> {
    const api = await spawnApi({ env });
    running.push(api);
    await waitFor(api, "/api/health", 200);
    return api;
  }

  describe("Redis unreachable", () => {
    let api: ApiProcess;
    before(async () => {
      api = await start({ ...baseEnv(database.name, prefix), REDIS_PORT: String(await freePort()) });
      // Wait out the boot-time migration check, so that Redis is the only thing missing.
      await waitForReadiness(api, (body) => body.details?.postgres?.status === "up");
    });

    it("keeps /api/health at 200: liveness does not depend on Redis", async () => {
      assert.equal((await fetch(`${api.url}/api/health`)).status, 200);
    });

    it("answers /api/ready with 503 naming redis as down and postgres as up", async () => {
      const response = await waitFor(api, "/api/ready", 503);
      const body = await json(response);
      assert.equal(body.status, "error");
      assert.equal(body.error.redis.status, "down");
      assert.match(body.error.redis.message, /^not connected \(\w+\)$/);
      await waitForLogLine(api, (line) => /^redis not ready: not connected \(\w+\): .*ECONNREFUSED/.test(String(line.msg)));
      assert.equal(body.details.postgres.status, "up");
    });

    it("still lists notes, from PostgreSQL", async () => {
      const response = await fetch(`${api.url}/api/notes`);
      assert.equal(response.status, 200);
      const page = await json(response);
      assert.ok(page.items.some((note: { title: string }) => note.title === "written while Redis was up"));
    });

    it("still accepts writes: the rate limiter fails open", async () => {
      const response = await sendJson(`${api.url}/api/notes`, "POST", { title: "written while Redis was down" });
      assert.equal(response.status, 201);
      assert.equal((await fetch(`${api.url}/api/notes/${(await json(response)).id}`)).status, 200);
    });
  });

  describe("PostgreSQL unreachable", () => {
    let api: ApiProcess;
    before(async () => {
      api = await start({ ...baseEnv(database.name, prefix), DATABASE_PORT: String(await freePort()) });
      await waitForReadiness(api, (body) => body.details?.redis?.status === "up");
    });

    it("keeps /api/health at 200: liveness does not depend on PostgreSQL", async () => {
      assert.equal((await fetch(`${api.url}/api/health`)).status, 200);
    });

    it("answers /api/ready with 503 naming postgres as down and redis as up", async () => {
      // Wait for the refused connection itself: a 503 also comes before the first migration attempt has
      // failed, which is not the state this test is about. The log names the driver's error; the body,
      // which clients see, does not.
      await waitForLogLine(api, (line) => /^postgres not ready: migrations not applied yet: .*ECONNREFUSED/.test(String(line.msg)));
      const { status, body } = await waitForReadiness(api, (b) => b.error?.postgres?.status === "down");
      assert.equal(status, 503);
      assert.equal(body.error.postgres.status, "down");
      assert.equal(body.error.postgres.message, "migrations not applied yet");
      assert.equal(body.details.redis.status, "up");
    });

    it("answers note requests with 503, not 500", async () => {
      assert.equal((await fetch(`${api.url}/api/notes`)).status, 503);
      const refused = await sendJson(`${api.url}/api/notes`, "POST", { title: "x" });
      assert.equal(refused.status, 503);
      assert.equal((await json(refused)).dependency, "postgres");
    });
  });
});
