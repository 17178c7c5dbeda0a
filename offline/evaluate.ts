/** Runs stack evaluations (offline/evaluate-stack.ts) in child processes and reads their records. */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { RecordedResource, StackRecord } from "./record";

export type { RecordedResource, StackRecord } from "./record";

const script = path.join(__dirname, "evaluate-stack.ts");
const cache = new Map<string, Promise<StackRecord>>();

/**
 * Evaluates a stack once per distinct config (memoised within a test run); the record includes `error`
 * if the program threw. `secrets` are config values set as Pulumi secrets, as `pulumi config set --secret` does.
 */
export function evaluate(stack: string, overrides: Record<string, string> = {}, secrets: Record<string, string> = {}): Promise<StackRecord> {
  const key = JSON.stringify([stack, Object.entries(overrides).sort(), Object.entries(secrets).sort()]);
  if (!cache.has(key)) cache.set(key, runEvaluation(stack, overrides, secrets));
  return cache.get(key)!;
}

/** A fresh evaluation, never memoised: for comparing two runs of the same stack. */
export function evaluateAgain(stack: string, overrides: Record<string, string> = {}): Promise<StackRecord> {
  return runEvaluation(stack, overrides);
}

/**
 * The stack as it would be after `pulumi destroy` and a new `pulumi up`: random values (e.g. `random.RandomId`)
 * differ from the first incarnation's, as re-created random resources do. Fails on the program's error.
 */
export async function evaluateIncarnation(stack: string, incarnation: number, overrides: Record<string, string> = {}): Promise<StackRecord> {
  const record = await runEvaluation(stack, overrides, {}, undefined, true, { NEXIOM_MOCK_INCARNATION: String(incarnation) });
  if (record.error) throw new Error(`Evaluating stack ${stack} (incarnation ${incarnation}) failed: ${record.error}`);
  return record;
}

/** Like `evaluate`, but fails the test with the program's error if it threw. */
export async function evaluateOk(stack: string, overrides: Record<string, string> = {}): Promise<StackRecord> {
  const record = await evaluate(stack, overrides);
  if (record.error) throw new Error(`Evaluating stack ${stack} failed: ${record.error}`);
  return record;
}

/**
 * Evaluates the program in another checkout (a worktree of an older commit) with this checkout's mocks.
 * `awsRules: false` for a diff's base: a pull request that fixes an input AWS would refuse must still get
 * its diff against the base that has it.
 */
export function evaluateAt(
  root: string,
  stack: string,
  overrides: Record<string, string> = {},
  options: { awsRules: boolean } = { awsRules: true },
): Promise<StackRecord> {
  return runEvaluation(stack, overrides, {}, root, options.awsRules);
}

async function runEvaluation(
  stack: string,
  overrides: Record<string, string>,
  secrets: Record<string, string> = {},
  root?: string,
  awsRules = true,
  env: Record<string, string> = {},
): Promise<StackRecord> {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "nexiom-eval-")), "record.json");
  const args = ["--require", "tsx/cjs", script, stack, "--out", out, ...(root ? ["--root", root] : []), ...(awsRules ? [] : ["--no-aws-rules"])];
  for (const [key, value] of Object.entries(overrides)) args.push("--set", `${key}=${value}`);
  for (const [key, value] of Object.entries(secrets)) args.push("--secret", `${key}=${value}`);
  const stderr: string[] = [];
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, ...env } });
    child.stderr.on("data", (chunk) => stderr.push(String(chunk)));
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (!fs.existsSync(out)) throw new Error(`Evaluation of ${stack} wrote no record (exit ${exitCode}):\n${stderr.join("")}`);
  const record = JSON.parse(fs.readFileSync(out, "utf8")) as StackRecord;
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  return record;
}

/** Every recorded resource of a type. */
export function ofType(record: StackRecord, type: string): RecordedResource[] {
  return record.resources.filter((r) => r.type === type);
}

/** The one resource of a type and name; fails loudly when it is missing. */
export function find(record: StackRecord, type: string, name: string): RecordedResource {
  const found = record.resources.find((r) => r.type === type && r.name === name);
  if (!found) throw new Error(`No ${type} named ${name} in stack ${record.stack}.`);
  return found;
}

/** The component resources (type and name, with their parent's), which must be the same in every stack. */
export function componentTree(record: StackRecord): string[] {
  const byUrn = new Map(record.resources.map((r) => [r.urn, r]));
  return record.resources
    .filter((r) => !r.custom)
    .map((r) => {
      const parent = r.parent ? byUrn.get(r.parent) : undefined;
      return `${parent && !parent.custom ? `${parent.type}/${parent.name} > ` : ""}${r.type}/${r.name}`;
    })
    .sort();
}
