import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { NatGateways } from "../../config";
import { createAlarms, requestRate } from "../alarms";
import { createLoadBalancer } from "./aws-load-balancer";
import { createNetwork, type AwsApiEgress } from "./aws-network";

export interface AwsPlatformArgs {
  /** Availability zones the VPC spans; two at least (load balancer, Aurora reader, Redis failover). */
  availabilityZones: number;
  /** How private subnets reach AWS APIs and the internet. */
  natGateways: NatGateways;
  /** Public host name served over HTTPS; undefined means plain HTTP on the load balancer's DNS name. */
  domain?: string;
  /** Route 53 hosted zone holding `domain`. */
  hostedZone?: string;
  /** Protect stateful resources and the load balancer from deletion. */
  protectData: boolean;
  /** CloudWatch Logs retention for every log group on the platform. */
  logRetentionDays: number;
  /** Address that gets every alarm by e-mail; undefined means the topic has no subscription. */
  alertEmail?: string;
}

export interface AwsTarget {
  kind: "aws";
  vpcId: pulumi.Output<string>;
  vpcCidr: string;
  /** Where tasks may open HTTPS connections to AWS APIs (image pulls, logs, secrets). */
  awsApiEgress: AwsApiEgress;
  /** Subnets with a route out through NAT (or only VPC endpoints): ECS tasks. */
  privateSubnetIds: pulumi.Output<string>[];
  /** Subnets with no route to the internet at all: Aurora and ElastiCache. */
  isolatedSubnetIds: pulumi.Output<string>[];
  /** Availability zone names, in the order the subnets were made. */
  availabilityZones: pulumi.Output<string>[];
  clusterArn: pulumi.Output<string>;
  clusterName: pulumi.Output<string>;
  /** Service Connect namespace: services reach each other by short names such as `api`. */
  namespaceArn: pulumi.Output<string>;
  /** The listener services add their routing rules to (HTTPS with a domain, else HTTP). */
  listenerArn: pulumi.Output<string>;
  loadBalancerArnSuffix: pulumi.Output<string>;
  loadBalancerSecurityGroupId: pulumi.Output<string>;
  url: pulumi.Output<string>;
  https: boolean;
  protectData: boolean;
  logRetentionDays: number;
  region: pulumi.Output<string>;
  /** The account the stack deploys to. */
  account: pulumi.Output<string>;
  /** Prefix of names AWS shows (cluster, log groups, roles). */
  namePrefix: string;
  /** The SNS topic every alarm notifies. */
  alertTopicArn: pulumi.Output<string>;
}

export function createAwsPlatform(parent: pulumi.Resource, name: string, args: AwsPlatformArgs): AwsTarget {
  const opts = { parent };
  // Looked up once: the flow-log role, the load balancer's log bucket policy and the services' task roles
  // all name the account.
  const account = aws.getCallerIdentityOutput({}, opts).accountId;
  const network = createNetwork(parent, name, { ...args, account });

  const namespace = new aws.servicediscovery.HttpNamespace(
    `${name}-namespace`,
    { name, description: "Service Connect names of the product's services (api, web)." },
    opts,
  );
  const cluster = new aws.ecs.Cluster(
    `${name}-cluster`,
    {
      name,
      // ECS.12: Container Insights on the cluster.
      settings: [{ name: "containerInsights", value: "enabled" }],
      serviceConnectDefaults: { namespace: namespace.arn },
    },
    opts,
  );

  const loadBalancer = createLoadBalancer(parent, name, { ...args, account, vpcId: network.vpcId, publicSubnetIds: network.publicSubnetIds });

  // One topic for every alarm of the stack; e-mail is opt-in (nexiom:alertEmail) and needs confirming once.
  // No SSE on the topic: CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key, and
  // alarm notifications carry no secrets.
  const alerts = new aws.sns.Topic(`${name}-alerts`, { name: `${name}-alerts` }, opts);
  if (args.alertEmail !== undefined) {
    new aws.sns.TopicSubscription(`${name}-alerts-email`, { topic: alerts.arn, protocol: "email", endpoint: args.alertEmail }, opts);
  }
  const loadBalancerMetric = (metricName: string) => ({
    namespace: "AWS/ApplicationELB",
    metricName,
    dimensions: { LoadBalancer: loadBalancer.arnSuffix },
    stat: "Sum",
  });
  createAlarms(parent, alerts.arn, [
    {
      name: `${name}-alb-5xx`,
      description: "More than 5 % of requests got a 5xx from the load balancer itself (no healthy target, target timeouts or resets).",
      watch: requestRate(loadBalancerMetric("HTTPCode_ELB_5XX_Count"), loadBalancerMetric("RequestCount"), 20),
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: 5,
      period: 60,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
    },
  ]);

  return {
    kind: "aws",
    ...network,
    clusterArn: cluster.arn,
    clusterName: cluster.name,
    namespaceArn: namespace.arn,
    listenerArn: loadBalancer.listenerArn,
    loadBalancerArnSuffix: loadBalancer.arnSuffix,
    loadBalancerSecurityGroupId: loadBalancer.securityGroupId,
    url: loadBalancer.url,
    https: loadBalancer.https,
    protectData: args.protectData,
    logRetentionDays: args.logRetentionDays,
    namePrefix: name,
    account,
    alertTopicArn: alerts.arn,
  };
}
