import { strict as assert } from "node:assert";
import { taskContainer } from "./support/containers";
import { evaluateOk, find, ofType, type StackRecord } from "../offline/evaluate";

const domain = { domain: "app.example.com" };

/** Every security group rule as "from -> to:port", with groups by resource name and CIDRs as themselves. */
function securityGroupRules(record: StackRecord): { ingress: string[]; egress: string[] } {
  const groupName = new Map(ofType(record, "aws:ec2/securityGroup:SecurityGroup").map((g) => [g.id, g.name.replace(/-sg$/, "")]));
  const peer = (inputs: Record<string, unknown>) =>
    String(inputs.referencedSecurityGroupId ? groupName.get(String(inputs.referencedSecurityGroupId)) : inputs.cidrIpv4 ?? inputs.cidrIpv6 ?? inputs.prefixListId);
  const describe = (type: string, direction: "in" | "out") =>
    ofType(record, type)
      .map(({ inputs }) => {
        const own = groupName.get(String(inputs.securityGroupId));
        const port = inputs.fromPort === inputs.toPort ? `${inputs.fromPort}` : `${inputs.fromPort}-${inputs.toPort}`;
        return direction === "in" ? `${peer(inputs)} -> ${own}:${port}` : `${own} -> ${peer(inputs)}:${port}`;
      })
      .sort();
  return {
    ingress: describe("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "in"),
    egress: describe("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "out"),
  };
}

describe("prod stack (AWS)", () => {
  describe("network", () => {
    it("spans two availability zones with public, private and isolated subnets in each", async () => {
      const prod = await evaluateOk("prod");
      const subnets = ofType(prod, "aws:ec2/subnet:Subnet");
      assert.deepEqual(subnets.map((s) => s.name).sort(), ["nexiom-isolated-1", "nexiom-isolated-2", "nexiom-private-1", "nexiom-private-2", "nexiom-public-1", "nexiom-public-2"]);
      assert.deepEqual([...new Set(subnets.map((s) => s.inputs.availabilityZone))].sort(), ["eu-west-1a", "eu-west-1b"]);
      for (const subnet of subnets) assert.equal(subnet.inputs.mapPublicIpOnLaunch, false, subnet.name);
    });

    it("uses one NAT gateway by default, one per AZ on request, and VPC endpoints instead with none", async () => {
      const nats = async (natGateways: string) => ofType(await evaluateOk("prod", { natGateways }), "aws:ec2/natGateway:NatGateway").length;
      assert.equal(ofType(await evaluateOk("prod"), "aws:ec2/natGateway:NatGateway").length, 1);
      assert.equal(await nats("perAz"), 2);
      assert.equal(await nats("none"), 0);
      const endpoints = ofType(await evaluateOk("prod", { natGateways: "none" }), "aws:ec2/vpcEndpoint:VpcEndpoint").map((e) => e.inputs.serviceName).sort();
      assert.deepEqual(endpoints, ["com.amazonaws.eu-west-1.ecr.api", "com.amazonaws.eu-west-1.ecr.dkr", "com.amazonaws.eu-west-1.logs", "com.amazonaws.eu-west-1.s3", "com.amazonaws.eu-west-1.secretsmanager"]);
    });

    it("routes private subnets through the NAT and gives isolated subnets no route out at all", async () => {
      const prod = await evaluateOk("prod");
      const nat = find(prod, "aws:ec2/natGateway:NatGateway", "nexiom-nat-1");
      for (const i of [1, 2]) assert.deepEqual(find(prod, "aws:ec2/routeTable:RouteTable", `nexiom-private-${i}`).inputs.routes, [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }]);
      assert.equal(find(prod, "aws:ec2/routeTable:RouteTable", "nexiom-isolated-rt").inputs.routes, undefined);
    });
  });

  describe("routing", () => {
    it("sends /api/* to the API and everything else to the web app, on one load balancer", async () => {
      const prod = await evaluateOk("prod");
      const targetGroup = (name: string) => find(prod, "aws:lb/targetGroup:TargetGroup", `${name}-tg`).id;
      const rules = ofType(prod, "aws:lb/listenerRule:ListenerRule").map((r) => ({
        priority: r.inputs.priority,
        paths: (r.inputs.conditions as { pathPattern: { values: string[] } }[])[0].pathPattern.values,
        target: (r.inputs.actions as { targetGroupArn: string }[])[0].targetGroupArn,
      }));
      const arnOf = (name: string) => `arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/${name}-tg/`;
      assert.equal(ofType(prod, "aws:lb/loadBalancer:LoadBalancer").length, 1);
      assert.deepEqual(rules.map((r) => [r.priority, r.paths, r.target.startsWith(arnOf(r.target.includes("api-tg") ? "api" : "web"))]).sort(), [
        [10, ["/api/*"], true],
        [100, ["/*"], true],
      ]);
      assert.ok(rules.find((r) => r.priority === 10)!.target.includes("/api-tg/"));
      assert.ok(targetGroup("api") && targetGroup("web"));
    });

    it("health-checks the API on its liveness route and the web app on /healthz, by task IP", async () => {
      const prod = await evaluateOk("prod");
      for (const [name, path] of [["api", "/api/health"], ["web", "/healthz"]]) {
        const group = find(prod, "aws:lb/targetGroup:TargetGroup", `${name}-tg`).inputs;
        assert.equal(group.targetType, "ip");
        assert.equal((group.healthCheck as { path: string }).path, path);
      }
    });

    it("without a domain: plain HTTP on the load balancer's DNS name, and the outputs say so", async () => {
      const prod = await evaluateOk("prod");
      const listeners = ofType(prod, "aws:lb/listener:Listener");
      assert.deepEqual(listeners.map((l) => [l.inputs.port, l.inputs.protocol]), [[80, "HTTP"]]);
      assert.match(String(prod.outputs.url), /^http:\/\/nexiom-alb-\d+\.eu-west-1\.elb\.amazonaws\.com$/);
      assert.equal(prod.outputs.https, false);
      assert.match(String(prod.outputs.notice), /Plain HTTP .* set nexiom:domain/);
    });

    it("with a domain: HTTPS with a DNS-validated ACM certificate, HTTP redirected, the domain aliased to the load balancer", async () => {
      const prod = await evaluateOk("prod", domain);
      const https = find(prod, "aws:lb/listener:Listener", "nexiom-https").inputs;
      assert.equal(https.port, 443);
      assert.equal(https.sslPolicy, "ELBSecurityPolicy-TLS13-1-2-Res-2021-06");
      assert.match(String(https.certificateArn), /^arn:aws:acm:eu-west-1:123456789012:certificate\//);
      const http = find(prod, "aws:lb/listener:Listener", "nexiom-http").inputs;
      assert.deepEqual(http.defaultActions, [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }]);
      const alias = find(prod, "aws:route53/record:Record", "nexiom-domain").inputs;
      assert.equal(alias.name, "app.example.com");
      assert.equal(alias.zoneId, "Z0123456789ABCDEFGHIJ");
      assert.equal(find(prod, "aws:acm/certificate:Certificate", "nexiom-certificate").inputs.validationMethod, "DNS");
      assert.equal(prod.outputs.url, "https://app.example.com");
      assert.equal(prod.outputs.apiUrl, "https://app.example.com/api");
      assert.equal(prod.outputs.notice, undefined);
    });

    it("creates the web service after the API's, so Service Connect already resolves api:3000 when nginx starts", async () => {
      const prod = await evaluateOk("prod");
      const api = find(prod, "aws:ecs/service:Service", "api-service");
      assert.ok(find(prod, "aws:ecs/service:Service", "web-service").dependsOn.includes(api.urn));
    });

    it("lets nginx reach the API as api:3000 through Service Connect, as in dev", async () => {
      const prod = await evaluateOk("prod");
      const api = find(prod, "aws:ecs/service:Service", "api-service").inputs.serviceConnectConfiguration as Record<string, unknown>;
      assert.deepEqual(api.services, [{ portName: "http", discoveryName: "api", clientAlias: [{ port: 3000, dnsName: "api" }] }]);
      const web = await taskContainer("web");
      assert.deepEqual(web.environment, [{ name: "API_UPSTREAM", value: "api:3000" }, { name: "NGINX_PORT", value: "8080" }]);
    });
  });

  describe("security groups (by reference only)", () => {
    it("open the world only to the load balancer, the load balancer only to the services, the API only to the database and cache", async () => {
      const { ingress, egress } = securityGroupRules(await evaluateOk("prod"));
      assert.deepEqual(ingress, [
        "0.0.0.0/0 -> nexiom-alb:80",
        "api -> cache:6379",
        "api -> db:5432",
        "nexiom-alb -> api:3000",
        "nexiom-alb -> web:8080",
        "web -> api:3000",
      ]);
      assert.deepEqual(egress, [
        "api -> 0.0.0.0/0:443",
        "api -> cache:6379",
        "api -> db:5432",
        "nexiom-alb -> api:3000",
        "nexiom-alb -> web:8080",
        "web -> 0.0.0.0/0:443",
        "web -> api:3000",
      ]);
    });

    it("without NAT, let tasks reach AWS APIs only through the VPC's endpoints: the VPC on 443 and S3's prefix list", async () => {
      const prod = await evaluateOk("prod", { natGateways: "none" });
      const { egress } = securityGroupRules(prod);
      assert.deepEqual(egress.filter((r) => r.endsWith(":443")), ["api -> 10.0.0.0/16:443", "api -> pl-6da54004:443", "web -> 10.0.0.0/16:443", "web -> pl-6da54004:443"]);
      const s3 = find(prod, "aws:ec2/vpcEndpoint:VpcEndpoint", "nexiom-endpoint-s3");
      assert.equal(s3.inputs.vpcEndpointType, "Gateway");
      for (const name of ["api", "web"]) assert.equal(find(prod, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", `${name}-to-s3`).inputs.prefixListId, "pl-6da54004");
    });

    it("with a domain, add HTTPS from the world to the load balancer and nothing else", async () => {
      const { ingress } = securityGroupRules(await evaluateOk("prod", domain));
      assert.deepEqual(ingress.filter((r) => r.includes("/0")), ["0.0.0.0/0 -> nexiom-alb:443", "0.0.0.0/0 -> nexiom-alb:80"]);
    });

    it("define no inline rules that would bypass the reviewed list, and leave the default group empty", async () => {
      const prod = await evaluateOk("prod");
      for (const group of ofType(prod, "aws:ec2/securityGroup:SecurityGroup")) {
        assert.equal(group.inputs.ingress, undefined, group.name);
        assert.equal(group.inputs.egress, undefined, group.name);
      }
      const defaultGroup = find(prod, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "nexiom-default-sg").inputs;
      assert.equal(defaultGroup.ingress, undefined);
      assert.equal(defaultGroup.egress, undefined);
    });
  });

  describe("services", () => {
    it("run on Fargate in private subnets without public IPs", async () => {
      const prod = await evaluateOk("prod");
      const privateSubnets = ofType(prod, "aws:ec2/subnet:Subnet").filter((s) => s.name.includes("private")).map((s) => s.id).sort();
      for (const name of ["api", "web"]) {
        const service = find(prod, "aws:ecs/service:Service", `${name}-service`).inputs;
        assert.equal(service.launchType, "FARGATE");
        const network = service.networkConfiguration as { subnets: string[]; assignPublicIp: boolean };
        assert.deepEqual([...network.subnets].sort(), privateSubnets);
        assert.equal(network.assignPublicIp, false);
      }
    });

    it("take CPU, memory, desired count and scaling bounds from config", async () => {
      const prod = await evaluateOk("prod", { apiCpu: "1024", apiMemory: "3072", apiDesiredCount: "3", apiMaxCount: "9" });
      const task = find(prod, "aws:ecs/taskDefinition:TaskDefinition", "api-task").inputs;
      assert.equal(task.cpu, "1024");
      assert.equal(task.memory, "3072");
      assert.equal(find(prod, "aws:ecs/service:Service", "api-service").inputs.desiredCount, 3);
      const scaling = find(prod, "aws:appautoscaling/target:Target", "api-scaling").inputs;
      assert.equal(scaling.minCapacity, 3);
      assert.equal(scaling.maxCapacity, 9);
      assert.equal(scaling.resourceId, "service/nexiom/api");
    });

    it("roll back a failing deployment by themselves and keep full capacity while deploying", async () => {
      const prod = await evaluateOk("prod");
      for (const name of ["api", "web"]) {
        const service = find(prod, "aws:ecs/service:Service", `${name}-service`);
        assert.deepEqual(service.inputs.deploymentCircuitBreaker, { enable: true, rollback: true });
        assert.equal(service.inputs.deploymentMinimumHealthyPercent, 100);
        assert.equal(service.inputs.deploymentMaximumPercent, 200);
        assert.deepEqual(service.ignoreChanges, ["desiredCount"], "the autoscaler owns the running count");
      }
    });

    it("grant each execution role only its own image, log group and secrets", async () => {
      const prod = await evaluateOk("prod");
      const policy = JSON.parse(String(find(prod, "aws:iam/rolePolicy:RolePolicy", "api-execution").inputs.policy));
      const resources = policy.Statement.map((s: { Action: string[]; Resource: unknown }) => [s.Action[0], s.Resource]);
      const secretArns = (await taskContainer("api")).secrets.map((s) => s.valueFrom.replace(/:password::$/, ""));
      assert.deepEqual(resources, [
        ["ecr:GetAuthorizationToken", "*"],
        ["ecr:BatchCheckLayerAvailability", "arn:aws:ecr:eu-west-1:123456789012:repository/nexiom/api"],
        ["logs:CreateLogStream", "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/nexiom/api:*"],
        ["secretsmanager:GetSecretValue", secretArns],
      ]);
      const webPolicy = JSON.parse(String(find(prod, "aws:iam/rolePolicy:RolePolicy", "web-execution").inputs.policy));
      assert.equal(webPolicy.Statement.some((s: { Action: string[] }) => s.Action.includes("secretsmanager:GetSecretValue")), false);
    });

    it("let the API's task role read the database secret, exactly, and no other task role read anything", async () => {
      const prod = await evaluateOk("prod");
      const policy = JSON.parse(String(find(prod, "aws:iam/rolePolicy:RolePolicy", "api-task").inputs.policy));
      const databaseSecret = (await taskContainer("api")).environment.find((e) => e.name === "DATABASE_CREDENTIALS_ARN")?.value;
      assert.match(databaseSecret ?? "", /^arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-/);
      assert.deepEqual(policy.Statement, [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [databaseSecret] }]);
      const taskPolicies = ofType(prod, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.name.endsWith("-task"));
      assert.deepEqual(taskPolicies.map((p) => p.name), ["api-task"]);
      const task = find(prod, "aws:ecs/taskDefinition:TaskDefinition", "api-task");
      assert.ok(task.dependsOn.some((urn) => urn.endsWith("::api-task") && urn.includes("RolePolicy")), "the task definition waits for its task role's policy");
    });
  });

  describe("data", () => {
    it("Aurora PostgreSQL Serverless v2 with a writer and a reader in different AZs, capacity from config", async () => {
      const prod = await evaluateOk("prod", { databaseMinCapacity: "1", databaseMaxCapacity: "8" });
      const cluster = find(prod, "aws:rds/cluster:Cluster", "db-cluster").inputs;
      assert.equal(cluster.engine, "aurora-postgresql");
      assert.deepEqual(cluster.serverlessv2ScalingConfiguration, { minCapacity: 1, maxCapacity: 8 });
      const instances = ["db-writer", "db-reader"].map((name) => find(prod, "aws:rds/clusterInstance:ClusterInstance", name).inputs);
      assert.deepEqual(instances.map((i) => [i.instanceClass, i.availabilityZone, i.promotionTier]), [
        ["db.serverless", "eu-west-1a", 0],
        ["db.serverless", "eu-west-1b", 1],
      ]);
    });

    it("ElastiCache for Valkey with TLS, an AUTH token and failover across AZs", async () => {
      const group = find(await evaluateOk("prod"), "aws:elasticache/replicationGroup:ReplicationGroup", "cache-group");
      assert.equal(group.inputs.engine, "valkey");
      assert.equal(group.inputs.transitEncryptionEnabled, true);
      assert.equal(group.inputs.automaticFailoverEnabled, true);
      assert.equal(group.inputs.multiAzEnabled, true);
      assert.equal(group.inputs.numCacheClusters, 2);
      assert.ok(group.secretPaths.includes("authToken"), "the AUTH token is a secret input");
    });

    it("protects Aurora, Redis and ECR from deletion by default and releases them when protectData is false", async () => {
      const stateful = ["aws:rds/cluster:Cluster", "aws:rds/clusterInstance:ClusterInstance", "aws:elasticache/replicationGroup:ReplicationGroup", "aws:ecr/repository:Repository"];
      for (const [protectData, expected] of [["true", true], ["false", false]] as const) {
        const prod = await evaluateOk("prod", { protectData });
        for (const type of stateful) {
          for (const resource of ofType(prod, type)) {
            assert.equal(resource.protect, expected, `${resource.name} protect`);
            assert.equal(resource.retainOnDelete, expected, `${resource.name} retainOnDelete`);
          }
        }
        assert.equal(find(prod, "aws:rds/cluster:Cluster", "db-cluster").inputs.deletionProtection, expected);
      }
    });
  });
});
