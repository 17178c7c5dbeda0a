/**
 * What the engine suite needs around the real dev stack: the prepared environment (Docker engine,
 * Pulumi CLI and plugins on PATH), a state backend of its own, commands run with their output shown
 * live, and, when something fails, the product containers' health and logs.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Docker from "dockerode";

export const root = path.resolve(__dirname, "../../..");
export const cache = process.env.NEXIOM_ENGINE_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "nexiom-engine");
/** The suite's own Pulumi state: never a developer's `.pulumi`, and shared by every checkout on this machine so a crashed run is cleaned up by the next. */
export const backendDir = path.join(cache, "engine-test-backend");
/** Written before the suite first creates the dev stack: the product resources on this engine are the suite's to remove. */
const ownershipMarker = path.join(backendDir, "owned-by-engine-suite");

export const docker = new Docker();
/** Names the dev stack gives its Docker resources (components/*\/docker.ts). */
export const productContainers = ["nexiom-db", "nexiom-cache", "nexiom-api", "nexiom-web"];
export const productNetwork = "nexiom-network";
export const productVolume = "nexiom-postgres-data";

let preparedEnv: NodeJS.ProcessEnv | undefined;

/** The environment after `scripts/engine/prepare.sh --env`, plus the suite's backend. Prepares the machine once. */
export function engineEnv(): NodeJS.ProcessEnv {
  if (!preparedEnv) {
    const result = spawnSync("bash", ["-c", 'eval "$(bash scripts/engine/prepare.sh --env)" && env -0'], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 16 << 20 });
    if (result.status !== 0) throw new Error(`scripts/engine/prepare.sh failed (exit ${result.status}); its output is above.`);
    const env: NodeJS.ProcessEnv = {};
    for (const entry of result.stdout.split("\0")) {
      const at = entry.indexOf("=");
      if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
    }
    fs.mkdirSync(backendDir, { recursive: true });
    preparedEnv = { ...env, PULUMI_BACKEND_URL: `file://${backendDir}`, PULUMI_CONFIG_PASSPHRASE: "", CI: "true" };
  }
  return preparedEnv;
}

export interface Ran {
  code: number | null;
  /** stdout and stderr as they came. */
  output: string;
  /** stdout alone (for `--json`, which the CLI's warnings on stderr would spoil). */
  stdout: string;
  command: string;
}

/** Runs a command in the repository with the engine environment, its output shown live (indented) and kept. */
export function run(command: string, args: string[], options: { allowFailure?: boolean; quiet?: boolean } = {}): Promise<Ran> {
  const shown = `${command} ${args.join(" ")}`;
  if (!options.quiet) console.log(`      $ ${shown}`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env: engineEnv(), stdio: ["ignore", "pipe", "pipe"] });
    const chunks: string[] = [];
    const stdout: string[] = [];
    let pending = "";
    const show = (chunk: Buffer) => {
      const text = String(chunk);
      chunks.push(text);
      if (options.quiet) return;
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) process.stdout.write(`        ${line}\n`);
    };
    child.stdout.on("data", (chunk: Buffer) => {
      stdout.push(String(chunk));
      show(chunk);
    });
    child.stderr.on("data", show);
    child.on("error", reject);
    child.on("close", (code) => {
      if (pending && !options.quiet) process.stdout.write(`        ${pending}\n`);
      const ran = { code, output: chunks.join(""), stdout: stdout.join(""), command: shown };
      if (code !== 0 && !options.allowFailure) reject(new Error(`\`${shown}\` exited with ${code}:\n${ran.output.split("\n").slice(-60).join("\n")}`));
      else resolve(ran);
    });
  });
}

/** The state of each product container: running, health, image, user, read-only root; undefined when absent. */
export async function inspectProduct(): Promise<Record<string, Docker.ContainerInspectInfo | undefined>> {
  const entries = await Promise.all(
    productContainers.map(async (name) => [name, await docker.getContainer(name).inspect().catch(ignoreMissing)] as const),
  );
  return Object.fromEntries(entries);
}

