/**
 * AWS's input rules (offline/aws-rules.ts): the program passes every one in each prod configuration, and
 * each rule, planted with a violation on a real resource of the stack, fails with the resource, the input,
 * the value and the rule. The last test runs the whole evaluation of a copy of the program with one bad input.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { autoName, checkInputs, checkStack, describeViolations, inputRules, stackRules, tagRule } from "../offline/aws-rules";
import { evaluateAt, evaluateOk, type RecordedResource, type StackRecord } from "../offline/evaluate";
import { mockPassword } from "../offline/mocks";

type Inputs = Record<string, any>;

/** A violation planted on one real resource of the stack, by name (`name@configuration` for one configuration). */
interface Plant {
  resource: string;
  /** Changes the inputs in place; may return a different resource name (for auto-named resources). */
  plant: (inputs: Inputs) => string | void;
  /** The value the message must show. */
  shows: string;
}

const editContainer = (inputs: Inputs, edit: (container: Inputs) => void) => {
  const definitions = JSON.parse(inputs.containerDefinitions);
  edit(definitions[0]);
  inputs.containerDefinitions = JSON.stringify(definitions);
};
const editPolicy = (inputs: Inputs, key: string, edit: (document: Inputs) => void) => {
  const document = JSON.parse(inputs[key]);
  edit(document);
  inputs[key] = JSON.stringify(document);
};

