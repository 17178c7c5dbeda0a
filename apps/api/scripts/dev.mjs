// pnpm dev: tsc in watch mode (it emits the decorator metadata Nest's DI needs, which esbuild and
// tsx do not) plus node --watch on its output, on PORT (default 3000). Variables come from the
// environment, then apps/api/.env if present, then local defaults for the services on 127.0.0.1.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const tsc = require.resolve("typescript/bin/tsc");
const out = join(root, "build", "tsc");

if (existsSync(join(root, ".env"))) process.loadEnvFile(join(root, ".env"));
// Loopback only, as the dev stack publishes its containers: nothing on the network reaches a laptop's dev API.
const localDefaults = { LISTEN_ADDRESS: "127.0.0.1", DATABASE_HOST: "127.0.0.1", DATABASE_USER: "postgres", DATABASE_NAME: "nexiom", REDIS_HOST: "127.0.0.1", LOG_LEVEL: "debug" };
for (const [name, value] of Object.entries(localDefaults)) process.env[name] ??= value;

const first = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { stdio: "inherit" });
if (first.status !== 0) process.exit(first.status ?? 1);
// The API looks for its SQL migrations next to main.js, as in dist/.
cpSync(join(root, "migrations"), join(out, "migrations"), { recursive: true });

const children = [
  spawn(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json"), "--watch", "--preserveWatchOutput"], { stdio: "inherit" }),
  spawn(process.execPath, ["--watch", "--watch-preserve-output", join(out, "main.js")], { stdio: "inherit", env: process.env }),
];
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    for (const child of children) child.kill(signal);
  });
}
for (const child of children) child.on("exit", (code) => { for (const other of children) other.kill("SIGTERM"); process.exitCode = code ?? 0; });
