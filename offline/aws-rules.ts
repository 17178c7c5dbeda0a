/**
 * AWS's own input rules, for every AWS resource type the program registers and the inputs it sets: what
 * the API would refuse at create time (names after Pulumi's auto-naming, restricted character sets,
 * enums, ranges, required combinations) and what it refuses across resources. The evaluation checks each
 * recorded registration against the input rules and the whole stack against the stack rules, so that
 * `pnpm plan` and every test fail on an input AWS would reject, naming the resource, the input, the value
 * and the rule. Each rule cites its source: the AWS API reference or the provider's documentation.
 */
import type { RecordedResource } from "./record";

type Inputs = Record<string, any>;

/** One input AWS would refuse. */
export interface Violation {
  rule: string;
  type: string;
  name: string;
  input: string;
  value: unknown;
  requirement: string;
  source: string;
}

export interface InputRule {
  /** Stable identifier, e.g. `ec2.securityGroup.description`. */
  id: string;
  type: string;
  /** The input as the message names it. */
  input: string;
  /** What AWS requires, as a sentence. */
  requirement: string;
  source: string;
  /** The values to check (several for inputs inside lists); `undefined` means not set and is skipped. */
  values?: (inputs: Inputs, name: string) => unknown[];
  valid: (value: any, inputs: Inputs) => boolean;
}

export interface StackRule {
  id: string;
  input: string;
  requirement: string;
  source: string;
  /** The offending resources with the value that breaks the rule. */
  check: (resources: RecordedResource[]) => { resource: RecordedResource; value: unknown }[];
}

// Pulumi names a resource whose name input is unset `<resource name>-<7 random hex characters>`, in the provider,
// so the mocks never see it: the rules check the name AWS will get.
export const autoNameSuffixLength = 7;
export function autoName(name: string): string {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return `${name}-${hash.toString(16).padStart(autoNameSuffixLength, "0").slice(-autoNameSuffixLength)}`;
}

