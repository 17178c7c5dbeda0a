import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createAlarms, requestRate } from "../alarms";
import type { Link } from "../link";
import type { AwsTarget } from "../platform";
import { serviceTrustPolicy } from "../trust-policy";
import { secretsManagerValueFrom } from "../secret";
import type { ResolvedServiceArgs } from "./index";
import { pathPrefix } from "./ingress";
import { sortedEntries } from "./sorted-entries";

// Short requests only: connections drain in seconds, not the 300 s default, so deploys finish sooner.
const deregistrationDelaySeconds = 15;
// Above the drain time, so a stopping task finishes what the load balancer still sent it (Fargate allows up to 120 s).
const stopTimeoutSeconds = 30;
// Far above the API's boot time (well under a second to its first ready response, migrations included, in
// `pnpm bench`), so a cold start on a busy host is not killed, and short enough to keep a rollout under 90 s.
const healthCheckGraceSeconds = 30;

/** What the deploy check (scripts/verify-deploy.ts) compares with ECS: the task definition this `up` registered. */
export interface EcsDeployment {
  cluster: pulumi.Output<string>;
  service: pulumi.Output<string>;
  taskDefinition: pulumi.Output<string>;
}

/**
 * A Fargate service in private subnets behind the platform's load balancer: its own security group
 * (from the load balancer and from linked services only), log group, least-privilege execution role,
 * a task definition written out completely, Service Connect, circuit breaker and autoscaling.
 */
