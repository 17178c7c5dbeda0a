import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

const root = path.resolve(__dirname, "..");
const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");
const manifests = ["package.json", "apps/api/package.json", "apps/web/package.json"];

describe("toolchain", () => {
  it("one Node major everywhere: the images, the engines, the workflows and the README's prerequisites", () => {
    const majors = new Map<string, string[]>();
    for (const app of ["api", "web"]) majors.set(`apps/${app}/Dockerfile`, [...read(`apps/${app}/Dockerfile`).matchAll(/^FROM node:(\d+)\./gm)].map((m) => m[1]));
    for (const file of manifests) {
      const engine = JSON.parse(read(file)).engines?.node as string | undefined;
      if (engine !== undefined) majors.set(`${file} engines.node`, [/^>=(\d+)$/.exec(engine)?.[1] ?? engine]);
    }
    majors.set(".github/actions/setup/action.yml", [...read(".github/actions/setup/action.yml").matchAll(/node-version: (\d+)/g)].map((m) => m[1]));
    majors.set(".github/workflows/test.yml", [...read(".github/workflows/test.yml").matchAll(/image: node:(\d+)-/g)].map((m) => m[1]));
    majors.set("README.md prerequisites", [...read("README.md").matchAll(/^\| everything \| Node\.js (\d+)/gm)].map((m) => m[1]));

    const images = majors.get("apps/api/Dockerfile")![0];
    for (const [where, found] of majors) {
      assert.ok(found.length > 0, `${where} names no Node version`);
      assert.deepEqual([...new Set(found)], [images], `${where} says Node ${found.join(", ")}, the images use ${images}`);
    }
  });

  it("pnpm's settings are in pnpm-workspace.yaml, which pnpm 10 and 12 both read, not in package.json", () => {
    for (const file of manifests) assert.equal(JSON.parse(read(file)).pnpm, undefined, `${file} has a "pnpm" field, which pnpm 11 and later ignore`);
    const workspace = parse(read("pnpm-workspace.yaml"));
    assert.equal(workspace.allowBuilds?.esbuild, true, "esbuild may run its install script (it fetches its binary)");
    assert.ok(workspace.peerDependencyRules?.allowedVersions, "the peer rules are kept");
  });

  it("pins an exact pnpm version, and CI gets Node and pnpm from .ci/toolchain.sh without replacing a global pnpm", () => {
    assert.match(JSON.parse(read("package.json")).packageManager, /^pnpm@\d+\.\d+\.\d+$/);
    assert.match(read(".ci/run"), /^source \.ci\/toolchain\.sh$/m);
    assert.doesNotMatch(read(".ci/run"), /npm install -g/, ".ci/run must not replace a global pnpm");
  });
});
