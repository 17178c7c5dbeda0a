/**
 * `pnpm test`: installs from the lockfile, then runs every suite listed in package.json's `testSuites`,
 * each one even when an earlier one failed, and ends with one summary of what passed and what failed.
 *
 *   pnpm test                   install, then every suite
 *   pnpm test --skip <suite>    leave a suite out (repeatable); the summary says it was left out
 *
 * A suite is `{ "name", "script", "dir"? }`: `pnpm run <script>` in `dir` (default: the project root).
 * A suite whose script does not exist fails, saying so: a missing suite is never a silent pass.
 * The last line is `<n> passed, <n> failed` (suites counted), for CI tooling to read; the exit code is 1
 * when any suite failed, 2 for bad usage.
 *
 * Plain JavaScript, not TypeScript: it runs before `pnpm install` has put tsx in place.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = process.cwd();
const usage = "usage: pnpm test [--skip <suite> ...]";

/** @typedef {{ name: string, script: string, dir?: string }} Suite */
/** @typedef {{ suite: Suite | { name: string }, outcome: "passed" | "failed" | "skipped", detail: string }} Result */

function readJson(file) {
  return JSON.parse(readFileSync(file, "utf8"));
}

/** Runs a command with the terminal's stdio; resolves with its exit code, or the signal that ended it. */
let current;
function run(command, args, cwd) {
  return new Promise((done) => {
    current = spawn(command, args, { cwd, stdio: "inherit" });
    current.once("error", (error) => done({ code: null, signal: null, error }));
    current.once("exit", (code, signal) => done({ code, signal }));
  }).finally(() => (current = undefined));
}

function describeExit({ code, signal, error }) {
  if (error) return `could not start: ${error.message}`;
  return signal ? `killed by ${signal}` : `exit ${code}`;
}

/** Why a suite cannot run as declared, or undefined when its package has the script. */
function missing(suite) {
  const dir = resolve(root, suite.dir ?? ".");
  const manifest = join(dir, "package.json");
  if (!existsSync(manifest)) return `no ${join(suite.dir ?? ".", "package.json")}`;
  if (!readJson(manifest).scripts?.[suite.script]) return `no "${suite.script}" script in ${join(suite.dir ?? ".", "package.json")}`;
  return undefined;
}

function parseArgs(argv, suites) {
  const skip = new Set();
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--help" || argv[i] === "-h") {
      process.stdout.write(`${usage}\nsuites: ${suites.map((s) => s.name).join(", ")}\n`);
      process.exit(0);
    }
    const name = argv[i] === "--skip" ? argv[++i] : undefined;
    if (!name || !suites.some((s) => s.name === name)) {
      throw new Error(`${name ? `unknown suite "${name}"` : `unexpected ${argv[i] ?? "end of arguments"}`} (suites: ${suites.map((s) => s.name).join(", ")}); ${usage}`);
    }
    skip.add(name);
  }
  return skip;
}

async function main() {
  /** @type {Suite[]} */
  const suites = readJson(join(root, "package.json")).testSuites ?? [];
  if (suites.length === 0) throw new Error('package.json has no "testSuites" list');
  const skip = parseArgs(process.argv.slice(2), suites);

  /** @type {Result[]} */
  const results = [];
  let stopped;
  const stop = (signal) => {
    stopped = signal;
    current?.kill(signal);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);

  process.stdout.write("\n==> install: pnpm install --frozen-lockfile\n");
  const install = await run("pnpm", ["install", "--frozen-lockfile", "--reporter=append-only"], root);
  const installFailed = install.code !== 0 ? `not run: the install failed (${describeExit(install)})` : undefined;

  for (const [index, suite] of suites.entries()) {
    const where = `pnpm run ${suite.script}${suite.dir ? ` in ${suite.dir}` : ""}`;
    if (skip.has(suite.name)) {
      results.push({ suite, outcome: "skipped", detail: "left out with --skip" });
      continue;
    }
    const notRunnable = installFailed ?? (stopped ? `not run: stopped by ${stopped}` : missing(suite));
    if (notRunnable) {
      results.push({ suite, outcome: "failed", detail: notRunnable });
      continue;
    }
    process.stdout.write(`\n==> [${index + 1}/${suites.length}] ${suite.name}: ${where}\n`);
    const started = Date.now();
    const exit = await run("pnpm", ["run", suite.script], resolve(root, suite.dir ?? "."));
    const seconds = `${Math.round((Date.now() - started) / 1000)} s`;
    results.push(
      exit.code === 0
        ? { suite, outcome: "passed", detail: `${where}, ${seconds}` }
        : { suite, outcome: "failed", detail: `${where}: ${describeExit(exit)} after ${seconds}` },
    );
  }

  const width = Math.max(...results.map((r) => r.suite.name.length));
  const label = { passed: "passed ", failed: "FAILED ", skipped: "skipped" };
  process.stdout.write(`\n==> Summary\n`);
  for (const { suite, outcome, detail } of results) process.stdout.write(`  ${label[outcome]}  ${suite.name.padEnd(width)}  ${detail}\n`);
  const count = (outcome) => results.filter((r) => r.outcome === outcome).length;
  process.stdout.write(`${count("passed")} passed, ${count("failed")} failed\n`);
  process.exitCode = count("failed") > 0 || stopped ? 1 : 0;
}

main().catch((error) => {
  process.stderr.write(`pnpm test: ${error.message}\n`);
  process.exitCode = 2;
});
