import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { createAlarms, type AlarmDefinition } from "../alarms";
import type { AwsTarget } from "../platform";
import type { CacheEndpoint } from "./index";

const port = 6379;
// A primary and a replica in another AZ: the fewest that fail over (ElastiCache.3).
const nodeCount = 2;

/**
 * ElastiCache for Valkey: two nodes in different AZs with automatic failover, encrypted at rest and in
 * transit, AUTH token generated here and handed to tasks through Secrets Manager.
 */
export function createReplicationGroup(
  parent: pulumi.Resource,
  name: string,
  version: string,
  nodeType: string,
  platform: AwsTarget,
): CacheEndpoint {
  const opts = { parent };
  const stateful = { parent, protect: platform.protectData, retainOnDelete: platform.protectData };
  // ElastiCache rejects @, " and / in tokens; letters and digits only keeps it simple.
  const authToken = pulumi.secret(new random.RandomPassword(`${name}-auth-token`, { length: 48, special: false }, opts).result);
  const secret = new aws.secretsmanager.Secret(
    `${name}-auth-token`,
    // Auto-named (`<name>-auth-token-<random>`), not a fixed name: a deleted secret's name stays taken for its
    // recovery window, so a fixed one would make `pulumi up` fail for 7 days after `pulumi destroy`.
    { description: "AUTH token of the product's Valkey cache", recoveryWindowInDays: 7 },
    opts,
  );
  new aws.secretsmanager.SecretVersion(`${name}-auth-token`, { secretId: secret.id, secretString: authToken }, opts);

  // Lower case: ElastiCache stores subnet group names lower-cased, and a mixed-case name is replaced on every refresh.
  const subnetGroup = new aws.elasticache.SubnetGroup(
    `${name}-subnets`,
    { name: `${platform.namePrefix}-${name}`, subnetIds: platform.isolatedSubnetIds, description: "Isolated subnets: no route to the internet" },
    opts,
  );
  const securityGroup = new aws.ec2.SecurityGroup(
    `${name}-sg`,
    { vpcId: platform.vpcId, description: "Cache: Redis protocol from the services linked to it, nothing else" },
    opts,
  );
  const group = new aws.elasticache.ReplicationGroup(
    `${name}-group`,
    {
      replicationGroupId: `${platform.namePrefix}-${name}`,
      description: "The product's cache (list reads, rate limits)",
      engine: "valkey",
      engineVersion: version,
      nodeType,
      port,
      // Created highly available from the start: turning failover on later by update silently does nothing.
      numCacheClusters: nodeCount,
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      atRestEncryptionEnabled: true,
      transitEncryptionEnabled: true,
      authToken,
      subnetGroupName: subnetGroup.name,
      securityGroupIds: [securityGroup.id],
      snapshotRetentionLimit: 7,
      autoMinorVersionUpgrade: true,
      // Changes apply at `pulumi up`, reviewed and approved, not in the next maintenance window: pending
      // modifications would leave state and AWS apart, and the daily drift check would report them.
      applyImmediately: true,
    },
    stateful,
  );
  // ElastiCache publishes per node, and either node may be the primary after a failover: alarms watch both.
  const nodeAlarms = (node: pulumi.Output<string>, n: number): AlarmDefinition[] => {
    const metric = (metricName: string, stat: string) => ({ namespace: "AWS/ElastiCache", metricName, dimensions: { CacheClusterId: node }, stat });
    const alarmName = (what: string) => `${platform.namePrefix}-${name}-${what}-${n}`;
    return [
      {
        name: alarmName("memory-high"),
        description: `Cache node ${n} uses over 80 % of its memory for data; evictions come next.`,
        watch: metric("DatabaseMemoryUsagePercentage", "Average"),
        comparison: "GreaterThanOrEqualToThreshold",
        threshold: 80,
        period: 300,
        evaluationPeriods: 2,
      },
      {
        name: alarmName("evictions"),
        description: `Cache node ${n} evicted keys in two 5-minute periods in a row: it is full, and list caches and rate-limit counters are being dropped.`,
        watch: metric("Evictions", "Sum"),
        comparison: "GreaterThanThreshold",
        threshold: 0,
        period: 300,
        evaluationPeriods: 2,
      },
      {
        name: alarmName("cpu-high"),
        description: `The Valkey engine thread on cache node ${n} has averaged over 80 % CPU for 10 minutes.`,
        watch: metric("EngineCPUUtilization", "Average"),
        comparison: "GreaterThanOrEqualToThreshold",
        threshold: 80,
        period: 300,
        evaluationPeriods: 2,
      },
      {
        // Only a replica reports ReplicationLag; on the primary the metric is missing, which is not breaching.
        name: alarmName("replication-lag"),
        description: `Cache node ${n}, as a replica, has been over 5 s behind the primary for 3 of 5 minutes; a failover now would lose those writes.`,
        watch: metric("ReplicationLag", "Maximum"),
        comparison: "GreaterThanOrEqualToThreshold",
        threshold: 5,
        period: 60,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
      },
    ];
  };
  createAlarms(
    parent,
    platform.alertTopicArn,
    Array.from({ length: nodeCount }, (_, i) => nodeAlarms(group.memberClusters.apply((members) => [...members].sort()[i]), i + 1)).flat(),
  );

  return {
    host: group.primaryEndpointAddress,
    port: pulumi.output(port),
    password: { kind: "secretsManager", arn: secret.arn },
    tls: true,
    link: { kind: "aws", name, securityGroupId: securityGroup.id, port, description: "Redis protocol" },
  };
}
