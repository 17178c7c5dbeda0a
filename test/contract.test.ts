import { strict as assert } from "node:assert";
import { apiEnvironment, apiEnvNames, apiSecretEnvNames, type EnvVariable } from "../apps/api/src/config/env.contract";
import { apiTaskContainer } from "./support/containers";
import { evaluateOk, find } from "../offline/evaluate";

async function apiContainerEnvs(): Promise<{ names: string[]; secretNames: string[]; values: Map<string, string> }> {
  const dev = await evaluateOk("dev");
  const container = find(dev, "docker:index/container:Container", "api-container");
  const envs = container.inputs.envs as string[];
  const split = envs.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)] as const);
  const secretIndexes = container.secretPaths.map((p) => Number(/^envs\[(\d+)\]$/.exec(p)?.[1]));
  return {
    names: split.map(([name]) => name),
    secretNames: secretIndexes.map((i) => split[i][0]),
    values: new Map(split),
  };
}

describe("the API's env contract (apps/api/src/config/env.contract.ts)", () => {
  it("reaches the dev API container in full: every variable the API declares but the secret ARN (Docker's password never rotates), nothing else", async () => {
    const { names } = await apiContainerEnvs();
    assert.deepEqual([...names].sort(), apiEnvNames.filter((name) => name !== "DATABASE_CREDENTIALS_ARN").sort());
  });

  it("reaches the prod API task definition in full, the database password as the secret's ARN rather than its value", async () => {
    const container = await apiTaskContainer();
    const names = [...container.environment.map((e) => e.name), ...container.secrets.map((s) => s.name)];
    assert.deepEqual(names.sort(), apiEnvNames.filter((name) => name !== "DATABASE_PASSWORD").sort());
  });

  it("prod: secret variables come only through ECS secrets from Secrets Manager, never through environment", async () => {
    const container = await apiTaskContainer();
    assert.deepEqual(container.secrets.map((s) => s.name).sort(), apiSecretEnvNames.filter((name) => name !== "DATABASE_PASSWORD").sort());
    for (const secret of container.secrets) assert.match(secret.valueFrom, /^arn:aws:secretsmanager:eu-west-1:123456789012:secret:/);
    assert.deepEqual(container.environment.filter((e) => apiSecretEnvNames.includes(e.name as never)), []);
  });

  it("prod: the database password is the password key of the secret RDS manages for the Aurora cluster", async () => {
    const prod = await evaluateOk("prod");
    const cluster = find(prod, "aws:rds/cluster:Cluster", "db-cluster");
    assert.equal(cluster.inputs.manageMasterUserPassword, true);
    assert.equal(cluster.inputs.masterPassword, undefined);
    const container = await apiTaskContainer();
    const arn = container.environment.find((e) => e.name === "DATABASE_CREDENTIALS_ARN")?.value;
    assert.match(arn ?? "", /^arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-[0-9a-f-]+-AbCdEf$/);
  });

  it("prod: the API reads the rotating database secret itself, so ECS does not inject it at task start", async () => {
    const container = await apiTaskContainer();
    assert.equal(container.secrets.some((s) => s.name === "DATABASE_PASSWORD" || s.valueFrom.includes(":secret:rds!")), false);
  });

  it("dev: secret variables are marked secret, so Pulumi encrypts them in state and masks them in diffs", async () => {
    const { secretNames } = await apiContainerEnvs();
    assert.deepEqual(secretNames.sort(), [...apiSecretEnvNames].sort());
  });

  it("gives the API its defaults from the contract where the infrastructure has no opinion", async () => {
    const { values } = await apiContainerEnvs();
    for (const name of apiEnvNames) {
      const spec: EnvVariable = apiEnvironment[name];
      if (spec.default !== undefined && !["PORT", "DATABASE_PORT", "REDIS_PORT", "DATABASE_TLS", "REDIS_TLS"].includes(name)) {
        assert.equal(values.get(name), spec.default, name);
      }
    }
  });

  it("points the API at the database and cache of its own stack, with TLS where the managed services require it", async () => {
    const dev = await apiContainerEnvs();
    assert.equal(dev.values.get("DATABASE_HOST"), "db");
    assert.equal(dev.values.get("REDIS_HOST"), "cache");
    assert.equal(dev.values.get("DATABASE_TLS"), "false");
    const prod = new Map((await apiTaskContainer()).environment.map((e) => [e.name, e.value]));
    assert.equal(prod.get("DATABASE_HOST"), "nexiom-db.cluster-c9akciq32xyz.eu-west-1.rds.amazonaws.com");
    assert.equal(prod.get("REDIS_HOST"), "master.nexiom-cache.x1y2z3.euw1.cache.amazonaws.com");
    assert.equal(prod.get("DATABASE_TLS"), "true");
    assert.equal(prod.get("REDIS_TLS"), "true");
  });
});
