import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { evaluate, ofType, type StackRecord } from "../offline/evaluate";
import { mockPassword } from "../offline/mocks";

/** Where a known secret value appears in plain text: in an input Pulumi does not mark secret, or in an output. */
export function plaintextLeaks(record: StackRecord, secrets: string[]): string[] {
  const leaks: string[] = [];
  const covered = (at: string, secretPaths: string[]) => secretPaths.some((s) => at === s || at.startsWith(`${s}.`) || at.startsWith(`${s}[`));
  const visit = (value: unknown, at: string, where: string, secretPaths: string[]) => {
    if (typeof value === "string") {
      for (const secret of secrets) if (value.includes(secret) && !covered(at, secretPaths)) leaks.push(`${where} ${at}`);
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, `${at}[${i}]`, where, secretPaths));
    } else if (value && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) visit(item, at === "" ? key : `${at}.${key}`, where, secretPaths);
    }
  };
  for (const resource of record.resources) visit(resource.inputs, "", `${resource.type}/${resource.name}`, resource.secretPaths);
  for (const [name, value] of Object.entries(record.outputs)) visit(value, name, "output", record.secretOutputs.includes(name) ? [name] : []);
  return leaks;
}

/** Config keys a stack file sets as Pulumi secrets (`secure:` values). */
function secureKeys(stack: string): string[] {
  const config = parse(fs.readFileSync(path.resolve(__dirname, `../Pulumi.${stack}.yaml`), "utf8"))?.config ?? {};
  return Object.entries(config).filter(([, value]) => typeof value === "object" && value !== null && "secure" in value).map(([key]) => key);
}

const sentinel = (key: string) => `SENTINEL-${key.replace(/\W/g, "-")}-do-not-leak`;

describe("secrets never in plain text", () => {
  const cases: [string, Record<string, string>][] = [
    ["dev", {}],
    ["prod", {}],
    ["prod", { domain: "app.example.com" }],
  ];
  for (const [stack, overrides] of cases) {
    it(`${stack}${overrides.domain ? " with a domain" : ""}: generated passwords and secret config appear only inside values Pulumi marks secret`, async () => {
      const secretConfig = Object.fromEntries(secureKeys(stack).map((key) => [key, sentinel(key)]));
      const record = await evaluate(stack, overrides, secretConfig);
      assert.equal(record.error, undefined);
      const passwords = ofType(record, "random:index/randomPassword:RandomPassword").map((p) => mockPassword(p.name, Number(p.inputs.length)));
      assert.ok(passwords.length > 0, "the stack generates passwords");
      assert.deepEqual(plaintextLeaks(record, [...passwords, ...Object.values(secretConfig)]), []);
    });
  }

  it("the detector finds a password in a plain input, in a task definition and in an output", () => {
    const leaked: StackRecord = {
      stack: "prod",
      resources: [
        { urn: "u1", id: "i1", type: "docker:index/container:Container", name: "api-container", custom: true, inputs: { envs: ["A=1", "DATABASE_PASSWORD=s3cret-value"] }, secretPaths: [], protect: false, retainOnDelete: false, deleteBeforeReplace: false, ignoreChanges: [], replaceOnChanges: [], dependsOn: [] },
        { urn: "u2", id: "i2", type: "aws:ecs/taskDefinition:TaskDefinition", name: "api-task", custom: true, inputs: { containerDefinitions: '[{"environment":[{"name":"X","value":"s3cret-value"}]}]' }, secretPaths: [], protect: false, retainOnDelete: false, deleteBeforeReplace: false, ignoreChanges: [], replaceOnChanges: [], dependsOn: [] },
        { urn: "u3", id: "i3", type: "docker:index/container:Container", name: "db-container", custom: true, inputs: { envs: ["POSTGRES_PASSWORD=s3cret-value"] }, secretPaths: ["envs[0]"], protect: false, retainOnDelete: false, deleteBeforeReplace: false, ignoreChanges: [], replaceOnChanges: [], dependsOn: [] },
      ],
      outputs: { url: "http://x", leaked: "s3cret-value", hidden: "s3cret-value" },
      secretOutputs: ["hidden"],
    };
    assert.deepEqual(plaintextLeaks(leaked, ["s3cret-value"]), [
      "docker:index/container:Container/api-container envs[1]",
      "aws:ecs/taskDefinition:TaskDefinition/api-task containerDefinitions",
      "output leaked",
    ]);
  });

  it("the stack files hold no secret config today (the sentinel test above covers any that are added)", () => {
    assert.deepEqual([...secureKeys("dev"), ...secureKeys("prod")], []);
  });

  it("generated passwords are the same on every evaluation (random.RandomPassword keeps them in state)", async () => {
    const record = await evaluate("dev");
    const passwords = ofType(record, "random:index/randomPassword:RandomPassword");
    for (const password of passwords) {
      assert.equal(password.inputs.special, false, `${password.name}: no characters that need quoting in URLs or shells`);
      assert.ok(Number(password.inputs.length) >= 32, password.name);
    }
  });
});