export function createFargateService(
  parent: pulumi.Resource,
  name: string,
  args: ResolvedServiceArgs,
  platform: AwsTarget,
): { url: pulumi.Output<string>; link: Link; deployment: EcsDeployment } {
  const opts = { parent };
  const port = args.port;

  const securityGroup = new aws.ec2.SecurityGroup(
    `${name}-sg`,
    { vpcId: platform.vpcId, description: `${name} tasks: from the load balancer and linked services only` },
    opts,
  );
  allow(parent, `${name}-from-alb`, { from: platform.loadBalancerSecurityGroupId, to: securityGroup.id, port, description: `load balancer to ${name}` });
  // Image pulls, logs, secrets and Service Connect's control plane are AWS APIs on 443: through NAT to public
  // endpoints, which have no fixed addresses (docs/security.md); without NAT, only to the VPC's endpoints.
  const https = { securityGroupId: securityGroup.id, ipProtocol: "tcp", fromPort: 443, toPort: 443 };
  if (platform.awsApiEgress.kind === "nat") {
    new aws.vpc.SecurityGroupEgressRule(`${name}-to-aws-apis`, { ...https, cidrIpv4: "0.0.0.0/0", description: "HTTPS to AWS APIs" }, opts);
  } else {
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-to-aws-apis`,
      { ...https, cidrIpv4: platform.vpcCidr, description: "HTTPS to the VPC interface endpoints of AWS APIs" },
      opts,
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-to-s3`,
      { ...https, prefixListId: platform.awsApiEgress.s3PrefixListId, description: "HTTPS to S3 (image layers) through the gateway endpoint" },
      opts,
    );
  }
  const links = args.links.map(({ link }) => {
    if (link.kind !== "aws") throw new Error(`Service ${name} runs on AWS but links to ${link.name} on Docker.`);
    return link;
  });
  for (const link of links) {
    allow(parent, `${name}-to-${link.name}`, { from: securityGroup.id, to: link.securityGroupId, port: link.port, description: `${name} to ${link.name} (${link.description})` });
  }

  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-logs`,
    { name: `/ecs/${platform.namePrefix}/${name}`, retentionInDays: platform.logRetentionDays },
    opts,
  );

  const secrets = sortedEntries(args.secrets).map(([variable, source]) => {
    if (source.kind !== "secretsManager") {
      throw new Error(`Service ${name}: secret ${variable} must come from Secrets Manager on AWS, never as a plain value in the task definition.`);
    }
    return { name: variable, source };
  });
  const secretArns = secrets.map(({ source }) => source.arn);
  const assumeRolePolicy = serviceTrustPolicy("ecs-tasks.amazonaws.com", platform.account, pulumi.interpolate`arn:aws:ecs:${platform.region}:${platform.account}:*`);
  const executionRole = new aws.iam.Role(
    `${name}-execution`,
    { assumeRolePolicy, description: `ECS starts ${name} tasks with it: pull its image, write its logs, read its secrets` },
    opts,
  );
  const executionPolicy = new aws.iam.RolePolicy(
    `${name}-execution`,
    {
      role: executionRole.id,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          // GetAuthorizationToken has no resource-level permissions; everything else is scoped to this service.
          { Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
          ...(args.image.repositoryArn
            ? [{ Effect: "Allow", Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], Resource: args.image.repositoryArn }]
            : []),
          { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${logGroup.arn}:*` },
          ...(secretArns.length > 0 ? [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: secretArns }] : []),
        ],
      }),
    },
    opts,
  );
  // The task role holds what the app itself calls: reading the secrets it reads at run time, nothing else.
  const readsSecrets = args.secretsReadAtRunTime.length > 0;
  const taskRole = new aws.iam.Role(
    `${name}-task`,
    { assumeRolePolicy, description: readsSecrets ? `${name} tasks: read their rotating secrets` : `${name} tasks: no AWS permissions` },
    opts,
  );
  const taskPolicy = readsSecrets
    ? new aws.iam.RolePolicy(
        `${name}-task`,
        {
          role: taskRole.id,
          policy: pulumi.jsonStringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: args.secretsReadAtRunTime }],
          }),
        },
        opts,
      )
    : undefined;

  const volumeName = (containerPath: string) => `writable${containerPath.replace(/[^a-zA-Z0-9]+/g, "-")}`;
  // Every field written out, in a fixed order, with the values ECS would otherwise default:
  // anything ECS fills in or reorders would show as a task definition replacement on every preview.
  const containerDefinitions = pulumi.jsonStringify([
    {
      name,
      image: args.image.ref,
      cpu: 0,
      essential: true,
      user: args.user,
      readonlyRootFilesystem: true,
      portMappings: [{ name: "http", containerPort: port, hostPort: port, protocol: "tcp", appProtocol: "http" }],
      environment: sortedEntries(args.environment).map(([variable, value]) => ({ name: variable, value })),
      secrets: secrets.map(({ name: variable, source }) => ({ name: variable, valueFrom: secretsManagerValueFrom(source) })),
      mountPoints: args.writablePaths.map((containerPath) => ({ sourceVolume: volumeName(containerPath), containerPath, readOnly: false })),
      volumesFrom: [],
      stopTimeout: stopTimeoutSeconds,
      logConfiguration: {
        logDriver: "awslogs",
        options: { "awslogs-group": logGroup.name, "awslogs-region": platform.region, "awslogs-stream-prefix": name },
      },
      systemControls: [],
    },
  ]);
  const taskDefinition = new aws.ecs.TaskDefinition(
    `${name}-task`,
    {
      family: `${platform.namePrefix}-${name}`,
      cpu: String(args.size.cpu),
      memory: String(args.size.memory),
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
      executionRoleArn: executionRole.arn,
      taskRoleArn: taskRole.arn,
      containerDefinitions,
      volumes: args.writablePaths.map((containerPath) => ({ name: volumeName(containerPath) })),
    },
    // The roles' permissions must exist before ECS starts a task with them (or the first tasks cannot pull their
    // image or read their secrets, and the circuit breaker may roll back), and outlive the service on destroy.
    { parent, dependsOn: taskPolicy ? [executionPolicy, taskPolicy] : [executionPolicy] },
  );

  const targetGroup = new aws.lb.TargetGroup(
    `${name}-tg`,
    {
      port,
      protocol: "HTTP",
      targetType: "ip",
      vpcId: platform.vpcId,
      deregistrationDelay: deregistrationDelaySeconds,
      healthCheck: { path: args.healthCheckPath, matcher: "200", interval: 10, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3 },
    },
    opts,
  );
  const rule = new aws.lb.ListenerRule(
    `${name}-route`,
    {
      listenerArn: platform.listenerArn,
      priority: args.ingress.priority,
      conditions: [{ pathPattern: { values: [args.ingress.pathPattern] } }],
      actions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
    },
    opts,
  );

  // What hurts users (errors, slowness) and what comes before it (failing health checks, saturation).
  const targetMetric = (metricName: string, stat = "Sum") => ({
    namespace: "AWS/ApplicationELB",
    metricName,
    dimensions: { TargetGroup: targetGroup.arnSuffix, LoadBalancer: platform.loadBalancerArnSuffix },
    stat,
  });
  const serviceMetric = (metricName: string) => ({ namespace: "AWS/ECS", metricName, dimensions: { ClusterName: platform.clusterName, ServiceName: name }, stat: "Average" });
  const alarmName = (what: string) => `${platform.namePrefix}-${name}-${what}`;
  const [errorRate] = createAlarms(parent, platform.alertTopicArn, [
    {
      name: alarmName("target-5xx"),
      description: `More than 5 % of ${name} responses were 5xx from its tasks. Also a deployment alarm: a deploy that raises it rolls back.`,
      watch: requestRate(targetMetric("HTTPCode_Target_5XX_Count"), targetMetric("RequestCount"), 20),
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: 5,
      period: 60,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
    },
    {
      name: alarmName("p99-latency"),
      description: `The slowest 1 % of ${name} requests took longer than 1 s (target response time, p99).`,
      watch: targetMetric("TargetResponseTime", "p99"),
      comparison: "GreaterThanThreshold",
      threshold: 1,
      period: 60,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
    },
    {
      // Five minutes, far beyond a rollout's 65 s critical path, so a routine deploy does not raise it.
      name: alarmName("unhealthy-targets"),
      description: `At least one ${name} task has failed the load balancer's health checks for 5 minutes.`,
      watch: targetMetric("UnHealthyHostCount", "Maximum"),
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      period: 60,
      evaluationPeriods: 5,
    },
    {
      name: alarmName("cpu-high"),
      description: `${name} tasks average over 85 % CPU although autoscaling aims at 60 %: it is at its maximum task count or cannot scale fast enough.`,
      watch: serviceMetric("CPUUtilization"),
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: 85,
      period: 60,
      evaluationPeriods: 10,
      datapointsToAlarm: 8,
    },
    {
      name: alarmName("memory-high"),
      description: `${name} tasks average over 85 % of their memory: the next step is tasks killed for running out of memory.`,
      watch: serviceMetric("MemoryUtilization"),
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: 85,
      period: 60,
      evaluationPeriods: 5,
    },
  ]);

  const service = new aws.ecs.Service(
    `${name}-service`,
    {
      name,
      cluster: platform.clusterArn,
      taskDefinition: taskDefinition.arn,
      desiredCount: args.size.desiredCount,
      launchType: "FARGATE",
      platformVersion: "LATEST",
      networkConfiguration: { subnets: platform.privateSubnetIds, securityGroups: [securityGroup.id], assignPublicIp: false },
      loadBalancers: [{ targetGroupArn: targetGroup.arn, containerName: name, containerPort: port }],
      healthCheckGracePeriodSeconds: healthCheckGraceSeconds,
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      // The circuit breaker sees only tasks that fail to start or fail health checks; this rolls back a
      // deploy whose tasks are healthy but answer with errors.
      alarms: { alarmNames: [alarmName("target-5xx")], enable: true, rollback: true },
      availabilityZoneRebalancing: "ENABLED",
      // Other services reach this one as `<name>:<port>` through the Service Connect proxy in their task,
      // which resolves even while no task of this service is running (nginx needs that to start).
      serviceConnectConfiguration: {
        enabled: true,
        namespace: platform.namespaceArn,
        services: [{ portName: "http", discoveryName: name, clientAlias: [{ port, dnsName: name }] }],
      },
      propagateTags: "SERVICE",
      enableEcsManagedTags: true,
      waitForSteadyState: true,
    },
    // The autoscaler owns the running count once the service exists; the program must not reset it on every deploy.
    {
      parent,
      dependsOn: [rule, errorRate, ...links.flatMap((link) => (link.createFirst ? [link.createFirst] : []))],
      ignoreChanges: ["desiredCount"],
    },
  );

  const scaling = new aws.appautoscaling.Target(
    `${name}-scaling`,
    {
      serviceNamespace: "ecs",
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: pulumi.interpolate`service/${platform.clusterName}/${service.name}`,
      minCapacity: args.size.desiredCount,
      maxCapacity: args.size.maxCount,
    },
    opts,
  );
  const scaleOn = (policy: string, metric: aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification, targetValue: number) =>
    new aws.appautoscaling.Policy(
      `${name}-${policy}`,
      {
        policyType: "TargetTrackingScaling",
        serviceNamespace: scaling.serviceNamespace,
        scalableDimension: scaling.scalableDimension,
        resourceId: scaling.resourceId,
        targetTrackingScalingPolicyConfiguration: { predefinedMetricSpecification: metric, targetValue, scaleInCooldown: 120, scaleOutCooldown: 60 },
      },
      opts,
    );
  scaleOn("cpu", { predefinedMetricType: "ECSServiceAverageCPUUtilization" }, 60);
  scaleOn(
    "requests",
    { predefinedMetricType: "ALBRequestCountPerTarget", resourceLabel: pulumi.interpolate`${platform.loadBalancerArnSuffix}/${targetGroup.arnSuffix}` },
    1000,
  );

  return {
    deployment: { cluster: platform.clusterName, service: service.name, taskDefinition: taskDefinition.arn },
    url: pulumi.interpolate`${platform.url}${pathPrefix(args.ingress.pathPattern)}`,
    link: { kind: "aws", name, securityGroupId: securityGroup.id, port, description: "HTTP", createFirst: service },
  };
}

/** Opens `port` from one security group to another, by reference: an ingress rule on `to` and the egress rule on `from`. */
function allow(
  parent: pulumi.Resource,
  name: string,
  rule: { from: pulumi.Output<string>; to: pulumi.Output<string>; port: number; description: string },
): void {
  const common = { ipProtocol: "tcp", fromPort: rule.port, toPort: rule.port, description: rule.description };
  new aws.vpc.SecurityGroupIngressRule(`${name}-in`, { ...common, securityGroupId: rule.to, referencedSecurityGroupId: rule.from }, { parent });
  new aws.vpc.SecurityGroupEgressRule(`${name}-out`, { ...common, securityGroupId: rule.from, referencedSecurityGroupId: rule.to }, { parent });
}
