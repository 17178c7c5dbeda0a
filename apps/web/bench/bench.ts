/**
 * Benchmarks for the web image, printed as a table beside their goals. Goals, not tests: a
 * miss is reported, not failed. Everything runs on loopback; each load is a bounded wrk run
 * (fixed duration and connections), and each figure is the median of several runs.
 *
 *   pnpm --filter @nexiom/web run bench     (builds the web app and the API first)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { webDir } from "../test/support/image";
import { freePort, run, start, waitFor } from "../test/support/process";
import { http } from "../test/support/http";
import { startStack } from "../test/support/stack";

const runs = Number(process.env.BENCH_RUNS ?? 5);
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const connections = 32;

/** The JS that index.html loads before the app can render: entry scripts and modulepreloads. */
function initialJs(): { files: string[]; gzipBytes: number } {
  const html = readFileSync(join(webDir, "dist/index.html"), "utf8");
  const files = [...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="([^"]+\.js)"/g)].map((m) => m[1]!);
  const gzipBytes = files.reduce((sum, file) => sum + gzipSync(readFileSync(join(webDir, "dist", file)), { level: 9 }).length, 0);
  return { files, gzipBytes };
}

/** Requests per second from one wrk run. */
async function wrk(url: string): Promise<number> {
  const output = await run("/usr/bin/wrk", ["-t1", `-c${connections}`, `-d${seconds}s`, url]);
  const match = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const errors = /Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)/.exec(output);
  if (!match) throw new Error(`wrk printed no rate:\n${output}`);
  if (errors) throw new Error(`wrk saw errors against ${url}:\n${output}`);
  return Number(match[1]);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Alternates the targets run by run, so a slow moment of the machine hits both alike. */
async function compare(a: string, b: string): Promise<[number, number]> {
  await wrk(a); // warm-up: connections, caches, JIT
  await wrk(b);
  const ra: number[] = [];
  const rb: number[] = [];
  for (let i = 0; i < runs; i++) {
    ra.push(await wrk(a));
    rb.push(await wrk(b));
  }
  return [median(ra), median(rb)];
}

/** The Node side of the comparison: node:http reading index.html from disk on every request, as express.static does. */
const nodeServer = `
const { createServer } = require("node:http");
const { readFile } = require("node:fs/promises");
const file = process.argv[1];
createServer(async (req, res) => {
  const body = await readFile(file);
  res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-cache", "content-length": body.length });
  res.end(body);
}).listen(Number(process.argv[2]), "127.0.0.1", () => console.log("listening"));
`;

async function main() {
  const js = initialJs();
  const stack = await startStack();
  const nodePort = await freePort();
  const node = start(process.execPath, ["-e", nodeServer, join(webDir, "dist/index.html"), String(nodePort)]);
  try {
    await waitFor("the Node static server", async () => (await http(`http://127.0.0.1:${nodePort}/`)).status === 200, node);
    const [nginxHtml, nodeHtml] = await compare(`${stack.url}/index.html`, `http://127.0.0.1:${nodePort}/index.html`);
    const [proxied, direct] = await compare(`${stack.url}/api/health`, `${stack.api.url}/api/health`);

    const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB (${(bytes / 1024).toFixed(1)} KiB)`;
    const rate = (n: number) => `${Math.round(n).toLocaleString("en")} req/s`;
    const rows: Array<[string, string, string, boolean | undefined]> = [
      [`SPA initial JS, gzip -9 (${js.files.join(", ")})`, kb(js.gzipBytes), "≤ 85 kB", js.gzipBytes <= 85_000],
      ["index.html, nginx", rate(nginxHtml), "", undefined],
      ["index.html, Node (node:http + readFile)", rate(nodeHtml), "", undefined],
      ["index.html, nginx ÷ Node", `${(nginxHtml / nodeHtml).toFixed(1)}×`, "≥ 10×", nginxHtml / nodeHtml >= 10],
      ["/api/health through nginx", rate(proxied), "", undefined],
      ["/api/health direct to the API", rate(direct), "", undefined],
      ["/api/health, nginx ÷ direct", `${((proxied / direct) * 100).toFixed(1)} %`, "≥ 95 %", proxied / direct >= 0.95],
    ];
    const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.toString().length), ["Measure", "Figure", "Goal"][i]!.length));
    const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 4)).join(" | ")} |`;
    console.log(
      `\nwrk: ${runs} runs of ${seconds}s per target after one warm-up, ${connections} connections, 1 thread; medians. nginx: 2 workers.\n`,
    );
    console.log(line(["Measure", "Figure", "Goal", "Met"]));
    console.log(line(widths.map((w) => "-".repeat(w)).concat("---")));
    for (const [measure, figure, goal, met] of rows) {
      console.log(line([measure, figure, goal, met === undefined ? "" : met ? "yes" : "NO"]));
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
