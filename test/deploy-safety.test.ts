/**
 * Deploy safety and state protection on the prod stack, and the rollout critical path that
 * docs/security.md states: health-check interval × healthy threshold + deregistration delay + grace period.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { taskContainer } from "./support/containers";
import { evaluateOk, find, ofType, type StackRecord } from "../offline/evaluate";

/** The slowest step of a routine deploy, in seconds, from what the stack declares. */
export function rolloutCriticalPath(record: StackRecord, service: string): number {
  const targetGroup = find(record, "aws:lb/targetGroup:TargetGroup", `${service}-tg`).inputs;
  const check = targetGroup.healthCheck as { interval: number; healthyThreshold: number };
  const grace = Number(find(record, "aws:ecs/service:Service", `${service}-service`).inputs.healthCheckGracePeriodSeconds);
  return check.interval * check.healthyThreshold + Number(targetGroup.deregistrationDelay) + grace;
}

describe("deploy safety (prod)", () => {
  it("applies Aurora and ElastiCache changes at `pulumi up`, so none is left pending for the drift check to report", async () => {
    const prod = await evaluateOk("prod");
    const stateful = [...ofType(prod, "aws:rds/cluster:Cluster"), ...ofType(prod, "aws:rds/clusterInstance:ClusterInstance"), ...ofType(prod, "aws:elasticache/replicationGroup:ReplicationGroup")];
    assert.equal(stateful.length, 4);
    for (const resource of stateful) assert.equal(resource.inputs.applyImmediately, true, resource.name);
  });

  it("creates each task definition after its execution role's policy, so the first tasks can pull and read their secrets", async () => {
    const prod = await evaluateOk("prod");
    for (const name of ["api", "web"]) {
      const policy = find(prod, "aws:iam/rolePolicy:RolePolicy", `${name}-execution`);
      assert.ok(find(prod, "aws:ecs/taskDefinition:TaskDefinition", `${name}-task`).dependsOn.includes(policy.urn), name);
    }
  });

  it("runs at least two tasks per service by default, rebalanced across availability zones", async () => {
    const prod = await evaluateOk("prod");
    for (const name of ["api", "web"]) {
      const service = find(prod, "aws:ecs/service:Service", `${name}-service`).inputs;
      assert.ok(Number(service.desiredCount) >= 2, name);
      assert.equal(service.availabilityZoneRebalancing, "ENABLED", name);
    }
  });

  it("gives new tasks a health-check grace period far above the API's boot time (under a second in `pnpm bench`)", async () => {
    const prod = await evaluateOk("prod");
    for (const name of ["api", "web"]) {
      assert.ok(Number(find(prod, "aws:ecs/service:Service", `${name}-service`).inputs.healthCheckGracePeriodSeconds) >= 30, name);
    }
  });

  it("drains targets far faster than the 300 s default, and gives containers longer than that to stop", async () => {
    const prod = await evaluateOk("prod");
    for (const name of ["api", "web"]) {
      const delay = Number(find(prod, "aws:lb/targetGroup:TargetGroup", `${name}-tg`).inputs.deregistrationDelay);
      const stopTimeout = Number((await taskContainer(name)).stopTimeout);
      assert.ok(delay <= 30, `${name} deregistration delay ${delay}`);
      assert.ok(stopTimeout > delay && stopTimeout <= 120, `${name} stopTimeout ${stopTimeout} (Fargate allows up to 120)`);
    }
  });

  it("scales each service on CPU and on load balancer requests per target, within the configured bounds", async () => {
    const prod = await evaluateOk("prod");
    for (const name of ["api", "web"]) {
      const metrics = ["cpu", "requests"].map((policy) => {
        const config = find(prod, "aws:appautoscaling/policy:Policy", `${name}-${policy}`).inputs.targetTrackingScalingPolicyConfiguration as {
          predefinedMetricSpecification: { predefinedMetricType: string; resourceLabel?: string };
        };
        return config.predefinedMetricSpecification;
      });
      assert.deepEqual(metrics.map((m) => m.predefinedMetricType), ["ECSServiceAverageCPUUtilization", "ALBRequestCountPerTarget"]);
      assert.match(String(metrics[1].resourceLabel), new RegExp(`^app/nexiom-alb/[0-9a-f]+/targetgroup/${name}-tg/[0-9a-f]+$`));
    }
  });

  it("keeps Aurora's reader first in line for promotion and never lets it pause (minimum capacity above 0)", async () => {
    const prod = await evaluateOk("prod");
    assert.equal(find(prod, "aws:rds/clusterInstance:ClusterInstance", "db-reader").inputs.promotionTier, 1);
    const capacity = find(prod, "aws:rds/cluster:Cluster", "db-cluster").inputs.serverlessv2ScalingConfiguration as { minCapacity: number };
    assert.ok(capacity.minCapacity > 0);
  });

  it("keeps the access logs bucket with the other stateful resources when data is protected", async () => {
    const bucket = ofType(await evaluateOk("prod"), "aws:s3/bucket:Bucket")[0];
    assert.equal(bucket.protect, true);
    assert.equal(bucket.retainOnDelete, true);
    assert.equal(bucket.inputs.forceDestroy, false);
  });

  it("a routine rollout's critical path is under 90 s, as docs/security.md states it", async () => {
    const prod = await evaluateOk("prod");
    const doc = fs.readFileSync(path.resolve(__dirname, "../docs/security.md"), "utf8");
    for (const name of ["api", "web"]) {
      const seconds = rolloutCriticalPath(prod, name);
      assert.ok(seconds < 90, `${name}: ${seconds} s`);
      assert.match(doc, new RegExp(`\\| ${name} \\|[^\\n]*\\| \\*\\*${seconds} s\\*\\* \\|`), `docs/security.md states ${seconds} s for ${name}`);
    }
  });
});
