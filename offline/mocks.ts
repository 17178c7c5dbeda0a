/**
 * Mocks for the Pulumi engine and its providers (Docker, docker-build, AWS, random), which cannot run
 * on this machine. They return what the real providers return (ARNs, endpoints, digests, image IDs,
 * managed secret ARNs) so that wiring between resources is exercised rather than echoed, and they
 * are deterministic: the same inputs always give the same outputs.
 */
import type * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";

export const account = "123456789012";
export const region = "eu-west-1";
export const availabilityZones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"];
export const hostedZoneId = "Z0123456789ABCDEFGHIJ";

/** Hex digest of anything, for IDs and digests that depend only on what they describe. */
export function digestOf(value: unknown, length = 64): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, length);
}

/**
 * Which life of the stack this evaluation is: random values stay the same across evaluations of one
 * incarnation (they live in state) and differ in the next one, as after `pulumi destroy` and `pulumi up`.
 */
const incarnation = process.env.NEXIOM_MOCK_INCARNATION ?? "";

/** The password `random.RandomPassword` "generates" for a resource name: known to tests, stable across runs. */
export function mockPassword(name: string, length: number): string {
  let out = "";
  for (let i = 0; out.length < length; i++) out += createHash("sha256").update(`${name}:${i}`).digest("base64").replace(/[^a-zA-Z0-9]/g, "");
  return out.slice(0, length);
}

const arn = (service: string, resource: string, inRegion = true) =>
  `arn:aws:${service}:${inRegion ? region : ""}:${account}:${resource}`;

type Outputs = Record<string, unknown>;
type Inputs = Record<string, any>;

