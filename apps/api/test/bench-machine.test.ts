import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { apiRoot } from "./support/api-process.js";
import { parseWrk } from "../bench/machine.js";

/** The bench's reading of wrk's report, on a report wrk 4.1 (Debian 12) printed for `wrk -t1 -c4 -d1s --latency`. */
describe("the bench's wrk report reader", () => {
  const report = readFileSync(join(apiRoot, "test", "fixtures", "wrk-latency.txt"), "utf8");

  it("reads the rate and the 50th and 99th percentiles, in ms whatever unit wrk chose", () => {
    assert.deepEqual(parseWrk(report, "http://127.0.0.1/"), { rate: 30277.87, p50: 0.081, p99: 25.97 });
    assert.equal(parseWrk(report.replace("25.97ms", "1.20s"), "u").p99, 1200);
  });

  it("refuses a run with errors or non-2xx answers, naming the URL", () => {
    const failed = report.replace("Requests/sec", "  Non-2xx or 3xx responses: 12\nRequests/sec");
    assert.throws(() => parseWrk(failed, "http://127.0.0.1:1/api/health"), /wrk saw errors against http:\/\/127\.0\.0\.1:1\/api\/health/);
    assert.throws(() => parseWrk(report.replace("Socket errors", "").replace("Transfer/sec", "Socket errors: connect 3\nTransfer/sec"), "u"), /wrk saw errors/);
  });

  it("refuses a report without latency percentiles, saying --latency is needed", () => {
    assert.throws(() => parseWrk(report.replace(/^\s*99%.*$/m, ""), "u"), /no 99th percentile \(run it with --latency\)/);
  });
});