/** Polls until `check` returns a value (not undefined) or the time is up; the last error is reported. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? `: ${last instanceof Error ? last.message : String(last)}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Waits until every product container runs and reports healthy. */
export function waitUntilHealthy(timeoutMs = 180_000): Promise<boolean> {
  return waitFor("every product container to be healthy", timeoutMs, async () => {
    const states = await inspectProduct();
    const unhealthy = Object.entries(states).filter(([, info]) => !info?.State.Running || info.State.Health?.Status !== "healthy");
    if (unhealthy.length > 0) throw new Error(unhealthy.map(([name, info]) => `${name}: ${info ? `${info.State.Status}/${info.State.Health?.Status ?? "no health check"}` : "absent"}`).join(", "));
    return true;
  });
}

/** Health, state and the last log lines of every product container: printed when a test fails. */
export async function diagnose(): Promise<string> {
  const lines: string[] = [];
  for (const [name, info] of Object.entries(await inspectProduct())) {
    if (!info) {
      lines.push(`--- ${name}: absent`);
      continue;
    }
    const health = info.State.Health;
    lines.push(`--- ${name}: ${info.State.Status} (exit ${info.State.ExitCode}), health ${health?.Status ?? "none"}, restarts ${info.RestartCount}, image ${info.Image.slice(7, 19)}`);
    for (const probe of health?.Log?.slice(-3) ?? []) lines.push(`    health check (exit ${probe.ExitCode}): ${probe.Output.trim().slice(0, 300)}`);
    const logs = spawnSync("docker", ["logs", "--tail", "40", name], { encoding: "utf8" });
    lines.push(...`${logs.stdout}${logs.stderr}`.trimEnd().split("\n").map((line) => `    | ${line}`));
  }
  return lines.join("\n");
}

/**
 * Makes the engine empty of the product, as the cold-start test needs. Removes only what this suite
 * created before (its marker is in its backend); anything else carrying the product's names is a
 * developer's own dev stack, which the suite refuses to touch.
 */
export async function resetProduct(): Promise<void> {
  const leftovers = await productLeftovers();
  if (leftovers.length > 0 && !fs.existsSync(ownershipMarker)) {
    throw new Error(
      `This Docker engine already has the dev stack's ${leftovers.join(", ")}, which this suite did not create. ` +
        "The suite uses the same names and ports. Remove them yourself (`pnpm dev:stack --destroy`, then " +
        "`docker volume rm nexiom-postgres-data`, which deletes that stack's data), or point DOCKER_HOST at another engine.",
    );
  }
  if (fs.existsSync(path.join(backendDir, ".pulumi", "stacks"))) {
    // The database's volume and password are protected: this cleanup removes them too.
    await run("pulumi", ["state", "unprotect", "--all", "--stack", "dev", "--yes"], { allowFailure: true, quiet: true });
    await run("pulumi", ["destroy", "--stack", "dev", "--yes", "--skip-preview"], { allowFailure: true });
    await run("pulumi", ["stack", "rm", "dev", "--yes", "--force"], { allowFailure: true, quiet: true });
  }
  for (const name of productContainers) await docker.getContainer(name).remove({ force: true, v: true }).catch(ignoreMissing);
  await docker.getNetwork(productNetwork).remove().catch(ignoreMissing);
  await docker.getVolume(productVolume).remove().catch(ignoreMissing);
  fs.mkdirSync(backendDir, { recursive: true });
  fs.writeFileSync(ownershipMarker, "The engine suite (test/engine) created the dev stack on this engine.\n");
}

/** Removes what the suite created; the marker goes last, once nothing of the product is left. */
export async function removeProduct(): Promise<void> {
  await resetProduct();
  fs.rmSync(ownershipMarker, { force: true });
}

async function productLeftovers(): Promise<string[]> {
  const found: string[] = [];
  for (const [name, info] of Object.entries(await inspectProduct())) if (info) found.push(`container ${name}`);
  if (await docker.getNetwork(productNetwork).inspect().catch(ignoreMissing)) found.push(`network ${productNetwork}`);
  if (await docker.getVolume(productVolume).inspect().catch(ignoreMissing)) found.push(`volume ${productVolume}`);
  return found;
}

function ignoreMissing(error: any): undefined {
  if (error?.statusCode === 404) return undefined;
  throw error;
}

/** The Docker daemon's PID when engine:prepare started it (CI, a fresh VM); undefined for a daemon someone else runs. */
export function ownDaemonPid(): number | undefined {
  const pidFile = path.join(cache, "dockerd.pid");
  if (!fs.existsSync(pidFile)) return undefined;
  const pid = Number(fs.readFileSync(pidFile, "utf8").trim());
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}
