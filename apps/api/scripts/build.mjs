// Production build: tsc (esbuild cannot emit the decorator metadata Nest's DI reads), then one
// minified esbuild bundle, so the runner image holds dist/ and nothing else: no node_modules.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const tscOut = join(root, "build", "tsc");
const dist = join(root, "dist");

/** Packages Nest, Terminus and pg load only when a feature we do not use is on; bundling them would fail or bloat. */
export const optionalExternals = [
  "@nestjs/platform-express",
  "@nestjs/microservices",
  "@nestjs/microservices/*",
  "@nestjs/websockets",
  "@nestjs/websockets/*",
  "@nestjs/swagger",
  "@nestjs/axios",
  "@nestjs/typeorm",
  "@nestjs/mongoose",
  "@nestjs/sequelize",
  "@mikro-orm/core",
  "@mikro-orm/nestjs",
  "@grpc/grpc-js",
  "@grpc/proto-loader",
  "@prisma/client",
  "typeorm",
  "mongoose",
  "sequelize",
  "class-validator",
  "class-transformer",
  "class-transformer/*",
  "@fastify/static",
  "@fastify/view",
  "@fastify/multipart",
  "pg-native",
];

/**
 * node-pg-migrate loads JS/TS migrations through jiti (a TypeScript loader of about 2 MB) and
 * creates it when imported. We ship SQL migrations only, so jiti is replaced by a stub that
 * says so if it is ever reached.
 */
const stubJiti = {
  name: "stub-jiti",
  setup(b) {
    b.onResolve({ filter: /^jiti$/ }, () => ({ path: "jiti", namespace: "stub" }));
    b.onLoad({ filter: /.*/, namespace: "stub" }, () => ({
      contents:
        "export function createJiti() { return { import() { throw new Error('only .sql migrations are bundled'); } }; }",
      loader: "js",
    }));
  },
};

function tsc() {
  const result = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(root, "tsconfig.build.json")], {
    stdio: "inherit",
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/**
 * Bundles into a fresh folder and swaps it in with a rename, so that a test or a process running
 * the previous dist/ (others share this checkout) never sees it half-written.
 */
export async function bundle({ outdir = dist, minify = true } = {}) {
  const staging = `${outdir}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const result = await build({
    entryPoints: [join(tscOut, "main.js")],
    outfile: join(staging, "main.js"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20.19",
    minify,
    // Nest resolves providers and logs contexts by class name.
    keepNames: true,
    legalComments: "none",
    external: optionalExternals,
    plugins: [stubJiti],
    // CommonJS dependencies (fastify, pg, pino) call require() for Node built-ins.
    banner: { js: "import { createRequire as __nexiomRequire } from 'node:module'; const require = __nexiomRequire(import.meta.url);" },
    logLevel: "warning",
    metafile: true,
  });
  cpSync(join(root, "migrations"), join(staging, "migrations"), { recursive: true });
  writeFileSync(join(staging, "package.json"), `${JSON.stringify({ type: "module" })}\n`);
  const old = `${outdir}.${process.pid}.old`;
  if (existsSync(outdir)) renameSync(outdir, old);
  renameSync(staging, outdir);
  rmSync(old, { recursive: true, force: true });
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  tsc();
  await bundle();
}

export { tsc, tscOut, root };
