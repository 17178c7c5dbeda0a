/**
 * Evaluates the Pulumi program for one stack under the mocks and writes what it registered as JSON.
 *
 *   node --require tsx/cjs offline/evaluate-stack.ts <stack> --out <file> [--root <dir>] [--no-aws-rules] [--set key=value ...] [--secret key=value ...]
 *
 * Config comes from the project's real files, as the Pulumi CLI would assemble it: the defaults
 * declared in Pulumi.yaml, then Pulumi.<stack>.yaml, then `--set` overrides. Runs in a process of its
 * own so every evaluation starts from a fresh Pulumi runtime. Exit code 1 with `{ error }` in the file
 * when the program throws, or when an input breaks one of AWS's rules (offline/aws-rules.ts) unless
 * `--no-aws-rules` is given.
 */
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { checkInputs, checkStack, describeViolations } from "./aws-rules";
import { mocks } from "./mocks";
import { convertProperties, type RecordedResource, type StackRecord } from "./record";

/** The project evaluated: this checkout, or another one (a worktree of an older commit) given with `--root`. */
let projectRoot = path.resolve(__dirname, "..");

export function stackConfig(stack: string, overrides: Record<string, string>): Record<string, string> {
  const project = parse(fs.readFileSync(path.join(projectRoot, "Pulumi.yaml"), "utf8"));
  const stackFile = path.join(projectRoot, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(stackFile)) throw new Error(`No stack file Pulumi.${stack}.yaml in ${projectRoot}.`);
  const config: Record<string, string> = {};
  for (const [key, declaration] of Object.entries<{ default?: unknown }>(project.config ?? {})) {
    const fullKey = key.includes(":") ? key : `${project.name}:${key}`;
    if (declaration?.default !== undefined) config[fullKey] = String(declaration.default);
  }
  for (const [key, value] of Object.entries(parse(fs.readFileSync(stackFile, "utf8"))?.config ?? {})) {
    config[key] = String(value);
  }
  for (const [key, value] of Object.entries(overrides)) config[key.includes(":") ? key : `${project.name}:${key}`] = value;
  return config;
}

async function main(): Promise<void> {
  const [stack, ...rest] = process.argv.slice(2);
  let out = "";
  const overrides: Record<string, string> = {};
  const secretKeys: string[] = [];
  let awsRules = true;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "--no-aws-rules") awsRules = false;
    else if (rest[i] === "--out") out = rest[++i];
    else if (rest[i] === "--root") projectRoot = path.resolve(rest[++i]);
    else if (rest[i] === "--set" || rest[i] === "--secret") {
      const [key, ...value] = rest[i + 1].split("=");
      overrides[key] = value.join("=");
      if (rest[i] === "--secret") secretKeys.push(key.includes(":") ? key : `nexiom:${key}`);
      i++;
    } else throw new Error(`Unknown argument ${rest[i]}`);
  }
  if (!stack || !out) throw new Error("usage: evaluate-stack.ts <stack> --out <file> [--set key=value ...] [--secret key=value ...]");

  const record: StackRecord = { stack, resources: [], outputs: {}, secretOutputs: [] };
  const write = () => fs.writeFileSync(out, JSON.stringify(record, null, 1));
  try {
    process.chdir(projectRoot); // the Pulumi CLI runs the program from the project directory
    pulumi.runtime.setAllConfig(stackConfig(stack, overrides), secretKeys);
    await pulumi.runtime.setMocks(mocks, "nexiom", stack, false);
    recordRegistrations(record.resources);

    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program: Record<string, unknown> = require(path.join(projectRoot, "index.ts"));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    await require("@pulumi/pulumi/runtime/settings").waitForRPCs();
    for (const [name, value] of Object.entries(program)) {
      if (pulumi.Output.isInstance(value)) {
        const output = value as pulumi.Output<unknown> & { isSecret: Promise<boolean> };
        record.outputs[name] = await new Promise((resolve) => output.apply(resolve));
        if (await output.isSecret) record.secretOutputs.push(name);
      } else if (value !== undefined) {
        record.outputs[name] = value;
      }
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    await require("@pulumi/pulumi/runtime/settings").waitForRPCs();
    // Registration order depends on when outputs resolve, which is not part of what the program declares.
    record.resources.sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
    // What AWS would refuse fails the evaluation, so `pnpm plan` and every test stop on it: every rejected
    // input (checked on the recorded inputs, as the provider would meet them at create time) and every
    // rule across resources, reported at once.
    const violations = [...record.resources.flatMap((r) => checkInputs(r.type, r.name, r.inputs, r.secretPaths)), ...checkStack(record.resources)];
    if (awsRules && violations.length > 0) throw new Error(describeViolations(violations));
    write();
  } catch (error) {
    record.error = error instanceof Error ? error.message : String(error);
    write();
    process.exitCode = 1;
  }
}

/** Wraps the mock monitor so that every registration is recorded with its parent, options and secret markers. */
function recordRegistrations(resources: RecordedResource[]): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const monitor = require("@pulumi/pulumi/runtime/settings").getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request: any, callback: (error: unknown, response: any) => void) =>
    register(request, (error: unknown, response: any) => {
      if (!error) {
        const { value, secretPaths } = convertProperties(request.getObject()?.toJavaScript() ?? {});
        resources.push({
          urn: response.getUrn(),
          id: response.getId(),
          type: request.getType(),
          name: request.getName(),
          parent: request.getParent() || undefined,
          custom: request.getCustom(),
          inputs: value as Record<string, unknown>,
          secretPaths,
          protect: request.getProtect() ?? false,
          retainOnDelete: request.getRetainondelete() ?? false,
          deleteBeforeReplace: request.getDeletebeforereplace() ?? false,
          ignoreChanges: request.getIgnorechangesList(),
          replaceOnChanges: request.getReplaceonchangesList(),
          dependsOn: request.getDependenciesList(),
        });
      }
      callback(error, response);
    });
}

if (require.main === module) void main();
