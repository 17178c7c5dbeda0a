import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { ConfigError, configKeys, validateConfig, type RawConfig } from "../config";
import { evaluate } from "../offline/evaluate";
import { stackConfig } from "../offline/evaluate-stack";

const root = path.resolve(__dirname, "..");
const projectConfig = parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")).config as Record<string, { type: string; default?: unknown; description?: string }>;

/** The raw config the CLI would hand the program for a stack (Pulumi.yaml defaults, then the stack file), as index.ts reads it. */
function rawFor(stack: string, overrides: Record<string, string> = {}): Record<string, string | undefined> {
  const merged = stackConfig(stack, overrides);
  return Object.fromEntries(Object.entries(merged).filter(([key]) => key.startsWith("nexiom:")).map(([key, value]) => [key.slice("nexiom:".length), value]));
}

function problemsOf(raw: RawConfig): string[] {
  try {
    validateConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("stack configuration", () => {
  it("Pulumi.yaml declares exactly the keys the program reads, each with a type and a description", () => {
    assert.deepEqual(Object.keys(projectConfig).sort(), [...configKeys].sort());
    for (const [key, declaration] of Object.entries(projectConfig)) {
      assert.ok(["string", "integer", "boolean"].includes(declaration.type), `${key} has no valid type`);
      assert.ok((declaration.description ?? "").length > 20, `${key} has no description`);
    }
  });

  it("every key except environment has a default, so a new stack needs only nexiom:environment", () => {
    const withoutDefault = Object.entries(projectConfig).filter(([, d]) => d.default === undefined).map(([k]) => k);
    assert.deepEqual(withoutDefault, ["environment"]);
  });

  for (const stack of ["dev", "prod"]) {
    it(`the committed ${stack} stack configuration is valid`, () => {
      assert.deepEqual(problemsOf(rawFor(stack)), []);
      assert.equal(validateConfig(rawFor(stack)).environment, stack);
    });
  }

  it("derives the hosted zone from the domain when only the domain is set", () => {
    const config = validateConfig(rawFor("prod", { domain: "app.example.com" }));
    assert.equal(config.hostedZone, "example.com");
  });

  it("takes an alert e-mail address, and none when it is empty", () => {
    assert.equal(validateConfig(rawFor("prod", { alertEmail: "ops@example.com" })).alertEmail, "ops@example.com");
    assert.equal(validateConfig(rawFor("prod")).alertEmail, undefined);
  });

  it("accepts every Fargate memory size allowed for the CPU, e.g. 1024 CPU with 8192 MiB", () => {
    assert.deepEqual(problemsOf(rawFor("prod", { apiCpu: "1024", apiMemory: "8192" })), []);
  });

  const badValues: [string, Record<string, string>, string][] = [
    ["unknown environment", { environment: "staging" }, 'nexiom:environment must be one of dev, prod; got "staging".'],
    ["port out of range", { webHostPort: "70000" }, 'nexiom:webHostPort must be an integer from 1 to 65535; got "70000".'],
    ["port not a number", { webHostPort: "http" }, 'nexiom:webHostPort must be an integer from 1 to 65535; got "http".'],
    ["CPU that Fargate does not offer", { apiCpu: "300" }, 'nexiom:apiCpu must be one of 256, 512, 1024, 2048, 4096, 8192, 16384; got "300".'],
    [
      "memory not allowed for the CPU",
      { apiCpu: "256", apiMemory: "4096" },
      'nexiom:apiMemory must be one of 512, 1024, 2048 MiB with nexiom:apiCpu = 256 (Fargate task sizes); got "4096".',
    ],
    [
      "memory not allowed for a larger CPU",
      { webCpu: "1024", webMemory: "1024" },
      'nexiom:webMemory must be one of 2048 to 8192 in steps of 1024 MiB with nexiom:webCpu = 1024 (Fargate task sizes); got "1024".',
    ],
    ["desired count below 1", { apiDesiredCount: "0" }, 'nexiom:apiDesiredCount must be an integer from 1 to 100; got "0".'],
    ["max count below desired count", { webDesiredCount: "3", webMaxCount: "2" }, "nexiom:webMaxCount must be at least nexiom:webDesiredCount (3); got 2."],
    [
      "domain with a scheme",
      { domain: "https://app.example.com" },
      'nexiom:domain must be a lower-case DNS name such as app.example.com (no scheme, path or trailing dot); got "https://app.example.com".',
    ],
    [
      "single-label domain",
      { domain: "localhost" },
      'nexiom:domain must be a lower-case DNS name such as app.example.com (no scheme, path or trailing dot); got "localhost".',
    ],
    ["domain outside its hosted zone", { domain: "app.example.com", hostedZone: "example.org" }, "nexiom:domain (app.example.com) must be inside nexiom:hostedZone (example.org)."],
    ["hosted zone without a domain", { hostedZone: "example.com" }, "nexiom:hostedZone is set but nexiom:domain is not; set both, or neither for plain HTTP."],
    ["unknown NAT strategy", { natGateways: "two" }, 'nexiom:natGateways must be one of none, single, perAz; got "two".'],
    ["a single availability zone", { availabilityZones: "1" }, 'nexiom:availabilityZones must be an integer from 2 to 6; got "1".'],
    ["protectData not a boolean", { protectData: "yes" }, 'nexiom:protectData must be true or false; got "yes".'],
    [
      "Aurora capacity that pauses the database",
      { databaseMinCapacity: "0" },
      'nexiom:databaseMinCapacity must be a number from 0.5 to 256 in steps of 0.5; got "0".',
    ],
    [
      "Aurora capacity off the 0.5 ACU grid",
      { databaseMaxCapacity: "2.3" },
      'nexiom:databaseMaxCapacity must be a number from 1 to 256 in steps of 0.5; got "2.3".',
    ],
    ["web host port that the API is published on", { webHostPort: "3001" }, 'nexiom:webHostPort must not be 3001, the API\'s host port on Docker; got "3001".'],
    [
      "a misspelt key",
      { webHostPrt: "8081" },
      "nexiom:webHostPrt is not a key this program reads; the keys are environment, webHostPort, protectData, domain, hostedZone, natGateways, " +
        "availabilityZones, apiCpu, apiMemory, apiDesiredCount, apiMaxCount, webCpu, webMemory, webDesiredCount, webMaxCount, " +
        "databaseMinCapacity, databaseMaxCapacity, cacheNodeType, logRetentionDays, alertEmail.",
    ],
    ["max capacity below min capacity", { databaseMinCapacity: "8", databaseMaxCapacity: "4" }, "nexiom:databaseMaxCapacity must be at least nexiom:databaseMinCapacity (8); got 4."],
    // A bad value is reported once: no rule that relates it to another key runs with a stand-in value.
    ["max count not a number", { apiMaxCount: "abc" }, 'nexiom:apiMaxCount must be an integer from 1 to 100; got "abc".'],
    ["desired count not a number beside a valid max count", { webDesiredCount: "x", webMaxCount: "2" }, 'nexiom:webDesiredCount must be an integer from 1 to 100; got "x".'],
    ["memory not a number", { apiMemory: "lots" }, 'nexiom:apiMemory must be an integer from 512 to 122880; got "lots".'],
    ["CPU Fargate does not offer beside a memory size", { apiCpu: "300", apiMemory: "4096" }, 'nexiom:apiCpu must be one of 256, 512, 1024, 2048, 4096, 8192, 16384; got "300".'],
    ["max capacity off the grid above the min", { databaseMinCapacity: "8", databaseMaxCapacity: "0.7" }, 'nexiom:databaseMaxCapacity must be a number from 1 to 256 in steps of 0.5; got "0.7".'],
    [
      "hosted zone beside a bad domain",
      { domain: "https://app.example.com", hostedZone: "example.com" },
      'nexiom:domain must be a lower-case DNS name such as app.example.com (no scheme, path or trailing dot); got "https://app.example.com".',
    ],
    ["malformed cache node type", { cacheNodeType: "t4g.micro" }, 'nexiom:cacheNodeType must be an ElastiCache node type such as cache.t4g.micro; got "t4g.micro".'],
    [
      "log retention CloudWatch does not offer",
      { logRetentionDays: "10" },
      'nexiom:logRetentionDays must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653; got "10".',
    ],
    ["alert e-mail without a domain", { alertEmail: "ops" }, 'nexiom:alertEmail must be an e-mail address such as ops@example.com, or empty for no e-mail; got "ops".'],
    ["alert e-mail with a space", { alertEmail: "ops team@example.com" }, 'nexiom:alertEmail must be an e-mail address such as ops@example.com, or empty for no e-mail; got "ops team@example.com".'],
  ];
  for (const [what, overrides, message] of badValues) {
    it(`rejects ${what} with a message naming the key, the value and what is allowed`, () => {
      assert.deepEqual(problemsOf(rawFor("prod", overrides)), [message]);
    });
  }

  it("reports every bad key at once, so one run shows everything to fix", () => {
    const problems = problemsOf(rawFor("prod", { webHostPort: "0", apiCpu: "3", domain: "EXAMPLE" }));
    assert.deepEqual(
      problems.map((p) => p.split(" ")[0]),
      ["nexiom:webHostPort", "nexiom:domain", "nexiom:apiCpu"],
    );
  });

  it("a missing environment says which values it takes", () => {
    const raw = rawFor("dev");
    delete raw.environment;
    assert.deepEqual(problemsOf(raw), ["nexiom:environment is required: one of dev, prod."]);
  });

  it("a misspelt key in the stack's config stops the program, as the CLI hands it every nexiom:* key", async () => {
    const record = await evaluate("dev", { webHostPrt: "8081" });
    assert.equal(record.resources.length, 0);
    assert.match(record.error ?? "", /^Invalid stack configuration:\n {2}- nexiom:webHostPrt is not a key this program reads; the keys are environment, /);
  });

  it("a bad value stops the program before any resource is registered, with the same message", async () => {
    const record = await evaluate("prod", { apiCpu: "256", apiMemory: "4096", environment: "qa" });
    assert.equal(record.resources.length, 0);
    assert.equal(
      record.error,
      [
        "Invalid stack configuration:",
        '  - nexiom:environment must be one of dev, prod; got "qa".',
        '  - nexiom:apiMemory must be one of 512, 1024, 2048 MiB with nexiom:apiCpu = 256 (Fargate task sizes); got "4096".',
      ].join("\n"),
    );
  });
});
