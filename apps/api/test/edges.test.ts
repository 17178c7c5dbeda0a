import assert from "node:assert/strict";
import pg from "pg";
import { baseEnv, json, sendJson, startReadyApi, type ApiProcess } from "./support/api-process.js";
import { exchange, requestBytes, type RawResponse } from "./support/raw-http.js";
import { clearRedisPrefix, createTestDatabase, queryTestDatabase, randomSuffix, testDatabase } from "./support/services.js";

/** The contract at its edges: errors raised below the app, pipelining, timestamps, the largest notes, duplicate headers. */
describe("the HTTP contract at its edges (built dist/main.js)", function () {
  let database: { name: string; drop: () => Promise<void> };
  const prefix = `nexiom_test_${randomSuffix()}:`;
  let api: ApiProcess;
  let notes: string;

  before(async () => {
    database = await createTestDatabase();
    api = await startReadyApi({ env: { ...baseEnv(database.name, prefix), WRITE_RATE_LIMIT: "100000" } });
    notes = `${api.url}/api/notes`;
  });

  after(async () => {
    await api?.stop();
    await database?.drop();
    await clearRedisPrefix(prefix);
  });

  const titles = async (like: string) =>
    (await queryTestDatabase<{ title: string }>(database.name, "SELECT title FROM notes WHERE title LIKE $1 ORDER BY title", [like])).map((row) => row.title);

  /** The documented error: exactly statusCode, error, message; an x-request-id; and one access-log line with that id and status. */
  async function assertErrorContract(response: RawResponse, status: number, what: string): Promise<void> {
    assert.equal(response.status, status, `${what}: ${response.status} ${response.body}`);
    const body = JSON.parse(response.body);
    assert.deepEqual(Object.keys(body).sort(), ["error", "message", "statusCode"], `${what}: ${response.body}`);
    assert.equal(body.statusCode, status);
    assert.equal(typeof body.message, "string");
    assert.doesNotMatch(body.message, /FST_|HPE_/, what);
    const requestId = response.headers["x-request-id"];
    assert.match(requestId ?? "", /^[\w.:-]{1,128}$/, `${what}: x-request-id`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const lines = api.logLines().filter((line) => line.requestId === requestId && line.msg === "request completed");
    assert.equal(lines.length, 1, `${what}: access-log lines for ${requestId}`);
    assert.equal(lines[0].statusCode, status, what);
  }

  describe("errors raised below the app follow the error contract", () => {
    const cases: [string, string, number][] = [
      ["a 101-character id", requestBytes("GET", `/api/notes/${"a".repeat(101)}`), 404],
      ["a 3,000-character id, deleted", requestBytes("DELETE", `/api/notes/${"b".repeat(3_000)}`), 404],
      ["an id with malformed percent-encoding", requestBytes("GET", "/api/notes/%zz"), 404],
      ["an id with a truncated UTF-8 escape, patched", requestBytes("PATCH", "/api/notes/%E0%A4%A", { json: { title: "x" } }), 404],
      ["two Host headers", requestBytes("GET", "/api/health", { headers: ["Host: other"] }), 400],
      ["two Host headers on a write", requestBytes("POST", "/api/notes", { headers: ["host: other"], json: { title: "two hosts" } }), 400],
      ["a request line that is not HTTP", "GARBAGE\r\n\r\n", 400],
      ["a header without a colon", "GET /api/health HTTP/1.1\r\nHost: api\r\nno colon here\r\n\r\n", 400],
      ["headers over 16 KiB", requestBytes("GET", "/api/health", { headers: [`x-big: ${"x".repeat(20_000)}`] }), 431],
    ];
    for (const [what, bytes, status] of cases) {
      it(`answers ${what} with ${status}, the error body, an x-request-id and an access-log line`, async () => {
        const { responses } = await exchange(api.url, bytes, 1);
        assert.equal(responses.length, 1, `${what}: ${JSON.stringify(responses)}`);
        await assertErrorContract(responses[0], status, what);
      });
    }

    it("does not perform a write that carries two Host headers", async () => {
      assert.deepEqual(await titles("two hosts"), []);
    });
  });

  describe("pipelined requests on one connection", () => {
    it("answers each valid request before the 400 for a request it cannot parse, and performs only those", async () => {
      const bytes = requestBytes("POST", "/api/notes", { json: { title: "pipelined 1" } }) + requestBytes("POST", "/api/notes", { json: { title: "pipelined 2" } }) + "GARBAGE\r\n\r\n";
      const { responses } = await exchange(api.url, bytes, 3);
      assert.deepEqual(
        responses.map((r) => r.status),
        [201, 201, 400],
      );
      assert.deepEqual(await titles("pipelined %"), ["pipelined 1", "pipelined 2"]);
    });

    it("answers the request that said Connection: close, and does not perform what was pipelined after it", async () => {
      const bytes = requestBytes("POST", "/api/notes", { json: { title: "closing 1" }, headers: ["Connection: close"] }) + requestBytes("POST", "/api/notes", { json: { title: "closing 2" } });
      const { responses, closedByServer } = await exchange(api.url, bytes, 1);
      assert.deepEqual(
        responses.map((r) => r.status),
        [201],
      );
      assert.ok(closedByServer);
      assert.deepEqual(await titles("closing %"), ["closing 1"]);
    });

    it("answers every request around a malformed URL in order and keeps the connection", async () => {
      const bytes = requestBytes("POST", "/api/notes", { json: { title: "around 1" } }) + requestBytes("GET", "/api/notes/%zz") + requestBytes("POST", "/api/notes", { json: { title: "around 2" } });
      const { responses, closedByServer } = await exchange(api.url, bytes, 3);
      assert.deepEqual(
        responses.map((r) => r.status),
        [201, 404, 201],
      );
      assert.equal(closedByServer, false);
      assert.deepEqual(await titles("around %"), ["around 1", "around 2"]);
    });
  });

  describe("updatedAt never moves backwards", () => {
    it("after the database clock steps back (a failover to a writer whose clock is behind)", async () => {
      const note = await json(await sendJson(notes, "POST", { title: "clock" }));
      await queryTestDatabase(database.name, "UPDATE notes SET updated_at = now() + interval '1 hour' WHERE id = $1", [note.id]);
      const seen = (await json(await fetch(`${notes}/${note.id}`))).updatedAt;
      const updated = await json(await sendJson(`${notes}/${note.id}`, "PATCH", { title: "clock, later" }));
      assert.ok(Date.parse(updated.updatedAt) >= Date.parse(seen), `${updated.updatedAt} < ${seen}`);
    });

    it("when an update waited for a row lock that a later write held", async () => {
      const note = await json(await sendJson(notes, "POST", { title: "contended" }));
      // Another writer takes the row first; the API's update starts while it holds the lock (so now() is earlier) and waits.
      const other = new pg.Client({ ...testDatabase, database: database.name });
      await other.connect();
      try {
        await other.query("BEGIN");
        await other.query("SELECT 1 FROM notes WHERE id = $1 FOR UPDATE", [note.id]);
        const waiting = sendJson(`${notes}/${note.id}`, "PATCH", { title: "contended, second" });
        await new Promise((resolve) => setTimeout(resolve, 300));
        const [{ updated_at: committed }] = (await other.query<{ updated_at: Date }>("UPDATE notes SET updated_at = clock_timestamp() WHERE id = $1 RETURNING updated_at", [note.id])).rows;
        await other.query("COMMIT");
        const response = await waiting;
        assert.equal(response.status, 200, await response.clone().text());
        const updated = await json(response);
        assert.ok(Date.parse(updated.updatedAt) >= committed.getTime(), `${updated.updatedAt} < ${committed.toISOString()}`);
      } finally {
        await other.end();
      }
    });
  });

  describe("the largest note the field rules allow, whatever its script", () => {
    const scripts: [string, string][] = [
      ["Latin", "x"],
      ["CJK (3 bytes of UTF-8 each)", "漢"],
      ["emoji (2 UTF-16 units, 4 bytes each)", "😀"],
      ["Arabic with a right-to-left mark", "م\u200f"],
      ["control characters (6-byte JSON escapes)", "\u0001"],
    ];
    for (const [script, unit] of scripts) {
      it(`accepts 50,000 characters of ${script} and a 200-character title, and stores them as sent`, async () => {
        const body = unit.repeat(50_000 / unit.length);
        const title = `${script.slice(0, 10)} ${unit.repeat((200 - 11) / unit.length)}`.slice(0, 200);
        assert.equal(body.length, 50_000);
        const response = await sendJson(notes, "POST", { title, body });
        assert.equal(response.status, 201, (await response.clone().text()).slice(0, 300));
        const { id } = await json(response);
        const [row] = await queryTestDatabase<{ title: string; body: string }>(database.name, "SELECT title, body FROM notes WHERE id = $1", [id]);
        assert.ok(row.body === body && row.title === title.trim(), `${script}: stored note differs`);
      });
    }

    it("answers a body over 300 KiB with 413 in the error body", async () => {
      const response = await sendJson(notes, "POST", { title: "big", body: "\u0001".repeat(60_000) });
      assert.equal(response.status, 413);
      assert.equal((await json(response)).error, "Payload Too Large");
    });
  });
});
