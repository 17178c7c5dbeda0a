/**
 * The deploy check (scripts/verify-deploy.ts) over DescribeServices responses in test/fixtures/ecs/: written
 * to the response format of the ECS API reference (no AWS account here to record them from), for a completed
 * deploy, a circuit-breaker rollback, a deployment-alarm rollback, a rollout still in progress and a missing
 * service. The stack's own `deployments` output feeds the check.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { evaluateOk } from "../offline/evaluate";
import { parseRecorded, verdictFor, verifyDeployments, type DescribeServicesResponse, type RecordedDeployments } from "../scripts/verify-deploy";

const fixture = (name: string): DescribeServicesResponse => JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures/ecs", `${name}.json`), "utf8"));
const taskDefinition = (app: string, revision: number) => `arn:aws:ecs:eu-west-1:123456789012:task-definition/nexiom-${app}:${revision}`;
const recorded: RecordedDeployments = {
  api: { cluster: "nexiom", service: "api", taskDefinition: taskDefinition("api", 5) },
  web: { cluster: "nexiom", service: "web", taskDefinition: taskDefinition("web", 5) },
};

/** Runs the check over a sequence of responses, one per poll, without waiting. */
async function verify(responses: string[], timeoutSeconds = 900) {
  let call = 0;
  const slept: number[] = [];
  const problems = await verifyDeployments(recorded, {
    describe: (cluster, services) => {
      assert.equal(cluster, "nexiom");
      assert.deepEqual(services, ["api", "web"]);
      return fixture(responses[Math.min(call++, responses.length - 1)]);
    },
    sleep: async (seconds) => void slept.push(seconds),
    timeoutSeconds,
  });
  return { problems, polls: call, slept };
}

describe("deploy verification (scripts/verify-deploy.ts)", () => {
  it("passes when every service's primary deployment runs this deploy's task definition and completed", async () => {
    assert.deepEqual(await verify(["completed"]), { problems: [], polls: 1, slept: [] });
  });

  it("fails on a circuit-breaker rollback, naming the service, the revision it runs and why", async () => {
    const { problems } = await verify(["rolled-back-circuit-breaker"]);
    assert.deepEqual(problems, [
      "ECS service api (cluster nexiom): rolled back: it runs nexiom-api:4, not nexiom-api:5 that this deploy registered (ECS deployment circuit breaker: tasks failed to start.); ECS deployment ecs-svc/9988776655443322110 completed.; latest event: (service api) has reached a steady state.",
    ]);
  });

  it("fails on a rollback by the deployment alarm, whose failed deployment ECS no longer lists", async () => {
    const { problems } = await verify(["rolled-back-alarm"]);
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^ECS service api \(cluster nexiom\): rolled back: it runs nexiom-api:4, not nexiom-api:5/);
  });

  it("waits while a rollout is in progress (the alarms' bake time), then passes once it completes", async () => {
    assert.deepEqual(await verify(["in-progress", "in-progress", "completed"]), { problems: [], polls: 3, slept: [15, 15] });
  });

  it("fails when a rollout is still in progress at the timeout", async () => {
    const { problems, polls } = await verify(["in-progress"], 60);
    assert.equal(polls, 5);
    assert.deepEqual(problems, ["ECS service api (cluster nexiom): still in progress after 60 s: rollout of nexiom-api:5 IN_PROGRESS, 1/2 tasks running"]);
  });

  it("fails when ECS does not know the service", async () => {
    assert.deepEqual((await verify(["missing-service"])).problems, ["ECS service api (cluster nexiom): ECS reports no service api in cluster nexiom (MISSING)"]);
  });

  it("fails when the primary deployment runs this deploy's revision but its rollout failed", () => {
    const response = fixture("completed");
    response.services[0].deployments[0].rolloutState = "FAILED";
    response.services[0].deployments[0].rolloutStateReason = "ECS deployment circuit breaker: tasks failed to start.";
    assert.deepEqual(verdictFor(recorded.api, response), {
      state: "failed",
      detail: "the rollout of nexiom-api:5 failed: ECS deployment circuit breaker: tasks failed to start.; latest event: (service api) has reached a steady state.",
    });
  });

  it("reads the prod stack's deployments output: each service, its cluster and the task definition this up registered", async () => {
    const prod = await evaluateOk("prod");
    assert.deepEqual(parseRecorded(JSON.stringify(prod.outputs.deployments)), {
      api: { cluster: "nexiom", service: "api", taskDefinition: taskDefinition("api", 1) },
      web: { cluster: "nexiom", service: "web", taskDefinition: taskDefinition("web", 1) },
    });
    assert.throws(() => parseRecorded('{"api":{"cluster":"nexiom"}}'), /must map each app to \{ cluster, service, taskDefinition \}/);
  });
});