/** The value at a path such as `healthCheck.interval` or `rules[].expiration.days`; JSON held in strings is parsed. */
function at(value: unknown, path: string): unknown[] {
  let current: unknown[] = [value];
  for (const part of path.split(".")) {
    const list = part.endsWith("[]");
    const key = list ? part.slice(0, -2) : part;
    current = current.flatMap((v) => {
      const object = typeof v === "string" && /^\s*[[{]/.test(v) ? safeJson(v) : v;
      const next = object !== null && typeof object === "object" ? (object as Record<string, unknown>)[key] : undefined;
      const parsed = typeof next === "string" && list ? safeJson(next) : next;
      return list ? (Array.isArray(parsed) ? parsed : []) : [parsed];
    });
  }
  return current;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const matches = (pattern: RegExp) => (value: unknown) => typeof value === "string" && pattern.test(value);
const oneOf = (...allowed: unknown[]) => (value: unknown) => allowed.includes(value);
const integerIn = (min: number, max: number) => (value: unknown) => Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
const lengthIn = (min: number, max: number, pattern = /^[\s\S]*$/) => (value: unknown) =>
  typeof value === "string" && value.length >= min && value.length <= max && pattern.test(value);
const nameOf = (property: string) => (inputs: Inputs, name: string) => [inputs[property] ?? autoName(name)];
const whole = (inputs: Inputs) => [inputs];
const prefixLength = (cidr: unknown) => Number(String(cidr).split("/")[1]);

// EC2's free-text character set (security group names and descriptions, rule descriptions).
const ec2Text = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/;
// Rules that reference another security group: the same set without `&`.
const ec2GroupPairText = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=;{}!$*]*$/;
// RDS and ElastiCache identifiers: a letter first, letters, digits and single hyphens, no hyphen at the end.
const identifier = (max: number) => (value: unknown) =>
  typeof value === "string" && value.length >= 1 && value.length <= max && /^[a-zA-Z][a-zA-Z0-9-]*$/.test(value) && !value.includes("--") && !value.endsWith("-");
const elbName = (value: unknown) =>
  typeof value === "string" && value.length <= 32 && /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/.test(value);
const iamPrintable = /^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*$/;
const ecsName = lengthIn(1, 255, /^[a-zA-Z0-9_-]+$/);
const alarmPeriod = (period: number) => [10, 20, 30].includes(period) || (Number.isInteger(period) && period > 0 && period % 60 === 0);

const src = {
  ec2CreateSecurityGroup: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html",
  ec2IpRange: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpRange.html",
  ec2GroupPair: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_UserIdGroupPair.html",
  ec2IpPermission: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html",
  providerIngressRule: "https://www.pulumi.com/registry/packages/aws/api-docs/vpc/securitygroupingressrule/",
  ec2Tag: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Tag.html",
  vpcSizing: "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html",
  subnetSizing: "https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html",
  flowLogs: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateFlowLogs.html",
  vpcEndpoint: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html",
  eip: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AllocateAddress.html",
  elbCreateLoadBalancer: "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html",
  elbAttributes: "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_LoadBalancerAttribute.html",
  elbAccessLogs: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html",
  elbCreateTargetGroup: "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html",
  elbMatcher: "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Matcher.html",
  elbCreateListener: "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateListener.html",
  elbCreateRule: "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateRule.html",
  elbFixedResponse: "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_FixedResponseActionConfig.html",
  elbRedirect: "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_RedirectActionConfig.html",
  elbConditions: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html",
  ecsCreateCluster: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html",
  ecsClusterSetting: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ClusterSetting.html",
  ecsCreateService: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html",
  ecsDeploymentAlarms: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentAlarms.html",
  ecsServiceConnectService: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceConnectService.html",
  ecsClientAlias: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceConnectClientAlias.html",
  ecsRegisterTaskDefinition: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html",
  ecsContainerDefinition: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html",
  ecsPortMapping: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html",
  ecsVolume: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Volume.html",
  ecsSecret: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html",
  ecsAwslogs: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html",
  fargateSizes: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size",
  rdsCreateDbCluster: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html",
  rdsCreateDbInstance: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html",
  rdsServerlessV2: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ServerlessV2ScalingConfiguration.html",
  rdsSubnetGroup: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSubnetGroup.html",
  rdsDeleteDbCluster: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBCluster.html",
  providerRdsCluster: "https://www.pulumi.com/registry/packages/aws/api-docs/rds/cluster/",
  providerRdsSubnetGroup: "https://www.pulumi.com/registry/packages/aws/api-docs/rds/subnetgroup/",
  cacheCreateReplicationGroup: "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html",
  cacheSubnetGroup: "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateCacheSubnetGroup.html",
  secretsCreateSecret: "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html",
  secretsDeleteSecret: "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html",
  iamCreateRole: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html",
  iamPutRolePolicy: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html",
  iamPolicyGrammar: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html",
  logsCreateLogGroup: "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html",
  logsRetention: "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html",
  s3BucketNaming: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
  s3LifecycleRule: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleRule.html",
  s3Encryption: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_ServerSideEncryptionByDefault.html",
  s3Ownership: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_OwnershipControlsRule.html",
  ecrCreateRepository: "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html",
  ecrExclusionFilter: "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageTagMutabilityExclusionFilter.html",
  ecrLifecycle: "https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html",
  cloudMapHttpNamespace: "https://docs.aws.amazon.com/cloud-map/latest/api/API_CreateHttpNamespace.html",
  autoscalingPolicy: "https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScalingPolicy.html",
  autoscalingTarget: "https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html",
  autoscalingMetric: "https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PredefinedMetricSpecification.html",
  acmRequestCertificate: "https://docs.aws.amazon.com/acm/latest/APIReference/API_RequestCertificate.html",
  route53RecordSet: "https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html",
  cloudwatchPutMetricAlarm: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",
  snsCreateTopic: "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html",
  snsSubscribe: "https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html",
};

const T = {
  vpc: "aws:ec2/vpc:Vpc",
  subnet: "aws:ec2/subnet:Subnet",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  flowLog: "aws:ec2/flowLog:FlowLog",
  vpcEndpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
  eip: "aws:ec2/eip:Eip",
  loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
  targetGroup: "aws:lb/targetGroup:TargetGroup",
  listener: "aws:lb/listener:Listener",
  listenerRule: "aws:lb/listenerRule:ListenerRule",
  ecsCluster: "aws:ecs/cluster:Cluster",
  ecsService: "aws:ecs/service:Service",
  taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
  rdsCluster: "aws:rds/cluster:Cluster",
  rdsInstance: "aws:rds/clusterInstance:ClusterInstance",
  rdsSubnetGroup: "aws:rds/subnetGroup:SubnetGroup",
  replicationGroup: "aws:elasticache/replicationGroup:ReplicationGroup",
  cacheSubnetGroup: "aws:elasticache/subnetGroup:SubnetGroup",
  secret: "aws:secretsmanager/secret:Secret",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  bucket: "aws:s3/bucket:Bucket",
  bucketLifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  bucketEncryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  bucketOwnership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  repository: "aws:ecr/repository:Repository",
  ecrLifecycle: "aws:ecr/lifecyclePolicy:LifecyclePolicy",
  namespace: "aws:servicediscovery/httpNamespace:HttpNamespace",
  scalingTarget: "aws:appautoscaling/target:Target",
  scalingPolicy: "aws:appautoscaling/policy:Policy",
  certificate: "aws:acm/certificate:Certificate",
  record: "aws:route53/record:Record",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  topic: "aws:sns/topic:Topic",
  subscription: "aws:sns/topicSubscription:TopicSubscription",
} as const;

const containers = (inputs: Inputs) => at(inputs, "containerDefinitions[]") as Inputs[];
const policyStatements = (document: unknown) => {
  const parsed = typeof document === "string" ? safeJson(document) : document;
  const statement = (parsed as Inputs | undefined)?.Statement;
  return Array.isArray(statement) ? statement : statement ? [statement] : [];
};
const metricQueries = (inputs: Inputs) => (Array.isArray(inputs.metricQueries) ? (inputs.metricQueries as Inputs[]) : []);

export const inputRules: InputRule[] = [
  // EC2 and VPC
  { id: "ec2.securityGroup.name", type: T.securityGroup, input: "name", source: src.ec2CreateSecurityGroup,
    requirement: "Security group names are up to 255 characters of a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*, and cannot start with sg-",
    values: nameOf("name"), valid: (v) => lengthIn(1, 255, ec2Text)(v) && !String(v).startsWith("sg-") },
  { id: "ec2.securityGroup.description", type: T.securityGroup, input: "description", source: src.ec2CreateSecurityGroup,
    requirement: "Security group descriptions are up to 255 characters of a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$* (no apostrophes, quotes or non-ASCII)",
    values: (i) => [i.description ?? "Managed by Pulumi"], valid: lengthIn(0, 255, ec2Text) },
  ...[T.ingress, T.egress].flatMap((type): InputRule[] => [
    { id: `${type === T.ingress ? "vpc.ingressRule" : "vpc.egressRule"}.description`, type, input: "description", source: `${src.ec2IpRange}; ${src.ec2GroupPair}`,
      requirement: "Rule descriptions are up to 255 characters of a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*; without & when the rule references a security group",
      values: whole, valid: (i) => i.description === undefined || lengthIn(0, 255, i.referencedSecurityGroupId ? ec2GroupPairText : ec2Text)(i.description) },
    { id: `${type === T.ingress ? "vpc.ingressRule" : "vpc.egressRule"}.peer`, type, input: "cidrIpv4/cidrIpv6/prefixListId/referencedSecurityGroupId", source: src.providerIngressRule,
      requirement: "Exactly one of cidrIpv4, cidrIpv6, prefixListId and referencedSecurityGroupId is set",
      values: (i) => [["cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId"].filter((k) => i[k] !== undefined)], valid: (set: string[]) => set.length === 1 },
    { id: `${type === T.ingress ? "vpc.ingressRule" : "vpc.egressRule"}.ports`, type, input: "fromPort/toPort", source: src.ec2IpPermission,
      requirement: "tcp and udp rules give fromPort and toPort from 0 to 65535, fromPort not above toPort",
      values: (i) => [{ protocol: i.ipProtocol, from: i.fromPort, to: i.toPort }],
      valid: (p) => !["tcp", "udp", "6", "17"].includes(String(p.protocol)) || (integerIn(0, 65535)(p.from) && integerIn(0, 65535)(p.to) && p.from <= p.to) },
  ]),
  { id: "ec2.vpc.cidrBlock", type: T.vpc, input: "cidrBlock", source: src.vpcSizing,
    requirement: "A VPC's IPv4 CIDR block has a netmask from /16 to /28", valid: (v) => prefixLength(v) >= 16 && prefixLength(v) <= 28 },
  { id: "ec2.subnet.cidrBlock", type: T.subnet, input: "cidrBlock", source: src.subnetSizing,
    requirement: "A subnet's IPv4 CIDR block has a netmask from /16 to /28", valid: (v) => prefixLength(v) >= 16 && prefixLength(v) <= 28 },
  { id: "ec2.flowLog.trafficType", type: T.flowLog, input: "trafficType", source: src.flowLogs,
    requirement: "trafficType is ACCEPT, REJECT or ALL", valid: oneOf("ACCEPT", "REJECT", "ALL") },
  { id: "ec2.flowLog.iamRoleArn", type: T.flowLog, input: "iamRoleArn/logDestinationType", source: src.flowLogs,
    requirement: "Flow logs to CloudWatch Logs need the ARN of a role that may publish them (DeliverLogsPermissionArn)",
    values: whole, valid: (i) => i.logDestinationType !== "cloud-watch-logs" || /^arn:aws:iam::\d{12}:role\//.test(String(i.iamRoleArn)) },
  { id: "ec2.vpcEndpoint.type", type: T.vpcEndpoint, input: "vpcEndpointType/subnetIds/routeTableIds/privateDnsEnabled", source: src.vpcEndpoint,
    requirement: "Gateway endpoints take route tables and no subnets or private DNS; Interface endpoints take subnets and no route tables",
    values: whole,
    valid: (i) => i.vpcEndpointType === "Gateway"
      ? !i.subnetIds?.length && !i.privateDnsEnabled && i.routeTableIds?.length > 0
      : i.vpcEndpointType === "Interface" && i.subnetIds?.length > 0 && !i.routeTableIds?.length },
  { id: "ec2.eip.domain", type: T.eip, input: "domain", source: src.eip, requirement: "domain is vpc or standard", valid: oneOf("vpc", "standard") },

  // Elastic Load Balancing
  { id: "elb.loadBalancer.name", type: T.loadBalancer, input: "name", source: src.elbCreateLoadBalancer,
    requirement: "Load balancer names are up to 32 alphanumeric characters or hyphens, neither first nor last a hyphen, and do not start with internal-",
    values: nameOf("name"), valid: (v) => elbName(v) && !String(v).startsWith("internal-") },
  { id: "elb.loadBalancer.desyncMitigationMode", type: T.loadBalancer, input: "desyncMitigationMode", source: src.elbAttributes,
    requirement: "desyncMitigationMode is monitor, defensive or strictest", valid: oneOf(undefined, "monitor", "defensive", "strictest") },
  { id: "elb.loadBalancer.accessLogs.prefix", type: T.loadBalancer, input: "accessLogs.prefix", source: src.elbAccessLogs,
    requirement: "The access-log prefix does not start or end with / and does not contain AWSLogs",
    values: (i) => [i.accessLogs?.prefix], valid: (v) => v === undefined || (typeof v === "string" && !v.startsWith("/") && !v.endsWith("/") && !v.includes("AWSLogs")) },
  { id: "elb.targetGroup.name", type: T.targetGroup, input: "name", source: src.elbCreateTargetGroup,
    requirement: "Target group names are up to 32 alphanumeric characters or hyphens, neither first nor last a hyphen", values: nameOf("name"), valid: elbName },
  { id: "elb.targetGroup.healthCheck", type: T.targetGroup, input: "healthCheck", source: src.elbCreateTargetGroup,
    requirement: "Health checks: interval 5-300 s, timeout 2-120 s and shorter than the interval, healthy and unhealthy thresholds 2-10, path starting with / up to 1024 characters",
    values: (i) => [i.healthCheck ?? {}],
    valid: (h) => integerIn(5, 300)(h.interval ?? 30) && integerIn(2, 120)(h.timeout ?? 5) && (h.timeout ?? 5) < (h.interval ?? 30)
      && integerIn(2, 10)(h.healthyThreshold ?? 5) && integerIn(2, 10)(h.unhealthyThreshold ?? 2) && (h.path === undefined || lengthIn(1, 1024, /^\//)(h.path)) },
  { id: "elb.targetGroup.matcher", type: T.targetGroup, input: "healthCheck.matcher", source: src.elbMatcher,
    requirement: "HTTP matchers are codes from 200 to 499, as a list (200,202) or a range (200-299)",
    values: (i) => [i.healthCheck?.matcher], valid: (v) => v === undefined || (typeof v === "string" && v.split(/[,-]/).every((c) => Number(c) >= 200 && Number(c) <= 499)) },
  { id: "elb.targetGroup.deregistrationDelay", type: T.targetGroup, input: "deregistrationDelay", source: "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroupAttribute.html",
    requirement: "deregistration_delay.timeout_seconds is 0 to 3600", values: (i) => [i.deregistrationDelay], valid: (v) => v === undefined || integerIn(0, 3600)(Number(v)) },
  { id: "elb.targetGroup.targetType", type: T.targetGroup, input: "targetType", source: src.elbCreateTargetGroup,
    requirement: "targetType is instance, ip, lambda or alb", valid: oneOf(undefined, "instance", "ip", "lambda", "alb") },
  { id: "elb.listener.protocol", type: T.listener, input: "protocol", source: src.elbCreateListener,
    requirement: "Application load balancer listeners use HTTP or HTTPS; HTTPS needs a certificate and a security policy",
    values: whole, valid: (i) => i.protocol === "HTTP" || (i.protocol === "HTTPS" && !!i.certificateArn && !!i.sslPolicy) },
  { id: "elb.action.fixedResponse", type: T.listener, input: "defaultActions[].fixedResponse", source: src.elbFixedResponse,
    requirement: "Fixed responses have a 2XX, 4XX or 5XX status, a content type of text/plain, text/css, text/html, application/javascript or application/json, and a body up to 1024 characters",
    values: (i) => at(i, "defaultActions[].fixedResponse").filter((f) => f !== undefined),
    valid: (f) => /^[245]\d\d$/.test(String(f.statusCode)) && [undefined, "text/plain", "text/css", "text/html", "application/javascript", "application/json"].includes(f.contentType)
      && (f.messageBody === undefined || String(f.messageBody).length <= 1024) },
  { id: "elb.action.redirect", type: T.listener, input: "defaultActions[].redirect", source: src.elbRedirect,
    requirement: "Redirects answer HTTP_301 or HTTP_302; the protocol is HTTP, HTTPS or #{protocol}",
    values: (i) => at(i, "defaultActions[].redirect").filter((r) => r !== undefined),
    valid: (r) => ["HTTP_301", "HTTP_302"].includes(r.statusCode) && [undefined, "HTTP", "HTTPS", "#{protocol}"].includes(r.protocol) },
  { id: "elb.listenerRule.priority", type: T.listenerRule, input: "priority", source: src.elbCreateRule,
    requirement: "Rule priorities are 1 to 50000", valid: integerIn(1, 50000) },
  { id: "elb.listenerRule.pathPattern", type: T.listenerRule, input: "conditions[].pathPattern.values", source: src.elbConditions,
    requirement: "A path pattern is up to 128 characters, and a rule has at most 5 condition values",
    values: (i) => [at(i, "conditions[].pathPattern.values[]")],
    valid: (values: unknown[]) => values.length <= 5 && values.every((v) => lengthIn(1, 128)(v)) },

  // ECS
  { id: "ecs.cluster.name", type: T.ecsCluster, input: "name", source: src.ecsCreateCluster,
    requirement: "Cluster names are up to 255 letters, numbers, underscores and hyphens", values: nameOf("name"), valid: ecsName },
  { id: "ecs.cluster.settings", type: T.ecsCluster, input: "settings", source: src.ecsClusterSetting,
    requirement: "The only cluster setting is containerInsights, enhanced, enabled or disabled",
    values: (i) => i.settings ?? [], valid: (s) => s.name === "containerInsights" && ["enhanced", "enabled", "disabled"].includes(s.value) },
  { id: "ecs.service.name", type: T.ecsService, input: "name", source: src.ecsCreateService,
    requirement: "Service names are up to 255 letters, numbers, underscores and hyphens", values: nameOf("name"), valid: ecsName },
  { id: "ecs.service.fargateOptions", type: T.ecsService, input: "platformVersion/healthCheckGracePeriodSeconds", source: src.ecsCreateService,
    requirement: "platformVersion applies only to Fargate; a health-check grace period needs a load balancer and is 0 to 2147483647",
    values: whole,
    valid: (i) => (i.platformVersion === undefined || i.launchType === "FARGATE")
      && (i.healthCheckGracePeriodSeconds === undefined || (i.loadBalancers?.length > 0 && integerIn(0, 2147483647)(i.healthCheckGracePeriodSeconds))) },
  { id: "ecs.service.enums", type: T.ecsService, input: "propagateTags/availabilityZoneRebalancing/launchType", source: src.ecsCreateService,
    requirement: "propagateTags is TASK_DEFINITION, SERVICE or NONE; availabilityZoneRebalancing ENABLED or DISABLED; launchType EC2, FARGATE or EXTERNAL",
    values: whole,
    valid: (i) => [undefined, "TASK_DEFINITION", "SERVICE", "NONE"].includes(i.propagateTags) && [undefined, "ENABLED", "DISABLED"].includes(i.availabilityZoneRebalancing)
      && [undefined, "EC2", "FARGATE", "EXTERNAL"].includes(i.launchType) },
  { id: "ecs.service.serviceConnect.discoveryName", type: T.ecsService, input: "serviceConnectConfiguration.services[].discoveryName", source: src.ecsServiceConnectService,
    requirement: "Discovery names are up to 64 lowercase letters, numbers, underscores and hyphens, not starting with a hyphen",
    values: (i) => at(i, "serviceConnectConfiguration.services[].discoveryName"), valid: (v) => v === undefined || lengthIn(1, 64, /^[a-z0-9_][a-z0-9_-]*$/)(v) },
  { id: "ecs.service.serviceConnect.clientAlias", type: T.ecsService, input: "serviceConnectConfiguration.services[].clientAlias", source: src.ecsClientAlias,
    requirement: "A Service Connect service has exactly one client alias: a port 0-65535 and a DNS name up to 127 lowercase letters, numbers, underscores, hyphens and periods, not starting with a hyphen",
    values: (i) => at(i, "serviceConnectConfiguration.services[]"),
    valid: (s) => Array.isArray(s.clientAlias) && s.clientAlias.length === 1
      && integerIn(0, 65535)(s.clientAlias[0].port) && (s.clientAlias[0].dnsName === undefined || lengthIn(1, 127, /^[a-z0-9_.][a-z0-9_.-]*$/)(s.clientAlias[0].dnsName)) },
  { id: "ecs.service.alarms", type: T.ecsService, input: "alarms", source: src.ecsDeploymentAlarms,
    requirement: "Deployment alarms name at least one alarm, with enable and rollback set",
    values: (i) => (i.alarms === undefined ? [] : [i.alarms]), valid: (a) => Array.isArray(a.alarmNames) && a.alarmNames.length > 0 && typeof a.enable === "boolean" && typeof a.rollback === "boolean" },
  { id: "ecs.taskDefinition.family", type: T.taskDefinition, input: "family", source: src.ecsRegisterTaskDefinition,
    requirement: "Families are up to 255 letters, numbers, underscores and hyphens", valid: ecsName },
  { id: "ecs.taskDefinition.fargateSize", type: T.taskDefinition, input: "cpu/memory", source: src.fargateSizes,
    requirement: "Fargate tasks use awsvpc networking and a supported CPU/memory pair (256: 512-2048 MiB; 512: 1-4 GiB; 1024: 2-8 GiB; 2048: 4-16 GiB; 4096: 8-30 GiB; 8192: 16-60 GiB; 16384: 32-120 GiB)",
    values: whole, valid: (i) => !i.requiresCompatibilities?.includes("FARGATE") || (i.networkMode === "awsvpc" && fargateSizeAllowed(Number(i.cpu), Number(i.memory))) },
  { id: "ecs.container.name", type: T.taskDefinition, input: "containerDefinitions[].name", source: src.ecsContainerDefinition,
    requirement: "Container names are up to 255 letters, numbers, underscores and hyphens", values: (i) => containers(i).map((c) => c.name), valid: ecsName },
  { id: "ecs.container.portMappings", type: T.taskDefinition, input: "containerDefinitions[].portMappings", source: src.ecsPortMapping,
    requirement: "Port mapping names are up to 64 lowercase letters, numbers, underscores and hyphens, not starting with a hyphen; with awsvpc the host port equals the container port",
    values: (i) => containers(i).flatMap((c) => (c.portMappings ?? []).map((p: Inputs) => ({ ...p, networkMode: i.networkMode }))),
    valid: (p) => (p.name === undefined || lengthIn(1, 64, /^[a-z0-9_][a-z0-9_-]*$/)(p.name)) && (p.networkMode !== "awsvpc" || p.hostPort === undefined || p.hostPort === p.containerPort) },
  { id: "ecs.container.stopTimeout", type: T.taskDefinition, input: "containerDefinitions[].stopTimeout", source: src.ecsContainerDefinition,
    requirement: "On Fargate, stopTimeout is at most 120 seconds",
    values: (i) => containers(i).map((c) => c.stopTimeout), valid: (v) => v === undefined || integerIn(0, 120)(v) },
  { id: "ecs.container.mountPoints", type: T.taskDefinition, input: "containerDefinitions[].mountPoints[].sourceVolume", source: src.ecsVolume,
    requirement: "Volume names are up to 255 letters, numbers, underscores and hyphens, and every mount point's sourceVolume names a volume of the task",
    values: (i) => containers(i).flatMap((c) => (c.mountPoints ?? []).map((m: Inputs) => ({ source: m.sourceVolume, volumes: (i.volumes ?? []).map((v: Inputs) => v.name) }))),
    valid: (m) => ecsName(m.source) && m.volumes.includes(m.source) },
  { id: "ecs.container.secrets", type: T.taskDefinition, input: "containerDefinitions[].secrets[].valueFrom", source: src.ecsSecret,
    requirement: "valueFrom is a Secrets Manager secret ARN, optionally followed by :<json-key>:<version-stage>:<version-id>, or an SSM parameter",
    values: (i) => containers(i).flatMap((c) => (c.secrets ?? []).map((s: Inputs) => s.valueFrom)),
    valid: matches(/^arn:aws[a-z-]*:(secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@!-]+(:[^:]*:[^:]*:[^:]*)?|ssm:[a-z0-9-]+:\d{12}:parameter\/.+)$/) },
  { id: "ecs.container.awslogs", type: T.taskDefinition, input: "containerDefinitions[].logConfiguration", source: src.ecsAwslogs,
    requirement: "The awslogs driver needs awslogs-group and awslogs-region options (and awslogs-stream-prefix on Fargate)",
    values: (i) => containers(i).map((c) => c.logConfiguration).filter((l) => l?.logDriver === "awslogs"),
    valid: (l) => ["awslogs-group", "awslogs-region", "awslogs-stream-prefix"].every((k) => typeof l.options?.[k] === "string" && l.options[k] !== "") },

  // RDS
  { id: "rds.cluster.identifier", type: T.rdsCluster, input: "clusterIdentifier", source: src.rdsCreateDbCluster,
    requirement: "Cluster identifiers are 1 to 63 letters, numbers or hyphens, start with a letter, and have no two consecutive hyphens or a trailing one",
    values: nameOf("clusterIdentifier"), valid: identifier(63) },
  { id: "rds.cluster.finalSnapshotIdentifier", type: T.rdsCluster, input: "finalSnapshotIdentifier", source: `${src.rdsDeleteDbCluster}; ${src.providerRdsCluster}`,
    requirement: "Unless skipFinalSnapshot is true a final snapshot identifier is required: 1 to 255 letters, numbers or hyphens, starting with a letter, no two consecutive hyphens or a trailing one",
    values: whole, valid: (i) => i.skipFinalSnapshot === true || identifier(255)(i.finalSnapshotIdentifier) },
  { id: "rds.cluster.masterUsername", type: T.rdsCluster, input: "masterUsername", source: src.rdsCreateDbCluster,
    requirement: "The master user name is 1 to 63 letters, numbers or underscores, starting with a letter", valid: lengthIn(1, 63, /^[a-zA-Z]\w*$/) },
  { id: "rds.cluster.databaseName", type: T.rdsCluster, input: "databaseName", source: src.rdsCreateDbCluster,
    requirement: "Aurora PostgreSQL database names are 1 to 63 letters, numbers or underscores, starting with a letter", valid: (v) => v === undefined || lengthIn(1, 63, /^[a-zA-Z]\w*$/)(v) },
  { id: "rds.cluster.backupRetentionPeriod", type: T.rdsCluster, input: "backupRetentionPeriod", source: src.rdsCreateDbCluster,
    requirement: "Backups are kept 1 to 35 days", valid: (v) => v === undefined || integerIn(1, 35)(v) },
  { id: "rds.cluster.serverlessv2", type: T.rdsCluster, input: "serverlessv2ScalingConfiguration", source: src.rdsServerlessV2,
    requirement: "Serverless v2 capacity: minimum 0 to 256 and maximum 1 to 256 ACUs, in steps of 0.5, the maximum not below the minimum; engineMode provisioned",
    values: (i) => (i.serverlessv2ScalingConfiguration ? [{ ...i.serverlessv2ScalingConfiguration, engineMode: i.engineMode }] : []),
    valid: (c) => c.minCapacity >= 0 && c.minCapacity <= 256 && c.maxCapacity >= 1 && c.maxCapacity <= 256 && c.maxCapacity >= c.minCapacity
      && (c.minCapacity * 2) % 1 === 0 && (c.maxCapacity * 2) % 1 === 0 && [undefined, "provisioned"].includes(c.engineMode) },
  { id: "rds.cluster.logExports", type: T.rdsCluster, input: "enabledCloudwatchLogsExports", source: src.rdsCreateDbCluster,
    requirement: "Aurora PostgreSQL exports the postgresql, instance and iam-db-auth-error logs only",
    values: (i) => (i.engine === "aurora-postgresql" ? i.enabledCloudwatchLogsExports ?? [] : []), valid: oneOf("postgresql", "instance", "iam-db-auth-error") },
  { id: "rds.cluster.port", type: T.rdsCluster, input: "port", source: src.rdsCreateDbCluster,
    requirement: "Aurora ports are 1150 to 65535", valid: (v) => v === undefined || integerIn(1150, 65535)(v) },
  { id: "rds.instance.identifier", type: T.rdsInstance, input: "identifier", source: src.rdsCreateDbInstance,
    requirement: "Instance identifiers are 1 to 63 letters, numbers or hyphens, start with a letter, and have no two consecutive hyphens or a trailing one",
    values: nameOf("identifier"), valid: identifier(63) },
  { id: "rds.instance.promotionTier", type: T.rdsInstance, input: "promotionTier", source: src.rdsCreateDbInstance,
    requirement: "Promotion tiers are 0 to 15", valid: (v) => v === undefined || integerIn(0, 15)(v) },
  { id: "rds.subnetGroup.name", type: T.rdsSubnetGroup, input: "name", source: `${src.rdsSubnetGroup}; ${src.providerRdsSubnetGroup}`,
    requirement: "DB subnet group names are up to 255 letters, numbers, spaces, periods, underscores and hyphens, and not default; the provider takes lower case only",
    values: nameOf("name"), valid: (v) => lengthIn(1, 255, /^[a-z0-9 ._-]+$/)(v) && v !== "default" },

  // ElastiCache
  { id: "elasticache.replicationGroup.id", type: T.replicationGroup, input: "replicationGroupId", source: src.cacheCreateReplicationGroup,
    requirement: "Replication group IDs are 1 to 40 letters, numbers or hyphens, start with a letter, and have no two consecutive hyphens or a trailing one",
    values: nameOf("replicationGroupId"), valid: identifier(40) },
  { id: "elasticache.replicationGroup.authToken", type: T.replicationGroup, input: "authToken", source: src.cacheCreateReplicationGroup,
    requirement: "AUTH tokens are 16 to 128 printable ASCII characters without @, \" or /, and need transit encryption",
    values: whole, valid: (i) => i.authToken === undefined || (i.transitEncryptionEnabled === true && lengthIn(16, 128, /^[\x21-\x7e]+$/)(i.authToken) && !/[@"/]/.test(i.authToken)) },
  { id: "elasticache.replicationGroup.failover", type: T.replicationGroup, input: "numCacheClusters/automaticFailoverEnabled/multiAzEnabled", source: src.cacheCreateReplicationGroup,
    requirement: "1 to 6 nodes; automatic failover needs 2 or more; Multi-AZ needs automatic failover",
    values: whole,
    valid: (i) => integerIn(1, 6)(i.numCacheClusters ?? 1) && (!i.automaticFailoverEnabled || (i.numCacheClusters ?? 1) >= 2) && (!i.multiAzEnabled || i.automaticFailoverEnabled === true) },
  { id: "elasticache.replicationGroup.snapshotRetentionLimit", type: T.replicationGroup, input: "snapshotRetentionLimit", source: src.cacheCreateReplicationGroup,
    requirement: "Snapshots are kept 0 to 35 days", valid: (v) => v === undefined || integerIn(0, 35)(v) },
  { id: "elasticache.replicationGroup.engine", type: T.replicationGroup, input: "engine/description", source: src.cacheCreateReplicationGroup,
    requirement: "engine is redis or valkey, and a description is required", values: whole, valid: (i) => ["redis", "valkey"].includes(i.engine) && typeof i.description === "string" && i.description !== "" },
  { id: "elasticache.subnetGroup.name", type: T.cacheSubnetGroup, input: "name", source: src.cacheSubnetGroup,
    requirement: "Cache subnet group names are up to 255 letters, numbers or hyphens", values: nameOf("name"), valid: lengthIn(1, 255, /^[a-zA-Z0-9-]+$/) },

  // Secrets Manager
  { id: "secretsmanager.secret.name", type: T.secret, input: "name", source: src.secretsCreateSecret,
    requirement: "Secret names are up to 512 letters, numbers and /_+=.@- characters",
    values: nameOf("name"), valid: lengthIn(1, 512, /^[a-zA-Z0-9/_+=.@-]+$/) },
  { id: "secretsmanager.secret.recoveryWindowInDays", type: T.secret, input: "recoveryWindowInDays", source: src.secretsDeleteSecret,
    requirement: "The recovery window is 7 to 30 days, or 0 to delete without recovery", valid: (v) => v === undefined || v === 0 || integerIn(7, 30)(v) },

  // IAM
  { id: "iam.role.name", type: T.role, input: "name", source: src.iamCreateRole,
    requirement: "Role names are up to 64 letters, numbers and _+=,.@- characters", values: nameOf("name"), valid: lengthIn(1, 64, /^[\w+=,.@-]+$/) },
  { id: "iam.role.description", type: T.role, input: "description", source: src.iamCreateRole,
    requirement: "Role descriptions are up to 1000 characters of printable ASCII and Latin-1 (no typographic dashes or quotes)", valid: (v) => v === undefined || lengthIn(0, 1000, iamPrintable)(v) },
  { id: "iam.rolePolicy.name", type: T.rolePolicy, input: "name", source: src.iamPutRolePolicy,
    requirement: "Policy names are up to 128 letters, numbers and _+=,.@- characters", values: nameOf("name"), valid: lengthIn(1, 128, /^[\w+=,.@-]+$/) },
  { id: "iam.policyDocument", type: T.role, input: "assumeRolePolicy", source: src.iamPolicyGrammar,
    requirement: "Policy documents are JSON with Version 2012-10-17 (or 2008-10-17) and statements with an Action and an Effect of Allow or Deny",
    values: (i) => policyParts(i.assumeRolePolicy), valid: (part) => validPolicyPart(part, false) },
  { id: "iam.rolePolicy.document", type: T.rolePolicy, input: "policy", source: `${src.iamPolicyGrammar}; ${src.iamPutRolePolicy}`,
    requirement: "Policy documents are JSON with Version 2012-10-17 (or 2008-10-17) and statements with an Action and an Effect of Allow or Deny, up to 10240 characters inline",
    values: (i) => [...policyParts(i.policy), { length: String(i.policy).length }], valid: (part) => (part.length === undefined ? validPolicyPart(part, false) : part.length <= 10240) },

  // CloudWatch Logs
  { id: "logs.logGroup.name", type: T.logGroup, input: "name", source: src.logsCreateLogGroup,
    requirement: "Log group names are 1 to 512 letters, numbers and ._-/# characters, and do not start with aws/",
    values: nameOf("name"), valid: (v) => lengthIn(1, 512, /^[.\-_/#A-Za-z0-9]+$/)(v) && !String(v).startsWith("aws/") },
  { id: "logs.logGroup.retentionInDays", type: T.logGroup, input: "retentionInDays", source: src.logsRetention,
    requirement: "Retention is one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 days",
    valid: oneOf(undefined, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653) },

  // S3
  { id: "s3.bucket.name", type: T.bucket, input: "bucket", source: src.s3BucketNaming,
    requirement: "Bucket names are 3 to 63 lowercase letters, numbers, periods and hyphens, begin and end with a letter or number, no two adjacent periods, and no reserved prefix (xn--, sthree-, amzn-s3-demo-) or suffix (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3)",
    values: (i, name) => [i.bucket ?? autoName(name)],
    valid: (v) => lengthIn(3, 63, /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/)(v) && !String(v).includes("..") && !/^\d+\.\d+\.\d+\.\d+$/.test(v)
      && !/^(xn--|sthree-|amzn-s3-demo-)/.test(v) && !/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(v) },
  { id: "s3.lifecycle.rules", type: T.bucketLifecycle, input: "rules", source: src.s3LifecycleRule,
    requirement: "Lifecycle rules have an ID up to 255 characters, a status of Enabled or Disabled, a filter, and expire after a positive number of days",
    values: (i) => i.rules ?? [],
    valid: (r) => (r.id === undefined || lengthIn(1, 255)(r.id)) && ["Enabled", "Disabled"].includes(r.status) && r.filter !== undefined
      && (r.expiration?.days === undefined || (Number.isInteger(r.expiration.days) && r.expiration.days > 0)) },
  { id: "s3.encryption.algorithm", type: T.bucketEncryption, input: "rules[].applyServerSideEncryptionByDefault.sseAlgorithm", source: src.s3Encryption,
    requirement: "sseAlgorithm is AES256, aws:kms or aws:kms:dsse", values: (i) => at(i, "rules[].applyServerSideEncryptionByDefault.sseAlgorithm"), valid: oneOf("AES256", "aws:kms", "aws:kms:dsse") },
  { id: "s3.ownership", type: T.bucketOwnership, input: "rule.objectOwnership", source: src.s3Ownership,
    requirement: "objectOwnership is BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter", values: (i) => [i.rule?.objectOwnership], valid: oneOf("BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter") },
  { id: "s3.bucketPolicy.document", type: T.bucketPolicy, input: "policy", source: src.iamPolicyGrammar,
    requirement: "Bucket policies are JSON with Version 2012-10-17 (or 2008-10-17) and statements with an Action, an Effect of Allow or Deny, and a Principal",
    values: (i) => policyParts(i.policy), valid: (part) => validPolicyPart(part, true) },

  // ECR
  { id: "ecr.repository.name", type: T.repository, input: "name", source: src.ecrCreateRepository,
    requirement: "Repository names are 2 to 256 characters: lowercase letters and numbers, separated by single ., _, - or /",
    values: nameOf("name"), valid: lengthIn(2, 256, /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/) },
  { id: "ecr.repository.tagMutability", type: T.repository, input: "imageTagMutability/imageTagMutabilityExclusionFilters", source: `${src.ecrCreateRepository}; ${src.ecrExclusionFilter}`,
    requirement: "imageTagMutability is MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION; the _WITH_EXCLUSION ones need WILDCARD filters of up to 128 letters, numbers, ._-* and no others have filters",
    values: whole,
    valid: (i) => {
      const filters = i.imageTagMutabilityExclusionFilters ?? [];
      const mode = i.imageTagMutability ?? "MUTABLE";
      if (!["MUTABLE", "IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION"].includes(mode)) return false;
      if (!mode.endsWith("_WITH_EXCLUSION")) return filters.length === 0;
      return filters.length >= 1 && filters.every((f: Inputs) => f.filterType === "WILDCARD" && lengthIn(1, 128, /^[a-zA-Z0-9._*-]+$/)(f.filter));
    } },
  { id: "ecr.repository.encryption", type: T.repository, input: "encryptionConfigurations[].encryptionType", source: src.ecrCreateRepository,
    requirement: "encryptionType is AES256, KMS or KMS_DSSE", values: (i) => at(i, "encryptionConfigurations[].encryptionType"), valid: oneOf("AES256", "KMS", "KMS_DSSE") },
  { id: "ecr.lifecyclePolicy.rules", type: T.ecrLifecycle, input: "policy.rules", source: src.ecrLifecycle,
    requirement: "Lifecycle rules have unique positive priorities; a tagStatus any rule has the highest; tagged rules give tag prefixes or patterns; sinceImagePushed counts in days, imageCountMoreThan has no unit",
    values: (i) => {
      const rules = at(i, "policy.rules[]") as Inputs[];
      const priorities = rules.map((r) => r.rulePriority);
      return rules.map((r) => ({ tagStatus: r.selection?.tagStatus, rulePriority: r.rulePriority, priorities, selection: r.selection }));
    },
    valid: (r) => {
      const s = r.selection ?? {};
      return new Set(r.priorities).size === r.priorities.length && Number.isInteger(r.rulePriority) && r.rulePriority > 0
        && ["tagged", "untagged", "any"].includes(s.tagStatus)
        && (s.tagStatus !== "any" || r.rulePriority === Math.max(...r.priorities))
        && (s.tagStatus !== "tagged" || s.tagPrefixList?.length > 0 || s.tagPatternList?.length > 0)
        && (s.countType === "sinceImagePushed" ? s.countUnit === "days" : s.countType === "imageCountMoreThan" && s.countUnit === undefined)
        && Number.isInteger(s.countNumber) && s.countNumber > 0;
    } },

  // Cloud Map, App Auto Scaling, ACM, Route 53
  { id: "servicediscovery.httpNamespace", type: T.namespace, input: "name/description", source: src.cloudMapHttpNamespace,
    requirement: "HTTP namespace names are 1 to 1024 printable ASCII characters without spaces; descriptions up to 1024 characters",
    values: (i, name) => [{ name: i.name ?? autoName(name), description: i.description }],
    valid: (n) => lengthIn(1, 1024, /^[!-~]+$/)(n.name) && (n.description === undefined || lengthIn(0, 1024)(n.description)) },
  { id: "appautoscaling.target", type: T.scalingTarget, input: "minCapacity/maxCapacity/resourceId", source: src.autoscalingTarget,
    requirement: "ECS scalable targets have resourceId service/<cluster>/<service>, dimension ecs:service:DesiredCount and 0 <= minCapacity <= maxCapacity",
    values: whole,
    valid: (i) => i.serviceNamespace !== "ecs" || (/^service\/[\w-]+\/[\w-]+$/.test(i.resourceId) && i.scalableDimension === "ecs:service:DesiredCount" && i.minCapacity >= 0 && i.minCapacity <= i.maxCapacity) },
  { id: "appautoscaling.policy.name", type: T.scalingPolicy, input: "name", source: src.autoscalingPolicy,
    requirement: "Scaling policy names are 1 to 256 printable characters", values: nameOf("name"), valid: lengthIn(1, 256, /^[\x20-\x7e]+$/) },
  { id: "appautoscaling.policy.metric", type: T.scalingPolicy, input: "targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification", source: src.autoscalingMetric,
    requirement: "ALBRequestCountPerTarget needs a resourceLabel app/<load-balancer>/<id>/targetgroup/<target-group>/<id>; other predefined metrics take none",
    values: (i) => [i.targetTrackingScalingPolicyConfiguration?.predefinedMetricSpecification].filter((m) => m !== undefined),
    valid: (m) => m.predefinedMetricType === "ALBRequestCountPerTarget"
      ? /^app\/[\w-]+\/[\w]+\/targetgroup\/[\w-]+\/[\w]+$/.test(String(m.resourceLabel))
      : m.resourceLabel === undefined },
  { id: "acm.certificate", type: T.certificate, input: "domainName/validationMethod", source: src.acmRequestCertificate,
    requirement: "Domain names are up to 253 characters with labels up to 63; validationMethod is DNS or EMAIL",
    values: whole, valid: (i) => lengthIn(1, 253)(i.domainName) && String(i.domainName).split(".").every((l) => l.length >= 1 && l.length <= 63) && ["DNS", "EMAIL"].includes(i.validationMethod) },
  { id: "route53.record", type: T.record, input: "aliases/ttl/records", source: src.route53RecordSet,
    requirement: "An alias record has no TTL or records; any other record has a TTL of 0 to 2147483647 and at least one record",
    values: whole, valid: (i) => (i.aliases?.length ? i.ttl === undefined && !i.records?.length : integerIn(0, 2147483647)(i.ttl) && i.records?.length > 0) },

  // CloudWatch alarms and SNS
  { id: "cloudwatch.alarm.name", type: T.alarm, input: "name", source: src.cloudwatchPutMetricAlarm,
    requirement: "Alarm names are 1 to 255 characters without control characters", values: nameOf("name"), valid: lengthIn(1, 255, /^[^\x00-\x1f\x7f]+$/) },
  { id: "cloudwatch.alarm.description", type: T.alarm, input: "alarmDescription", source: src.cloudwatchPutMetricAlarm,
    requirement: "Alarm descriptions are up to 1024 characters", valid: (v) => v === undefined || lengthIn(0, 1024)(v) },
  { id: "cloudwatch.alarm.period", type: T.alarm, input: "period/evaluationPeriods/datapointsToAlarm", source: src.cloudwatchPutMetricAlarm,
    requirement: "Periods are 10, 20, 30 or a multiple of 60 seconds; period x evaluationPeriods is at most one day below an hour's period (seven days otherwise); datapointsToAlarm is 1 to evaluationPeriods",
    values: (i) => [{ period: i.period ?? metricQueries(i).find((q) => q.metric)?.metric?.period, evaluationPeriods: i.evaluationPeriods, datapointsToAlarm: i.datapointsToAlarm }],
    valid: (p) => alarmPeriod(p.period) && Number.isInteger(p.evaluationPeriods) && p.evaluationPeriods >= 1
      && p.period * p.evaluationPeriods <= (p.period < 3600 ? 86400 : 604800) && (p.datapointsToAlarm === undefined || integerIn(1, p.evaluationPeriods)(p.datapointsToAlarm)) },
  { id: "cloudwatch.alarm.statistic", type: T.alarm, input: "statistic/extendedStatistic/metricQueries", source: src.cloudwatchPutMetricAlarm,
    requirement: "An alarm watches either one metric, with exactly one of statistic (SampleCount, Average, Sum, Minimum, Maximum) or extendedStatistic (p0.0-p100), or metric queries with exactly one returning data; not both",
    values: whole,
    valid: (i) => {
      const queries = metricQueries(i);
      if (queries.length > 0) return i.metricName === undefined && i.statistic === undefined && i.extendedStatistic === undefined && queries.filter((q) => q.returnData === true).length === 1;
      return typeof i.metricName === "string" && typeof i.namespace === "string" && (i.statistic === undefined) !== (i.extendedStatistic === undefined)
        && (i.statistic === undefined || ["SampleCount", "Average", "Sum", "Minimum", "Maximum"].includes(i.statistic))
        && (i.extendedStatistic === undefined || /^p(\d{1,2}(\.\d{1,2})?|100)$/.test(i.extendedStatistic));
    } },
  { id: "cloudwatch.alarm.enums", type: T.alarm, input: "comparisonOperator/treatMissingData", source: src.cloudwatchPutMetricAlarm,
    requirement: "comparisonOperator is GreaterThanOrEqualToThreshold, GreaterThanThreshold, LessThanThreshold or LessThanOrEqualToThreshold (static thresholds); treatMissingData is breaching, notBreaching, ignore or missing",
    values: whole,
    valid: (i) => ["GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"].includes(i.comparisonOperator)
      && [undefined, "breaching", "notBreaching", "ignore", "missing"].includes(i.treatMissingData) && typeof i.threshold === "number" },
  { id: "cloudwatch.alarm.actions", type: T.alarm, input: "alarmActions/okActions/dimensions", source: src.cloudwatchPutMetricAlarm,
    requirement: "At most 5 actions of each kind, each an ARN; at most 30 dimensions",
    values: whole,
    valid: (i) => ["alarmActions", "okActions", "insufficientDataActions"].every((k) => (i[k] ?? []).length <= 5 && (i[k] ?? []).every((a: unknown) => /^arn:/.test(String(a))))
      && Object.keys(i.dimensions ?? {}).length <= 30 },
  { id: "sns.topic.name", type: T.topic, input: "name", source: src.snsCreateTopic,
    requirement: "Topic names are 1 to 256 letters, numbers, hyphens and underscores", values: nameOf("name"), valid: lengthIn(1, 256, /^[\w-]+$/) },
  { id: "sns.subscription", type: T.subscription, input: "protocol/endpoint", source: src.snsSubscribe,
    requirement: "protocol is one SNS supports; an email subscription's endpoint is an e-mail address",
    values: whole,
    valid: (i) => ["http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose"].includes(i.protocol)
      && (!String(i.protocol).startsWith("email") || /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(String(i.endpoint))) },
];

// Rules every AWS resource with tags shares.
export const tagRule: InputRule = {
  id: "tags", type: "*", input: "tags", source: src.ec2Tag,
  requirement: "At most 50 tags; keys 1 to 127 characters not starting with aws:, values up to 256 characters",
  values: (i) => (i.tags === undefined ? [] : [i.tags]),
  valid: (tags: Record<string, unknown>) => Object.keys(tags).length <= 50
    && Object.entries(tags).every(([k, v]) => k.length >= 1 && k.length <= 127 && !k.toLowerCase().startsWith("aws:") && String(v).length <= 256),
};

/** A policy document as its parts: the version, then each statement (or the text, when it is not JSON). */
function policyParts(document: unknown): Inputs[] {
  const parsed = typeof document === "string" ? safeJson(document) : undefined;
  if (parsed === undefined || parsed === null || typeof parsed !== "object") return [{ notJson: document }];
  const statements = policyStatements(parsed);
  return [{ Version: (parsed as Inputs).Version }, ...(statements.length > 0 ? statements.map((statement) => ({ Statement: statement })) : [{ Statement: undefined }])];
}

function validPolicyPart(part: Inputs, needsPrincipal: boolean): boolean {
  if ("notJson" in part) return false;
  if ("Version" in part) return [undefined, "2012-10-17", "2008-10-17"].includes(part.Version);
  const s = part.Statement as Inputs | undefined;
  return s !== undefined && ["Allow", "Deny"].includes(s.Effect) && (s.Action !== undefined || s.NotAction !== undefined)
    && (!needsPrincipal || s.Principal !== undefined || s.NotPrincipal !== undefined);
}

const fargateMemory: Record<number, [number, number, number]> = {
  256: [512, 2048, 0], 512: [1024, 4096, 1024], 1024: [2048, 8192, 1024], 2048: [4096, 16384, 1024],
  4096: [8192, 30720, 1024], 8192: [16384, 61440, 4096], 16384: [32768, 122880, 8192],
};
function fargateSizeAllowed(cpu: number, memory: number): boolean {
  const size = fargateMemory[cpu];
  if (!size) return false;
  if (cpu === 256) return [512, 1024, 2048].includes(memory);
  return memory >= size[0] && memory <= size[1] && (memory - size[0]) % size[2] === 0;
}

/**
 * The input rules a registration breaks. `secretPaths` are the inputs Pulumi marks secret: checked like the
 * others, but shown as [secret] in the violation.
 */
export function checkInputs(type: string, name: string, inputs: Inputs, secretPaths: string[] = []): Violation[] {
  if (!type.startsWith("aws:")) return [];
  const masked = maskSecrets(inputs, secretPaths);
  const violations: Violation[] = [];
  for (const rule of [...inputRules.filter((r) => r.type === type), tagRule]) {
    const valuesOf = (from: Inputs) => (rule.values ? rule.values(from, name) : [from[rule.input]]);
    const shown = valuesOf(masked);
    valuesOf(inputs).forEach((value, i) => {
      if (rule.valid(value, inputs)) return;
      // A rule over several inputs shows just those, not the whole resource.
      const display = value === inputs ? Object.fromEntries(rule.input.split("/").map((k) => [k, masked[k]])) : shown[i];
      violations.push({ rule: rule.id, type, name, input: rule.input, value: display, requirement: rule.requirement, source: rule.source });
    });
  }
  return violations;
}

function maskSecrets(inputs: Inputs, secretPaths: string[]): Inputs {
  const masked = structuredClone(inputs);
  for (const path of secretPaths) {
    const parts = path.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== "");
    let parent: any = masked;
    for (const part of parts.slice(0, -1)) parent = parent?.[part];
    if (parent && typeof parent === "object") parent[parts[parts.length - 1]] = "[secret]";
  }
  return masked;
}

// ---- rules across resources ----

const byType = (resources: RecordedResource[], type: string) => resources.filter((r) => r.type === type);
const byId = (resources: RecordedResource[]) => new Map(resources.map((r) => [r.id, r]));
const ipv4Range = (cidr: string): [number, number] => {
  const [address, bits] = cidr.split("/");
  const start = address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
  return [start, start + 2 ** (32 - Number(bits)) - 1];
};
const azOfSubnet = (resources: RecordedResource[]) => {
  const subnets = byId(byType(resources, T.subnet));
  return (id: string) => subnets.get(id)?.inputs.availabilityZone as string | undefined;
};
/** The name AWS gives a resource, for the types whose names must be unique in the account and region. */
const uniqueNames: Record<string, string> = {
  [T.securityGroup]: "name", [T.loadBalancer]: "name", [T.targetGroup]: "name", [T.ecsCluster]: "name", [T.taskDefinition]: "family",
  [T.rdsCluster]: "clusterIdentifier", [T.rdsInstance]: "identifier", [T.rdsSubnetGroup]: "name", [T.replicationGroup]: "replicationGroupId",
  [T.cacheSubnetGroup]: "name", [T.secret]: "name", [T.role]: "name", [T.logGroup]: "name", [T.repository]: "name", [T.namespace]: "name",
  [T.alarm]: "name", [T.topic]: "name",
};
const effectiveName = (r: RecordedResource) => String(r.inputs[uniqueNames[r.type]] ?? autoName(r.name)).toLowerCase();

const containerDefinitionsOf = (task: RecordedResource | undefined) => (task ? (at(task.inputs, "containerDefinitions[]") as Inputs[]) : []);

export const stackRules: StackRule[] = [
  { id: "stack.uniqueNames", input: "name", source: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html; https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html",
    requirement: "Names of the same resource type are unique in the account and region (IAM, RDS and ElastiCache compare them case-insensitively)",
    check: (resources) => {
      const seen = new Map<string, RecordedResource>();
      const found: { resource: RecordedResource; value: unknown }[] = [];
      for (const r of resources.filter((x) => x.custom && uniqueNames[x.type] && x.type !== T.taskDefinition)) {
        const key = `${r.type}|${r.type === T.securityGroup ? r.inputs.vpcId : ""}|${effectiveName(r)}`;
        if (seen.has(key)) found.push({ resource: r, value: effectiveName(r) });
        else seen.set(key, r);
      }
      return found;
    } },
  { id: "stack.subnetsInVpc", input: "cidrBlock", source: src.subnetSizing,
    requirement: "A subnet's CIDR block lies inside its VPC's and overlaps no other subnet of that VPC",
    check: (resources) => {
      const vpcs = byId(byType(resources, T.vpc));
      const subnets = byType(resources, T.subnet);
      return subnets.filter((s, i) => {
        const vpc = vpcs.get(String(s.inputs.vpcId));
        if (!vpc) return false;
        const [start, end] = ipv4Range(String(s.inputs.cidrBlock));
        const [vpcStart, vpcEnd] = ipv4Range(String(vpc.inputs.cidrBlock));
        const overlaps = subnets.some((o, j) => j !== i && o.inputs.vpcId === s.inputs.vpcId && (() => {
          const [oStart, oEnd] = ipv4Range(String(o.inputs.cidrBlock));
          return start <= oEnd && oStart <= end;
        })());
        return start < vpcStart || end > vpcEnd || overlaps;
      }).map((s) => ({ resource: s, value: s.inputs.cidrBlock }));
    } },
  { id: "stack.subnetGroupsSpanZones", input: "subnetIds", source: `${src.rdsSubnetGroup}; ${src.elbCreateLoadBalancer}`,
    requirement: "DB subnet groups and application load balancers take subnets in at least two availability zones, and a load balancer at most one subnet per zone",
    check: (resources) => {
      const az = azOfSubnet(resources);
      const groups = [...byType(resources, T.rdsSubnetGroup), ...byType(resources, T.loadBalancer)];
      return groups.filter((g) => {
        const ids = ((g.inputs.subnetIds ?? g.inputs.subnets) as string[] | undefined) ?? [];
        const zones = ids.map(az);
        const distinct = new Set(zones).size;
        return distinct < 2 || (g.type === T.loadBalancer && distinct !== zones.length);
      }).map((g) => ({ resource: g, value: g.inputs.subnetIds ?? g.inputs.subnets }));
    } },
  { id: "stack.dbInstanceZones", input: "availabilityZone", source: src.rdsCreateDbInstance,
    requirement: "A DB instance's availability zone is one its subnet group covers, and db.serverless instances belong to a cluster with Serverless v2 scaling",
    check: (resources) => {
      const az = azOfSubnet(resources);
      const groups = new Map(byType(resources, T.rdsSubnetGroup).map((g) => [String(g.inputs.name ?? autoName(g.name)), g]));
      const clusters = byType(resources, T.rdsCluster);
      return byType(resources, T.rdsInstance).filter((i) => {
        const group = groups.get(String(i.inputs.dbSubnetGroupName));
        const zones = new Set(((group?.inputs.subnetIds as string[]) ?? []).map(az));
        const cluster = clusters.find((c) => c.id === i.inputs.clusterIdentifier || c.inputs.clusterIdentifier === i.inputs.clusterIdentifier);
        return (i.inputs.availabilityZone !== undefined && group !== undefined && !zones.has(String(i.inputs.availabilityZone)))
          || (i.inputs.instanceClass === "db.serverless" && !cluster?.inputs.serverlessv2ScalingConfiguration);
      }).map((i) => ({ resource: i, value: i.inputs.availabilityZone }));
    } },
  { id: "stack.listenerRulePriorities", input: "priority", source: src.elbCreateRule,
    requirement: "Rule priorities are unique per listener",
    check: (resources) => {
      const rules = byType(resources, T.listenerRule);
      return rules.filter((r, i) => rules.some((o, j) => j < i && o.inputs.listenerArn === r.inputs.listenerArn && o.inputs.priority === r.inputs.priority))
        .map((r) => ({ resource: r, value: r.inputs.priority }));
    } },
  { id: "stack.serviceMatchesTask", input: "loadBalancers/serviceConnectConfiguration", source: `${src.ecsCreateService}; ${src.ecsServiceConnectService}`,
    requirement: "A service's load balancer container and port, and its Service Connect portName, exist in its task definition's containers and port mappings; the target group's port is that container port and its target type ip (awsvpc)",
    check: (resources) => {
      const tasks = byType(resources, T.taskDefinition);
      const targetGroups = byType(resources, T.targetGroup);
      return byType(resources, T.ecsService).flatMap((s) => {
        const task = tasks.find((t) => String(s.inputs.taskDefinition).includes(`:task-definition/${t.inputs.family}:`));
        const defined = containerDefinitionsOf(task);
        const problems: { resource: RecordedResource; value: unknown }[] = [];
        for (const lb of (s.inputs.loadBalancers as Inputs[] | undefined) ?? []) {
          const container = defined.find((c) => c.name === lb.containerName);
          const group = targetGroups.find((g) => String(lb.targetGroupArn).includes(`/${g.name}/`));
          if (!container || !(container.portMappings ?? []).some((p: Inputs) => p.containerPort === lb.containerPort)
            || (group && (group.inputs.port !== lb.containerPort || group.inputs.targetType !== "ip"))) {
            problems.push({ resource: s, value: lb });
          }
        }
        const portNames = defined.flatMap((c) => (c.portMappings ?? []).map((p: Inputs) => p.name));
        for (const service of ((s.inputs as Inputs).serviceConnectConfiguration?.services as Inputs[] | undefined) ?? []) {
          if (!portNames.includes(service.portName)) problems.push({ resource: s, value: service.portName });
        }
        return problems;
      });
    } },
  { id: "stack.deploymentAlarmsExist", input: "alarms.alarmNames", source: src.ecsDeploymentAlarms,
    requirement: "Every deployment alarm a service names is an alarm the stack creates",
    check: (resources) => {
      const alarmNames = new Set(byType(resources, T.alarm).map((a) => String(a.inputs.name ?? autoName(a.name))));
      return byType(resources, T.ecsService).flatMap((s) =>
        (((s.inputs as Inputs).alarms?.alarmNames as string[] | undefined) ?? []).filter((n) => !alarmNames.has(n)).map((n) => ({ resource: s, value: n })));
    } },
];

/** The stack rules a whole evaluation breaks. */
export function checkStack(resources: RecordedResource[]): Violation[] {
  return stackRules.flatMap((rule) =>
    rule.check(resources).map(({ resource, value }) => ({
      rule: rule.id, type: resource.type, name: resource.name, input: rule.input, value, requirement: rule.requirement, source: rule.source,
    })));
}

/** One line per violation: the resource, the input, the value, the rule and its source. */
export function describeViolations(violations: Violation[]): string {
  const shown = (value: unknown) => {
    const text = JSON.stringify(value) ?? "undefined";
    return text.length > 300 ? `${text.slice(0, 299)}…` : text;
  };
  return [
    `AWS would reject ${violations.length} input${violations.length === 1 ? "" : "s"}:`,
    ...violations.map((v) => `  - ${v.type} "${v.name}": ${v.input} = ${shown(v.value)}. ${v.requirement} [${v.rule}; ${v.source}]`),
  ].join("\n");
}
