/**
 * Small Docker CLI helpers for the engine tests: run a command, start containers that are removed afterwards,
 * and wait for a condition with the container's logs in the failure message.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `docker <args>`; never throws on a non-zero exit (the caller asserts on `code`). */
export function docker(args: string[], input?: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = execFile("docker", args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") return reject(error);
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Like `docker`, but a non-zero exit fails with the command, its exit code and its output. */
export async function dockerOk(args: string[], input?: string): Promise<string> {
  const result = await docker(args, input);
  if (result.code !== 0) {
    throw new Error(`docker ${args.join(" ")} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
  return result.stdout;
}

/** Names of what a test run creates, all removed by `cleanUp`. */
const created = { containers: new Set<string>(), networks: new Set<string>(), volumes: new Set<string>() };
const runId = `nexiom-standin-test-${randomBytes(3).toString("hex")}`;
let counter = 0;

export function uniqueName(what: string): string {
  counter += 1;
  return `${runId}-${what}-${counter}`;
}

/** `docker run --rm` of a one-off command; the container is removed when it exits. */
export function runOnce(image: string, dockerOptions: string[], command: string[] = []): Promise<Result> {
  const name = uniqueName("once");
  created.containers.add(name);
  return docker(["run", "--rm", "--name", name, ...dockerOptions, image, ...command]);
}

/** Starts a detached container and returns its name. */
export async function start(image: string, dockerOptions: string[], command: string[] = []): Promise<string> {
  const name = uniqueName("c");
  created.containers.add(name);
  await dockerOk(["run", "--detach", "--name", name, ...dockerOptions, image, ...command]);
  return name;
}

export async function network(): Promise<string> {
  const name = uniqueName("net");
  created.networks.add(name);
  await dockerOk(["network", "create", name]);
  return name;
}

export async function volume(): Promise<string> {
  const name = uniqueName("vol");
  created.volumes.add(name);
  await dockerOk(["volume", "create", name]);
  return name;
}

export async function logs(container: string): Promise<string> {
  const result = await docker(["logs", container]);
  return result.stdout + result.stderr;
}

/** What a person needs when a container does not behave: its state, exit code, health and logs. */
export async function diagnose(container: string): Promise<string> {
  const state = await docker(["inspect", "--format", "{{json .State}}", container]);
  return `container ${container}\nstate: ${state.stdout.trim() || state.stderr.trim()}\nlogs:\n${await logs(container)}`;
}

/** Polls `check` until it returns true, or fails after `seconds` with the container's diagnosis. */
export async function waitFor(container: string, what: string, check: () => Promise<boolean>, seconds = 60): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (await check()) return;
    const running = await docker(["inspect", "--format", "{{.State.Running}}", container]);
    if (running.stdout.trim() === "false") break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what}: not seen within ${seconds}s\n${await diagnose(container)}`);
}

/** Waits until the container's logs contain `text`. */
export function waitForLog(container: string, text: string | RegExp, seconds = 60): Promise<void> {
  const matches = (log: string) => (typeof text === "string" ? log.includes(text) : text.test(log));
  return waitFor(container, `log line ${String(text)}`, async () => matches(await logs(container)), seconds);
}

/** The host port that a container's port is published on (`-p 127.0.0.1::<port>`). */
export async function hostPort(container: string, port: number): Promise<number> {
  const out = await dockerOk(["port", container, `${port}/tcp`]);
  const match = /:(\d+)\s*$/m.exec(out);
  if (!match) throw new Error(`docker port ${container} ${port}/tcp printed no host port: ${out}`);
  return Number(match[1]);
}

export async function cleanUp(): Promise<void> {
  for (const name of created.containers) await docker(["rm", "--force", "--volumes", name]);
  for (const name of created.networks) await docker(["network", "rm", name]);
  for (const name of created.volumes) await docker(["volume", "rm", "--force", name]);
  created.containers.clear();
  created.networks.clear();
  created.volumes.clear();
}
