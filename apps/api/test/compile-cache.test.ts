import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { builtEntry } from "./support/api-process.js";

/** `node dist/main.js --fill-compile-cache`, the image build's step, with only the variables given (no config at all). */
function fill(env: Record<string, string>) {
  return spawnSync(process.execPath, [builtEntry, "--fill-compile-cache"], { env: { PATH: process.env.PATH ?? "", ...env }, encoding: "utf8", timeout: 20_000 });
}

describe("--fill-compile-cache (the Dockerfile's compile-cache stage)", function () {
  this.timeout(30_000);
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "nexiom-compile-cache-"));
  });

  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it("writes Node's compile cache for the bundle and exits 0, reading no config and connecting nowhere", () => {
    const result = fill({ NODE_COMPILE_CACHE: directory });
    assert.equal(result.status, 0, result.stderr);
    const [versioned] = readdirSync(directory);
    assert.ok(versioned, "a directory per Node version and user");
    assert.equal(readdirSync(join(directory, versioned)).length, 1, "one cache entry: the bundle is one file");
    assert.match(result.stderr, new RegExp(`compiled code for ${builtEntry.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is in ${directory}`));
    assert.equal(result.stdout, "", "no log lines: the API did not start");
  });

  it("fails, naming NODE_COMPILE_CACHE, when Node's compile cache is off", () => {
    const result = fill({});
    assert.equal(result.status, 1);
    assert.match(result.stderr, /--fill-compile-cache: Node's compile cache is off; set NODE_COMPILE_CACHE to a directory this user can write/);
  });
});
