// Production build: tsc (esbuild cannot emit the decorator metadata Nest's DI reads), then one
// minified esbuild bundle, so the runner image holds dist/ and nothing else: no node_modules.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules, createRequire } from "node:module";
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

/**
 * An ESM `import { STATUS_CODES } from "node:http"` makes Node build the module's ESM facade, which
 * reads every export, lazy getters included: node:http's WebSocket getters load undici (and http2)
 * at start, about 40 ms of the API's boot for nothing it uses. Through require() the exports are
 * read when used. The banner defines require.
 */
const builtinsThroughRequire = {
  name: "builtins-through-require",
  setup(b) {
    const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
    b.onResolve({ filter: /^[a-z_:/]+$/ }, (args) =>
      args.kind === "import-statement" && args.namespace === "file" && builtins.has(args.path) ? { path: args.path, namespace: "builtin" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "builtin" }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: "js" }));
  },
};

/**
 * esbuild's keepNames output renames every named function each time it is created, even where the name is
 * already right: `function next(){...}__name(next,"next");` inside Fastify's hook runner runs per hook per
 * request. That cost about a third of /api/health's throughput (profiled; A/B in the bench). Two edits leave
 * every name exactly as keepNames makes it: drop the statements that name a declaration after itself
 * (a function or class declaration already has its own name), and let the helper skip a name that is
 * already right. The build fails if esbuild's helper ever changes shape.
 */
/** esbuild's helper, minified or not. */
export const esbuildNameHelper = /var __name\s*=\s*\(target,\s*value\)\s*=>\s*__defProp\(target,\s*"name",\s*\{\s*value,\s*configurable:\s*(?:!0|true)\s*\}\)/;
const changedOnlyNameHelper = 'var __name=(target,value)=>target.name===value?target:__defProp(target,"name",{value,configurable:!0})';

export function trimKeepNames(code, file = "the bundle") {
  if (!esbuildNameHelper.test(code)) {
    throw new Error(`${file}: esbuild's keepNames helper does not match ${esbuildNameHelper} any more; update trimKeepNames in scripts/build.mjs`);
  }
  return code.replace(esbuildNameHelper, changedOnlyNameHelper).replace(/(?<=[};]\s*)__name\(([A-Za-z_$][\w$]*),\s*"\1"\);/g, "");
}

function tsc() {
  const result = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(root, "tsconfig.build.json")], {
    stdio: "inherit",
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/**
 * One entry point bundled into one file the way the image's is: the bench builds its framework
 * references with this too, so that they differ from the API only in what they run.
 */
export async function bundleFile({ entry, outfile, minify = true }) {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20.19",
    // Whitespace and syntax only: mangled names would make every keepNames call a real rename. keepNames
    // itself is needed: TypeScript's decorator output and esbuild's class lowering rename classes
    // (HealthController_1, _RoutesResolver), and Nest names log contexts and modules after them. See
    // trimKeepNames for its cost.
    keepNames: true,
    minifyWhitespace: minify,
    minifySyntax: minify,
    legalComments: "none",
    external: optionalExternals,
    plugins: [stubJiti, builtinsThroughRequire],
    // CommonJS dependencies (fastify, pg, pino) call require() for Node built-ins.
    banner: { js: "import { createRequire as __nexiomRequire } from 'node:module'; const require = __nexiomRequire(import.meta.url);" },
    logLevel: "warning",
    metafile: true,
  });
  writeFileSync(outfile, trimKeepNames(readFileSync(outfile, "utf8"), outfile));
  writeFileSync(join(dirname(outfile), "package.json"), `${JSON.stringify({ type: "module" })}\n`);
  return result;
}

/**
 * Bundles into a fresh folder and swaps it in with a rename, so that a test or a process running
 * the previous dist/ (others share this checkout) never sees it half-written.
 */
export async function bundle({ outdir = dist, minify = true } = {}) {
  const staging = `${outdir}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const result = await bundleFile({ entry: join(tscOut, "main.js"), outfile: join(staging, "main.js"), minify });
  cpSync(join(root, "migrations"), join(staging, "migrations"), { recursive: true });
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
