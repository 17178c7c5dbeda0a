/**
 * What the bench knows of the machine: CPU time from /proc, pinning with taskset, waiting for a quiet
 * machine, and one bounded wrk run whose disturbance by other processes is measured, not assumed.
 * Linux only, as the machines this project targets are.
 */
import { execFile } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { promisify } from "node:util";

const run = promisify(execFile);

/** /proc counts CPU time in USER_HZ, 100 on every Linux architecture Node runs on. */
const ticksPerSecond = 100;

/** BENCH_PIN=0, or a single CPU, lets the client and the servers share the CPUs; the output says so. */
export const pinned = process.env.BENCH_PIN !== "0" && availableParallelism() >= 2;
export const clientCpu = "0";
export const serverCpu = "1";

/** The command that runs `command` on `cpu` when pinning, or as it is. */
export function onCpu(cpu: string, command: string[]): string[] {
  return pinned ? ["/usr/bin/taskset", "-c", cpu, ...command] : command;
}

/** Pins a running process, its threads and its descendants to `cpu` (when pinning). */
export async function pinProcess(pid: number, cpu: string): Promise<void> {
  if (!pinned) return;
  for (const p of family(pid)) await run("/usr/bin/taskset", ["-a", "-p", "-c", cpu, String(p)]);
}

/** A process and its descendants. */
export function family(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children = tasks.flatMap((task) => {
    try {
      return readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").split(" ").filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
  return [pid, ...children.flatMap(family)];
}

function statFields(path: string): string[] {
  return readFileSync(path, "utf8").split(") ")[1]!.split(" ");
}

/** CPU time used so far by a process and its descendants, all threads, in ticks. */
export function processTicks(pid: number): number {
  return family(pid).reduce((sum, p) => {
    try {
      const fields = statFields(`/proc/${p}/stat`);
      return sum + Number(fields[11]) + Number(fields[12]); // utime, stime
    } catch {
      return sum; // exited meanwhile
    }
  }, 0);
}

/** This process's own CPU time, and the CPU time of the children it has reaped (wrk, once it exits). */
function selfTicks(): { own: number; reaped: number } {
  const fields = statFields("/proc/self/stat");
  return { own: Number(fields[11]) + Number(fields[12]), reaped: Number(fields[13]) + Number(fields[14]) };
}

/** Busy ticks of the whole machine, all CPUs: everything but idle and iowait. */
function machineBusyTicks(): number {
  const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = cpu;
  return user! + nice! + system! + irq! + softirq! + steal!;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How many CPUs' worth of work the machine did over `ms`. */
async function machineLoad(ms: number): Promise<number> {
  const before = machineBusyTicks();
  await sleep(ms);
  return (machineBusyTicks() - before) / ticksPerSecond / (ms / 1000);
}

/** The load, in CPUs, below which the machine counts as quiet, and above which other work disturbs a run. */
export const quietBelowCpus = 0.15;

/**
 * Waits until the machine has been quiet for half a second, for at most `limitMs`. Returns whether it
 * was quiet, so that a run that started on a busy machine is marked, not hidden.
 */
export async function waitForQuiet(limitMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if ((await machineLoad(500)) < quietBelowCpus) return true;
  }
  return false;
}

export interface LoadResult<Name extends string = string> {
  rate: number;
  /** Each measured process's CPU use during the run (with its children and threads), in CPUs. */
  cpus: Record<Name, number>;
  /** CPU used by everything else (none of the measured processes, nor wrk, nor the bench), in CPUs. */
  otherCpus: number;
  /** Latency percentiles wrk reports, in ms. */
  p50: number;
  p99: number;
}

function wrkMs(output: string, percentile: string): number {
  const match = new RegExp(`^\\s*${percentile}%\\s+([\\d.]+)(us|ms|s)\\s*$`, "m").exec(output);
  if (!match) throw new Error(`wrk printed no ${percentile}th percentile (run it with --latency):\n${output}`);
  const value = Number(match[1]);
  return match[2] === "us" ? value / 1000 : match[2] === "s" ? value * 1000 : value;
}

/** What the bench reads from `wrk --latency`'s report. Throws on a run that saw errors: a fast wrong answer is not a result. */
export function parseWrk(output: string, url: string): { rate: number; p50: number; p99: number } {
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(output);
  if (!rate) throw new Error(`wrk printed no rate for ${url}:\n${output}`);
  if (/Non-2xx or 3xx responses|Socket errors/.test(output)) throw new Error(`wrk saw errors against ${url}:\n${output}`);
  return { rate: Number(rate[1]), p50: wrkMs(output, "50"), p99: wrkMs(output, "99") };
}

/**
 * One wrk run from the client CPU against `url`, for `seconds`, with `connections` kept-alive
 * connections, measuring the CPU of each process in `processes` (by name). Fails on any non-2xx
 * answer or socket error: a fast wrong answer is not a result.
 */
export async function wrk<Name extends string>(
  url: string,
  processes: Record<Name, number>,
  { seconds, connections, headers = [] }: { seconds: number; connections: number; headers?: string[] },
): Promise<LoadResult<Name>> {
  const names = Object.keys(processes) as Name[];
  const machineBefore = machineBusyTicks();
  const before = names.map((name) => processTicks(processes[name]));
  const selfBefore = selfTicks();
  const started = process.hrtime.bigint();
  const command = onCpu(clientCpu, ["/usr/bin/wrk", "-t1", `-c${connections}`, `-d${seconds}s`, "--latency", ...headers.flatMap((h) => ["-H", h]), url]);
  const { stdout } = await run(command[0]!, command.slice(1), { timeout: (seconds + 30) * 1000 });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const used = names.map((name, i) => processTicks(processes[name]) - before[i]!);
  const selfAfter = selfTicks();
  const benchTicks = selfAfter.own - selfBefore.own + (selfAfter.reaped - selfBefore.reaped);
  const otherTicks = machineBusyTicks() - machineBefore - used.reduce((a, b) => a + b, 0) - benchTicks;
  const { rate, p50, p99 } = parseWrk(stdout, url);
  return {
    rate,
    cpus: Object.fromEntries(names.map((name, i) => [name, used[i]! / ticksPerSecond / elapsed])) as Record<Name, number>,
    otherCpus: Math.max(0, otherTicks) / ticksPerSecond / elapsed,
    p50,
    p99,
  };
}

/** Fails early, naming the package, when wrk is missing. */
export async function requireWrk(): Promise<void> {
  try {
    await run("/usr/bin/wrk", ["--version"]).catch((error: { stdout?: string }) => {
      // wrk --version exits 1 after printing its version.
      if (!String(error.stdout ?? "").includes("wrk")) throw error;
    });
  } catch {
    throw new Error("the bench drives load with wrk: install it (apt-get install wrk) and run it again");
  }
}
