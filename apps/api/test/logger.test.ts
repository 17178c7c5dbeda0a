import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { pino } from "pino";
import { createLogger, LazyChildLogger } from "../src/logging/logger.js";

/** A logger at `level` writing into an array of parsed lines, without the timestamp. */
function capture(level: "info" | "debug") {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const { time: _time, ...line } = JSON.parse(chunk.toString()) as Record<string, unknown>;
      lines.push(line);
      done();
    },
  });
  return { logger: createLogger(level, stream as unknown as ReturnType<typeof pino.destination>), lines };
}

describe("the per-request logger (LazyChildLogger)", () => {
  it("writes the same lines as pino's child, bindings and redaction included", () => {
    const eager = capture("info");
    const lazy = capture("info");
    const line = { request: { url: "/api/notes" }, password: "hunter2", statusCode: 200 };
    eager.logger.child({ requestId: "r-1" }).info(line, "request completed");
    new LazyChildLogger(lazy.logger, { requestId: "r-1" }, {}).info(line, "request completed");
    assert.deepEqual(lazy.lines, eager.lines);
    assert.equal(lazy.lines[0]!.password, "[redacted]");
    assert.equal(lazy.lines[0]!.requestId, "r-1");
  });

  it("makes no child for a line below the level, and makes one child for every line above it", () => {
    const { logger, lines } = capture("info");
    let children = 0;
    const child = logger.child.bind(logger);
    logger.child = ((...args: Parameters<typeof child>) => {
      children += 1;
      return child(...args);
    }) as typeof logger.child;
    const perRequest = new LazyChildLogger(logger, { requestId: "r-2" }, {});
    perRequest.debug({ request: { url: "/api/health" } }, "request completed");
    assert.equal(children, 0);
    assert.equal(lines.length, 0);
    perRequest.warn("first");
    perRequest.error("second");
    assert.equal(children, 1);
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg, l.requestId]),
      [
        ["warn", "first", "r-2"],
        ["error", "second", "r-2"],
      ],
    );
  });

  it("follows the parent's level until it has a child, and its own after a level is set", () => {
    const { logger } = capture("debug");
    const perRequest = new LazyChildLogger(logger, { requestId: "r-3" }, {});
    assert.equal(perRequest.level, "debug");
    assert.equal(perRequest.isLevelEnabled("debug"), true);
    perRequest.level = "warn";
    assert.equal(perRequest.isLevelEnabled("info"), false);
    assert.equal(logger.level, "debug");
  });
});
