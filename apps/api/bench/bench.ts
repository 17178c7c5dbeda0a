/**
 * pnpm bench: the API's performance goals, measured against the built dist/ and the real local
 * PostgreSQL and Redis. Goals, not tests: it prints a table and always exits 0 unless it breaks.
 * Loopback only; every run is bounded in count and duration.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import autocannon from "autocannon";
import { apiRoot, baseEnv, spawnApi, startReadyApi } from "../test/support/api-process.js";
import { clearRedisPrefix, createTestDatabase, randomSuffix } from "../test/support/services.js";

const bootRuns = 7;
const throughputRuns = 5;
const throughputSeconds = 3;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function walk(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = walk(path);
      bytes += inner.bytes;
      files += inner.files;
    } else {
      bytes += statSync(path).size;
      files += 1;
    }
  }
  return { bytes, files };
}

async function bootTime(env: Record<string, string>): Promise<number> {
  const started = performance.now();
  const api = await spawnApi({ env });
  try {
    for (;;) {
      try {
        const response = await fetch(`${api.url}/api/ready`);
        if (response.status === 200) return performance.now() - started;
      } catch {
        // not listening yet
      }
      if (api.child.exitCode !== null) throw new Error(`API exited:\n${api.output()}`);
      if (performance.now() - started > 20_000) throw new Error(`not ready within 20 s:\n${api.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  } finally {
    await api.stop();
  }
}

async function throughput(url: string): Promise<number[]> {
  await autocannon({ url, connections: 50, duration: 1 }); // warm-up: JIT and connection setup
  const results: number[] = [];
  for (let run = 0; run < throughputRuns; run += 1) {
    const result = await autocannon({ url, connections: 50, pipelining: 1, duration: throughputSeconds });
    results.push(result.requests.average);
  }
  return results;
}

async function main(): Promise<void> {
  const database = await createTestDatabase();
  const prefix = `nexiom_bench_${randomSuffix()}:`;
  const env = baseEnv(database.name, prefix);
  const rows: [string, string, string, boolean][] = [];
  try {
    // The first boot migrates the fresh database; replicas after it find it migrated, as in a deploy.
    await (await startReadyApi({ env })).stop();
    const boots: number[] = [];
    for (let run = 0; run < bootRuns; run += 1) boots.push(await bootTime(env));
    const boot = median(boots);
    rows.push([`spawn -> first 200 on /api/ready (median of ${bootRuns})`, `${boot.toFixed(0)} ms`, "<= 350 ms", boot <= 350]);

    const payload = walk(join(apiRoot, "dist"));
    rows.push(["runner payload (dist/) bytes", `${(payload.bytes / 1024 / 1024).toFixed(2)} MB (${payload.bytes} B)`, "<= 5 MB", payload.bytes <= 5 * 1024 * 1024]);
    rows.push(["runner payload (dist/) files", String(payload.files), "<= 50", payload.files <= 50]);

    const api = await startReadyApi({ env });
    try {
      const rates = await throughput(`${api.url}/api/health`);
      const rate = median(rates);
      rows.push([
        `/api/health req/s direct (median of ${throughputRuns} x ${throughputSeconds} s, 50 connections)`,
        `${Math.round(rate)}`,
        ">= 9,000",
        rate >= 9_000,
      ]);
    } finally {
      await api.stop();
    }
    console.log(`boot runs (ms): ${boots.map((b) => b.toFixed(0)).join(", ")}`);
  } finally {
    await database.drop();
    await clearRedisPrefix(prefix);
  }

  const header: [string, string, string, string] = ["measure", "value", "goal", "met"];
  const table = [header, ...rows.map(([a, b, c, met]) => [a, b, c, met ? "yes" : "NO"] as [string, string, string, string])];
  const widths = header.map((_, column) => Math.max(...table.map((row) => row[column].length)));
  const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column])).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`);
  for (const row of table.slice(1)) console.log(line(row));
}

await main();
