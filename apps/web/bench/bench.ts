/**
 * Benchmarks for the web image, printed as a table beside their goals. Goals, not tests: a
 * miss is reported, and explained, not failed. Everything runs on loopback; each load is a
 * bounded wrk run (fixed duration and connections).
 *
 * Method, so that neither side of a comparison is penalised on a small machine:
 * - The client and the servers are pinned to separate CPUs (taskset): wrk on CPU 0, the server
 *   being measured on CPU 1 (nginx or Node for index.html, the API for /api/health). When nginx
 *   proxies, it runs on CPU 0 beside wrk, so the API has the same core in both runs, as it
 *   would in production, where nginx runs in its own task.
 * - nginx runs the image's nginx.conf as test/support/nginx.ts reproduces it: worker_processes
 *   auto, an access log line per request, no debug logging.
 * - The Node side is the issue's baseline, express.static. (An earlier hand-written node:http
 *   server that read the file into memory answered about twice as fast as express.static.)
 * - Runs alternate between the two targets after one warm-up each; a figure is the median of
 *   the runs, a ratio the median of the per-pair ratios, so a slow moment hits both alike.
 *
 *   pnpm --filter @nexiom/web run bench     (builds the web app and the API first)
 *   BENCH_RUNS=9 BENCH_SECONDS=5 BENCH_PIN=0 ...   (more runs, longer runs, no pinning)
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { webDir } from "../test/support/image";
import { freePort, run, start, waitFor } from "../test/support/process";
import { http } from "../test/support/http";
import { startStack } from "../test/support/stack";

const runs = Number(process.env.BENCH_RUNS ?? 5);
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const connections = 32;
/** BENCH_PIN=0 (or a single CPU) lets everything share the CPUs, for comparison; the output says so. */
const pinned = process.env.BENCH_PIN !== "0" && availableParallelism() >= 2;
const clientCpu = "0";
const serverCpu = "1";

/**
 * The JS that index.html loads before the app can render (entry scripts and modulepreloads), in the bytes
 * nginx sends: the build's precompressed .gz files, which `gzip_static` serves as they are.
 */
function initialJs(): { files: string[]; gzipBytes: number } {
  const html = readFileSync(join(webDir, "dist/index.html"), "utf8");
  const files = [...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="([^"]+\.js)"/g)].map((m) => m[1]!);
  const gzipBytes = files.reduce((sum, file) => sum + statSync(join(webDir, "dist", `${file}.gz`)).size, 0);
  return { files, gzipBytes };
}

/** A process and its child processes (nginx's master and workers). */
function family(pid: number): number[] {
  const children = readdirSync(`/proc/${pid}/task`).flatMap((task) =>
    readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").split(" ").filter(Boolean).map(Number),
  );
  return [pid, ...children.flatMap(family)];
}

/** Pins a process, its threads and its children to `cpus`. */
async function pin(pid: number, cpus: string): Promise<void> {
  if (!pinned) return;
  for (const p of family(pid)) await run("/usr/bin/taskset", ["-a", "-p", "-c", cpus, String(p)]);
}

/** CPU time used so far by a process and its children, all threads, in clock ticks. */
function cpuTicks(pid: number): number {
  return family(pid).reduce((sum, p) => {
    const fields = readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1]!.split(" ");
    return sum + Number(fields[11]) + Number(fields[12]); // utime, stime
  }, 0);
}

interface Target {
  url: string;
  /** Extra request headers, `Name: value`. */
  headers?: string[];
  /** The process being measured; its CPU use is reported beside its rate. */
  server: number;
}

interface Sample {
  rate: number;
  /** Share of one CPU the server used during the run. */
  cpu: number;
}

/** /proc counts CPU time in USER_HZ, 100 on every Linux architecture Node runs on. */
const ticksPerSecond = 100;

