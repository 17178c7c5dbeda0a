import assert from "node:assert/strict";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CredentialsUnavailableError, regionOf, secretsManagerCredentials } from "../src/database/credentials.js";

const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-0c1d2e3f-AbCdEf";

/** A client whose answers per stage the test sets; records the stages asked for. */
function fakeClient(stages: Record<string, string | Error>) {
  const asked: string[] = [];
  const client = {
    async send(command: { input: { SecretId: string; VersionStage: string } }) {
      asked.push(command.input.VersionStage);
      const answer = stages[command.input.VersionStage];
      if (answer instanceof Error) throw answer;
      if (answer === undefined) throw Object.assign(new Error("no such stage"), { name: "ResourceNotFoundException" });
      return { SecretString: answer };
    },
  } as unknown as SecretsManagerClient;
  return { client, asked, stages };
}

const secret = (password: string) => JSON.stringify({ username: "nexiom_admin", password });
const passwordOf = async (credentials: ReturnType<typeof secretsManagerCredentials>) => (credentials.password as () => Promise<string>)();

describe("database credentials from Secrets Manager", () => {
  it("reads AWSCURRENT once for every connection until PostgreSQL refuses it", async () => {
    const fake = fakeClient({ AWSCURRENT: secret("old") });
    const credentials = secretsManagerCredentials(arn, fake.client);
    assert.deepEqual(await Promise.all([passwordOf(credentials), passwordOf(credentials)]), ["old", "old"]);
    assert.deepEqual(fake.asked, ["AWSCURRENT"]);
  });

  it("takes AWSPENDING after a refusal while AWSCURRENT still holds the refused password (mid-rotation)", async () => {
    const fake = fakeClient({ AWSCURRENT: secret("old") });
    const credentials = secretsManagerCredentials(arn, fake.client);
    await passwordOf(credentials);
    fake.stages.AWSPENDING = secret("new");
    const generation = credentials.generation;
    assert.deepEqual(await Promise.all([credentials.refresh(generation), credentials.refresh(generation)]), [true, true]);
    assert.equal(await passwordOf(credentials), "new");
    assert.deepEqual(fake.asked, ["AWSCURRENT", "AWSCURRENT", "AWSPENDING"], "concurrent refusals share one read");
    assert.equal(await credentials.refresh(generation), true, "a refusal of an older generation retries with the newer password");
  });

  it("says there is nothing newer when the secret still holds the refused password", async () => {
    const credentials = secretsManagerCredentials(arn, fakeClient({ AWSCURRENT: secret("only") }).client);
    await passwordOf(credentials);
    assert.equal(await credentials.refresh(credentials.generation), false);
  });

  it("reports an unreadable or malformed secret without its value", async () => {
    const unreadable = secretsManagerCredentials(arn, fakeClient({ AWSCURRENT: new Error("AccessDeniedException") }).client);
    await assert.rejects(passwordOf(unreadable), (error: Error) => error instanceof CredentialsUnavailableError && /AccessDenied/.test(error.message));
    const malformed = secretsManagerCredentials(arn, fakeClient({ AWSCURRENT: "hunter2" }).client);
    await assert.rejects(passwordOf(malformed), (error: Error) => error instanceof CredentialsUnavailableError && !error.message.includes("hunter2") && /"password" key/.test(error.message));
  });

  it("finds the region in the ARN", () => {
    assert.equal(regionOf(arn), "eu-west-1");
  });
});
