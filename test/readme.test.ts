import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

const root = path.resolve(__dirname, "..");
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
const section = (heading: string) => {
  const start = readme.indexOf(`## ${heading}\n`);
  assert.ok(start >= 0, `README has a "${heading}" section`);
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
};
const quickStartCommands = () =>
  /```sh\n([\s\S]*?)```/.exec(section("Quick start"))![1].trim().split("\n").map((line) => line.replace(/\s+#.*$/, "").trim());

describe("README", () => {
  it("Quick start has exactly two commands: bring the dev stack up, run the tests", () => {
    assert.deepEqual(quickStartCommands(), ["pnpm dev:stack", "pnpm test"]);
    const scripts = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).scripts;
    assert.ok(scripts["dev:stack"], "package.json defines dev:stack");
    assert.ok(scripts.test, "package.json defines test");
  });

  it(".ci/run runs the same test command as the Quick start", () => {
    const ci = fs.readFileSync(path.join(root, ".ci/run"), "utf8");
    const lastCommand = ci.trim().split("\n").filter((line) => line.trim() && !line.trim().startsWith("#")).pop();
    assert.equal(lastCommand, quickStartCommands()[1]);
  });

  it("the configuration table lists every key of Pulumi.yaml with its type and default", () => {
    const declared = parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")).config as Record<string, { type: string; default?: unknown }>;
    const rows = section("Configuration")
      .split("\n")
      .filter((line) => line.startsWith("| `nexiom:"))
      .map((line) => line.split("|").slice(1, 4).map((cell) => cell.trim()));
    const expected = Object.entries(declared).map(([key, d]) => [
      `\`nexiom:${key}\``,
      d.type,
      d.default === undefined ? "(required)" : `\`${d.default === "" ? '""' : String(d.default)}\``,
    ]);
    assert.deepEqual(rows, expected);
  });

  it("links only to files that exist", () => {
    const links = [...readme.matchAll(/\]\(((?!https?:|#)[^)]+)\)/g)].map((m) => m[1]);
    assert.ok(links.length > 0);
    for (const link of links) assert.ok(fs.existsSync(path.join(root, link)), `README links to missing ${link}`);
  });
});
