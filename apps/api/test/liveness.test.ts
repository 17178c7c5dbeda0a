import assert from "node:assert/strict";
import { baseEnv, startReadyApi, type ApiProcess } from "./support/api-process.js";
import { clearRedisPrefix, createTestDatabase, randomSuffix } from "./support/services.js";

/** /api/health is a Fastify route, not a Nest controller: it must still go through every hook the API's routes do. */
describe("liveness (/api/health)", function () {
  this.timeout(30_000);
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const prefix = `nexiom_test_${randomSuffix()}:`;
  const apis: ApiProcess[] = [];

  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => {
    await Promise.all(apis.map((api) => api.stop()));
    await database.drop();
    await clearRedisPrefix(prefix);
  });

  const start = async (logLevel: string) => {
    const api = await startReadyApi({ env: { ...baseEnv(database.name, prefix), LOG_LEVEL: logLevel } });
    apis.push(api);
    return api;
  };

  it("answers 200 with the JSON body and the caller's request id", async () => {
    const api = await start("info");
    const response = await fetch(`${api.url}/api/health`, { headers: { "x-request-id": "probe-1" } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/json; charset=utf-8");
    assert.equal(response.headers.get("x-request-id"), "probe-1");
    assert.deepEqual(await response.json(), { status: "ok" });
    const head = await fetch(`${api.url}/api/health`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.match(head.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
  });

  it("logs each probe at debug with its request id, and not at info", async () => {
    const quiet = await start("info");
    const verbose = await start("debug");
    for (const api of [quiet, verbose]) await fetch(`${api.url}/api/health`, { headers: { "x-request-id": "probe-2" } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const probeLines = (api: ApiProcess) => api.logLines().filter((l) => (l.request as { url?: string } | undefined)?.url === "/api/health");
    assert.deepEqual(probeLines(quiet), []);
    const [line] = probeLines(verbose);
    assert.equal(line?.level, "debug");
    assert.equal(line?.requestId, "probe-2");
    assert.equal(line?.statusCode, 200);
  });

  it("refuses a request with two Host headers, as every route does", async () => {
    const api = await start("info");
    const { request } = await import("node:http");
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(api.url);
      const req = request({ host: url.hostname, port: url.port, path: "/api/health", headers: [["host", "a"], ["host", "b"]] as unknown as Record<string, string> });
      req.on("response", (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    assert.equal(status, 400);
  });
});
