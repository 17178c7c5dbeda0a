/**
 * AWS Foundational Security Best Practices (Security Hub) controls, one test each, over the resources
 * the prod stack registers. ELB.1, ELB.17 and ELB.18 need a certificate, so they run over prod with
 * `nexiom:domain` set; docs/security.md lists every control, how it is met and the test that proves it.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { taskContainer, type ContainerDefinition } from "./support/containers";
import { evaluateOk, find, ofType, type RecordedResource, type StackRecord } from "../offline/evaluate";
import { mockPassword } from "../offline/mocks";

interface Prod {
  record: StackRecord;
  withDomain: StackRecord;
  containers: ContainerDefinition[];
}

interface Control {
  id: string;
  requirement: string;
  check: (prod: Prod) => void;
}

const one = (record: StackRecord, type: string) => {
  const found = ofType(record, type);
  assert.equal(found.length, 1, `exactly one ${type}`);
  return found[0];
};
const cluster = (p: Prod) => one(p.record, "aws:rds/cluster:Cluster").inputs;
const instances = (p: Prod) => ofType(p.record, "aws:rds/clusterInstance:ClusterInstance").map((i) => i.inputs);
const cache = (p: Prod) => one(p.record, "aws:elasticache/replicationGroup:ReplicationGroup");
const loadBalancer = (r: StackRecord) => one(r, "aws:lb/loadBalancer:LoadBalancer").inputs;
const worldIngressPorts = (r: StackRecord) =>
  ofType(r, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    .filter((rule) => rule.inputs.cidrIpv4 === "0.0.0.0/0" || rule.inputs.cidrIpv6 === "::/0")
    .map((rule) => Number(rule.inputs.fromPort));
const allowedTlsPolicies = [
  "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-3-2021-06",
  "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
];

export const controls: Control[] = [
  { id: "ECS.2", requirement: "ECS services do not assign public IPs", check: (p) => {
    for (const service of ofType(p.record, "aws:ecs/service:Service")) {
      assert.equal((service.inputs.networkConfiguration as { assignPublicIp: boolean }).assignPublicIp, false, service.name);
    }
  } },
  { id: "ECS.3", requirement: "Task definitions do not share the host's process namespace", check: (p) => {
    for (const task of ofType(p.record, "aws:ecs/taskDefinition:TaskDefinition")) assert.notEqual(task.inputs.pidMode, "host", task.name);
  } },
  { id: "ECS.4", requirement: "Containers run without privileges", check: (p) => {
    for (const c of p.containers) assert.notEqual(c.privileged, true, c.name);
  } },
  { id: "ECS.5", requirement: "Containers have read-only root filesystems (writable task volumes only where the image writes)", check: (p) => {
    for (const c of p.containers) assert.equal(c.readonlyRootFilesystem, true, c.name);
  } },
  { id: "ECS.8", requirement: "No secret in container environment variables (stricter than the control: any name, any value)", check: (p) => {
    const passwords = ofType(p.record, "random:index/randomPassword:RandomPassword").map((r) => mockPassword(r.name, Number(r.inputs.length)));
    for (const c of p.containers) {
      for (const { name, value } of c.environment) {
        assert.doesNotMatch(name, /PASSWORD|SECRET|TOKEN|KEY_ID|ACCESS_KEY|PRIVATE/i, `${c.name} ${name}`);
        for (const password of passwords) assert.ok(!value.includes(password), `${c.name} ${name} holds a generated password`);
      }
    }
  } },
  { id: "ECS.9", requirement: "Every container has a log configuration", check: (p) => {
    for (const c of p.containers) assert.equal((c.logConfiguration as { logDriver: string }).logDriver, "awslogs", c.name);
  } },
  { id: "ECS.10", requirement: "Fargate services run on the latest platform version", check: (p) => {
    for (const service of ofType(p.record, "aws:ecs/service:Service")) assert.equal(service.inputs.platformVersion, "LATEST", service.name);
  } },
  { id: "ECS.12", requirement: "Container Insights is on for the cluster", check: (p) => {
    assert.deepEqual(one(p.record, "aws:ecs/cluster:Cluster").inputs.settings, [{ name: "containerInsights", value: "enabled" }]);
  } },
  { id: "ECS.20", requirement: "Containers run as a non-root user", check: (p) => {
    for (const c of p.containers) {
      assert.match(String(c.user), /^[1-9][0-9]*$/, `${c.name} user`);
    }
  } },

  { id: "ELB.1", requirement: "HTTP redirects to HTTPS (with nexiom:domain; without it the stack says it serves plain HTTP)", check: (p) => {
    const http = find(p.withDomain, "aws:lb/listener:Listener", "nexiom-http").inputs;
    assert.deepEqual(http.defaultActions, [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }]);
    assert.match(String(p.record.outputs.notice), /ELB\.1/);
  } },
  { id: "ELB.4", requirement: "The load balancer drops invalid HTTP headers", check: (p) => {
    assert.equal(loadBalancer(p.record).dropInvalidHeaderFields, true);
  } },
  { id: "ELB.5", requirement: "Access logs go to S3", check: (p) => {
    const bucket = one(p.record, "aws:s3/bucket:Bucket");
    const logs = loadBalancer(p.record).accessLogs as { enabled: boolean; bucket: string; prefix: string };
    assert.equal(logs.enabled, true);
    assert.equal(logs.bucket, bucket.id);
    const policy = JSON.parse(String(one(p.record, "aws:s3/bucketPolicy:BucketPolicy").inputs.policy));
    assert.deepEqual(policy.Statement.filter((s: { Effect: string }) => s.Effect === "Allow").map((s: { Resource: string }) => s.Resource), [
      `arn:aws:s3:::${logs.bucket}/alb/AWSLogs/123456789012/*`,
      `arn:aws:s3:::${logs.bucket}/alb/AWSLogs/123456789012/*`,
    ]);
    assert.deepEqual(one(p.record, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs, {
      bucket: logs.bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
    });
  } },
  { id: "ELB.6", requirement: "Deletion protection is on (with nexiom:protectData, the default)", check: (p) => {
    assert.equal(loadBalancer(p.record).enableDeletionProtection, true);
  } },
  { id: "ELB.12", requirement: "Desync mitigation is defensive or strictest", check: (p) => {
    assert.ok(["defensive", "strictest"].includes(String(loadBalancer(p.record).desyncMitigationMode)));
  } },
  { id: "ELB.13", requirement: "The load balancer spans at least two availability zones", check: (p) => {
    const subnetIds = loadBalancer(p.record).subnets as string[];
    const zones = new Set(ofType(p.record, "aws:ec2/subnet:Subnet").filter((s) => subnetIds.includes(s.id)).map((s) => s.inputs.availabilityZone));
    assert.ok(zones.size >= 2, `zones: ${[...zones].join(", ")}`);
  } },
  { id: "ELB.17", requirement: "HTTPS listeners use a TLS policy Security Hub allows", check: (p) => {
    const https = ofType(p.withDomain, "aws:lb/listener:Listener").filter((l) => l.inputs.protocol === "HTTPS");
    assert.equal(https.length, 1);
    assert.ok(allowedTlsPolicies.includes(String(https[0].inputs.sslPolicy)), String(https[0].inputs.sslPolicy));
  } },
  { id: "ELB.18", requirement: "Listeners use HTTPS (with nexiom:domain; plain HTTP only redirects)", check: (p) => {
    for (const listener of ofType(p.withDomain, "aws:lb/listener:Listener")) {
      const redirects = (listener.inputs.defaultActions as { type: string }[]).every((a) => a.type === "redirect");
      assert.ok(listener.inputs.protocol === "HTTPS" || redirects, listener.name);
    }
  } },

  { id: "RDS.2", requirement: "Aurora instances are not publicly accessible", check: (p) => {
    for (const i of instances(p)) assert.equal(i.publiclyAccessible, false);
  } },
  { id: "RDS.7", requirement: "The Aurora cluster has deletion protection (with nexiom:protectData)", check: (p) => assert.equal(cluster(p).deletionProtection, true) },
  { id: "RDS.12", requirement: "IAM database authentication is enabled", check: (p) => assert.equal(cluster(p).iamDatabaseAuthenticationEnabled, true) },
  { id: "RDS.13", requirement: "Automatic minor version upgrades are on", check: (p) => {
    for (const i of instances(p)) assert.equal(i.autoMinorVersionUpgrade, true);
  } },
  { id: "RDS.15", requirement: "Writer and reader run in different availability zones", check: (p) => {
    const zones = instances(p).map((i) => i.availabilityZone);
    assert.equal(zones.length, 2);
    assert.notEqual(zones[0], zones[1]);
  } },
  { id: "RDS.16", requirement: "Tags are copied to snapshots", check: (p) => assert.equal(cluster(p).copyTagsToSnapshot, true) },
  { id: "RDS.24", requirement: "The admin user is not a default name", check: (p) => {
    assert.ok(!["postgres", "admin", "root"].includes(String(cluster(p).masterUsername)));
  } },
  { id: "RDS.27", requirement: "Storage is encrypted at rest", check: (p) => assert.equal(cluster(p).storageEncrypted, true) },
  { id: "RDS.37", requirement: "PostgreSQL logs are published to CloudWatch Logs", check: (p) => {
    assert.deepEqual(cluster(p).enabledCloudwatchLogsExports, ["postgresql"]);
  } },
  { id: "RDS.46", requirement: "Aurora lives in subnets with no route to an internet gateway (or anywhere)", check: (p) => {
    assertIsolated(p.record, one(p.record, "aws:rds/subnetGroup:SubnetGroup"));
  } },

  { id: "ElastiCache.1", requirement: "Automatic backups are on", check: (p) => assert.ok(Number(cache(p).inputs.snapshotRetentionLimit) >= 1) },
  { id: "ElastiCache.2", requirement: "Automatic minor version upgrades are on", check: (p) => assert.equal(cache(p).inputs.autoMinorVersionUpgrade, true) },
  { id: "ElastiCache.3", requirement: "Automatic failover across two or more nodes, multi-AZ", check: (p) => {
    const { inputs } = cache(p);
    assert.equal(inputs.automaticFailoverEnabled, true);
    assert.equal(inputs.multiAzEnabled, true);
    assert.ok(Number(inputs.numCacheClusters) >= 2);
  } },
  { id: "ElastiCache.4", requirement: "Encrypted at rest", check: (p) => assert.equal(cache(p).inputs.atRestEncryptionEnabled, true) },
  { id: "ElastiCache.5", requirement: "Encrypted in transit", check: (p) => assert.equal(cache(p).inputs.transitEncryptionEnabled, true) },
  { id: "ElastiCache.6", requirement: "AUTH token required (a Pulumi secret, handed to tasks through Secrets Manager)", check: (p) => {
    const group = cache(p);
    assert.ok(String(group.inputs.authToken).length >= 32);
    assert.ok(group.secretPaths.includes("authToken"));
  } },
  { id: "ElastiCache.7", requirement: "Its own subnet group, not the default one", check: (p) => {
    const subnetGroup = one(p.record, "aws:elasticache/subnetGroup:SubnetGroup");
    assert.equal(cache(p).inputs.subnetGroupName, subnetGroup.inputs.name);
    assert.notEqual(subnetGroup.inputs.name, "default");
    assertIsolated(p.record, subnetGroup);
  } },

  { id: "ECR.1", requirement: "Images are scanned on push", check: (p) => {
    for (const r of ofType(p.record, "aws:ecr/repository:Repository")) assert.deepEqual(r.inputs.imageScanningConfiguration, { scanOnPush: true });
  } },
  { id: "ECR.2", requirement: "Tags are immutable (only the tags the build writes, cache and build-*, are excluded)", check: (p) => {
    for (const r of ofType(p.record, "aws:ecr/repository:Repository")) {
      assert.equal(r.inputs.imageTagMutability, "IMMUTABLE_WITH_EXCLUSION");
      assert.deepEqual(r.inputs.imageTagMutabilityExclusionFilters, [{ filter: "cache", filterType: "WILDCARD" }, { filter: "build-*", filterType: "WILDCARD" }]);
    }
  } },
  { id: "ECR.3", requirement: "Every repository has a lifecycle policy", check: (p) => {
    const repositories = ofType(p.record, "aws:ecr/repository:Repository").map((r) => r.inputs.name).sort();
    const policies = ofType(p.record, "aws:ecr/lifecyclePolicy:LifecyclePolicy").map((l) => l.inputs.repository).sort();
    assert.deepEqual(policies, repositories);
  } },

  { id: "EC2.2", requirement: "The VPC's default security group allows nothing", check: (p) => {
    const group = one(p.record, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup").inputs;
    assert.equal(group.vpcId, one(p.record, "aws:ec2/vpc:Vpc").id);
    assert.equal(group.ingress, undefined);
    assert.equal(group.egress, undefined);
  } },
  { id: "EC2.6", requirement: "VPC flow logs record all traffic", check: (p) => {
    const flowLog = one(p.record, "aws:ec2/flowLog:FlowLog").inputs;
    assert.equal(flowLog.vpcId, one(p.record, "aws:ec2/vpc:Vpc").id);
    assert.equal(flowLog.trafficType, "ALL");
  } },
  { id: "EC2.15", requirement: "No subnet assigns public IPs automatically", check: (p) => {
    for (const subnet of ofType(p.record, "aws:ec2/subnet:Subnet")) assert.equal(subnet.inputs.mapPublicIpOnLaunch, false, subnet.name);
  } },
  { id: "EC2.18", requirement: "Only 80 and 443 are open to the world, and only on the load balancer", check: (p) => {
    for (const record of [p.record, p.withDomain]) {
      const world = ofType(record, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.inputs.cidrIpv4 === "0.0.0.0/0" || r.inputs.cidrIpv6 === "::/0");
      const albGroup = find(record, "aws:ec2/securityGroup:SecurityGroup", "nexiom-alb-sg").id;
      for (const rule of world) {
        assert.ok([80, 443].includes(Number(rule.inputs.fromPort)) && rule.inputs.fromPort === rule.inputs.toPort, rule.name);
        assert.equal(rule.inputs.securityGroupId, albGroup, rule.name);
      }
    }
  } },
  { id: "EC2.19", requirement: "No high-risk port is open to the world", check: (p) => {
    const highRisk = [20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500, 5601, 6379, 8080, 8088, 8888, 9200, 9300];
    for (const record of [p.record, p.withDomain]) {
      assert.deepEqual(worldIngressPorts(record).filter((port) => highRisk.includes(port)), []);
    }
  } },

  { id: "Logs", requirement: "Every log group has a retention period (nexiom:logRetentionDays)", check: (p) => {
    const groups = ofType(p.record, "aws:cloudwatch/logGroup:LogGroup");
    assert.ok(groups.length >= 3);
    for (const group of groups) assert.equal(group.inputs.retentionInDays, 30, group.name);
  } },
  { id: "Backups", requirement: "Aurora keeps 7 days of backups and takes a final snapshot on deletion", check: (p) => {
    assert.ok(Number(cluster(p).backupRetentionPeriod) >= 7);
    assert.equal(cluster(p).skipFinalSnapshot, false);
    assert.match(String(cluster(p).finalSnapshotIdentifier), /^nexiom-db-final-[0-9a-f]{8}$/);
  } },
  { id: "Trust", requirement: "Every role can be assumed only by its service, for this account's resources (aws:SourceAccount, aws:SourceArn)", check: (p) => {
    const roles = ofType(p.record, "aws:iam/role:Role");
    assert.ok(roles.length >= 5);
    for (const role of roles) {
      const [statement, ...others] = JSON.parse(String(role.inputs.assumeRolePolicy)).Statement;
      assert.deepEqual(others, [], role.name);
      const service = statement.Principal.Service as string;
      const sourceArn = service === "ecs-tasks.amazonaws.com" ? "arn:aws:ecs:eu-west-1:123456789012:*" : "arn:aws:ec2:eu-west-1:123456789012:vpc-flow-log/*";
      assert.deepEqual(statement.Condition, { StringEquals: { "aws:SourceAccount": "123456789012" }, ArnLike: { "aws:SourceArn": sourceArn } }, role.name);
    }
  } },
  { id: "Password", requirement: "The database password is generated and kept by RDS in Secrets Manager, not in state", check: (p) => {
    assert.equal(cluster(p).manageMasterUserPassword, true);
    assert.equal(cluster(p).masterPassword, undefined);
  } },
];

/** The subnet group's subnets are associated only with route tables that have no routes at all. */
function assertIsolated(record: StackRecord, subnetGroup: RecordedResource): void {
  const subnetIds = subnetGroup.inputs.subnetIds as string[];
  assert.ok(subnetIds.length >= 2);
  const tables = new Map(ofType(record, "aws:ec2/routeTable:RouteTable").map((t) => [t.id, t]));
  for (const subnetId of subnetIds) {
    const associations = ofType(record, "aws:ec2/routeTableAssociation:RouteTableAssociation").filter((a) => a.inputs.subnetId === subnetId);
    assert.equal(associations.length, 1, `${subnetId} has its own route table`);
    const table = tables.get(String(associations[0].inputs.routeTableId));
    assert.deepEqual(table?.inputs.routes ?? [], [], `${subnetId} has a route out`);
  }
}

describe("AWS Foundational Security Best Practices (prod)", () => {
  let prod: Prod;
  before(async () => {
    const record = await evaluateOk("prod");
    const withDomain = await evaluateOk("prod", { domain: "app.example.com" });
    prod = { record, withDomain, containers: [await taskContainer("api"), await taskContainer("web")] };
  });

  for (const control of controls) {
    it(`${control.id}: ${control.requirement}`, () => control.check(prod));
  }

  it("docs/security.md lists every control proven here", () => {
    const doc = fs.readFileSync(path.resolve(__dirname, "../docs/security.md"), "utf8");
    const listed = [...doc.matchAll(/^\| (ECS|ELB|RDS|ElastiCache|ECR|EC2)\.\d+ \|/gm)].map((m) => m[0].slice(2, -2));
    const tested = controls.map((c) => c.id).filter((id) => /\.\d+$/.test(id));
    assert.deepEqual(listed.sort(), tested.sort());
  });
});
