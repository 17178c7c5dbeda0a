import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { AwsTarget } from "../platform";
import type { CacheEndpoint } from "./index";

const port = 6379;

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
    { name: `${platform.namePrefix}/${name}/auth-token`, description: "AUTH token of the product's Valkey cache", recoveryWindowInDays: 7 },
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
      numCacheClusters: 2,
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      atRestEncryptionEnabled: true,
      transitEncryptionEnabled: true,
      authToken,
      subnetGroupName: subnetGroup.name,
      securityGroupIds: [securityGroup.id],
      snapshotRetentionLimit: 7,
      autoMinorVersionUpgrade: true,
      applyImmediately: false,
    },
    stateful,
  );
  return {
    host: group.primaryEndpointAddress,
    port: pulumi.output(port),
    password: { kind: "secretsManager", arn: secret.arn },
    tls: true,
    link: { kind: "aws", name, securityGroupId: securityGroup.id, port, description: "Redis protocol" },
  };
}
