import assert from "node:assert/strict";
import { build } from "esbuild";
import { trimKeepNames } from "../scripts/build.mjs";

/**
 * Two modules whose names clash, so esbuild renames them, with the shapes keepNames must name: function and class
 * declarations, nested functions made per call, a class that refers to itself, function and class expressions.
 */
const sources: Record<string, string> = {
  "a.js": `export class Service { static self() { return Service; } }
export function handler() { function next() {} const inner = function named() {}; return [next, inner, class Local {}]; }`,
  "b.js": `export class Service {}
export function handler() { function next() {} return [next]; }`,
  "entry.js": `import * as a from "./a.js"; import * as b from "./b.js";
const seen = [a.Service, a.Service.self(), a.handler, ...a.handler(), b.Service, b.handler, ...b.handler()];
globalThis.names = seen.map((f) => f.name);`,
};

async function bundled(minify = true): Promise<string> {
  const result = await build({
    stdin: { contents: sources["entry.js"]!, resolveDir: "/virtual", sourcefile: "entry.js" },
    bundle: true,
    write: false,
    format: "esm",
    keepNames: true,
    minifyWhitespace: minify,
    minifySyntax: minify,
    plugins: [
      {
        name: "virtual",
        setup(b) {
          b.onResolve({ filter: /^\.\/[ab]\.js$/ }, (args) => ({ path: args.path.slice(2), namespace: "virtual" }));
          b.onLoad({ filter: /.*/, namespace: "virtual" }, (args) => ({ contents: sources[args.path]!, loader: "js" }));
        },
      },
    ],
  });
  return result.outputFiles[0]!.text;
}

const namesOf = async (code: string): Promise<string[]> => {
  await import(`data:text/javascript,${encodeURIComponent(`${code}\nexport const names = globalThis.names;`)}`);
  return (globalThis as unknown as { names: string[] }).names;
};

describe("the build's trimKeepNames", () => {
  for (const minify of [true, false]) it(`leaves every function and class with the name keepNames gives it, with fewer renames (${minify ? "minified" : "readable: bundle({ minify: false })"})`, async () => {
    const code = await bundled(minify);
    const trimmed = trimKeepNames(code);
    assert.ok((trimmed.match(/__name\(/g) ?? []).length < (code.match(/__name\(/g) ?? []).length, "some renames dropped");
    const expected = await namesOf(code);
    assert.deepEqual(expected, ["Service", "Service", "handler", "next", "named", "Local", "Service", "handler", "next"]);
    assert.deepEqual(await namesOf(trimmed), expected);
  });

  it("fails the build, naming itself, if esbuild's helper changes shape", () => {
    assert.throws(() => trimKeepNames("var __name=(t,v)=>t;", "dist/main.js"), /dist\/main\.js: esbuild's keepNames helper does not match .* update trimKeepNames/);
  });
});
