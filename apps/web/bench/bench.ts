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
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { clientCpu, family, onCpu, pinned, pinProcess, quietBelowCpus, requireWrk, serverCpu, waitForQuiet, wrk as wrkRun } from "../../api/bench/machine";
import { median, printTable } from "../../api/bench/report";
import { webDir } from "../test/support/image";
import { freePort, start, waitFor } from "../test/support/process";
import { http } from "../test/support/http";
import { startStack } from "../test/support/stack";

const runs = Number(process.env.BENCH_RUNS ?? 5);
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const connections = 32;
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

interface Target {
  url: string;
  /** Extra request headers, `Name: value`. */
  headers?: string[];
  /** The process being measured; its CPU use is reported beside its rate. */
  server: number;
  /** nginx, when it proxies to the server: its CPU per request is what the proxy adds. */
  nginx?: number;
}

interface Sample {
  rate: number;
  /** Share of one CPU the server used during the run. */
  cpu: number;
  /** Share of one CPU nginx used, when it proxied the run. */
  nginxCpu: number;
  disturbed: boolean;
}

/** One wrk run from the client CPU, after waiting for a quiet machine: requests per second, and the CPU each process used. */
async function wrk(target: Target): Promise<Sample> {
  const quiet = await waitForQuiet();
  const processes: Record<string, number> = target.nginx === undefined ? { server: target.server } : { server: target.server, nginx: target.nginx };
  const result = await wrkRun(target.url, processes, { seconds, connections, headers: target.headers });
  return { rate: result.rate, cpu: result.cpus.server!, nginxCpu: result.cpus.nginx ?? 0, disturbed: !quiet || result.otherCpus > quietBelowCpus };
}

interface Measured {
  rate: number;
  min: number;
  max: number;
  cpu: number;
  nginxCpu: number;
}

/** The server's CPU time per request, in microseconds. */
const cpuPerRequest = (m: Measured) => (m.cpu / m.rate) * 1e6;

const summary = (samples: Sample[]): Measured => ({
  rate: median(samples.map((s) => s.rate)),
  min: Math.min(...samples.map((s) => s.rate)),
  max: Math.max(...samples.map((s) => s.rate)),
  cpu: median(samples.map((s) => s.cpu)),
  nginxCpu: median(samples.map((s) => s.nginxCpu)),
});

/**
 * Alternates the targets run by run, so a slow moment of the machine hits both alike. Pairs in which
 * either run was disturbed (busy at start, or other processes using CPU meanwhile) are left out
 * while at least three undisturbed pairs remain.
 */
async function compare(a: Target, b: Target): Promise<{ a: Measured; b: Measured; ratio: number; pairs: string }> {
  await wrk(a); // warm-up: connections, caches, JIT
  await wrk(b);
  let sa: Sample[] = [];
  let sb: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    sa.push(await wrk(a));
    sb.push(await wrk(b));
  }
  const clean = sa.map((_, i) => i).filter((i) => !sa[i]!.disturbed && !sb[i]!.disturbed);
  const pairs = clean.length >= 3 ? `${clean.length} undisturbed pairs` : `${runs} pairs, ${runs - clean.length} disturbed`;
  if (clean.length >= 3) [sa, sb] = [clean.map((i) => sa[i]!), clean.map((i) => sb[i]!)];
  return { a: summary(sa), b: summary(sb), ratio: median(sa.map((s, i) => s.rate / sb[i]!.rate)), pairs };
}

/** The Node side of the comparison, as in the issue: express serving dist/ with express.static. */
const expressServer = `
const express = require(process.argv[1]);
const app = express();
app.use(express.static(process.argv[2]));
app.listen(Number(process.argv[3]), "127.0.0.1", () => console.log("listening"));
`;

async function main() {
  await requireWrk();
  const js = initialJs();
  const stack = await startStack();
  const nodePort = await freePort();
  const nodeCommand = [process.execPath, "-e", expressServer, require.resolve("express"), join(webDir, "dist"), String(nodePort)];
  const [nodeBinary, ...nodeArgs] = onCpu(serverCpu, nodeCommand);
  const node = start(nodeBinary!, nodeArgs);
  try {
    await waitFor("the express.static server", async () => (await http(`http://127.0.0.1:${nodePort}/index.html`)).status === 200, node);
    const nginxPid = stack.nginx.child.process.pid!;
    const apiPid = stack.api.child.process.pid!;
    const workers = family(nginxPid).length - 1;

    // index.html: each server alone on the server CPU.
    await pinProcess(nginxPid, serverCpu);
    const html = await compare({ url: `${stack.url}/index.html`, server: nginxPid }, { url: `http://127.0.0.1:${nodePort}/index.html`, server: node.process.pid! });

    // /api/health: the API alone on the server CPU in both runs; nginx beside the client. The
    // direct run sends the headers nginx adds, so the API does the same work in both: without a
    // request id it makes one (a UUID per request), which would flatter the proxied run.
    await pinProcess(apiPid, serverCpu);
    await pinProcess(nginxPid, clientCpu);
    const health = await compare(
      { url: `${stack.url}/api/health`, server: apiPid, nginx: nginxPid },
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
      ["nginx CPU per proxied request (what the proxy adds)", `${((health.a.nginxCpu / health.a.rate) * 1e6).toFixed(1)} µs`, "", undefined],
    ];
    console.log(
      `\nwrk -t1 -c${connections}: ${runs} runs of ${seconds} s per target, alternating, after one warm-up each; median (min–max) and median of per-run ratios. index.html: ${html.pairs}; /api/health: ${health.pairs}.`,
    );
    console.log(
      pinned
        ? `Pinned: wrk on CPU ${clientCpu}; the measured server (nginx, ${workers} workers from worker_processes auto, or Node) on CPU ${serverCpu}; when proxying, the API on CPU ${serverCpu} and nginx on CPU ${clientCpu} beside wrk.\n`
        : "Not pinned (BENCH_PIN=0 or one CPU): wrk and the servers share the CPUs, which understates whichever side needs more of them.\n",
    );
    printTable(
      ["Measure", "Figure", "Goal", "Met"],
      rows.map(([measure, figure, goal, met]) => [measure, figure, goal, met === undefined ? "" : met ? "yes" : "NO"]),
    );

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
