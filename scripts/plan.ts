/**
 * `pnpm plan`: the program's plan without the Pulumi CLI, Docker or AWS, under the same mocks as the tests.
 *
 *   pnpm plan <stack>                      the resource tree with key settings, secrets masked
 *   pnpm plan <stack> --base <git-ref>     a Markdown diff between <git-ref> and the working tree
 *   pnpm plan <stack> --format mermaid     the topology as a Mermaid diagram
 *   pnpm plan <stack> --config key=value   any of the above with a config value changed (repeatable)
 *   pnpm plan --update-readme              rewrite the README's diagrams from the current program
 *   pnpm plan --help                       this usage
 *
 * With --base, --config applies to both sides, and the diff's header says so. Errors go to stderr: one line
 * (exit 2) for bad usage such as an unknown stack or ref; the program's own message, one problem per line
 * as config.ts words them, when it throws (exit 1).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { evaluate, evaluateAt } from "../offline/evaluate";
import { diffRecords, renderDiffMarkdown, renderMermaid, renderTree } from "../offline/plan";
import type { StackRecord } from "../offline/record";

const root = path.resolve(__dirname, "..");
const usage = "usage: pnpm plan <stack> [--base <git-ref>] [--format text|mermaid] [--config key=value ...] | pnpm plan --update-readme | pnpm plan --help";

class UsageError extends Error {}

function stacks(): string[] {
  return fs
    .readdirSync(root)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

function checkStack(stack: string | undefined): string {
  if (!stack || stack.startsWith("-")) throw new UsageError(usage);
  if (!stacks().includes(stack)) throw new UsageError(`unknown stack "${stack}": there is no Pulumi.${stack}.yaml (stacks: ${stacks().join(", ")})`);
  return stack;
}

function git(...args: string[]): string {
  return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** The record, or the program's error as the program wrote it (a config error: one problem per line). */
function ok(record: StackRecord, where: string): StackRecord {
  if (record.error) throw new Error(`the program failed for stack ${record.stack}${where}: ${record.error}`);
  return record;
}

/**
 * Evaluates `stack` as the program was at `ref`, in a temporary worktree that borrows this checkout's
 * dependencies, with the same config overrides as the working tree's side.
 */
export async function evaluateRef(stack: string, ref: string, config: Record<string, string> = {}): Promise<{ record: StackRecord; label: string }> {
  let commit: string;
  try {
    commit = git("rev-parse", "--verify", "--quiet", `${ref}^{commit}`);
  } catch {
    throw new UsageError(`git ref "${ref}" does not exist in this repository`);
  }
  const worktree = fs.mkdtempSync(path.join(os.tmpdir(), "nexiom-plan-"));
  try {
    git("worktree", "add", "--detach", "--force", worktree, commit);
    fs.symlinkSync(path.join(root, "node_modules"), path.join(worktree, "node_modules"), "dir");
    if (!fs.existsSync(path.join(worktree, `Pulumi.${stack}.yaml`))) {
      throw new UsageError(`stack "${stack}" does not exist at ${ref}: there is no Pulumi.${stack}.yaml there`);
    }
    const record = ok(await evaluateAt(worktree, stack, config, { awsRules: false }), ` at ${ref}`);
    return { record, label: `\`${ref}\` (${commit.slice(0, 7)})` };
  } finally {
    try {
      git("worktree", "remove", "--force", worktree);
    } catch {
      fs.rmSync(worktree, { recursive: true, force: true });
      git("worktree", "prune");
    }
  }
}

const readmeBlock = (stack: string) => new RegExp(`(<!-- plan:mermaid ${stack} -->\\n\`\`\`mermaid\\n)[\\s\\S]*?(\`\`\`\\n<!-- /plan:mermaid -->)`);

/** The README with each stack's diagram block replaced by the current one. */
export async function readmeWithDiagrams(readme: string): Promise<string> {
  let updated = readme;
  for (const stack of ["dev", "prod"]) {
    if (!readmeBlock(stack).test(updated)) throw new Error(`README.md has no <!-- plan:mermaid ${stack} --> block`);
    const diagram = renderMermaid(ok(await evaluate(stack), ""));
    updated = updated.replace(readmeBlock(stack), (_, open: string, close: string) => `${open}${diagram}${close}`);
  }
  return updated;
}

async function main(argv: string[]): Promise<void> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  if (argv[0] === "--update-readme") {
    const file = path.join(root, "README.md");
    fs.writeFileSync(file, await readmeWithDiagrams(fs.readFileSync(file, "utf8")));
    process.stdout.write("README.md diagrams updated\n");
    return;
  }
  const stack = checkStack(argv[0]);
  let base: string | undefined;
  let format = "text";
  const config: Record<string, string> = {};
  for (let i = 1; i < argv.length; i += 2) {
    const value = argv[i + 1];
    if (argv[i] === "--base" && value) base = value;
    else if (argv[i] === "--format" && (value === "text" || value === "mermaid")) format = value;
    else if (argv[i] === "--config" && value?.includes("=")) config[value.slice(0, value.indexOf("="))] = value.slice(value.indexOf("=") + 1);
    else throw new UsageError(`unexpected ${argv[i]}${value ? ` ${value}` : ""}; ${usage}`);
  }
  if (base && format === "mermaid") throw new UsageError(`--base and --format mermaid do not go together; ${usage}`);

  const head = ok(await evaluate(stack, config), "");
  if (base) {
    const { record, label } = await evaluateRef(stack, base, config);
    const overrides = Object.entries(config).map(([key, value]) => `\`${key}=${value}\``);
    const both = overrides.length ? `${label}, with ${overrides.join(", ")} on both sides` : label;
    process.stdout.write(renderDiffMarkdown(stack, both, diffRecords(record, head)));
  } else {
    process.stdout.write(format === "mermaid" ? renderMermaid(head) : renderTree(head));
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`pnpm plan: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  });
}
