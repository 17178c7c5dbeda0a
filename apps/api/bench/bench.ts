/**
 * pnpm bench: the API side by side with what a team would pick instead, in the same run. Goals are
 * ratios against anchors measured in interleaved rounds (bench/anchors.ts), because a fixed figure on
 * a shared 2-core machine drifts by more than the differences that matter. Goals, not tests: it prints
 * a table and exits 0 unless it breaks.
 *
 * Besides the anchors, two references run in the same rounds: NestJS on Fastify with one route, and
 * Fastify alone (bench/references). The API cannot beat the framework it runs on; their ratios to the
 * default NestJS app show how far the goals are within reach of any NestJS app on this machine.
 *
 * The API runs as its image runs it: from dist/, with the Node options of the Dockerfile's CMD and Node's
 * compile cache filled by the image's own step. The references get the same; the default NestJS app
 * runs as `nest new` makes it.
 *
 * Each round, in a rotating order, for each configuration: wait for a quiet machine; spawn the server
 * on CPU 1 and time spawn to its first 200 on the ready path; one warm-up wrk run; one measured wrk
 * run from CPU 0. A run during which other processes used more than a small share of a CPU is marked
 * disturbed and left out of the medians while enough undisturbed rounds remain.
 *
 *   BENCH_ROUNDS=7 BENCH_SECONDS=5 BENCH_PIN=0 pnpm --filter @nexiom/api run bench
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { apiRoot, baseEnv, freePort, spawnApi, startReadyApi, waitFor } from "../test/support/api-process.js";
import { runnerNodeOptions } from "../test/support/dockerfile.js";
import { clearRedisPrefix, createTestDatabase, randomSuffix, testDatabase, testRedis } from "../test/support/services.js";
import { buildReferences, fillCompileCacheFor, folderSize, plainNodeHttp, prepareNestDefault, references } from "./anchors.js";
import { clientCpu, onCpu, pinned, pinProcess, quietBelowCpus, requireWrk, serverCpu, waitForQuiet, wrk, type LoadResult } from "./machine.js";
import { median, printTable } from "./report.js";

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const connections = 32;

interface Configuration {
  name: string;
  command: string[];
  cwd: string;
  env: Record<string, string>;
  /** The path whose first 200 means ready: the API's readiness, which checks PostgreSQL and Redis; the anchors' first 200. */
  readyPath: string;
}

interface Sample extends LoadResult<"server"> {
  readyMs: number;
  quietAtStart: boolean;
  disturbed: boolean;
}

const log = (line: string) => console.log(line);

