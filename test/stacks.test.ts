import { strict as assert } from "node:assert";
import { componentTree, evaluateAgain, evaluateOk, ofType } from "../offline/evaluate";
import { mockPassword } from "../offline/mocks";

const types = (record: { resources: { type: string }[] }) => new Set(record.resources.map((r) => r.type));

describe("both stacks", () => {
  it("dev runs on Docker only: a network, a volume, four containers, two local builds, nothing on AWS", async () => {
    const dev = await evaluateOk("dev");
    assert.equal(ofType(dev, "docker:index/network:Network").length, 1);
    assert.equal(ofType(dev, "docker:index/volume:Volume").length, 1);
    assert.deepEqual(ofType(dev, "docker:index/container:Container").map((c) => c.inputs.name).sort(), ["nexiom-api", "nexiom-cache", "nexiom-db", "nexiom-web"]);
    assert.equal(ofType(dev, "docker-build:index:Image").length, 2);
    assert.deepEqual([...types(dev)].filter((t) => t.startsWith("aws:")), []);
  });

  it("prod runs on AWS only: VPC, ECS Fargate behind one ALB, Aurora, ElastiCache, ECR, no Docker containers", async () => {
    const prod = await evaluateOk("prod");
    for (const type of [
      "aws:ec2/vpc:Vpc",
      "aws:ecs/cluster:Cluster",
      "aws:lb/loadBalancer:LoadBalancer",
      "aws:rds/cluster:Cluster",
      "aws:elasticache/replicationGroup:ReplicationGroup",
    ]) {
      assert.equal(ofType(prod, type).length, 1, type);
    }
    assert.equal(ofType(prod, "aws:ecs/service:Service").length, 2);
    assert.equal(ofType(prod, "aws:ecr/repository:Repository").length, 2);
    assert.equal(ofType(prod, "aws:rds/clusterInstance:ClusterInstance").length, 2);
    assert.deepEqual([...types(prod)].filter((t) => t.startsWith("docker:")), []);
  });

  it("have the same component tree: the same component types and names, only the leaves differ", async () => {
    const dev = componentTree(await evaluateOk("dev"));
    const prod = componentTree(await evaluateOk("prod"));
    assert.deepEqual(dev, prod);
    assert.deepEqual(dev, [
      "nexiom:index:Cache/cache",
      "nexiom:index:Database/db",
      "nexiom:index:Image/api",
      "nexiom:index:Image/web",
      "nexiom:index:Platform/nexiom",
      "nexiom:index:Service/api",
      "nexiom:index:Service/web",
    ]);
  });

  it("put every resource under one of the product's components", async () => {
    for (const stack of ["dev", "prod"]) {
      const record = await evaluateOk(stack);
      const orphans = record.resources.filter((r) => r.custom && !r.parent?.includes("nexiom:index:"));
      assert.deepEqual(orphans.map((r) => `${r.type}/${r.name}`), [], stack);
    }
  });

  it("export the same outputs in both stacks, and never a password", async () => {
    const dev = await evaluateOk("dev");
    const prod = await evaluateOk("prod");
    // Only prod has a plain-HTTP notice and ECS deployments to verify.
    const prodOnly = ["notice", "deployments"];
    assert.deepEqual(Object.keys(dev.outputs).sort(), Object.keys(prod.outputs).filter((k) => !prodOnly.includes(k)).sort());
    for (const record of [dev, prod]) {
      const passwords = ofType(record, "random:index/randomPassword:RandomPassword").map((p) => mockPassword(p.name, Number(p.inputs.length)));
      assert.ok(passwords.length > 0, `${record.stack} generates its passwords`);
      const text = JSON.stringify(record.outputs);
      for (const password of passwords) assert.ok(!text.includes(password), `${record.stack} exports a generated password`);
      assert.doesNotMatch(text, /password|secret/i);
    }
  });

  for (const stack of ["dev", "prod"]) {
    it(`${stack}: two evaluations give identical resources and inputs (no time, machine or randomness)`, async () => {
      const first = await evaluateOk(stack);
      const second = await evaluateAgain(stack);
      assert.equal(second.error, undefined);
      assert.deepEqual(second.resources, first.resources);
      assert.deepEqual(second.outputs, first.outputs);
    });
  }
});
