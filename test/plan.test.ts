import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { evaluateOk, type StackRecord } from "../offline/evaluate";
import { diffRecords, renderDiffMarkdown, renderMermaid, renderTree } from "../offline/plan";
import type { RecordedResource } from "../offline/record";
import { evaluateRef, readmeWithDiagrams } from "../scripts/plan";

const root = path.resolve(__dirname, "..");
const plan = (...args: string[]) =>
  spawnSync(process.execPath, ["--require", "tsx/cjs", path.join(root, "scripts/plan.ts"), ...args], { cwd: root, encoding: "utf8" });

const resource = (overrides: Partial<RecordedResource>): RecordedResource => ({
  urn: `urn:pulumi:prod::nexiom::nexiom:index:Database$${overrides.type}::${overrides.name}`,
  id: "id",
  type: "aws:rds/cluster:Cluster",
  name: "db-cluster",
  parent: "urn:pulumi:prod::nexiom::nexiom:index:Database::db",
  custom: true,
  inputs: {},
  secretPaths: [],
  protect: false,
  retainOnDelete: false,
  deleteBeforeReplace: false,
  ignoreChanges: [],
  replaceOnChanges: [],
  dependsOn: [],
  ...overrides,
});
const database = resource({ urn: "urn:pulumi:prod::nexiom::nexiom:index:Database::db", type: "nexiom:index:Database", name: "db", custom: false, parent: undefined });
const record = (...resources: RecordedResource[]): StackRecord => ({ stack: "prod", resources: [database, ...resources], outputs: {}, secretOutputs: [] });