/** Extra outputs per resource type, beyond the inputs that providers echo back. */
const outputsByType: Record<string, (name: string, inputs: Inputs, id: string) => Outputs> = {
  "random:index/randomPassword:RandomPassword": (name, inputs) => ({ result: mockPassword(name, inputs.length ?? 16) }),
  "random:index/randomId:RandomId": (name, inputs) => ({ hex: digestOf(["random-id", name, incarnation], Number(inputs.byteLength) * 2) }),

  "docker:index/remoteImage:RemoteImage": (_name, inputs) => ({
    imageId: `sha256:${digestOf(["image", inputs.name])}`,
    repoDigest: `${String(inputs.name).split(":")[0]}@sha256:${digestOf(["manifest", inputs.name])}`,
  }),
  "docker:index/network:Network": (_name, inputs, id) => ({ id, scope: "local", ipamConfigs: [{ subnet: "172.20.0.0/16", gateway: "172.20.0.1" }], name: inputs.name }),
  "docker:index/volume:Volume": (_name, inputs) => ({ mountpoint: `/var/lib/docker/volumes/${inputs.name}/_data`, driver: "local" }),
  "docker:index/container:Container": (_name, inputs) => ({ exitCode: 0, hostname: digestOf(inputs.name, 12), networkDatas: [{ networkName: "nexiom-network", ipAddress: "172.20.0.5" }] }),
  "docker-build:index:Image": (_name, inputs) => {
    const digest = `sha256:${digestOf(["build", inputs.context, inputs.dockerfile, inputs.target, inputs.buildArgs, inputs.tags, inputs.platforms])}`;
    const tag = inputs.tags?.[0] ?? "";
    return { digest, contextHash: digestOf(["context", inputs.context]), ref: inputs.push ? `${tag}@${digest}` : tag };
  },

  "aws:ec2/vpc:Vpc": (_name, _inputs, id) => ({ arn: arn("ec2", `vpc/${id}`), defaultSecurityGroupId: `sg-${digestOf(["default", id], 17)}`, mainRouteTableId: `rtb-${digestOf(["main", id], 17)}` }),
  "aws:ec2/subnet:Subnet": (_name, _inputs, id) => ({ arn: arn("ec2", `subnet/${id}`) }),
  "aws:ec2/securityGroup:SecurityGroup": (_name, _inputs, id) => ({ arn: arn("ec2", `security-group/${id}`) }),
  "aws:ec2/natGateway:NatGateway": () => ({ publicIp: "203.0.113.10", privateIp: "10.0.0.10" }),
  "aws:ec2/eip:Eip": (_name, _inputs, id) => ({ allocationId: id, publicIp: "203.0.113.10" }),
  // eu-west-1's S3 prefix list, which gateway endpoints route to.
  "aws:ec2/vpcEndpoint:VpcEndpoint": (_name, inputs) => (inputs.vpcEndpointType === "Gateway" ? { prefixListId: "pl-6da54004" } : {}),

  "aws:ecs/cluster:Cluster": (_name, inputs) => ({ arn: arn("ecs", `cluster/${inputs.name}`) }),
  "aws:ecs/taskDefinition:TaskDefinition": (_name, inputs) => ({
    arn: arn("ecs", `task-definition/${inputs.family}:1`),
    arnWithoutRevision: arn("ecs", `task-definition/${inputs.family}`),
    revision: 1,
  }),
  "aws:ecs/service:Service": (_name, inputs) => ({ id: arn("ecs", `service/nexiom/${inputs.name}`) }),
  "aws:servicediscovery/httpNamespace:HttpNamespace": (_name, _inputs, id) => ({ arn: arn("servicediscovery", `namespace/${id}`), httpName: _inputs.name }),

  "aws:lb/loadBalancer:LoadBalancer": (name) => {
    const suffix = `app/${name}/${digestOf(name, 16)}`;
    return { arn: arn("elasticloadbalancing", `loadbalancer/${suffix}`), arnSuffix: suffix, dnsName: `${name}-${parseInt(digestOf(name, 8), 16)}.${region}.elb.amazonaws.com`, zoneId: "Z32O12XQLNTSW2" };
  },
  "aws:lb/targetGroup:TargetGroup": (name) => {
    const suffix = `targetgroup/${name}/${digestOf(name, 16)}`;
    return { arn: arn("elasticloadbalancing", suffix), arnSuffix: suffix };
  },
  "aws:lb/listener:Listener": (name) => ({ arn: arn("elasticloadbalancing", `listener/app/nexiom-alb/${digestOf("alb", 16)}/${digestOf(name, 16)}`) }),
  "aws:lb/listenerRule:ListenerRule": (name) => ({ arn: arn("elasticloadbalancing", `listener-rule/app/nexiom-alb/${digestOf(name, 16)}`) }),

  "aws:acm/certificate:Certificate": (name, inputs) => ({
    arn: arn("acm", `certificate/${digestOf(name, 8)}-${digestOf([name, 1], 4)}-${digestOf([name, 2], 4)}-${digestOf([name, 3], 4)}-${digestOf([name, 4], 12)}`),
    domainValidationOptions: [
      {
        domainName: inputs.domainName,
        resourceRecordName: `_${digestOf([name, "n"], 32)}.${inputs.domainName}.`,
        resourceRecordType: "CNAME",
        resourceRecordValue: `_${digestOf([name, "v"], 32)}.jkddzztszm.acm-validations.aws.`,
      },
    ],
  }),
  "aws:acm/certificateValidation:CertificateValidation": (_name, inputs) => ({ certificateArn: inputs.certificateArn }),
  "aws:route53/record:Record": (_name, inputs) => ({ fqdn: String(inputs.name).replace(/\.$/, "") }),

  "aws:rds/cluster:Cluster": (_name, inputs) => ({
    arn: arn("rds", `cluster:${inputs.clusterIdentifier}`),
    endpoint: `${inputs.clusterIdentifier}.cluster-c9akciq32xyz.${region}.rds.amazonaws.com`,
    readerEndpoint: `${inputs.clusterIdentifier}.cluster-ro-c9akciq32xyz.${region}.rds.amazonaws.com`,
    masterUserSecrets: inputs.manageMasterUserPassword
      ? [{ secretArn: arn("secretsmanager", `secret:rds!cluster-${digestOf(inputs.clusterIdentifier, 8)}-aaaa-bbbb-cccc-${digestOf(inputs.clusterIdentifier, 12)}-AbCdEf`), kmsKeyId: arn("kms", "key/aws-secretsmanager"), secretStatus: "active" }]
      : [],
  }),
  "aws:rds/clusterInstance:ClusterInstance": (_name, inputs) => ({
    arn: arn("rds", `db:${inputs.identifier}`),
    endpoint: `${inputs.identifier}.c9akciq32xyz.${region}.rds.amazonaws.com`,
    writer: inputs.promotionTier === 0,
  }),
  "aws:rds/subnetGroup:SubnetGroup": (_name, inputs) => ({ arn: arn("rds", `subgrp:${inputs.name}`) }),
  "aws:elasticache/replicationGroup:ReplicationGroup": (_name, inputs) => ({
    arn: arn("elasticache", `replicationgroup:${inputs.replicationGroupId}`),
    primaryEndpointAddress: `master.${inputs.replicationGroupId}.x1y2z3.euw1.cache.amazonaws.com`,
    readerEndpointAddress: `replica.${inputs.replicationGroupId}.x1y2z3.euw1.cache.amazonaws.com`,
    memberClusters: [`${inputs.replicationGroupId}-001`, `${inputs.replicationGroupId}-002`],
  }),
  "aws:elasticache/subnetGroup:SubnetGroup": (_name, inputs) => ({ arn: arn("elasticache", `subnetgroup:${inputs.name}`) }),
  // A bucket's ID is its (auto-generated, globally unique) name.
  "aws:s3/bucket:Bucket": (_name, _inputs, id) => ({ bucket: id, arn: `arn:aws:s3:::${id}`, bucketDomainName: `${id}.s3.amazonaws.com`, region }),
  "aws:ec2/flowLog:FlowLog": (_name, _inputs, id) => ({ arn: arn("ec2", `vpc-flow-log/${id}`) }),
  "aws:secretsmanager/secret:Secret": (name, inputs) => ({ arn: arn("secretsmanager", `secret:${inputs.name ?? name}-${digestOf(name, 6)}`) }),
  "aws:secretsmanager/secretVersion:SecretVersion": (name) => ({ versionId: digestOf(name, 32), arn: arn("secretsmanager", `secret:${name}`) }),

  "aws:ecr/repository:Repository": (_name, inputs) => ({
    arn: arn("ecr", `repository/${inputs.name}`),
    repositoryUrl: `${account}.dkr.ecr.${region}.amazonaws.com/${inputs.name}`,
    registryId: account,
  }),
  "aws:cloudwatch/logGroup:LogGroup": (_name, inputs) => ({ arn: arn("logs", `log-group:${inputs.name}`) }),
  "aws:iam/role:Role": (name) => ({ arn: arn("iam", `role/${name}-${digestOf(name, 7)}`, false), name: `${name}-${digestOf(name, 7)}` }),
  "aws:appautoscaling/target:Target": (_name, inputs) => ({ arn: arn("application-autoscaling", `scalable-target/${digestOf(inputs.resourceId, 20)}`) }),
  "aws:appautoscaling/policy:Policy": (name) => ({ arn: arn("autoscaling", `scalingPolicy:${digestOf(name, 36)}`) }),
  "aws:cloudwatch/metricAlarm:MetricAlarm": (name, inputs) => ({ arn: arn("cloudwatch", `alarm:${inputs.name ?? name}`) }),
  "aws:sns/topic:Topic": (name, inputs) => ({ arn: arn("sns", inputs.name ?? name) }),
  "aws:sns/topicSubscription:TopicSubscription": (_name, inputs) => ({ arn: `${inputs.topic}:${digestOf(inputs.endpoint, 8)}-aaaa-bbbb-cccc-${digestOf(inputs.endpoint, 12)}`, pendingConfirmation: true }),
};