/** Spawns a configuration on the server CPU, times spawn to its first 200 on the ready path (polled every 2 ms), then loads it. */
async function measure(configuration: Configuration): Promise<Sample> {
  const quietAtStart = await waitForQuiet();
  const env = { ...configuration.env, PORT: String(await freePort()) };
  const started = performance.now();
  const server = await spawnApi({ env, command: onCpu(serverCpu, configuration.command), cwd: configuration.cwd });
  try {
    await waitFor(server, configuration.readyPath, 200, 30_000, 2);
    const readyMs = performance.now() - started;
    const url = `${server.url}/api/health`;
    const processes = { server: server.child.pid! };
    await wrk(url, processes, { seconds: 1, connections }); // warm-up: JIT, connections, pools
    const load = await wrk(url, processes, { seconds, connections });
    return { ...load, readyMs, quietAtStart, disturbed: !quietAtStart || load.otherCpus > quietBelowCpus };
  } catch (error) {
    throw new Error(`${configuration.name}: ${(error as Error).message}\n${server.output()}`);
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  await requireWrk();
  // The bench polls every 2 ms while a server starts: on the client's CPU, not the one the server is timed on.
  await pinProcess(process.pid, clientCpu);
  const nestDefault = await prepareNestDefault(log);
  const scratch = mkdtempSync(join(tmpdir(), "nexiom-bench-"));
  const database = await createTestDatabase();
  const prefix = `nexiom_bench_${randomSuffix()}:`;
  try {
    log("==> bench: building the framework references and filling each compile cache as the image does");
    const built = await buildReferences(scratch);
    const apiMain = join(apiRoot, "dist", "main.js");
    const node = [process.execPath, ...runnerNodeOptions()];
    const cache = (name: string, main: string) => fillCompileCacheFor(main, join(scratch, `compile-cache-${name}`));
    const apiEnv = { ...baseEnv(database.name, prefix), NODE_ENV: "production", NODE_COMPILE_CACHE: await cache("api", apiMain) };
    const credentials = testDatabase.password ? `${testDatabase.user}:${encodeURIComponent(testDatabase.password)}` : testDatabase.user;
    const redisAuth = testRedis.password ? `:${encodeURIComponent(testRedis.password)}@` : "";
    const reference = async (key: keyof typeof references): Promise<Configuration> => ({
      name: references[key],
      command: [...node, built[key]],
      cwd: apiRoot,
      env: { NODE_ENV: "production", NODE_COMPILE_CACHE: await cache(key, built[key]) },
      readyPath: "/api/health",
    });
    const configurations: Configuration[] = [
      { name: "this API", command: [...node, apiMain], cwd: apiRoot, env: apiEnv, readyPath: "/api/ready" },
      {
        name: "default NestJS",
        command: [process.execPath, join(nestDefault, "dist", "main.js")],
        cwd: nestDefault,
        env: {
          NODE_ENV: "production",
          DATABASE_URL: `postgres://${credentials}@${testDatabase.host}:${testDatabase.port}/${database.name}`,
          REDIS_URL: `redis://${redisAuth}${testRedis.host}:${testRedis.port}`,
        },
        readyPath: "/api/health",
      },
      await reference("nest-fastify"),
      await reference("fastify"),
      { name: "plain node:http", command: [process.execPath, "-e", plainNodeHttp], cwd: apiRoot, env: { NODE_ENV: "production" }, readyPath: "/api/health" },
    ];
    const samples = new Map(configurations.map((c) => [c.name, [] as Sample[]]));
    // The first boot migrates the fresh database; every boot after it finds it migrated, as a deploy's replicas do.
    await (await startReadyApi({ env: apiEnv })).stop();
    for (let round = 0; round < rounds; round += 1) {
      const order = configurations.map((_, i) => configurations[(i + round) % configurations.length]!);
      const line: string[] = [];
      for (const configuration of order) {
        const sample = await measure(configuration);
        samples.get(configuration.name)!.push(sample);
        line.push(`${configuration.name} ${Math.round(sample.rate)} req/s, ready ${Math.round(sample.readyMs)} ms${sample.disturbed ? ` (disturbed: others used ${sample.otherCpus.toFixed(2)} CPU${sample.quietAtStart ? "" : ", busy at start"})` : ""}`);
      }
      log(`round ${round + 1}/${rounds}: ${line.join("; ")}`);
    }
    report(configurations, samples, folderSize(apiEnv.NODE_COMPILE_CACHE));
  } finally {
    await database.drop();
    await clearRedisPrefix(prefix);
    rmSync(scratch, { recursive: true, force: true });
  }
}

function report(configurations: Configuration[], samples: Map<string, Sample[]>, compileCache: { bytes: number; files: number }): void {
  // Medians over the rounds in which no configuration was disturbed, if at least three; otherwise every round, said so.
  const clean = [...Array(rounds).keys()].filter((round) => configurations.every((c) => !samples.get(c.name)![round]!.disturbed));
  const used = clean.length >= 3 ? clean : [...Array(rounds).keys()];
  const pick = (name: string) => used.map((round) => samples.get(name)![round]!);
  const api = pick("this API");
  const anchor = pick("default NestJS");
  const floor = pick("plain node:http");
  const rateRatio = median(api.map((s, i) => s.rate / anchor[i]!.rate));
  const readyRatio = median(api.map((s, i) => s.readyMs / anchor[i]!.readyMs));
  const n = (value: number) => Math.round(value).toLocaleString("en");
  const us = (s: Sample[]) => `${median(s.map((x) => (x.cpus.server / x.rate) * 1e6)).toFixed(0)} µs`;
  const payload = folderSize(join(apiRoot, "dist"));

  const rows: Array<[string, string, string, string, string, string, string]> = [
    ["/api/health req/s", n(median(api.map((s) => s.rate))), n(median(anchor.map((s) => s.rate))), n(median(floor.map((s) => s.rate))), `${rateRatio.toFixed(2)}×`, "≥ 3×", rateRatio >= 3 ? "yes" : "NO"],
    ["spawn to first ready 200", `${n(median(api.map((s) => s.readyMs)))} ms`, `${n(median(anchor.map((s) => s.readyMs)))} ms`, `${n(median(floor.map((s) => s.readyMs)))} ms`, `${readyRatio.toFixed(2)}×`, "≤ 0.33×", readyRatio <= 1 / 3 ? "yes" : "NO"],
    ["server CPU per request", us(api), us(anchor), us(floor), "", "", ""],
    ["p99 latency under load", `${median(api.map((s) => s.p99)).toFixed(1)} ms`, `${median(anchor.map((s) => s.p99)).toFixed(1)} ms`, `${median(floor.map((s) => s.p99)).toFixed(1)} ms`, "", "", ""],
    ["runner payload (dist/)", `${(payload.bytes / 1024 / 1024).toFixed(2)} MiB, ${payload.files} files`, "", "", "", "≤ 5 MiB, ≤ 50 files", payload.bytes <= 5 * 1024 * 1024 && payload.files <= 50 ? "yes" : "NO"],
    ["compile cache beside dist/", `${(compileCache.bytes / 1024 / 1024).toFixed(2)} MiB, ${compileCache.files} file`, "", "", "", "", ""],
  ];
  log(
    `\nwrk -t1 -c${connections}, ${seconds} s per run after a 1 s warm-up; ${rounds} rounds, configurations interleaved; medians of ${used.length} ${used === clean ? "undisturbed" : "(some disturbed)"} rounds, ratios the median of per-round ratios.`,
  );
  log(pinned ? "Pinned: wrk on CPU 0, the server on CPU 1.\n" : "Not pinned (BENCH_PIN=0 or one CPU): wrk and the server share the CPUs.\n");
  printTable(["Measure", "this API", "default NestJS", "plain node:http", "API ÷ NestJS", "Goal", "Met"], rows);

  // Every configuration against the default NestJS app, per round as the goals are: where the goals sit
  // against what NestJS and Fastify themselves allow on this machine.
  const ratio = (name: string, measureOf: (s: Sample) => number) =>
    `${median(pick(name).map((s, i) => measureOf(s) / measureOf(anchor[i]!))).toFixed(2)}×`;
  log("\nEach configuration ÷ the default NestJS app (medians of per-round ratios):\n");
  printTable(
    ["Configuration", "/api/health req/s", "spawn to first ready 200", "server CPU per request"],
    [
      ...configurations
        .filter((c) => c.name !== "default NestJS")
        .map((c): [string, string, string, string] => [c.name, ratio(c.name, (s) => s.rate), ratio(c.name, (s) => s.readyMs), us(pick(c.name))]),
      ["goal for this API", "≥ 3×", "≤ 0.33×", ""],
    ],
  );
}

await main();
