import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.resolve(__dirname, "..");

/** What a fresh clone has before `pnpm install`: the manifests, the lockfile and the script, no node_modules. */
function freshClone(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nexiom-fresh-clone-"));
  const workspace = ["package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", "scripts/ensure-installed.mjs"];
  const apps = fs.readdirSync(path.join(root, "apps")).map((app) => `apps/${app}/package.json`);
  for (const file of [...workspace, ...apps]) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(root, file), path.join(dir, file));
  }
  return dir;
}

const ensureInstalled = (dir: string) => spawnSync(process.execPath, [path.join(dir, "scripts/ensure-installed.mjs")], { cwd: dir, encoding: "utf8" });

describe("pnpm dev and pnpm plan on a fresh clone (scripts/ensure-installed.mjs)", function () {
  this.timeout(300_000);
  let dir: string;
  before(() => (dir = freshClone()));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("installs from the lockfile first, writing only to stderr", () => {
    const result = ensureInstalled(dir);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, "", "stdout stays free for the plan");
    assert.match(result.stderr, /^==> No dependencies installed yet: pnpm install --frozen-lockfile\n/);
    assert.ok(fs.existsSync(path.join(dir, "node_modules/.bin/tsx")), "tsx, which pnpm plan runs, is installed");
  });

  it("does nothing once the install matches the lockfile", () => {
    const result = ensureInstalled(dir);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual([result.stdout, result.stderr], ["", ""]);
  });

  it("installs again when the lockfile changed since, and says so", () => {
    fs.appendFileSync(path.join(dir, "node_modules/.pnpm/lock.yaml"), "\n# an older install\n");
    const result = ensureInstalled(dir);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /^==> pnpm-lock.yaml changed since the last install: pnpm install --frozen-lockfile\n/);
  });
});