/** Physical IDs in each resource's real format. */
function physicalId(type: string, name: string): string {
  const prefixes: Record<string, string> = {
    "aws:ec2/vpc:Vpc": "vpc-",
    "aws:ec2/subnet:Subnet": "subnet-",
    "aws:ec2/securityGroup:SecurityGroup": "sg-",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg-",
    "aws:ec2/internetGateway:InternetGateway": "igw-",
    "aws:ec2/natGateway:NatGateway": "nat-",
    "aws:ec2/eip:Eip": "eipalloc-",
    "aws:ec2/routeTable:RouteTable": "rtb-",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce-",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr-",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr-",
    "aws:servicediscovery/httpNamespace:HttpNamespace": "ns-",
    "aws:ec2/flowLog:FlowLog": "fl-",
  };
  const prefix = prefixes[type];
  return prefix ? `${prefix}${digestOf([type, name], 17)}` : `${name}-${digestOf([type, name], 8)}`;
}

export const mocks: pulumi.runtime.Mocks = {
  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const id = physicalId(args.type, args.name);
    const extra = outputsByType[args.type]?.(args.name, args.inputs, id) ?? {};
    return { id, state: { ...args.inputs, ...extra } };
  },
  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    switch (args.token) {
      case "aws:index/getAvailabilityZones:getAvailabilityZones":
        return { names: availabilityZones, zoneIds: ["euw1-az1", "euw1-az2", "euw1-az3"], id: region, state: "available" };
      case "aws:index/getRegion:getRegion":
        return { region, name: region, endpoint: `ec2.${region}.amazonaws.com`, description: "Europe (Ireland)", id: region };
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return { accountId: account, arn: `arn:aws:iam::${account}:user/ci`, userId: "AIDAEXAMPLE", id: account };
      case "aws:elb/getServiceAccount:getServiceAccount":
        // The regional Elastic Load Balancing account for eu-west-1.
        return { arn: "arn:aws:iam::156460612806:root", id: "156460612806", region };
      case "aws:route53/getZone:getZone":
        return { zoneId: hostedZoneId, name: args.inputs.name, privateZone: false, id: hostedZoneId };
      default:
        // A call the mocks do not know would otherwise return nothing and hide a wiring mistake.
        throw new Error(`No mock for provider function ${args.token}`);
    }
  },
};
