/**
 * The bench's anchors, measured in the same run as the API so that the goals are ratios, not fixed
 * numbers that drift with the machine:
 * - default NestJS: bench/nest-default, an app made by `nest new` (Express, tsc through `nest build`,
 *   production node_modules) with a pg pool, an ioredis client and /api/health;
 * - plain node:http: the floor, one handler that writes the same JSON body.
 *
 * And two references that say how far the frameworks themselves allow the API to go (bench/references):
 * NestJS on Fastify with one route, and Fastify alone, both bundled and started as the API's image is.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { bundleFile } from "../scripts/build.mjs";
import { apiRoot } from "../test/support/api-process.js";

const run = promisify(execFile);
const source = join(apiRoot, "bench", "nest-default");

/** The anchor's own files (not node_modules or dist), which decide whether its cached build is current. */
function sourceFiles(dir = source): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => !["node_modules", "dist"].includes(entry.name))
    .flatMap((entry) => (entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : [join(dir, entry.name)]))
    .sort();
}

/**
 * Builds the default NestJS app as its Dockerfile would (npm ci, nest build, npm prune --omit=dev)
 * into a cache keyed by its files and the Node major, and returns the built folder. Warm, it does nothing.
 */
export async function prepareNestDefault(log: (line: string) => void): Promise<string> {
  const hash = createHash("sha256");
  for (const file of sourceFiles()) hash.update(relative(source, file)).update("\0").update(readFileSync(file)).update("\0");
  const key = `${hash.digest("hex").slice(0, 16)}-node${process.versions.node.split(".")[0]}`;
  const cacheRoot = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "nexiom-bench");
  const built = join(cacheRoot, `nest-default-${key}`);
  if (existsSync(join(built, "dist", "main.js"))) return built;

  const staging = `${built}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(cacheRoot, { recursive: true });
  cpSync(source, staging, { recursive: true, filter: (path) => !/[/\\](node_modules|dist)$/.test(path) });
  const npm = async (args: string[]) => {
    log(`    npm ${args.join(" ")}`);
    await run("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], { cwd: staging, timeout: 600_000 });
  };
  log(`==> bench: building the default NestJS anchor into ${built} (once per change to bench/nest-default)`);
  await npm(["ci"]);
  log("    nest build");
  await run(process.execPath, [join(staging, "node_modules", "@nestjs", "cli", "bin", "nest.js"), "build"], { cwd: staging, timeout: 300_000 });
  await npm(["prune", "--omit=dev"]);
  for (const stale of readdirSync(cacheRoot).filter((name) => name.startsWith("nest-default-") && join(cacheRoot, name) !== staging)) {
    rmSync(join(cacheRoot, stale), { recursive: true, force: true });
  }
  renameSync(staging, built);
  return built;
}

/** Size of a folder's files, and how many there are. */
export function folderSize(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    bytes += statSync(join(entry.parentPath, entry.name)).size;
    files += 1;
  }
  return { bytes, files };
}

/** The floor: node:http answering every request with /api/health's body, nothing else. */
export const plainNodeHttp = `
const body = JSON.stringify({ status: "ok" });
require("node:http")
  .createServer((request, response) => {
    response.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body) });
    response.end(body);
  })
  .listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
`;

/** The framework references, by the folder name of their build. */
export const references = { "nest-fastify": "NestJS on Fastify, one Fastify route", fastify: "Fastify, one route" } as const;

/** Bundles each reference with the API's own build (scripts/build.mjs) into outdir/<name>/main.js; returns those paths. */
export async function buildReferences(outdir: string): Promise<Record<keyof typeof references, string>> {
  const built = {} as Record<keyof typeof references, string>;
  for (const name of Object.keys(references) as (keyof typeof references)[]) {
    const outfile = join(outdir, name, "main.js");
    await bundleFile({ entry: join(apiRoot, "bench", "references", `${name}.ts`), outfile });
    built[name] = outfile;
  }
  return built;
}

/**
 * Fills Node's compile cache for a bundle as the image's compile-cache stage does, into its own
 * directory, and returns that directory for NODE_COMPILE_CACHE.
 */
export async function fillCompileCacheFor(main: string, directory: string): Promise<string> {
  await run(process.execPath, [main, "--fill-compile-cache"], { env: { ...process.env, NODE_COMPILE_CACHE: directory }, timeout: 60_000 });
  return directory;
}