describe("pnpm plan", () => {
  describe("diff", () => {
    it("of HEAD against HEAD is empty, from two checkouts at different paths (nothing depends on where the tree lives)", async () => {
      const [first, second] = await Promise.all([evaluateRef("prod", "HEAD"), evaluateRef("prod", "HEAD")]);
      assert.ok(first.record.resources.length > 50);
      assert.deepEqual(diffRecords(first.record, second.record), []);
      assert.match(renderDiffMarkdown("prod", first.label, []), /0 to add, 0 to change, 0 to remove[\s\S]*No changes/);
    });

    it("lists added, removed and changed resources with the changed properties", () => {
      const base = record(
        resource({ type: "aws:ecs/taskDefinition:TaskDefinition", name: "api-task", inputs: { cpu: "256", containerDefinitions: '[{"name":"api","image":"repo@sha256:aaa"}]' } }),
        resource({ type: "aws:ec2/eip:Eip", name: "nat-2", inputs: { domain: "vpc" } }),
      );
      const head = record(
        resource({ type: "aws:ecs/taskDefinition:TaskDefinition", name: "api-task", inputs: { cpu: "512", containerDefinitions: '[{"name":"api","image":"repo@sha256:bbb"}]' } }),
        resource({ type: "aws:ec2/flowLog:FlowLog", name: "flow-logs", inputs: { trafficType: "ALL" } }),
      );
      const changes = diffRecords(base, head);
      assert.deepEqual(changes.map((c) => [c.kind, c.resource.name]), [["remove", "nat-2"], ["change", "api-task"], ["add", "flow-logs"]]);
      assert.deepEqual(changes[1].properties, [
        { path: "containerDefinitions[0].image", before: "repo@sha256:aaa", after: "repo@sha256:bbb" },
        { path: "cpu", before: "256", after: "512" },
      ]);
      const markdown = renderDiffMarkdown("prod", "`main`", changes);
      assert.match(markdown, /1 to add, 1 to change, 1 to remove/);
      assert.match(markdown, /\| ~ \| `aws\.ecs\.TaskDefinition` api-task \| Database db \| `containerDefinitions\[0\]\.image`: repo@sha256:aaa → repo@sha256:bbb<br>`cpu`: 256 → 512 \|/);
    });

    it("masks secrets: a changed password shows as [secret], never its value", () => {
      const base = record(resource({ type: "docker:index/container:Container", name: "db-container", inputs: { envs: ["POSTGRES_PASSWORD=old-password-1"] }, secretPaths: ["envs[0]"] }));
      const head = record(resource({ type: "docker:index/container:Container", name: "db-container", inputs: { envs: ["POSTGRES_PASSWORD=new-password-2"] }, secretPaths: ["envs[0]"] }));
      const markdown = renderDiffMarkdown("dev", "`main`", diffRecords(base, head));
      assert.match(markdown, /`envs\[0\]`: \[secret\] → \[secret\]/);
      assert.doesNotMatch(markdown, /password-1|password-2/);
    });

    it("puts changes to stateful resources in bold at the top", () => {
      const base = record(resource({ inputs: { engineVersion: "17.5", deletionProtection: true } }));
      const head = record(resource({ inputs: { engineVersion: "18.1", deletionProtection: true } }));
      const lines = renderDiffMarkdown("prod", "`main`", diffRecords(base, head)).split("\n").filter(Boolean);
      assert.match(lines[2], /^\*\*⚠ Stateful resources change: changed `aws\.rds\.Cluster` db-cluster \(engineVersion\)\..*pulumi preview --diff.*\*\*$/);
      assert.ok(lines.some((l) => l.includes("**db-cluster**")));
    });

    it("shows a real config change on the real program, and turning protectData off as a stateful change", async () => {
      const base = await evaluateOk("prod");
      const sized = diffRecords(base, await evaluateOk("prod", { apiCpu: "512", apiMemory: "1024" }));
      assert.deepEqual(sized.map((c) => c.resource.name), ["api-task"]);
      const unprotected = renderDiffMarkdown("prod", "`main`", diffRecords(base, await evaluateOk("prod", { protectData: "false" })));
      assert.match(unprotected.split("\n")[4], /^\*\*⚠ Stateful resources change: .*db-cluster \(deletionProtection, \(option\) protect, \(option\) retainOnDelete\)/);
    });
  });

  describe("tree", () => {
    it("prints each component with its resources and key settings, secrets masked", async () => {
      const tree = renderTree(await evaluateOk("dev"));
      assert.match(tree, /^Stack dev: \d+ resources in 7 components/);
      assert.match(tree, /\nDatabase db\n[\s\S]*docker\.Volume db-data +name=nexiom-postgres-data +\[protected\] +\[retained on delete\]/);
      assert.match(tree, /\nService api\n +docker\.Container api-container +name=nexiom-api +user=1000/);
      assert.doesNotMatch(tree, /PASSWORD=/);
    });
  });

  describe("mermaid", () => {
    it("draws each service's arrows to what it uses", async () => {
      const diagram = renderMermaid(await evaluateOk("prod"));
      for (const edge of ["service_api --> database_db", "service_api --> cache_cache", "service_web --> service_api", "service_web --> image_web"]) {
        assert.ok(diagram.includes(`  ${edge}\n`), edge);
      }
      assert.ok(!diagram.includes("database_db --> service"), "nothing points back from the database");
    });

    it("the README's diagrams are the current ones (`pnpm plan --update-readme` refreshes them)", async () => {
      const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
      assert.equal(await readmeWithDiagrams(readme), readme);
    });
  });

  describe("bad input: one line on stderr and a non-zero exit", () => {
    const cases: [string, string[], number, RegExp][] = [
      ["an unknown stack", ["qa"], 2, /^pnpm plan: unknown stack "qa": there is no Pulumi\.qa\.yaml \(stacks: dev, prod\)\n$/],
      ["a ref that does not exist", ["prod", "--base", "no-such-ref"], 2, /^pnpm plan: git ref "no-such-ref" does not exist in this repository\n$/],
      ["an unknown option", ["prod", "--format", "svg"], 2, /^pnpm plan: unexpected --format svg; usage: pnpm plan <stack>/],
      ["no stack", [], 2, /^pnpm plan: usage: pnpm plan <stack>/],
    ];
    for (const [what, args, code, message] of cases) {
      it(what, () => {
        const result = plan(...args);
        assert.equal(result.status, code, result.stderr);
        assert.match(result.stderr, message);
        assert.equal(result.stderr.trim().split("\n").length, 1);
        assert.equal(result.stdout, "");
      });
    }
  });

  describe("a program that throws: its message on stderr, one problem per line, exit 1", () => {
    const cases: [string, string[], string[]][] = [
      [
        "two bad values",
        ["prod", "--config", "webHostPort=0", "--config", "apiMaxCount=abc"],
        [
          "pnpm plan: the program failed for stack prod: Invalid stack configuration:",
          '  - nexiom:webHostPort must be an integer from 1 to 65535; got "0".',
          '  - nexiom:apiMaxCount must be an integer from 1 to 100; got "abc".',
        ],
      ],
      [
        "a misspelt key",
        ["dev", "--config", "webHostPrt=8081"],
        [
          "pnpm plan: the program failed for stack dev: Invalid stack configuration:",
          "  - nexiom:webHostPrt is not a key this program reads; the keys are environment, webHostPort, protectData, domain, hostedZone, " +
            "natGateways, availabilityZones, apiCpu, apiMemory, apiDesiredCount, apiMaxCount, webCpu, webMemory, webDesiredCount, " +
            "webMaxCount, databaseMinCapacity, databaseMaxCapacity, cacheNodeType, logRetentionDays, alertEmail.",
        ],
      ],
    ];
    for (const [what, args, lines] of cases) {
      it(what, () => {
        const result = plan(...args);
        assert.equal(result.status, 1, result.stderr);
        assert.deepEqual(result.stderr.trimEnd().split("\n"), lines);
        assert.equal(result.stdout, "");
      });
    }
  });

  it("--help prints the usage on stdout and exits 0", () => {
    const result = plan("--help");
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^usage: pnpm plan <stack> \[--base <git-ref>\]/);
    assert.equal(result.stderr, "");
  });

  it("--base with --config applies the config to the base too, and the header says so", async () => {
    const { record } = await evaluateRef("prod", "HEAD", { apiCpu: "512", apiMemory: "1024" });
    const task = record.resources.find((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition" && r.name === "api-task");
    assert.equal(task?.inputs.cpu, "512", "the base side was evaluated with the override");
    const result = plan("prod", "--base", "HEAD", "--config", "apiCpu=512", "--config", "apiMemory=1024");
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /Compared with `HEAD` \([0-9a-f]{7}\), with `apiCpu=512`, `apiMemory=1024` on both sides\./);
  });
});
