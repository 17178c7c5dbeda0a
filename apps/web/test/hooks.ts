import { startStack, type Stack } from "./support/stack";

let current: Stack | undefined;

/** The running stack (nginx serving the runner image's files, the API behind it), shared by every test file. */
export function stack(): Stack {
  if (!current) throw new Error("the stack is not running (test/hooks.ts beforeAll failed?)");
  return current;
}

/** Root hooks: one stack for the whole run, since building and starting the API is the slow part. */
export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(300_000);
    current = await startStack();
  },
  async afterAll() {
    await current?.stop();
  },
};
