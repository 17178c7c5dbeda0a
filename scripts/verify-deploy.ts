/**
 * After `pulumi up --stack prod`: does each ECS service run what this deploy registered, and did its
 * rollout complete? `pulumi up` can succeed while ECS rolls a release back (circuit breaker, deployment
 * alarm), leaving the previous task definition running; this check fails then, naming the service.
 *
 *   pnpm exec tsx scripts/verify-deploy.ts [--stack prod] [--timeout <seconds>]
 *
 * Reads the stack's `deployments` output (`pulumi stack output`), then polls `aws ecs describe-services`
 * every 15 s until every rollout has completed or failed, or the timeout (default 900 s) passes: a rollout
 * stays IN_PROGRESS through the deployment alarms' bake time after the tasks are up. Exit 1 with one line
 * per service that is not running this deploy's task definition.
 */
import { execFileSync } from "node:child_process";

/** The `deployments` stack output: per app, the ECS service and the task definition this `up` registered. */
export type RecordedDeployments = Record<string, { cluster: string; service: string; taskDefinition: string }>;

/** The parts of ECS DescribeServices' response the check reads (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServices.html). */
export interface DescribeServicesResponse {
  services: {
    serviceName: string;
    status: string;
    deployments: { id: string; status: string; taskDefinition: string; rolloutState?: string; rolloutStateReason?: string; runningCount: number; desiredCount: number; failedTasks?: number }[];
    events?: { createdAt: string; message: string }[];
  }[];
  failures?: { arn: string; reason: string; detail?: string }[];
}

export type Verdict = { state: "completed" } | { state: "pending"; detail: string } | { state: "failed"; detail: string };

const revision = (arn: string) => arn.split("/").pop() ?? arn;

/** One service's verdict from one DescribeServices response. */
export function verdictFor(expected: RecordedDeployments[string], response: DescribeServicesResponse): Verdict {
  const service = response.services.find((s) => s.serviceName === expected.service);
  if (!service) {
    const failure = response.failures?.find((f) => f.arn.endsWith(`/${expected.service}`));
    return { state: "failed", detail: `ECS reports no service ${expected.service} in cluster ${expected.cluster}${failure ? ` (${failure.reason})` : ""}` };
  }
  if (service.status !== "ACTIVE") return { state: "failed", detail: `the service is ${service.status}` };
  const primary = service.deployments.find((d) => d.status === "PRIMARY");
  const latestEvent = service.events?.[0]?.message;
  const context = [primary?.rolloutStateReason, latestEvent && `latest event: ${latestEvent}`].filter(Boolean).join("; ");
  if (!primary) return { state: "failed", detail: "it has no primary deployment" };
  if (primary.taskDefinition !== expected.taskDefinition) {
    const ours = service.deployments.find((d) => d.taskDefinition === expected.taskDefinition);
    return {
      state: "failed",
      detail: `rolled back: it runs ${revision(primary.taskDefinition)}, not ${revision(expected.taskDefinition)} that this deploy registered${
        ours?.rolloutStateReason ? ` (${ours.rolloutStateReason})` : ""
      }${context ? `; ${context}` : ""}`,
    };
  }
  if (primary.rolloutState === "FAILED") return { state: "failed", detail: `the rollout of ${revision(primary.taskDefinition)} failed${context ? `: ${context}` : ""}` };
  if (primary.rolloutState === "COMPLETED") return { state: "completed" };
  return { state: "pending", detail: `rollout of ${revision(primary.taskDefinition)} ${primary.rolloutState ?? "in an unknown state"}, ${primary.runningCount}/${primary.desiredCount} tasks running` };
}

export interface VerifyOptions {
  describe: (cluster: string, services: string[]) => DescribeServicesResponse;
  sleep: (seconds: number) => Promise<void>;
  timeoutSeconds: number;
  pollSeconds?: number;
  log?: (line: string) => void;
}

/** Polls until no rollout is pending or time runs out; returns one problem per service, empty when all is well. */
export async function verifyDeployments(recorded: RecordedDeployments, options: VerifyOptions): Promise<string[]> {
  const poll = options.pollSeconds ?? 15;
  let waited = 0;
  for (;;) {
    const verdicts = new Map<string, Verdict>();
    const clusters = new Map<string, string[]>();
    for (const { cluster, service } of Object.values(recorded)) clusters.set(cluster, [...(clusters.get(cluster) ?? []), service]);
    for (const [cluster, services] of clusters) {
      const response = options.describe(cluster, services);
      for (const [app, expected] of Object.entries(recorded).filter(([, e]) => e.cluster === cluster)) verdicts.set(app, verdictFor(expected, response));
    }
    const pending = [...verdicts].filter(([, v]) => v.state === "pending");
    if (pending.length === 0 || waited >= options.timeoutSeconds) {
      return [...verdicts]
        .filter(([, v]) => v.state !== "completed")
        .map(([app, v]) => {
          const { service, cluster } = recorded[app];
          const detail = v.state === "pending" ? `still in progress after ${waited} s: ${v.detail}` : v.state === "failed" ? v.detail : "";
          return `ECS service ${service} (cluster ${cluster}): ${detail}`;
        });
    }
    for (const [app, v] of pending) options.log?.(`${recorded[app].service}: ${v.state === "pending" ? v.detail : ""}; checking again in ${poll} s`);
    await options.sleep(poll);
    waited += poll;
  }
}

/** The stack output, checked: a clear error when it is not what this script expects. */
export function parseRecorded(json: string): RecordedDeployments {
  const value = JSON.parse(json) as unknown;
  const ok =
    value !== null &&
    typeof value === "object" &&
    Object.values(value).length > 0 &&
    Object.values(value).every((d) => ["cluster", "service", "taskDefinition"].every((k) => typeof (d as Record<string, unknown>)?.[k] === "string"));
  if (!ok) throw new Error(`the stack output "deployments" must map each app to { cluster, service, taskDefinition }; got ${json.trim()}`);
  return value as RecordedDeployments;
}

async function main(argv: string[]): Promise<void> {
  let stack = "prod";
  let timeoutSeconds = 900;
  for (let i = 0; i < argv.length; i += 2) {
    if (argv[i] === "--stack" && argv[i + 1]) stack = argv[i + 1];
    else if (argv[i] === "--timeout" && /^\d+$/.test(argv[i + 1] ?? "")) timeoutSeconds = Number(argv[i + 1]);
    else throw new Error(`unexpected ${argv[i]}; usage: pnpm exec tsx scripts/verify-deploy.ts [--stack prod] [--timeout <seconds>]`);
  }
  const recorded = parseRecorded(execFileSync("pulumi", ["stack", "output", "deployments", "--json", "--stack", stack], { encoding: "utf8" }));
  const problems = await verifyDeployments(recorded, {
    describe: (cluster, services) =>
      JSON.parse(execFileSync("aws", ["ecs", "describe-services", "--cluster", cluster, "--services", ...services, "--output", "json"], { encoding: "utf8" })),
    sleep: (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000)),
    timeoutSeconds,
    log: (line) => process.stdout.write(`${line}\n`),
  });
  if (problems.length > 0) throw new Error(`the deploy did not take effect:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  process.stdout.write(`Every service runs the task definition this deploy registered: ${Object.values(recorded).map((d) => revision(d.taskDefinition)).join(", ")}\n`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`verify-deploy: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
