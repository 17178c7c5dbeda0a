import assert from "node:assert/strict";
import { baseEnv, json, sendJson, startReadyApi, type ApiProcess } from "./support/api-process.js";
import { clearRedisPrefix, createTestDatabase, queryTestDatabase, randomSuffix, redisKeys } from "./support/services.js";

const writeBudget = 5;
let clients = 0;
/** Each test writes as its own client IP (through X-Forwarded-For), so rate-limit budgets do not leak between tests. */
const nextClient = () => `198.51.100.${++clients}`;

describe("notes API (built dist/main.js, real PostgreSQL and Redis)", function () {
  let api: ApiProcess;
  let database: { name: string; drop: () => Promise<void> };
  const prefix = `nexiom_test_${randomSuffix()}:`;
  let notes: string;

  before(async () => {
    database = await createTestDatabase();
    api = await startReadyApi({ env: { ...baseEnv(database.name, prefix), WRITE_RATE_LIMIT: String(writeBudget), WRITE_RATE_WINDOW_SECONDS: "60" } });
    notes = `${api.url}/api/notes`;
  });

  after(async () => {
    await api?.stop();
    await database?.drop();
    await clearRedisPrefix(prefix);
  });

  async function create(title: string, body = ""): Promise<{ id: string; title: string; body: string; createdAt: string; updatedAt: string }> {
    const response = await sendJson(notes, "POST", { title, body }, nextClient());
    assert.equal(response.status, 201, await response.clone().text());
    return json(response);
  }

  describe("CRUD", () => {
    it("creates a note with 201 and returns it with id and timestamps", async () => {
      const response = await sendJson(notes, "POST", { title: "  Groceries ", body: "milk" }, nextClient());
      assert.equal(response.status, 201);
      const note = await json(response);
      assert.match(note.id, /^[0-9a-f-]{36}$/);
      assert.equal(note.title, "Groceries", "title is trimmed");
      assert.equal(note.body, "milk");
      assert.ok(!Number.isNaN(Date.parse(note.createdAt)));
      assert.equal(note.updatedAt, note.createdAt);
    });

    it("defaults body to an empty string", async () => {
      assert.equal((await create("no body")).body, "");
    });

    it("gets a note by id", async () => {
      const created = await create("read me", "content");
      const response = await fetch(`${notes}/${created.id}`);
      assert.equal(response.status, 200);
      assert.deepEqual(await json(response), created);
    });

    it("updates only the fields given with PATCH and moves updatedAt", async () => {
      const created = await create("before", "kept");
      const response = await sendJson(`${notes}/${created.id}`, "PATCH", { title: "after" }, nextClient());
      assert.equal(response.status, 200);
      const updated = await json(response);
      assert.equal(updated.title, "after");
      assert.equal(updated.body, "kept");
      assert.equal(updated.createdAt, created.createdAt);
      assert.ok(Date.parse(updated.updatedAt) >= Date.parse(created.updatedAt));
      assert.equal((await json(await fetch(`${notes}/${created.id}`))).title, "after");
    });

    it("deletes a note with 204, after which it is 404", async () => {
      const created = await create("doomed");
      const response = await fetch(`${notes}/${created.id}`, { method: "DELETE", headers: { "x-forwarded-for": nextClient() } });
      assert.equal(response.status, 204);
      assert.equal(await response.text(), "");
      assert.equal((await fetch(`${notes}/${created.id}`)).status, 404);
    });
  });

  describe("list", () => {
    it("lists newest first and pages with limit and nextCursor until nextCursor is null", async () => {
      const titles = ["page-1", "page-2", "page-3", "page-4", "page-5"];
      for (const title of titles) await create(title);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = cursor ? `?limit=2&cursor=${cursor}` : "?limit=2";
        const response = await fetch(`${notes}${query}`);
        assert.equal(response.status, 200);
        const page = (await json(response)) as { items: { title: string }[]; nextCursor: string | null };
        assert.ok(page.items.length <= 2);
        seen.push(...page.items.map((item) => item.title));
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor !== null && pages < 100);
      const ours = seen.filter((title) => titles.includes(title));
      assert.deepEqual(ours, [...titles].reverse());
      assert.equal(new Set(seen).size, seen.length, "no note appears on two pages");
    });

    it("returns 20 notes per page by default", async () => {
      const missing = 21 - (await countNotes());
      for (let i = 0; i < missing; i += 1) await create(`filler-${i}`);
      const page = await json(await fetch(notes));
      assert.equal(page.items.length, 20);
      assert.notEqual(page.nextCursor, null);
    });

    it("serves the list from the Redis cache: a row added behind the API's back, without bumping the list version, is not shown", async () => {
      await create("cache-warm");
      const first = await json(await fetch(`${notes}?limit=3`));
      // session_replication_role = replica skips triggers, so this insert leaves notes_list_version as it was.
      await queryTestDatabase(database.name, "SET session_replication_role = replica; INSERT INTO notes (title) VALUES ('sneaked in')");
      const second = await json(await fetch(`${notes}?limit=3`));
      assert.deepEqual(second, first);
    });

    it("invalidates the cached list on every write: a created note shows at once", async () => {
      await json(await fetch(`${notes}?limit=3`));
      const created = await create("fresh after cache");
      const page = await json(await fetch(`${notes}?limit=3`));
      assert.equal(page.items[0].id, created.id);
    });

    it("invalidates the cached list on update and delete", async () => {
      const created = await create("to change");
      await json(await fetch(`${notes}?limit=3`));
      await sendJson(`${notes}/${created.id}`, "PATCH", { title: "changed" }, nextClient());
      assert.equal((await json(await fetch(`${notes}?limit=3`))).items[0].title, "changed");
      await fetch(`${notes}/${created.id}`, { method: "DELETE", headers: { "x-forwarded-for": nextClient() } });
      const ids = (await json(await fetch(`${notes}?limit=3`))).items.map((item: { id: string }) => item.id);
      assert.ok(!ids.includes(created.id));
    });

    it("keeps its Redis keys under REDIS_KEY_PREFIX", async () => {
      await create("prefix check");
      await fetch(notes);
      const keys = await redisKeys(`${prefix}*`);
      assert.ok(keys.some((key) => key.startsWith(`${prefix}notes:list:`)), keys.join(", "));
      assert.ok(keys.some((key) => key.startsWith(`${prefix}{writes:`)), keys.join(", "));
    });
  });

  describe("bad input never gives a 500", () => {
    const cases: [string, string | object, string][] = [
      ["a missing title", { body: "x" }, "title"],
      ["an empty title", { title: "   " }, "title"],
      ["a title over 200 characters", { title: "x".repeat(201) }, "title"],
      ["a title that is not a string", { title: 42 }, "title"],
      ["a body that is not a string", { title: "ok", body: ["a"] }, "body"],
      ["an unknown field", { title: "ok", colour: "red" }, "colour"],
      ["a NUL character, which PostgreSQL text cannot store", { title: "ok", body: "a\u0000b" }, "body"],
      ["a JSON array instead of an object", [1, 2], "body"],
      ["JSON null", "null", "body"],
    ];
    for (const [what, payload, field] of cases) {
      it(`answers 400 naming "${field}" for ${what}`, async () => {
        const response = await sendJson(notes, "POST", payload, nextClient());
        assert.equal(response.status, 400);
        const error = await json(response);
        assert.equal(error.statusCode, 400);
        assert.equal(error.error, "Bad Request");
        assert.ok(error.issues.some((issue: { field: string }) => issue.field === field), JSON.stringify(error));
        assert.match(error.message, new RegExp(`\\b${field}\\b`));
      });
    }

    it("answers 400 naming the field for an empty PATCH", async () => {
      const created = await create("patch target");
      const response = await sendJson(`${notes}/${created.id}`, "PATCH", {}, nextClient());
      assert.equal(response.status, 400);
      assert.match((await json(response)).message, /at least one of title, body/);
    });

    it("answers 400 for malformed JSON", async () => {
      const response = await sendJson(notes, "POST", '{"title": "unterminated', nextClient());
      assert.equal(response.status, 400);
      assert.equal((await json(response)).statusCode, 400);
    });

    it("answers 413 for a body over 300 KiB", async () => {
      const response = await sendJson(notes, "POST", { title: "big", body: "x".repeat(310 * 1024) }, nextClient());
      assert.equal(response.status, 413);
      assert.equal((await json(response)).error, "Payload Too Large");
    });

    it("answers 400 naming limit for a limit out of range", async () => {
      for (const limit of ["0", "101", "abc", "-1"]) {
        const response = await fetch(`${notes}?limit=${limit}`);
        assert.equal(response.status, 400, `limit=${limit}`);
        assert.match((await json(response)).message, /^limit /);
      }
    });

    it("answers 400 naming cursor for a cursor the API did not make", async () => {
      for (const cursor of ["abc", "!!", Buffer.from("99999999999999999999").toString("base64url")]) {
        const response = await fetch(`${notes}?cursor=${encodeURIComponent(cursor)}`);
        assert.equal(response.status, 400, `cursor=${cursor}`);
        assert.match((await json(response)).message, /^cursor /);
      }
    });

    for (const [what, id] of [
      ["an unknown uuid", "3f0c1c8e-5a4b-4a57-9d6e-2f1d8c9b7a60"],
      ["a malformed id", "not-a-uuid"],
      ["a numeric id", "12345678901234567890"],
    ]) {
      it(`answers 404 to get, update and delete of ${what}`, async () => {
        assert.equal((await fetch(`${notes}/${id}`)).status, 404);
        assert.equal((await sendJson(`${notes}/${id}`, "PATCH", { title: "x" }, nextClient())).status, 404);
        const response = await fetch(`${notes}/${id}`, { method: "DELETE", headers: { "x-forwarded-for": nextClient() } });
        assert.equal(response.status, 404);
        assert.equal((await json(response)).error, "Not Found");
      });
    }
  });

  describe("rate limit", () => {
    it(`answers 429 with Retry-After after ${writeBudget} writes from one client IP`, async () => {
      const client = nextClient();
      for (let i = 0; i < writeBudget; i += 1) {
        assert.equal((await sendJson(notes, "POST", { title: `burst ${i}` }, client)).status, 201);
      }
      const limited = await sendJson(notes, "POST", { title: "one too many" }, client);
      assert.equal(limited.status, 429);
      const retryAfter = Number(limited.headers.get("retry-after"));
      assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 60, `Retry-After: ${limited.headers.get("retry-after")}`);
      assert.equal((await json(limited)).statusCode, 429);
    });

    it("counts updates and deletes against the same write budget as creates", async () => {
      const client = nextClient();
      const created = await sendJson(notes, "POST", { title: "budget" }, client);
      const { id } = await json(created);
      for (let i = 1; i < writeBudget; i += 1) await sendJson(`${notes}/${id}`, "PATCH", { title: `v${i}` }, client);
      const response = await fetch(`${notes}/${id}`, { method: "DELETE", headers: { "x-forwarded-for": client } });
      assert.equal(response.status, 429);
    });

    it("tells clients apart by the X-Forwarded-For the proxy appended, not by the socket address", async () => {
      const limitedClient = nextClient();
      for (let i = 0; i <= writeBudget; i += 1) await sendJson(notes, "POST", { title: `a${i}` }, limitedClient);
      assert.equal((await sendJson(notes, "POST", { title: "a" }, limitedClient)).status, 429);
      assert.equal((await sendJson(notes, "POST", { title: "b" }, nextClient())).status, 201);
    });

    it("does not let a client pick its own IP by sending X-Forwarded-For through the proxy", async () => {
      // With one trusted hop the proxy's appended entry (last) is the client; a spoofed first entry is ignored.
      const realClient = nextClient();
      for (let i = 0; i <= writeBudget; i += 1) await sendJson(notes, "POST", { title: `s${i}` }, `10.9.9.${i}, ${realClient}`);
      assert.equal((await sendJson(notes, "POST", { title: "spoof" }, `10.8.8.8, ${realClient}`)).status, 429);
    });

    it("does not rate-limit reads", async () => {
      const client = nextClient();
      for (let i = 0; i < writeBudget * 3; i += 1) {
        assert.equal((await fetch(notes, { headers: { "x-forwarded-for": client } })).status, 200);
      }
    });
  });

  describe("logs", () => {
    it("writes one JSON access-log line per request carrying the request id", async () => {
      const response = await fetch(`${notes}?limit=1`);
      const requestId = response.headers.get("x-request-id");
      assert.ok(requestId);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const lines = api.logLines().filter((line) => line.requestId === requestId);
      assert.equal(lines.length, 1);
      assert.equal(lines[0].msg, "request completed");
      assert.equal(lines[0].statusCode, 200);
    });

    it("honours an incoming x-request-id and echoes it in the response", async () => {
      const response = await fetch(notes, { headers: { "x-request-id": "trace-abc.123" } });
      assert.equal(response.headers.get("x-request-id"), "trace-abc.123");
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.ok(api.logLines().some((line) => line.requestId === "trace-abc.123"));
    });

    it("replaces an x-request-id that is not a plain token with a generated one", async () => {
      const response = await fetch(notes, { headers: { "x-request-id": "a b\"c" } });
      assert.match(response.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
    });
  });

  async function countNotes(): Promise<number> {
    const [row] = await queryTestDatabase<{ count: string }>(database.name, "SELECT count(*) FROM notes");
    return Number(row.count);
  }
});