const plants: Record<string, Plant> = {
  "ec2.securityGroup.name": { resource: "api-sg", plant: (i) => void (i.name = "sg-api"), shows: '"sg-api"' },
  "ec2.securityGroup.description": { resource: "nexiom-alb-sg", plant: (i) => void (i.description = "Load balancer: the services' ports"), shows: "services' ports" },
  "vpc.ingressRule.description": { resource: "api-from-alb-in", plant: (i) => void (i.description = "load balancer & api"), shows: "load balancer & api" },
  "vpc.ingressRule.peer": { resource: "api-from-alb-in", plant: (i) => void (i.cidrIpv4 = "10.0.0.0/16"), shows: '["cidrIpv4","referencedSecurityGroupId"]' },
  "vpc.ingressRule.ports": { resource: "api-from-alb-in", plant: (i) => void (i.toPort = 80), shows: '"to":80' },
  "vpc.egressRule.description": { resource: "api-to-aws-apis", plant: (i) => void (i.description = "HTTPS to AWS APIs → 443"), shows: "→ 443" },
  "vpc.egressRule.peer": { resource: "api-to-aws-apis", plant: (i) => void delete i.cidrIpv4, shows: "[]" },
  "vpc.egressRule.ports": { resource: "api-to-aws-apis", plant: (i) => void (i.toPort = 70000), shows: '"to":70000' },
  "ec2.vpc.cidrBlock": { resource: "nexiom-vpc", plant: (i) => void (i.cidrBlock = "10.0.0.0/8"), shows: '"10.0.0.0/8"' },
  "ec2.subnet.cidrBlock": { resource: "nexiom-public-1", plant: (i) => void (i.cidrBlock = "10.0.0.0/30"), shows: '"10.0.0.0/30"' },
  "ec2.flowLog.trafficType": { resource: "nexiom-flow-logs", plant: (i) => void (i.trafficType = "EVERYTHING"), shows: '"EVERYTHING"' },
  "ec2.flowLog.iamRoleArn": { resource: "nexiom-flow-logs", plant: (i) => void delete i.iamRoleArn, shows: '{"logDestinationType":"cloud-watch-logs"}' },
  "ec2.vpcEndpoint.type": { resource: "nexiom-endpoint-s3", plant: (i) => void (i.privateDnsEnabled = true), shows: '"vpcEndpointType":"Gateway"' },
  "ec2.eip.domain": { resource: "nexiom-nat-1", plant: (i) => void (i.domain = "classic"), shows: '"classic"' },
  "elb.loadBalancer.name": { resource: "nexiom-alb", plant: () => "nexiom-production-public-alb", shows: "nexiom-production-public-alb-" },
  "elb.loadBalancer.desyncMitigationMode": { resource: "nexiom-alb", plant: (i) => void (i.desyncMitigationMode = "strict"), shows: '"strict"' },
  "elb.loadBalancer.accessLogs.prefix": { resource: "nexiom-alb", plant: (i) => void (i.accessLogs.prefix = "alb/AWSLogs"), shows: '"alb/AWSLogs"' },
  "elb.targetGroup.name": { resource: "api-tg", plant: () => "nexiom-api-backend-targets", shows: "nexiom-api-backend-targets-" },
  "elb.targetGroup.healthCheck": { resource: "api-tg", plant: (i) => void (i.healthCheck.timeout = 10), shows: '"timeout":10' },
  "elb.targetGroup.matcher": { resource: "api-tg", plant: (i) => void (i.healthCheck.matcher = "200-599"), shows: '"200-599"' },
  "elb.targetGroup.deregistrationDelay": { resource: "api-tg", plant: (i) => void (i.deregistrationDelay = 7200), shows: "7200" },
  "elb.targetGroup.targetType": { resource: "api-tg", plant: (i) => void (i.targetType = "task"), shows: '"task"' },
  "elb.listener.protocol": { resource: "nexiom-http", plant: (i) => void (i.protocol = "HTTPS"), shows: '"protocol":"HTTPS"' },
  "elb.action.fixedResponse": { resource: "nexiom-http", plant: (i) => void (i.defaultActions[0].fixedResponse.statusCode = "302"), shows: '"statusCode":"302"' },
  "elb.action.redirect": { resource: "nexiom-http@domain", plant: (i) => void (i.defaultActions[0].redirect.statusCode = "HTTP_307"), shows: '"HTTP_307"' },
  "elb.listenerRule.priority": { resource: "api-route", plant: (i) => void (i.priority = 0), shows: "0" },
  "elb.listenerRule.pathPattern": { resource: "api-route", plant: (i) => void (i.conditions[0].pathPattern.values = [`/${"a".repeat(130)}`]), shows: "/aaaa" },
  "ecs.cluster.name": { resource: "nexiom-cluster", plant: (i) => void (i.name = "nexiom prod"), shows: '"nexiom prod"' },
  "ecs.cluster.settings": { resource: "nexiom-cluster", plant: (i) => void (i.settings[0].value = "on"), shows: '"value":"on"' },
  "ecs.service.name": { resource: "api-service", plant: (i) => void (i.name = "api.v2"), shows: '"api.v2"' },
  "ecs.service.fargateOptions": { resource: "api-service", plant: (i) => void (i.launchType = "EC2"), shows: '"platformVersion":"LATEST"' },
  "ecs.service.enums": { resource: "api-service", plant: (i) => void (i.propagateTags = "ALL"), shows: '"propagateTags":"ALL"' },
  "ecs.service.serviceConnect.discoveryName": { resource: "api-service", plant: (i) => void (i.serviceConnectConfiguration.services[0].discoveryName = "-api"), shows: '"-api"' },
  "ecs.service.serviceConnect.clientAlias": { resource: "api-service", plant: (i) => void i.serviceConnectConfiguration.services[0].clientAlias.push({ port: 3001, dnsName: "api2" }), shows: '"dnsName":"api2"' },
  "ecs.service.alarms": { resource: "api-service", plant: (i) => void (i.alarms = { alarmNames: [], enable: true, rollback: true }), shows: '"alarmNames":[]' },
  "ecs.taskDefinition.family": { resource: "api-task", plant: (i) => void (i.family = "nexiom/api"), shows: '"nexiom/api"' },
  "ecs.taskDefinition.fargateSize": { resource: "api-task", plant: (i) => void (i.memory = "4096"), shows: '"memory":"4096"' },
  "ecs.container.name": { resource: "api-task", plant: (i) => editContainer(i, (c) => (c.name = "api:main")), shows: '"api:main"' },
  "ecs.container.portMappings": { resource: "api-task", plant: (i) => editContainer(i, (c) => (c.portMappings[0].hostPort = 80)), shows: '"hostPort":80' },
  "ecs.container.stopTimeout": { resource: "api-task", plant: (i) => editContainer(i, (c) => (c.stopTimeout = 300)), shows: "300" },
  "ecs.container.mountPoints": { resource: "api-task", plant: (i) => editContainer(i, (c) => (c.mountPoints[0].sourceVolume = "scratch")), shows: '"source":"scratch"' },
  "ecs.container.secrets": { resource: "api-task", plant: (i) => editContainer(i, (c) => (c.secrets[0].valueFrom = "nexiom/db/password")), shows: '"nexiom/db/password"' },
  "ecs.container.awslogs": { resource: "api-task", plant: (i) => editContainer(i, (c) => delete c.logConfiguration.options["awslogs-stream-prefix"]), shows: '"awslogs-group"' },
  "rds.cluster.identifier": { resource: "db-cluster", plant: (i) => void (i.clusterIdentifier = "nexiom--db"), shows: '"nexiom--db"' },
  "rds.cluster.finalSnapshotIdentifier": { resource: "db-cluster", plant: (i) => void (i.finalSnapshotIdentifier = "nexiom_db_final"), shows: '"nexiom_db_final"' },
  "rds.cluster.masterUsername": { resource: "db-cluster", plant: (i) => void (i.masterUsername = "1admin"), shows: '"1admin"' },
  "rds.cluster.databaseName": { resource: "db-cluster", plant: (i) => void (i.databaseName = "nexiom-app"), shows: '"nexiom-app"' },
  "rds.cluster.backupRetentionPeriod": { resource: "db-cluster", plant: (i) => void (i.backupRetentionPeriod = 36), shows: "36" },
  "rds.cluster.serverlessv2": { resource: "db-cluster", plant: (i) => void (i.serverlessv2ScalingConfiguration.maxCapacity = 4.25), shows: '"maxCapacity":4.25' },
  "rds.cluster.logExports": { resource: "db-cluster", plant: (i) => void i.enabledCloudwatchLogsExports.push("upgrade"), shows: '"upgrade"' },
  "rds.cluster.port": { resource: "db-cluster", plant: (i) => void (i.port = 80), shows: "80" },
  "rds.instance.identifier": { resource: "db-writer", plant: (i) => void (i.identifier = "1-writer"), shows: '"1-writer"' },
  "rds.instance.promotionTier": { resource: "db-reader", plant: (i) => void (i.promotionTier = 16), shows: "16" },
  "rds.subnetGroup.name": { resource: "db-subnets", plant: (i) => void (i.name = "Nexiom-DB"), shows: '"Nexiom-DB"' },
  "elasticache.replicationGroup.id": { resource: "cache-group", plant: (i) => void (i.replicationGroupId = "nexiom-production-cache-replication-group"), shows: "nexiom-production-cache" },
  "elasticache.replicationGroup.authToken": { resource: "cache-group", plant: (i) => void (i.authToken = `${i.authToken}@`), shows: '"authToken":"[secret]"' },
  "elasticache.replicationGroup.failover": { resource: "cache-group", plant: (i) => void (i.numCacheClusters = 1), shows: '"numCacheClusters":1' },
  "elasticache.replicationGroup.snapshotRetentionLimit": { resource: "cache-group", plant: (i) => void (i.snapshotRetentionLimit = 40), shows: "40" },
  "elasticache.replicationGroup.engine": { resource: "cache-group", plant: (i) => void (i.engine = "memcached"), shows: '"engine":"memcached"' },
  "elasticache.subnetGroup.name": { resource: "cache-subnets", plant: (i) => void (i.name = "nexiom_cache"), shows: '"nexiom_cache"' },
  "secretsmanager.secret.name": { resource: "cache-auth-token", plant: (i) => void (i.name = "nexiom/cache/auth token"), shows: '"nexiom/cache/auth token"' },
  "secretsmanager.secret.recoveryWindowInDays": { resource: "cache-auth-token", plant: (i) => void (i.recoveryWindowInDays = 3), shows: "3" },
  "iam.role.name": { resource: "api-execution", plant: () => `api-${"execution-".repeat(6)}role`, shows: "api-execution-execution" },
  "iam.role.description": { resource: "api-execution", plant: (i) => void (i.description = "ECS starts api tasks — pull, log, read"), shows: "—" },
  "iam.rolePolicy.name": { resource: "api-execution", plant: (i) => void (i.name = "api execution"), shows: '"api execution"' },
  "iam.policyDocument": { resource: "api-execution", plant: (i) => editPolicy(i, "assumeRolePolicy", (d) => (d.Statement[0].Effect = "Permit")), shows: '"Effect":"Permit"' },
  "iam.rolePolicy.document": { resource: "api-execution", plant: (i) => editPolicy(i, "policy", (d) => delete d.Statement[0].Action), shows: '{"Statement":{"Effect":"Allow","Resource":"*"}}' },
  "logs.logGroup.name": { resource: "api-logs", plant: (i) => void (i.name = "/ecs/nexiom/api service"), shows: '"/ecs/nexiom/api service"' },
  "logs.logGroup.retentionInDays": { resource: "api-logs", plant: (i) => void (i.retentionInDays = 45), shows: "45" },
  "s3.bucket.name": { resource: "nexiom-alb-logs", plant: () => "Nexiom-ALB-logs", shows: '"Nexiom-ALB-logs-' },
  "s3.lifecycle.rules": { resource: "nexiom-alb-logs", plant: (i) => void (i.rules[0].expiration.days = 0), shows: '"days":0' },
  "s3.encryption.algorithm": { resource: "nexiom-alb-logs", plant: (i) => void (i.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm = "SSE-S3"), shows: '"SSE-S3"' },
  "s3.ownership": { resource: "nexiom-alb-logs", plant: (i) => void (i.rule.objectOwnership = "BucketOwner"), shows: '"BucketOwner"' },
  "s3.bucketPolicy.document": { resource: "nexiom-alb-logs", plant: (i) => editPolicy(i, "policy", (d) => delete d.Statement[2].Principal), shows: '"Sid":"DenyInsecureTransport"' },
  "ecr.repository.name": { resource: "api-repository", plant: (i) => void (i.name = "nexiom/API"), shows: '"nexiom/API"' },
  "ecr.repository.tagMutability": { resource: "api-repository", plant: (i) => void (i.imageTagMutabilityExclusionFilters = []), shows: '"imageTagMutabilityExclusionFilters":[]' },
  "ecr.repository.encryption": { resource: "api-repository", plant: (i) => void (i.encryptionConfigurations[0].encryptionType = "SSE"), shows: '"SSE"' },
  "ecr.lifecyclePolicy.rules": { resource: "api-lifecycle", plant: (i) => editPolicy(i, "policy", (d) => d.rules.forEach((r: Inputs) => (r.rulePriority = 3 - r.rulePriority))), shows: '{"tagStatus":"any","rulePriority":1,"priorities":[2,1]' },
  "servicediscovery.httpNamespace": { resource: "nexiom-namespace", plant: (i) => void (i.name = "nexiom prod"), shows: '"nexiom prod"' },
  "appautoscaling.target": { resource: "api-scaling", plant: (i) => void (i.minCapacity = 7), shows: '"minCapacity":7' },
  "appautoscaling.policy.name": { resource: "api-cpu", plant: () => `api-${"cpu".repeat(90)}`, shows: "api-cpucpu" },
  "appautoscaling.policy.metric": { resource: "api-requests", plant: (i) => void delete i.targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.resourceLabel, shows: "ALBRequestCountPerTarget" },
  "acm.certificate": { resource: "nexiom-certificate@domain", plant: (i) => void (i.validationMethod = "HTTP"), shows: '"validationMethod":"HTTP"' },
  "route53.record": { resource: "nexiom-domain@domain", plant: (i) => void (i.ttl = 300), shows: '"ttl":300' },
  "cloudwatch.alarm.name": { resource: "nexiom-api-target-5xx", plant: (i) => void (i.name = `nexiom-api-${"target-5xx-".repeat(24)}`), shows: "nexiom-api-target-5xx-target" },
  "cloudwatch.alarm.description": { resource: "nexiom-api-target-5xx", plant: (i) => void (i.alarmDescription = "x".repeat(1025)), shows: "xxxx" },
  "cloudwatch.alarm.period": { resource: "nexiom-api-target-5xx", plant: (i) => void (i.evaluationPeriods = 1441), shows: '"evaluationPeriods":1441' },
  "cloudwatch.alarm.statistic": { resource: "nexiom-api-cpu-high", plant: (i) => void (i.extendedStatistic = "p99"), shows: '"extendedStatistic":"p99"' },
  "cloudwatch.alarm.enums": { resource: "nexiom-api-cpu-high", plant: (i) => void (i.treatMissingData = "zero"), shows: '"treatMissingData":"zero"' },
  "cloudwatch.alarm.actions": { resource: "nexiom-api-cpu-high", plant: (i) => void (i.alarmActions = ["nexiom-alerts"]), shows: '"alarmActions":["nexiom-alerts"]' },
  "sns.topic.name": { resource: "nexiom-alerts", plant: (i) => void (i.name = "nexiom.alerts"), shows: '"nexiom.alerts"' },
  "sns.subscription": { resource: "nexiom-alerts-email@alerts", plant: (i) => void (i.endpoint = "ops"), shows: '"endpoint":"ops"' },
  tags: { resource: "nexiom-vpc", plant: (i) => void (i.tags["aws:owner"] = "ops"), shows: "aws:owner" },
};

