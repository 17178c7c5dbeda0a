import assert from "node:assert/strict";
import { baseEnv, startReadyApi, type ApiProcess } from "./support/api-process.js";
import { runLoad, type Outcome } from "./support/load.js";
import { clearRedisPrefix, createTestDatabase, queryTestDatabase, randomSuffix } from "./support/services.js";

/** Keep-alive connections, each with one request in flight: what nginx's upstream pool looks like to the API. */
const concurrency = 16;
/** Load before SIGTERM, so that every connection is busy and reused when the signal lands. */
const warmUpMs = 1_500;
/** Correctness bounds: a request must not hang, and the whole run must stop by itself. */
const requestTimeoutMs = 5_000;
const maxDurationMs = 30_000;

interface Tally {
  tried: number;
  /** Got an HTTP response (the server accepted the request). */
  completed: number;
  /** Accepted but lost or answered with a non-2xx: what this test is about. */
  failed: Outcome[];
  /** A new connection opened after the listener closed: ECONNREFUSED, the request never reached the server. */
  refused: number;
  /** A new connection reset before any response, whose request id the server never logged: it sat in the kernel's accept backlog when the listener closed. */
  resetBeforeAccept: number;
}

/**
 * SIGTERM while clients keep sending: what a rolling deploy does to a task behind nginx or the ALB.
 * One run of load in `before`, then one assertion per behaviour.
 */
describe("SIGTERM during sustained load (built dist/main.js)", function () {
  let database: { name: string; drop: () => Promise<void> };
  const prefix = `nexiom_test_${randomSuffix()}:`;
  let api: ApiProcess;
  let outcomes: Outcome[];
  let sigtermAt: number;
  let exit: { code: number | null; signal: NodeJS.Signals | null };
  let tally: Tally;

  before(async function () {
    this.timeout(maxDurationMs + 30_000);
    database = await createTestDatabase();
    // One client IP sends every write: a budget the load cannot exhaust, so every 429 would be a failure of the test setup.
    api = await startReadyApi({ env: { ...baseEnv(database.name, prefix), WRITE_RATE_LIMIT: "1000000" } });
    const exited = () => api.child.exitCode !== null || api.child.signalCode !== null;
    const run = runLoad({
      url: api.url,
      concurrency,
      next: (n) => (n % 3 === 2 ? { method: "POST", path: "/api/notes", body: { title: `load ${n}`, body: `sent as request ${n}` } } : { method: "GET", path: "/api/notes?limit=5" }),
      done: exited,
      maxDurationMs,
      requestTimeoutMs,
      pauseAfterRefusalMs: 50,
    });
    await new Promise((resolve) => setTimeout(resolve, warmUpMs));
    sigtermAt = performance.now();
    api.child.kill("SIGTERM");
    outcomes = await run;
    exit = await api.exited;

    const logged = new Set(api.logLines().map((line) => line.requestId).filter((id) => typeof id === "string"));
    tally = { tried: outcomes.length, completed: 0, failed: [], refused: 0, resetBeforeAccept: 0 };
    for (const outcome of outcomes) {
      if (outcome.status !== undefined && outcome.error === undefined) {
        tally.completed += 1;
        if (outcome.status < 200 || outcome.status > 299) tally.failed.push(outcome);
      } else if (outcome.error === "ECONNREFUSED") {
        tally.refused += 1;
      } else if (!outcome.reusedSocket && outcome.status === undefined && outcome.error !== "TIMEOUT" && outcome.sentAt >= sigtermAt && !logged.has(outcome.requestId)) {
        tally.resetBeforeAccept += 1;
      } else {
        tally.failed.push(outcome);
      }
    }
    const afterSigterm = outcomes.filter((o) => o.sentAt >= sigtermAt && o.status !== undefined).length;
    console.log(
      `      ${tally.tried} requests tried, ${tally.completed} completed (${afterSigterm} of them sent after SIGTERM), ${tally.failed.length} failed; ` +
        `${tally.refused} refused and ${tally.resetBeforeAccept} reset before accept (new connections after the listener closed)`,
    );
  });

  after(async () => {
    await api?.stop();
    await database?.drop();
    await clearRedisPrefix(prefix);
  });

  it("was serving load on reused keep-alive connections when SIGTERM landed", () => {
    const inFlight = outcomes.filter((o) => o.sentAt < sigtermAt && o.endedAt >= sigtermAt);
    assert.ok(outcomes.filter((o) => o.sentAt < sigtermAt && o.status !== undefined).length > concurrency * 10, "load was running before SIGTERM");
    assert.ok(inFlight.length > 0, "some requests were in flight at SIGTERM");
    assert.ok(outcomes.some((o) => o.reusedSocket), "connections were kept alive and reused");
  });

  it("answers every request it accepted with a 2xx: none reset on a kept-alive connection, none hung", () => {
    const sample = tally.failed.slice(0, 5).map((o) => `${o.request.method} ${o.request.path} -> ${o.status ?? o.error} (reused connection: ${o.reusedSocket}, ${Math.round(o.sentAt - sigtermAt)} ms after SIGTERM)`);
    assert.equal(tally.failed.length, 0, `${tally.failed.length} of ${tally.completed + tally.failed.length} accepted requests failed, e.g.\n${sample.join("\n")}`);
  });

  it("only turns away new connections after SIGTERM, never ones it already accepted", () => {
    const turnedAway = outcomes.filter((o) => o.status === undefined && o.error !== undefined);
    assert.ok(turnedAway.every((o) => !o.reusedSocket && o.sentAt >= sigtermAt));
  });

  it("exits 0 once the load has drained", () => {
    assert.deepEqual(exit, { code: 0, signal: null }, api.output().slice(-2_000));
  });

  it("has stored every note it answered 201 to, with the title and body sent", async () => {
    const created = outcomes.filter((o) => o.request.method === "POST" && o.status === 201);
    assert.ok(created.length > 0);
    const rows = await queryTestDatabase<{ id: string; title: string; body: string }>(database.name, "SELECT id, title, body FROM notes");
    const stored = new Map(rows.map((row) => [row.id, row]));
    for (const outcome of created) {
      const { id } = outcome.json as { id: string };
      const sent = outcome.request.body as { title: string; body: string };
      assert.deepEqual(stored.get(id), { id, title: sent.title, body: sent.body });
    }
  });
});
