import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { createAlarms } from "../alarms";
import type { AwsTarget } from "../platform";
import type { DatabaseEndpoint } from "./index";

// RDS.24: the admin user is not the well-known `postgres`.
const adminUser = "nexiom_admin";
const port = 5432;

/**
 * Aurora PostgreSQL Serverless v2: a writer and a reader in different AZs, in isolated subnets, its
 * admin password generated and kept by RDS in Secrets Manager (never in Pulumi state).
 */
export function createAurora(
  parent: pulumi.Resource,
  name: string,
  version: string,
  databaseName: string,
  platform: AwsTarget,
  capacity: { min: number; max: number },
): DatabaseEndpoint {
  const opts = { parent };
  const stateful = { parent, protect: platform.protectData, retainOnDelete: platform.protectData };
  // Lower case: ElastiCache and RDS store group names lower-cased, and a mixed-case name would be replaced on every refresh.
  const subnetGroup = new aws.rds.SubnetGroup(
    `${name}-subnets`,
    { name: `${platform.namePrefix}-${name}`, subnetIds: platform.isolatedSubnetIds, description: "Isolated subnets: no route to the internet" },
    opts,
  );
  const securityGroup = new aws.ec2.SecurityGroup(
    `${name}-sg`,
    { vpcId: platform.vpcId, description: "Aurora: PostgreSQL from the services linked to it, nothing else" },
    opts,
  );

  const clusterIdentifier = `${platform.namePrefix}-${name}`;
  // The final snapshot outlives the cluster, so its name must be new for each cluster: a fixed one makes the
  // second destroy fail (DBClusterSnapshotAlreadyExists). The suffix is made with the cluster (and again if
  // a change replaces the cluster) and stays the same across updates.
  const finalSnapshotSuffix = new random.RandomId(
    `${name}-final-snapshot`,
    { byteLength: 4, keepers: { clusterIdentifier, databaseName } },
    opts,
  );
  // RDS creates the log group it exports to when it is missing, never expires it, and leaves it behind on
  // destroy; created here, it has the stack's retention and goes with the stack (after the cluster).
  const postgresqlLogs = new aws.cloudwatch.LogGroup(
    `${name}-postgresql-logs`,
    { name: `/aws/rds/cluster/${clusterIdentifier}/postgresql`, retentionInDays: platform.logRetentionDays },
    opts,
  );

  const cluster = new aws.rds.Cluster(
    `${name}-cluster`,
    {
      clusterIdentifier,
      engine: "aurora-postgresql",
      engineMode: "provisioned",
      engineVersion: version,
      databaseName,
      masterUsername: adminUser,
      manageMasterUserPassword: true,
      port,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [securityGroup.id],
      serverlessv2ScalingConfiguration: { minCapacity: capacity.min, maxCapacity: capacity.max },
      storageEncrypted: true,
      iamDatabaseAuthenticationEnabled: true,
      enabledCloudwatchLogsExports: ["postgresql"],
      backupRetentionPeriod: 7,
      copyTagsToSnapshot: true,
      deletionProtection: platform.protectData,
      // Changes apply at `pulumi up`, reviewed and approved, not in the next maintenance window: pending
      // modifications would leave state and AWS apart, and the daily drift check would report them.
      applyImmediately: true,
      // Destroy must say what happens to the data: a final snapshot, always.
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: pulumi.interpolate`${clusterIdentifier}-final-${finalSnapshotSuffix.hex}`,
      // No availabilityZones: AWS assigns three, and listing fewer causes a perpetual diff. The subnet group places it.
    },
    // Minor versions are upgraded by AWS (autoMinorVersionUpgrade); the program must not try to downgrade them.
    { ...stateful, ignoreChanges: ["engineVersion"], dependsOn: [postgresqlLogs] },
  );

  platform.availabilityZones.slice(0, 2).forEach((availabilityZone, i) => {
    new aws.rds.ClusterInstance(
      `${name}-${i === 0 ? "writer" : "reader"}`,
      {
        clusterIdentifier: cluster.id,
        identifier: `${platform.namePrefix}-${name}-${i + 1}`,
        instanceClass: "db.serverless",
        engine: "aurora-postgresql",
        engineVersion: cluster.engineVersion,
        availabilityZone,
        // The reader is first in line for promotion when the writer fails.
        promotionTier: i === 0 ? 0 : 1,
        publiclyAccessible: false,
        autoMinorVersionUpgrade: true,
        dbSubnetGroupName: subnetGroup.name,
        applyImmediately: true,
      },
      { ...stateful, ignoreChanges: ["engineVersion"] },
    );
  });

  const writerMetric = (metricName: string, stat: string) => ({
    namespace: "AWS/RDS",
    metricName,
    dimensions: { DBClusterIdentifier: clusterIdentifier, Role: "WRITER" },
    stat,
  });
  createAlarms(parent, platform.alertTopicArn, [
    {
      name: `${clusterIdentifier}-cpu-high`,
      description: "The Aurora writer has averaged over 80 % CPU for 15 minutes.",
      watch: writerMetric("CPUUtilization", "Average"),
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: 80,
      period: 300,
      evaluationPeriods: 3,
    },
    {
      name: `${clusterIdentifier}-capacity-at-max`,
      description: `The Aurora writer has run at its maximum capacity (${capacity.max} ACU, nexiom:databaseMaxCapacity) for 15 minutes: it cannot scale further.`,
      watch: writerMetric("ServerlessDatabaseCapacity", "Average"),
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: capacity.max,
      period: 300,
      evaluationPeriods: 3,
    },
    {
      name: `${clusterIdentifier}-connections-high`,
      description: `The Aurora writer holds over 80 % of the connections it allows at ${capacity.max} ACU (about ${maxConnections(capacity.max)}).`,
      watch: writerMetric("DatabaseConnections", "Maximum"),
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: Math.floor(maxConnections(capacity.max) * 0.8),
      period: 300,
      evaluationPeriods: 2,
    },
  ]);

  return {
    host: cluster.endpoint,
    port: pulumi.output(port),
    user: pulumi.output(adminUser),
    password: {
      kind: "secretsManager",
      arn: cluster.masterUserSecrets.apply((secrets) => {
        if (!secrets?.[0]?.secretArn) throw new Error(`Aurora cluster ${name} did not report its managed master user secret.`);
        return secrets[0].secretArn;
      }),
      jsonKey: "password",
    },
    tls: true,
    link: { kind: "aws", name, securityGroupId: securityGroup.id, port, description: "PostgreSQL" },
  };
}

/**
 * Aurora PostgreSQL's default max_connections, LEAST(DBInstanceClassMemory / 9531392, 5000), for a
 * Serverless v2 instance, whose memory is taken at its maximum capacity (2 GiB per ACU). An estimate:
 * `SHOW max_connections` on the writer gives the real figure.
 */
export function maxConnections(maxCapacity: number): number {
  return Math.min(Math.floor((maxCapacity * 2 * 1024 ** 3) / 9531392), 5000);
}
