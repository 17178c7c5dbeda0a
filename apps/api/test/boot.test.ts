import assert from "node:assert/strict";
import { baseEnv, spawnApi } from "./support/api-process.js";

/** Boots the built API with env and returns how it ended. */
async function bootFailure(env: Record<string, string>) {
  const api = await spawnApi({ env });
  const exit = await api.exited;
  return { ...exit, output: api.output() };
}

describe("boot with a bad environment", () => {
  it("stops with exit code 1 and one line naming a missing variable", async () => {
    const env = baseEnv("nexiom_unused", "unused:");
    delete (env as Record<string, string | undefined>).DATABASE_HOST;
    const { code, output } = await bootFailure(env);
    assert.equal(code, 1);
    assert.equal(output, "DATABASE_HOST is required (PostgreSQL host name) but is not set\n");
  });

  it("stops with exit code 1 and one line naming a malformed variable, the expected form and the value", async () => {
    const { code, output } = await bootFailure({ ...baseEnv("nexiom_unused", "unused:"), DATABASE_PORT: "abc" });
    assert.equal(code, 1);
    assert.equal(output, 'DATABASE_PORT must be an integer from 1 to 65535; got "abc"\n');
  });
});
