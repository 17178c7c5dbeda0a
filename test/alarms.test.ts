/**
 * Alarms and alerts on the prod stack: what hurts users and what comes before it, one SNS topic with an
 * optional e-mail subscription, ECS deployment alarms, and docs/operations.md in step with the alarms.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { maxConnections } from "../components/database/aws";
import { evaluateOk, find, ofType, type RecordedResource } from "../offline/evaluate";

const alarmType = "aws:cloudwatch/metricAlarm:MetricAlarm";
type Inputs = Record<string, any>;

/** The metrics an alarm reads: its own, or those of its metric-math expression. */
const metricsOf = (alarm: RecordedResource): Inputs[] => {
  const inputs = alarm.inputs as Inputs;
  return inputs.metricName
    ? [{ namespace: inputs.namespace, metricName: inputs.metricName, dimensions: inputs.dimensions }]
    : (inputs.metricQueries as Inputs[]).filter((q) => q.metric).map((q) => q.metric);
};

describe("alarms and alerts (prod)", () => {
  it("watch what hurts users and what comes before it, on the load balancer, both services, Aurora and both cache nodes", async () => {
    const prod = await evaluateOk("prod");
    const watched = ofType(prod, alarmType)
      .map((a) => `${a.inputs.name}: ${metricsOf(a).map((m) => `${m.namespace}/${m.metricName}`).join(" / ")}`)
      .sort();
    const service = (name: string) => [
      `nexiom-${name}-cpu-high: AWS/ECS/CPUUtilization`,
      `nexiom-${name}-memory-high: AWS/ECS/MemoryUtilization`,
      `nexiom-${name}-p99-latency: AWS/ApplicationELB/TargetResponseTime`,
      `nexiom-${name}-target-5xx: AWS/ApplicationELB/HTTPCode_Target_5XX_Count / AWS/ApplicationELB/RequestCount`,
      `nexiom-${name}-unhealthy-targets: AWS/ApplicationELB/UnHealthyHostCount`,
    ];
    const cacheNode = (n: number) => [
      `nexiom-cache-cpu-high-${n}: AWS/ElastiCache/EngineCPUUtilization`,
      `nexiom-cache-evictions-${n}: AWS/ElastiCache/Evictions`,
      `nexiom-cache-memory-high-${n}: AWS/ElastiCache/DatabaseMemoryUsagePercentage`,
      `nexiom-cache-replication-lag-${n}: AWS/ElastiCache/ReplicationLag`,
    ];
    assert.deepEqual(watched, [
      "nexiom-alb-5xx: AWS/ApplicationELB/HTTPCode_ELB_5XX_Count / AWS/ApplicationELB/RequestCount",
      ...service("api"),
      ...cacheNode(1),
      ...cacheNode(2),
      "nexiom-db-capacity-at-max: AWS/RDS/ServerlessDatabaseCapacity",
      "nexiom-db-connections-high: AWS/RDS/DatabaseConnections",
      "nexiom-db-cpu-high: AWS/RDS/CPUUtilization",
      ...service("web"),
    ].sort());
  });

  it("read the metrics of the resources the stack creates: its load balancer, target groups, services, writer and cache nodes", async () => {
    const prod = await evaluateOk("prod");
    const loadBalancerSuffix = /^app\/nexiom-alb\/[0-9a-f]{16}$/;
    for (const alarm of ofType(prod, alarmType)) {
      for (const metric of metricsOf(alarm)) {
        const dimensions: Record<string, string> = metric.dimensions;
        if (metric.namespace === "AWS/ApplicationELB") assert.match(dimensions.LoadBalancer, loadBalancerSuffix, alarm.name);
        if (dimensions.TargetGroup) assert.match(dimensions.TargetGroup, new RegExp(`^targetgroup/${alarm.name.split("-")[1]}-tg/`), alarm.name);
        if (metric.namespace === "AWS/ECS") assert.deepEqual(dimensions, { ClusterName: "nexiom", ServiceName: alarm.name.split("-")[1] }, alarm.name);
        if (metric.namespace === "AWS/RDS") assert.deepEqual(dimensions, { DBClusterIdentifier: "nexiom-db", Role: "WRITER" }, alarm.name);
        if (metric.namespace === "AWS/ElastiCache") assert.equal((metric.dimensions as Inputs).CacheClusterId, `nexiom-cache-00${alarm.name.slice(-1)}`, alarm.name);
      }
    }
  });

  it("count 5xx as a rate of requests, only in minutes with at least 20 requests", async () => {
    const prod = await evaluateOk("prod");
    for (const name of ["nexiom-alb-5xx", "nexiom-api-target-5xx", "nexiom-web-target-5xx"]) {
      const queries = find(prod, alarmType, name).inputs.metricQueries as Inputs[];
      const result = queries.filter((q) => q.returnData);
      assert.deepEqual(result.map((q) => q.expression), ["IF(requests >= 20, 100 * FILL(errors, 0) / requests, 0)"], name);
      assert.equal(find(prod, alarmType, name).inputs.threshold, 5, name);
    }
  });

  it("take Aurora's thresholds from its maximum capacity", async () => {
    const prod = await evaluateOk("prod", { databaseMaxCapacity: "8" });
    assert.equal(find(prod, alarmType, "nexiom-db-capacity-at-max").inputs.threshold, 8);
    assert.equal(maxConnections(4), 901);
    assert.equal(find(prod, alarmType, "nexiom-db-connections-high").inputs.threshold, Math.floor(maxConnections(8) * 0.8));
  });

  it("notify one SNS topic when they fire and when they clear", async () => {
    const prod = await evaluateOk("prod");
    const [topic] = ofType(prod, "aws:sns/topic:Topic");
    assert.equal(ofType(prod, "aws:sns/topic:Topic").length, 1);
    const topicArn = `arn:aws:sns:eu-west-1:123456789012:${topic.inputs.name}`;
    const alarms = ofType(prod, alarmType);
    assert.ok(alarms.length >= 20);
    for (const alarm of alarms) {
      assert.deepEqual(alarm.inputs.alarmActions, [topicArn], alarm.name);
      assert.deepEqual(alarm.inputs.okActions, [topicArn], alarm.name);
      assert.match(String(alarm.inputs.alarmDescription), new RegExp(`docs/operations\\.md, ${alarm.inputs.name}\\.$`), alarm.name);
    }
  });

  it("e-mail the alerts to nexiom:alertEmail when it is set, and to no one otherwise", async () => {
    assert.deepEqual(ofType(await evaluateOk("prod"), "aws:sns/topicSubscription:TopicSubscription"), []);
    const withEmail = await evaluateOk("prod", { alertEmail: "ops@example.com" });
    const subscriptions = ofType(withEmail, "aws:sns/topicSubscription:TopicSubscription").map((s) => s.inputs);
    assert.deepEqual(subscriptions, [{ topic: "arn:aws:sns:eu-west-1:123456789012:nexiom-alerts", protocol: "email", endpoint: "ops@example.com" }]);
  });

  it("roll a deployment back when its error-rate alarm fires, and create that alarm before the service", async () => {
    const prod = await evaluateOk("prod");
    for (const name of ["api", "web"]) {
      const service = find(prod, "aws:ecs/service:Service", `${name}-service`);
      assert.deepEqual(service.inputs.alarms, { alarmNames: [`nexiom-${name}-target-5xx`], enable: true, rollback: true });
      assert.ok(service.dependsOn.includes(find(prod, alarmType, `nexiom-${name}-target-5xx`).urn), name);
    }
  });

  it("docs/operations.md has a line for exactly the alarms the stack creates", async () => {
    const doc = fs.readFileSync(path.resolve(__dirname, "../docs/operations.md"), "utf8");
    const documented = doc
      .split("\n")
      .filter((line) => line.startsWith("| `nexiom-"))
      .flatMap((line) => [...line.split("|")[1].matchAll(/`([^`]+)`/g)].map((m) => m[1]));
    const created = ofType(await evaluateOk("prod"), alarmType).map((a) => String(a.inputs.name));
    assert.deepEqual(documented.sort(), created.sort());
  });

  it("the dev stack has none: Docker has no CloudWatch", async () => {
    const dev = await evaluateOk("dev");
    assert.deepEqual(dev.resources.filter((r) => r.type.startsWith("aws:")), []);
  });
});
