/**
 * The measurements behind four choices in nginx/default.conf.template, run again on demand:
 *
 *   pnpm --filter @nexiom/web run bench:nginx     (BENCH_ROUNDS, BENCH_SECONDS as in bench.ts)
 *
 * Each choice is measured both ways on the running stack (nginx reloaded between them), in
 * interleaved rounds after a quiet machine, with wrk's latency percentiles and nginx's own CPU:
 * - tcp_nopush on or off, for the gzipped JS the SPA loads (gzip_static, sendfile);
 * - sendfile on (the image's nginx.conf) or off, for index.html (location /) and for the gzipped JS (/assets/);
 * - upstream keepalive to the API or a new connection per request, for /api/health;
 * - proxy_buffering on (the default) or off, for a page of notes from /api/notes.
 * Figures only, no goals: the template's comments quote what they showed.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { median, printTable } from "../../api/bench/report";
import { clientCpu, pinProcess, quietBelowCpus, requireWrk, serverCpu, waitForQuiet, wrk } from "../../api/bench/machine";
import { http, json } from "../test/support/http";
import { waitFor } from "../test/support/process";
import { startStack, type Stack } from "../test/support/stack";

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const connections = 32;

interface Variant {
  name: string;
  edit: (conf: string) => string;
}

interface Choice {
  directive: string;
  path: string;
  headers?: string[];
  /** Where nginx runs: alone on the server CPU for files, beside wrk when the API has the server CPU. */
  proxied: boolean;
  variants: [Variant, Variant];
}

function replaceOnce(conf: string, from: string, to: string): string {
  if (!conf.includes(from)) throw new Error(`the template no longer has "${from}": update bench/nginx-choices.ts`);
  return conf.replace(from, to);
}

async function reload(stack: Stack, conf: string, proxied: boolean): Promise<void> {
  writeFileSync(stack.conf, conf);
  const master = stack.nginx.child.process.pid!;
  process.kill(master, "SIGHUP");
  // A reload starts new workers and lets the old ones finish; wait for the old ones to be gone.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await waitFor("nginx after a reload", async () => (await http(`${stack.url}/healthz`)).status === 200);
  await pinProcess(master, proxied ? clientCpu : serverCpu);
}

async function main(): Promise<void> {
  await requireWrk();
  const stack = await startStack();
  try {
    const original = readFileSync(stack.conf, "utf8");
    const html = readFileSync(`${stack.root}/etc/nginx/html/index.html`, "utf8");
    const script = /<script[^>]*\bsrc="([^"]+\.js)"/.exec(html)?.[1];
    if (!script) throw new Error("index.html loads no script");
    // A page of notes to list: twenty of them, each with a body of a few hundred bytes.
    for (let i = 0; i < 20; i += 1) {
      const created = await json(`${stack.url}/api/notes`, "POST", { title: `Bench note ${i}`, body: "x".repeat(400) });
      if (created.status !== 201) throw new Error(`creating a note answered ${created.status}: ${created.body}`);
    }
    await pinProcess(stack.api.child.process.pid!, serverCpu);

    const choices: Choice[] = [
      {
        directive: "tcp_nopush",
        path: script,
        headers: ["Accept-Encoding: gzip"],
        proxied: false,
        variants: [
          { name: "tcp_nopush on", edit: (c) => c },
          { name: "tcp_nopush off", edit: (c) => replaceOnce(c, "tcp_nopush on;", "tcp_nopush off;") },
        ],
      },
      {
        directive: "sendfile",
        path: "/index.html",
        proxied: false,
        variants: [
          { name: "sendfile off", edit: (c) => c },
          { name: "sendfile on", edit: (c) => replaceOnce(c, "        sendfile off;\n", "") },
        ],
      },
      {
        directive: "sendfile-js",
        path: script,
        headers: ["Accept-Encoding: gzip"],
        proxied: false,
        variants: [
          { name: "sendfile on", edit: (c) => c },
          { name: "sendfile off", edit: (c) => replaceOnce(c, "        try_files $uri =404;", "        try_files $uri =404;\n        sendfile off;") },
        ],
      },
      {
        directive: "upstream keepalive",
        path: "/api/health",
        proxied: true,
        variants: [
          { name: "keepalive 64", edit: (c) => c },
          { name: "no keepalive", edit: (c) => replaceOnce(replaceOnce(c, "keepalive 64;", ""), "keepalive_requests 10000;", "") },
        ],
      },
      {
        directive: "proxy_buffering",
        path: "/api/notes",
        proxied: true,
        variants: [
          { name: "proxy_buffering on", edit: (c) => c },
          { name: "proxy_buffering off", edit: (c) => replaceOnce(c, "proxy_pass http://nexiom_api;", "proxy_pass http://nexiom_api;\n        proxy_buffering off;") },
        ],
      },
    ];

    const table: string[][] = [];
    // BENCH_CHOICES=tcp_nopush,sendfile measures only those.
    const only = process.env.BENCH_CHOICES?.split(",");
    for (const choice of choices.filter((c) => !only || only.includes(c.directive))) {
      const samples = new Map<string, { rate: number; p50: number; p99: number; nginxUs: number; apiUs: number; disturbed: boolean }[]>();
      for (let round = 0; round < rounds; round += 1) {
        const order = round % 2 ? [...choice.variants].reverse() : choice.variants;
        for (const variant of order) {
          await reload(stack, variant.edit(original), choice.proxied);
          const processes = { nginx: stack.nginx.child.process.pid!, api: stack.api.child.process.pid! };
          const url = `${stack.url}${choice.path}`;
          await wrk(url, processes, { seconds: 1, connections, headers: choice.headers });
          const quiet = await waitForQuiet();
          const result = await wrk(url, processes, { seconds, connections, headers: choice.headers });
          const list = samples.get(variant.name) ?? [];
          list.push({
            rate: result.rate,
            p50: result.p50,
            p99: result.p99,
            nginxUs: (result.cpus.nginx / result.rate) * 1e6,
            apiUs: (result.cpus.api / result.rate) * 1e6,
            disturbed: !quiet || result.otherCpus > quietBelowCpus,
          });
          samples.set(variant.name, list);
          console.log(`${choice.directive}, round ${round + 1}/${rounds}: ${variant.name}: ${Math.round(result.rate)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms`);
        }
      }
      for (const variant of choice.variants) {
        const all = samples.get(variant.name)!;
        const clean = all.filter((s) => !s.disturbed);
        const used = clean.length >= 3 ? clean : all;
        const m = (key: "rate" | "p50" | "p99" | "nginxUs" | "apiUs") => median(used.map((s) => s[key]));
        table.push([
          `${variant.name} (${choice.path.replace(/^\/assets\/.*/, "gzipped JS")})`,
          Math.round(m("rate")).toLocaleString("en"),
          `${m("p50").toFixed(2)} ms`,
          `${m("p99").toFixed(2)} ms`,
          `${m("nginxUs").toFixed(1)} µs`,
          choice.proxied ? `${m("apiUs").toFixed(1)} µs` : "",
          `${used.length}${used === clean ? "" : " (some disturbed)"}`,
        ]);
      }
    }
    await reload(stack, original, false);
    const header = ["Variant", "req/s", "p50", "p99", "nginx CPU/req", "API CPU/req", "runs"];
    console.log(`\nwrk -t1 -c${connections}, ${seconds} s runs after a 1 s warm-up, ${rounds} rounds alternating; medians.`);
    printTable(header, table);
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