describe("AWS input rules (offline)", () => {
  let records: Record<string, StackRecord>;
  before(async () => {
    records = {
      default: await evaluateOk("prod"),
      domain: await evaluateOk("prod", { domain: "app.example.com" }),
      endpoints: await evaluateOk("prod", { natGateways: "none" }),
      alerts: await evaluateOk("prod", { alertEmail: "ops@example.com" }),
      perAz: await evaluateOk("prod", { natGateways: "perAz", availabilityZones: "3", protectData: "false" }),
    };
  });

  /** The resource a plant names (`name` or `name@configuration`), with the type the rule is about. */
  function baseOf(type: string, where: string): RecordedResource {
    const [name, configuration] = where.split("@");
    const records_ = configuration ? [records[configuration]] : Object.values(records);
    const found = records_.flatMap((r) => r.resources).find((r) => r.name === name && (type === "*" || r.type === type));
    assert.ok(found, `no ${type} named ${name} in prod${configuration ? ` with ${configuration}` : ""}`);
    return found;
  }

  it("the prod stack passes every rule in each configuration the tests evaluate", () => {
    for (const [configuration, record] of Object.entries(records)) {
      const violations = [
        ...record.resources.flatMap((r) => checkInputs(r.type, r.name, r.inputs, r.secretPaths)),
        ...checkStack(record.resources),
      ];
      assert.deepEqual(violations, [], `${configuration}: ${describeViolations(violations)}`);
    }
  });

  it("every rule has a planted violation below, and every plant a rule", () => {
    assert.deepEqual(Object.keys(plants).sort(), [...inputRules, tagRule].map((r) => r.id).sort());
  });

  for (const rule of [...inputRules, tagRule]) {
    it(`${rule.id}: ${rule.requirement}`, () => {
      const plant = plants[rule.id];
      assert.ok(plant, `no planted violation for ${rule.id}`);
      const base = baseOf(rule.type, plant.resource);
      const ofRule = (name: string, inputs: Inputs) => checkInputs(base.type, name, inputs, base.secretPaths).filter((v) => v.rule === rule.id);
      assert.deepEqual(ofRule(base.name, base.inputs), [], "the real resource passes");
      const inputs = structuredClone(base.inputs);
      const name = plant.plant(inputs) ?? base.name;
      const [violation] = ofRule(name, inputs);
      assert.ok(violation, `planted value not rejected by ${rule.id}`);
      const message = describeViolations([violation]);
      for (const part of [base.type, `"${name}"`, rule.input, plant.shows, rule.requirement, rule.source]) {
        assert.ok(message.includes(part), `message lacks ${part}:\n${message}`);
      }
    });
  }

  it("auto-named resources are checked under the name Pulumi gives them: the name, a hyphen and 7 random characters", () => {
    assert.match(autoName("api-tg"), /^api-tg-[0-9a-f]{7}$/);
    // 24 characters fit a 32-character target group name after the suffix; 25 do not.
    const group = baseOf("aws:lb/targetGroup:TargetGroup", "api-tg");
    assert.deepEqual(checkInputs(group.type, "a".repeat(24), group.inputs).map((v) => v.rule), []);
    assert.deepEqual(checkInputs(group.type, "a".repeat(25), group.inputs).map((v) => v.rule), ["elb.targetGroup.name"]);
  });

  it("never shows a secret input's value, even when it breaks a rule", () => {
    const group = baseOf("aws:elasticache/replicationGroup:ReplicationGroup", "cache-group");
    const token = mockPassword("cache-auth-token", 48);
    const inputs = { ...group.inputs, authToken: `${token}/` };
    const message = describeViolations(checkInputs(group.type, group.name, inputs, group.secretPaths));
    assert.match(message, /authToken/);
    assert.ok(!message.includes(token), message);
  });

  const stackPlants: Record<string, { plant: (resources: RecordedResource[]) => void; shows: string }> = {
    "stack.uniqueNames": {
      plant: (resources) => {
        const logs = resources.find((r) => r.name === "api-logs")!;
        resources.push({ ...logs, urn: `${logs.urn}-copy`, name: "api-logs-copy" });
      },
      shows: '"/ecs/nexiom/api"',
    },
    "stack.subnetsInVpc": { plant: (resources) => void (resources.find((r) => r.name === "nexiom-private-1" && r.type.endsWith("Subnet"))!.inputs.cidrBlock = "10.0.0.0/20"), shows: '"10.0.0.0/20"' },
    "stack.subnetGroupsSpanZones": {
      plant: (resources) => {
        const group = resources.find((r) => r.name === "db-subnets")!;
        group.inputs.subnetIds = [(group.inputs.subnetIds as string[])[0]];
      },
      shows: "subnetIds",
    },
    "stack.dbInstanceZones": { plant: (resources) => void (resources.find((r) => r.name === "db-reader")!.inputs.availabilityZone = "eu-west-1c"), shows: '"eu-west-1c"' },
    "stack.listenerRulePriorities": { plant: (resources) => void (resources.find((r) => r.name === "web-route")!.inputs.priority = 10), shows: "= 10" },
    "stack.serviceMatchesTask": { plant: (resources) => void ((resources.find((r) => r.name === "api-service")!.inputs.loadBalancers as Inputs[])[0].containerPort = 8080), shows: '"containerPort":8080' },
    "stack.deploymentAlarmsExist": { plant: (resources) => void (resources.find((r) => r.name === "api-service")!.inputs.alarms = { alarmNames: ["api-missing"], enable: true, rollback: true }), shows: '"api-missing"' },
  };

  it("every stack rule has a planted violation below", () => {
    assert.deepEqual(Object.keys(stackPlants).sort(), stackRules.map((r) => r.id).sort());
  });

  for (const rule of stackRules) {
    it(`${rule.id}: ${rule.requirement}`, () => {
      const resources = structuredClone(records.default.resources);
      stackPlants[rule.id].plant(resources);
      const violations = checkStack(resources).filter((v) => v.rule === rule.id);
      assert.ok(violations.length > 0, `planted value not rejected by ${rule.id}`);
      const message = describeViolations(violations);
      for (const part of [rule.input, stackPlants[rule.id].shows, rule.requirement, rule.source]) assert.ok(message.includes(part), `message lacks ${part}:\n${message}`);
    });
  }

  it("an evaluation whose program sets an input AWS would refuse fails with the resource, the input, the value and the rule", async () => {
    const root = path.resolve(__dirname, "..");
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "nexiom-rules-"));
    try {
      const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" }).split("\n").filter(Boolean);
      for (const file of files.filter((f) => fs.existsSync(path.join(root, f)))) {
        fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
        fs.copyFileSync(path.join(root, file), path.join(copy, file));
      }
      fs.symlinkSync(path.join(root, "node_modules"), path.join(copy, "node_modules"), "dir");
      const file = path.join(copy, "components/platform/aws-load-balancer.ts");
      fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("out only to the service ports", "out only to the services' ports"));
      const record = await evaluateAt(copy, "prod");
      assert.match(String(record.error), /aws:ec2\/securityGroup:SecurityGroup "nexiom-alb-sg": description = "Load balancer: HTTP\(S\) from the internet, out only to the services' ports"\. Security group descriptions are up to 255 characters/);
      assert.match(String(record.error), /API_CreateSecurityGroup\.html/);
      // The base of a pull request's diff is evaluated without the rules: the fix must still get its diff.
      assert.equal((await evaluateAt(copy, "prod", {}, { awsRules: false })).error, undefined);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });
});