/** One wrk run from the client CPU: requests per second, and the server's CPU use meanwhile. */
async function wrk(target: Target): Promise<Sample> {
  const before = cpuTicks(target.server);
  const started = process.hrtime.bigint();
  const headers = (target.headers ?? []).flatMap((header) => ["-H", header]);
  const command = ["/usr/bin/wrk", "-t1", `-c${connections}`, `-d${seconds}s`, ...headers, target.url];
  const output = pinned ? await run("/usr/bin/taskset", ["-c", clientCpu, ...command]) : await run(command[0]!, command.slice(1));
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = (cpuTicks(target.server) - before) / ticksPerSecond / elapsed;
  const match = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const errors = /Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)/.exec(output);
  if (!match) throw new Error(`wrk printed no rate:\n${output}`);
  if (errors) throw new Error(`wrk saw errors against ${target.url}:\n${output}`);
  return { rate: Number(match[1]), cpu };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

interface Measured {
  rate: number;
  min: number;
  max: number;
  cpu: number;
}

/** The server's CPU time per request, in microseconds. */
const cpuPerRequest = (m: Measured) => (m.cpu / m.rate) * 1e6;

const summary = (samples: Sample[]): Measured => ({
  rate: median(samples.map((s) => s.rate)),
  min: Math.min(...samples.map((s) => s.rate)),
  max: Math.max(...samples.map((s) => s.rate)),
  cpu: median(samples.map((s) => s.cpu)),
});

/** Alternates the targets run by run, so a slow moment of the machine hits both alike. */
async function compare(a: Target, b: Target): Promise<{ a: Measured; b: Measured; ratio: number }> {
  await wrk(a); // warm-up: connections, caches, JIT
  await wrk(b);
  const sa: Sample[] = [];
  const sb: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    sa.push(await wrk(a));
    sb.push(await wrk(b));
  }
  return { a: summary(sa), b: summary(sb), ratio: median(sa.map((s, i) => s.rate / sb[i]!.rate)) };
}

/** The Node side of the comparison, as in the issue: express serving dist/ with express.static. */
const expressServer = `
const express = require(process.argv[1]);
const app = express();
app.use(express.static(process.argv[2]));
app.listen(Number(process.argv[3]), "127.0.0.1", () => console.log("listening"));
`;

