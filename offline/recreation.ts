/**
 * `pulumi destroy`, `pulumi up`, and a second `pulumi destroy`, as AWS sees them: what AWS keeps holding
 * after a destroy (names it will not give out again for a while, or ever), and the names the next `up`
 * asks for. The tests evaluate the stack twice, as two incarnations whose random values differ (as
 * `random` resources are re-created after a destroy), and check that neither the second `up` nor the second
 * destroy asks for a name the first destroy left held.
 *
 * Auto-named resources never collide: Pulumi appends fresh random characters at each create. Only names
 * the program sets can.
 */
import type { RecordedResource, StackRecord } from "./record";

/** A name in AWS, keyed by the namespace it is unique in, e.g. `rds snapshot:nexiom-db-final`. */
export interface HeldName {
  key: string;
  resource: string;
  why: string;
  /** Made by the destroy itself (a final snapshot), so a second destroy asks for it again. */
  madeByDestroy?: boolean;
}

const explicitNames: Record<string, { namespace: string; input: string }> = {
  "aws:rds/cluster:Cluster": { namespace: "rds cluster", input: "clusterIdentifier" },
  "aws:rds/clusterInstance:ClusterInstance": { namespace: "rds instance", input: "identifier" },
  "aws:rds/subnetGroup:SubnetGroup": { namespace: "rds subnet group", input: "name" },
  "aws:elasticache/replicationGroup:ReplicationGroup": { namespace: "elasticache replication group", input: "replicationGroupId" },
  "aws:elasticache/subnetGroup:SubnetGroup": { namespace: "elasticache subnet group", input: "name" },
  "aws:secretsmanager/secret:Secret": { namespace: "secret", input: "name" },
  "aws:cloudwatch/logGroup:LogGroup": { namespace: "log group", input: "name" },
  "aws:ecr/repository:Repository": { namespace: "ecr repository", input: "name" },
  "aws:servicediscovery/httpNamespace:HttpNamespace": { namespace: "cloud map namespace", input: "name" },
  "aws:ecs/cluster:Cluster": { namespace: "ecs cluster", input: "name" },
  "aws:cloudwatch/metricAlarm:MetricAlarm": { namespace: "alarm", input: "name" },
  "aws:sns/topic:Topic": { namespace: "sns topic", input: "name" },
};

const nameKey = (resource: RecordedResource): string | undefined => {
  const explicit = explicitNames[resource.type];
  const value = explicit ? resource.inputs[explicit.input] : undefined;
  return typeof value === "string" ? `${explicit.namespace}:${value.toLowerCase()}` : undefined;
};

/** Names the stack asks AWS for when it is created. */
export function namesClaimed(record: StackRecord): HeldName[] {
  const claimed: HeldName[] = [];
  for (const resource of record.resources) {
    const key = nameKey(resource);
    if (key) claimed.push({ key, resource: resource.name, why: "created with this name" });
  }
  return claimed;
}

/** Names AWS still holds after `pulumi destroy` of the stack. */
export function namesHeldAfterDestroy(record: StackRecord): HeldName[] {
  const held: HeldName[] = [];
  const managedLogGroups = new Set(record.resources.filter((r) => r.type === "aws:cloudwatch/logGroup:LogGroup").map((r) => String(r.inputs.name)));
  for (const resource of record.resources) {
    const inputs = resource.inputs as Record<string, any>;
    // Kept resources keep their names.
    const key = nameKey(resource);
    if (resource.retainOnDelete && key) held.push({ key, resource: resource.name, why: "retained on delete (nexiom:protectData)" });

    if (resource.type === "aws:rds/cluster:Cluster") {
      // DeleteDBCluster takes a final snapshot unless skipped; the snapshot outlives the cluster, and a second
      // delete with the same FinalDBSnapshotIdentifier fails with DBClusterSnapshotAlreadyExistsFault.
      // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBCluster.html
      if (inputs.skipFinalSnapshot !== true) {
        held.push({ key: `rds cluster snapshot:${String(inputs.finalSnapshotIdentifier).toLowerCase()}`, resource: resource.name, why: "final snapshot, kept until someone deletes it", madeByDestroy: true });
      }
      // RDS creates the log groups it exports to when they do not exist, and never deletes them.
      // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.CloudWatch.html
      for (const log of (inputs.enabledCloudwatchLogsExports as string[] | undefined) ?? []) {
        const group = `/aws/rds/cluster/${inputs.clusterIdentifier}/${log}`;
        if (!managedLogGroups.has(group)) held.push({ key: `log group:${group.toLowerCase()}`, resource: resource.name, why: "created by RDS, left behind by the destroy" });
      }
    }
    if (resource.type === "aws:secretsmanager/secret:Secret" && inputs.recoveryWindowInDays !== 0 && typeof inputs.name === "string") {
      // DeleteSecret schedules deletion after the recovery window (30 days unless set); until then CreateSecret
      // with the same name fails. https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html
      held.push({ key: `secret:${inputs.name.toLowerCase()}`, resource: resource.name, why: `recovery window of ${inputs.recoveryWindowInDays ?? 30} days` });
    }
  }
  return held;
}

/** What the next incarnation asks for that the previous destroy left held: the second `up`, then the second destroy. */
export function recreationConflicts(first: StackRecord, second: StackRecord): string[] {
  const held = new Map(namesHeldAfterDestroy(first).map((h) => [h.key, h]));
  const conflicts: string[] = [];
  for (const claim of namesClaimed(second)) {
    const holder = held.get(claim.key);
    if (holder) conflicts.push(`up: ${claim.resource} asks for ${claim.key}, still held after the first destroy (${holder.why})`);
  }
  for (const again of namesHeldAfterDestroy(second).filter((h) => h.madeByDestroy)) {
    const holder = held.get(again.key);
    if (holder) conflicts.push(`second destroy: ${again.resource} needs ${again.key}, which the first destroy left (${holder.why})`);
  }
  return conflicts;
}
