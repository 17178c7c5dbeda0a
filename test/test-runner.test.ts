import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";

const root = path.resolve(__dirname, "..");
const packageManager: string = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).packageManager;

/**
 * `pnpm test`'s runner (scripts/test.mjs) in a project of its own: suites that pass, fail, lack their
 * script or their package, so that every outcome is seen without running the real suites.
 */
function project(suites: object[], scripts: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nexiom-test-runner-"));
  const manifest = (name: string, s: Record<string, string>, extra = {}) => JSON.stringify({ name, private: true, packageManager, scripts: s, ...extra });
  fs.writeFileSync(path.join(dir, "package.json"), manifest("fixture", scripts, { testSuites: suites }));
  fs.mkdirSync(path.join(dir, "sub"));
  fs.writeFileSync(path.join(dir, "sub", "package.json"), manifest("fixture-sub", { test: "node -e \"console.log('sub suite ran')\"" }));
  // The project's own pnpm settings (a pnpm other than the pinned one must run it, not fail to switch), for a
  // workspace of the fixture's packages.
  const workspace = parse(fs.readFileSync(path.join(root, "pnpm-workspace.yaml"), "utf8"));
  fs.writeFileSync(path.join(dir, "pnpm-workspace.yaml"), stringify({ ...workspace, packages: ["sub"] }));
  return dir;
}

function runner(dir: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [path.join(root, "scripts/test.mjs"), ...args], { cwd: dir, encoding: "utf8" });
  fs.rmSync(dir, { recursive: true, force: true });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, lastLine: result.stdout.trimEnd().split("\n").at(-1) };
}

const scripts = {
  good: "node -e \"console.log('good suite ran')\"",
  bad: "node -e \"process.exit(3)\"",
};
const everyOutcome = [
  { name: "bad", script: "bad" },
  { name: "good", script: "good" },
  { name: "absent", script: "test:absent" },
  { name: "sub", dir: "sub", script: "test" },
  { name: "no-package", dir: "nowhere", script: "test" },
];

describe("pnpm test's runner (scripts/test.mjs)", function () {
  this.timeout(120_000);

  it("runs every suite after a failing one, sums them up, ends with the counts and exits 1", () => {
    const { status, stdout, lastLine } = runner(project(everyOutcome, scripts));
    assert.equal(status, 1, stdout);
    assert.match(stdout, /good suite ran/);
    assert.match(stdout, /sub suite ran/);
    const summary = stdout.slice(stdout.indexOf("==> Summary"));
    assert.match(summary, /FAILED +bad +pnpm run bad: exit 3 after \d+ s/);
    assert.match(summary, /passed +good +pnpm run good, \d+ s/);
    assert.match(summary, /FAILED +absent +no "test:absent" script in package\.json/);
    assert.match(summary, /passed +sub +pnpm run test in sub, \d+ s/);
    assert.match(summary, /FAILED +no-package +no nowhere\/package\.json/);
    assert.equal(lastLine, "2 passed, 3 failed");
  });

  it("leaves a suite out only when told to, says so in the summary, and exits 0 when the rest pass", () => {
    const suites = [{ name: "good", script: "good" }, { name: "absent", script: "test:absent" }, { name: "sub", dir: "sub", script: "test" }];
    const { status, stdout, lastLine } = runner(project(suites, scripts), "--skip", "absent");
    assert.equal(status, 0, stdout);
    assert.match(stdout, /skipped +absent +left out with --skip/);
    assert.equal(lastLine, "2 passed, 0 failed");
  });

  it("refuses to skip a suite it does not know, naming the suites", () => {
    const { status, stderr } = runner(project([{ name: "good", script: "good" }], scripts), "--skip", "engnie");
    assert.equal(status, 2);
    assert.equal(stderr, 'pnpm test: unknown suite "engnie" (suites: good); usage: pnpm test [--skip <suite> ...]\n');
  });

  it("runs no suite when the frozen-lockfile install fails, and counts each as failed", () => {
    const dir = project([{ name: "good", script: "good" }], scripts);
    // A dependency the lockfile does not have: a frozen install must refuse before any suite runs.
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ ...manifest, dependencies: { "left-pad": "1.3.0" } }));
    fs.writeFileSync(path.join(dir, "pnpm-lock.yaml"), "lockfileVersion: '9.0'\n");
    const { status, stdout, lastLine } = runner(dir);
    assert.equal(status, 1, stdout);
    assert.doesNotMatch(stdout, /good suite ran/);
    assert.match(stdout, /FAILED +good +not run: the install failed \(exit 1\)/);
    assert.equal(lastLine, "0 passed, 1 failed");
  });
});
