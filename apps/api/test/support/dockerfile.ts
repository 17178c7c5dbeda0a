/** apps/api/Dockerfile parsed with dockerfile-ast (the parser behind the VS Code Docker extension), split by stage. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DockerfileParser, type Instruction } from "dockerfile-ast";
import { apiRoot } from "./api-process.js";

export const dockerfilePath = join(apiRoot, "Dockerfile");

export interface Stage {
  name: string;
  image: string;
  instructions: Instruction[];
}

export function parseStages(path = dockerfilePath): Stage[] {
  const dockerfile = DockerfileParser.parse(readFileSync(path, "utf8"));
  const stages: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === "FROM") {
      const args = instruction.getArguments().map((arg) => arg.getValue());
      const as = args.findIndex((arg) => arg.toUpperCase() === "AS");
      stages.push({ name: as >= 0 ? args[as + 1] : String(stages.length), image: args[0], instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

export function stage(name: string): Stage {
  const found = parseStages().find((s) => s.name === name);
  if (!found) throw new Error(`Dockerfile has no stage named ${name}`);
  return found;
}

export function keyword(s: Stage, word: string): Instruction[] {
  return s.instructions.filter((instruction) => instruction.getKeyword() === word);
}

/** Arguments of an instruction (dockerfile-ast leaves --flags out); for exec form (JSON), the unquoted strings. */
export function args(instruction: Instruction): string[] {
  const content = (instruction.getArgumentsContent() ?? "").trim();
  if (content.startsWith("[")) return JSON.parse(content) as string[];
  return instruction.getArguments().map((arg) => arg.getValue());
}

/** The exec-form command of a HEALTHCHECK (after its CMD). */
export function healthcheckCommand(instruction: Instruction): string[] {
  const content = (instruction.getArgumentsContent() ?? "").trim();
  const match = content.match(/^CMD\s+(\[.*\])$/s);
  if (!match) throw new Error(`HEALTHCHECK is not in exec form: ${content}`);
  return JSON.parse(match[1]) as string[];
}

/** The value of --name=value on an instruction, if present. */
export function flag(instruction: Instruction, name: string): string | undefined {
  const flags = (instruction as Instruction & { getFlags?: () => { getName(): string; getValue(): string | null }[] }).getFlags?.() ?? [];
  return flags.find((f) => f.getName() === name)?.getValue() ?? undefined;
}

/** The stage's working directory (its last WORKDIR). */
export function workdir(s: Stage): string {
  const dirs = keyword(s, "WORKDIR");
  if (dirs.length === 0) throw new Error(`stage ${s.name} sets no WORKDIR`);
  return args(dirs.at(-1)!)[0];
}

/** The Node options the runner's CMD passes before its script (`node <options> dist/main.js`): the bench starts the API with them. */
export function runnerNodeOptions(): string[] {
  const [cmd] = keyword(stage("runner"), "CMD").map(args);
  if (!cmd || cmd[0] !== "node") throw new Error("the runner's CMD does not start node");
  return cmd.slice(1, -1);
}