async function main() {
  const js = initialJs();
  const stack = await startStack();
  const nodePort = await freePort();
  const nodeCommand = [process.execPath, "-e", expressServer, require.resolve("express"), join(webDir, "dist"), String(nodePort)];
  const node = pinned ? start("/usr/bin/taskset", ["-c", serverCpu, ...nodeCommand]) : start(nodeCommand[0]!, nodeCommand.slice(1));
  try {
    await waitFor("the express.static server", async () => (await http(`http://127.0.0.1:${nodePort}/index.html`)).status === 200, node);
    const nginxPid = stack.nginx.child.process.pid!;
    const apiPid = stack.api.child.process.pid!;
    const workers = family(nginxPid).length - 1;

    // index.html: each server alone on the server CPU.
    await pin(nginxPid, serverCpu);
    const html = await compare({ url: `${stack.url}/index.html`, server: nginxPid }, { url: `http://127.0.0.1:${nodePort}/index.html`, server: node.process.pid! });

    // /api/health: the API alone on the server CPU in both runs; nginx beside the client. The
    // direct run sends the headers nginx adds, so the API does the same work in both: without a
    // request id it makes one (a UUID per request), which would flatter the proxied run.
    await pin(apiPid, serverCpu);
    await pin(nginxPid, clientCpu);
    const health = await compare(
      { url: `${stack.url}/api/health`, server: apiPid },
      { url: `${stack.api.url}/api/health`, server: apiPid, headers: ["X-Request-Id: bench", "X-Forwarded-For: 127.0.0.1", "X-Forwarded-Proto: http"] },
    );

    const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB (${(bytes / 1024).toFixed(1)} KiB)`;
    const n = (value: number) => Math.round(value).toLocaleString("en");
    const rate = (m: Measured, who: string) =>
      `${n(m.rate)} req/s (${n(m.min)}–${n(m.max)}); ${who}: ${Math.round(m.cpu * 100)} % CPU, ${cpuPerRequest(m).toFixed(1)} µs/req`;
    const htmlMet = html.ratio >= 10;
    const healthMet = health.ratio >= 0.95;
    const rows: Array<[string, string, string, boolean | undefined]> = [
      [`SPA initial JS as served, gzip_static -9 (${js.files.join(", ")})`, kb(js.gzipBytes), "≤ 85 kB", js.gzipBytes <= 85_000],
      ["index.html, nginx", rate(html.a, "nginx"), "", undefined],
      ["index.html, Node (express.static)", rate(html.b, "Node"), "", undefined],
      ["index.html, nginx ÷ Node", `${html.ratio.toFixed(1)}×`, "≥ 10×", htmlMet],
      ["/api/health through nginx", rate(health.a, "API"), "", undefined],
      ["/api/health direct to the API", rate(health.b, "API"), "", undefined],
      ["/api/health, nginx ÷ direct", `${(health.ratio * 100).toFixed(1)} %`, "≥ 95 %", healthMet],
    ];
    const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.toString().length), ["Measure", "Figure", "Goal"][i]!.length));
    const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 4)).join(" | ")} |`;
    console.log(
      `\nwrk -t1 -c${connections}: ${runs} runs of ${seconds} s per target, alternating, after one warm-up each; median (min–max) and median of per-run ratios.`,
    );
    console.log(
      pinned
        ? `Pinned: wrk on CPU ${clientCpu}; the measured server (nginx, ${workers} workers from worker_processes auto, or Node) on CPU ${serverCpu}; when proxying, the API on CPU ${serverCpu} and nginx on CPU ${clientCpu} beside wrk.\n`
        : "Not pinned (BENCH_PIN=0 or one CPU): wrk and the servers share the CPUs, which understates whichever side needs more of them.\n",
    );
    console.log(line(["Measure", "Figure", "Goal", "Met"]));
    console.log(line(widths.map((w) => "-".repeat(w)).concat("---")));
    for (const [measure, figure, goal, met] of rows) {
      console.log(line([measure, figure, goal, met === undefined ? "" : met ? "yes" : "NO"]));
    }

    // A miss gets one line on why, from what was measured; so does a proxy that looks free.
    const perCpu = (m: Measured) => m.rate / Math.max(m.cpu, 0.01);
    if (!htmlMet) {
      const efficiency = `per CPU-second nginx served ${(perCpu(html.a) / perCpu(html.b)).toFixed(1)}× as many requests as Node`;
      console.log(
        !pinned
          ? `\nindex.html: not pinned, Node used ${Math.round(html.b.cpu * 100)} % CPU (its file-system threads run on the other CPU) and nginx ${Math.round(html.a.cpu * 100)} % beside wrk; ${efficiency}.`
          : html.a.cpu < 0.9
            ? `\nindex.html: nginx kept only ${Math.round(html.a.cpu * 100)} % of its CPU busy: the one wrk thread on the other CPU is the ceiling, not nginx; ${efficiency}.`
            : `\nindex.html: nginx kept its CPU busy (${Math.round(html.a.cpu * 100)} %), so the ratio is the servers', not the harness's; ${efficiency}.`,
      );
    }
    if (!healthMet) {
      console.log(
        `\n/api/health: the API used ${Math.round(health.a.cpu * 100)} % of its CPU through nginx and ${Math.round(health.b.cpu * 100)} % direct: ${pinned ? `nginx shares CPU ${clientCpu} with wrk, so the proxied client side cannot keep the API as busy` : "nginx, wrk and the API share one CPU"}.`,
      );
    } else if (health.ratio > 1.02) {
      console.log(
        `\n/api/health above 100 %: the API spent ${cpuPerRequest(health.a).toFixed(1)} µs per request fed by nginx against ${cpuPerRequest(health.b).toFixed(1)} µs direct; nginx's own CPU came from the client's core, which production gives it as a separate task.`,
      );
    }
  } finally {
    await node.stop();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
