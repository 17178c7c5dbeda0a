import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { NatGateways } from "../../config";

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
}

export interface AwsTarget {
  kind: "aws";
  vpcId: pulumi.Output<string>;
  vpcCidr: string;
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
  /** Prefix of names AWS shows (cluster, log groups, roles). */
  namePrefix: string;
}

const vpcCidr = "10.0.0.0/16";
// Fixed, non-overlapping ranges per AZ index: public /24s at 10.0.0-5, private /20s from 10.0.16,
// isolated /24s at 10.0.200-205. Fixed so that adding an AZ never renumbers existing subnets.
const publicCidr = (i: number) => `10.0.${i}.0/24`;
const privateCidr = (i: number) => `10.0.${16 * (i + 1)}.0/20`;
const isolatedCidr = (i: number) => `10.0.${200 + i}.0/24`;
// Allowed by Security Hub ELB.17; the more common ELBSecurityPolicy-TLS13-1-2-2021-06 is not.
const tlsPolicy = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06";

export function createAwsPlatform(parent: pulumi.Resource, name: string, args: AwsPlatformArgs): AwsTarget {
  const opts = { parent };
  const tags = (resource: string) => ({ Name: `${name}-${resource}` });

  const zones = aws.getAvailabilityZonesOutput(
    { state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
    opts,
  );
  const availabilityZones = Array.from({ length: args.availabilityZones }, (_, i) =>
    zones.names.apply((names) => {
      if (names.length < args.availabilityZones) {
        throw new Error(
          `nexiom:availabilityZones is ${args.availabilityZones} but this region has only ${names.length} available zones.`,
        );
      }
      return names[i];
    }),
  );

  const vpc = new aws.ec2.Vpc(
    `${name}-vpc`,
    { cidrBlock: vpcCidr, enableDnsHostnames: true, enableDnsSupport: true, tags: tags("vpc") },
    opts,
  );
  // Security Hub EC2.2: the default security group allows nothing, so nothing can use it by accident.
  new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.id, tags: tags("default-deny") }, opts);

  const internetGateway = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: tags("igw") }, opts);
  const publicRoutes = new aws.ec2.RouteTable(
    `${name}-public-rt`,
    { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: internetGateway.id }], tags: tags("public") },
    opts,
  );

  const publicSubnets = availabilityZones.map((availabilityZone, i) => {
    const subnet = new aws.ec2.Subnet(
      `${name}-public-${i + 1}`,
      // EC2.15: nothing launched here gets a public IP by default; only the ALB and NAT live here.
      { vpcId: vpc.id, cidrBlock: publicCidr(i), availabilityZone, mapPublicIpOnLaunch: false, tags: tags(`public-${i + 1}`) },
      opts,
    );
    new aws.ec2.RouteTableAssociation(`${name}-public-${i + 1}`, { subnetId: subnet.id, routeTableId: publicRoutes.id }, opts);
    return subnet;
  });

  // One NAT gateway by default, not one per AZ: saves about $33 a month per extra AZ, at the price that
  // an outage of the NAT's AZ cuts egress (ECR pulls, Secrets Manager) for tasks in the other AZs.
  const natCount = args.natGateways === "perAz" ? args.availabilityZones : args.natGateways === "single" ? 1 : 0;
  const natGateways = Array.from({ length: natCount }, (_, i) => {
    const eip = new aws.ec2.Eip(`${name}-nat-${i + 1}`, { domain: "vpc", tags: tags(`nat-${i + 1}`) }, opts);
    return new aws.ec2.NatGateway(
      `${name}-nat-${i + 1}`,
      { allocationId: eip.id, subnetId: publicSubnets[i].id, tags: tags(`nat-${i + 1}`) },
      { parent, dependsOn: [internetGateway] },
    );
  });

  const privateSubnets = availabilityZones.map((availabilityZone, i) => {
    const subnet = new aws.ec2.Subnet(
      `${name}-private-${i + 1}`,
      { vpcId: vpc.id, cidrBlock: privateCidr(i), availabilityZone, mapPublicIpOnLaunch: false, tags: tags(`private-${i + 1}`) },
      opts,
    );
    const nat = natGateways.length === 0 ? undefined : natGateways[Math.min(i, natGateways.length - 1)];
    const routes = new aws.ec2.RouteTable(
      `${name}-private-${i + 1}`,
      {
        vpcId: vpc.id,
        routes: nat ? [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }] : [],
        tags: tags(`private-${i + 1}`),
      },
      opts,
    );
    new aws.ec2.RouteTableAssociation(`${name}-private-${i + 1}`, { subnetId: subnet.id, routeTableId: routes.id }, opts);
    return { subnet, routes };
  });

  // RDS.46: database and cache subnets have a route table with no route out at all.
  const isolatedRoutes = new aws.ec2.RouteTable(`${name}-isolated-rt`, { vpcId: vpc.id, tags: tags("isolated") }, opts);
  const isolatedSubnets = availabilityZones.map((availabilityZone, i) => {
    const subnet = new aws.ec2.Subnet(
      `${name}-isolated-${i + 1}`,
      { vpcId: vpc.id, cidrBlock: isolatedCidr(i), availabilityZone, mapPublicIpOnLaunch: false, tags: tags(`isolated-${i + 1}`) },
      opts,
    );
    new aws.ec2.RouteTableAssociation(`${name}-isolated-${i + 1}`, { subnetId: subnet.id, routeTableId: isolatedRoutes.id }, opts);
    return subnet;
  });

  const region = aws.getRegionOutput({}, opts).region;
  if (args.natGateways === "none") {
    createVpcEndpoints(parent, name, vpc, region, privateSubnets.map((p) => p.subnet), privateSubnets.map((p) => p.routes));
  }

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

  const https = args.domain !== undefined;
  const loadBalancerSecurityGroup = new aws.ec2.SecurityGroup(
    `${name}-alb-sg`,
    { vpcId: vpc.id, description: "Load balancer: HTTP(S) from the internet, out only to the services' ports", tags: tags("alb") },
    opts,
  );
  const publicPorts = https ? [80, 443] : [80];
  for (const port of publicPorts) {
    for (const [family, cidr] of [["ipv4", "0.0.0.0/0"], ["ipv6", "::/0"]] as const) {
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-alb-in-${port}-${family}`,
        {
          securityGroupId: loadBalancerSecurityGroup.id,
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          ...(family === "ipv4" ? { cidrIpv4: cidr } : { cidrIpv6: cidr }),
          description: `HTTP${port === 443 ? "S" : ""} from the internet`,
        },
        opts,
      );
    }
  }

  const loadBalancer = new aws.lb.LoadBalancer(
    `${name}-alb`,
    {
      loadBalancerType: "application",
      internal: false,
      subnets: publicSubnets.map((s) => s.id),
      securityGroups: [loadBalancerSecurityGroup.id],
      dropInvalidHeaderFields: true,
      desyncMitigationMode: "defensive",
      enableDeletionProtection: args.protectData,
      tags: tags("alb"),
    },
    opts,
  );

  const notFound = {
    type: "fixed-response",
    fixedResponse: { contentType: "text/plain", statusCode: "404", messageBody: "Not found" },
  };
  let listener: aws.lb.Listener;
  let url: pulumi.Output<string>;
  if (args.domain !== undefined && args.hostedZone !== undefined) {
    const certificateArn = createCertificate(parent, name, args.domain, args.hostedZone, loadBalancer);
    listener = new aws.lb.Listener(
      `${name}-https`,
      { loadBalancerArn: loadBalancer.arn, port: 443, protocol: "HTTPS", sslPolicy: tlsPolicy, certificateArn, defaultActions: [notFound] },
      opts,
    );
    // ELB.1: plain HTTP only ever redirects to HTTPS.
    new aws.lb.Listener(
      `${name}-http`,
      {
        loadBalancerArn: loadBalancer.arn,
        port: 80,
        protocol: "HTTP",
        defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
      },
      opts,
    );
    url = pulumi.output(`https://${args.domain}`);
  } else {
    listener = new aws.lb.Listener(
      `${name}-http`,
      { loadBalancerArn: loadBalancer.arn, port: 80, protocol: "HTTP", defaultActions: [notFound] },
      opts,
    );
    url = pulumi.interpolate`http://${loadBalancer.dnsName}`;
  }

  return {
    kind: "aws",
    vpcId: vpc.id,
    vpcCidr,
    privateSubnetIds: privateSubnets.map((p) => p.subnet.id),
    isolatedSubnetIds: isolatedSubnets.map((s) => s.id),
    availabilityZones,
    clusterArn: cluster.arn,
    clusterName: cluster.name,
    namespaceArn: namespace.arn,
    listenerArn: listener.arn,
    loadBalancerArnSuffix: loadBalancer.arnSuffix,
    loadBalancerSecurityGroupId: loadBalancerSecurityGroup.id,
    url,
    https,
    protectData: args.protectData,
    logRetentionDays: args.logRetentionDays,
    region,
    namePrefix: name,
  };
}

/** An ACM certificate for `domain`, validated through DNS in `hostedZone`, and the domain's alias to the load balancer. */
function createCertificate(
  parent: pulumi.Resource,
  name: string,
  domain: string,
  hostedZone: string,
  loadBalancer: aws.lb.LoadBalancer,
): pulumi.Output<string> {
  const opts = { parent };
  const zone = aws.route53.getZoneOutput({ name: hostedZone, privateZone: false }, opts);
  const certificate = new aws.acm.Certificate(`${name}-certificate`, { domainName: domain, validationMethod: "DNS" }, opts);
  const validationOption = certificate.domainValidationOptions[0];
  const validationRecord = new aws.route53.Record(
    `${name}-certificate-validation`,
    {
      zoneId: zone.zoneId,
      name: validationOption.resourceRecordName,
      type: validationOption.resourceRecordType,
      records: [validationOption.resourceRecordValue],
      ttl: 300,
      allowOverwrite: true,
    },
    opts,
  );
  const validation = new aws.acm.CertificateValidation(
    `${name}-certificate`,
    { certificateArn: certificate.arn, validationRecordFqdns: [validationRecord.fqdn] },
    opts,
  );
  new aws.route53.Record(
    `${name}-domain`,
    {
      zoneId: zone.zoneId,
      name: domain,
      type: "A",
      aliases: [{ name: loadBalancer.dnsName, zoneId: loadBalancer.zoneId, evaluateTargetHealth: true }],
    },
    opts,
  );
  return validation.certificateArn;
}

/**
 * Without NAT, tasks reach ECR, CloudWatch Logs and Secrets Manager through VPC endpoints (and
 * image layers through the S3 gateway endpoint). Cheaper than NAT for low traffic, and EC2.55/56.
 */
function createVpcEndpoints(
  parent: pulumi.Resource,
  name: string,
  vpc: aws.ec2.Vpc,
  region: pulumi.Output<string>,
  subnets: aws.ec2.Subnet[],
  routeTables: aws.ec2.RouteTable[],
): void {
  const opts = { parent };
  const securityGroup = new aws.ec2.SecurityGroup(
    `${name}-endpoints-sg`,
    { vpcId: vpc.id, description: "VPC interface endpoints: HTTPS from inside the VPC only" },
    opts,
  );
  new aws.vpc.SecurityGroupIngressRule(
    `${name}-endpoints-in-https`,
    { securityGroupId: securityGroup.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: vpcCidr, description: "HTTPS from the VPC" },
    opts,
  );
  for (const service of ["ecr.api", "ecr.dkr", "logs", "secretsmanager"]) {
    new aws.ec2.VpcEndpoint(
      `${name}-endpoint-${service.replace(".", "-")}`,
      {
        vpcId: vpc.id,
        serviceName: pulumi.interpolate`com.amazonaws.${region}.${service}`,
        vpcEndpointType: "Interface",
        privateDnsEnabled: true,
        subnetIds: subnets.map((s) => s.id),
        securityGroupIds: [securityGroup.id],
      },
      opts,
    );
  }
  new aws.ec2.VpcEndpoint(
    `${name}-endpoint-s3`,
    {
      vpcId: vpc.id,
      serviceName: pulumi.interpolate`com.amazonaws.${region}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: routeTables.map((r) => r.id),
    },
    opts,
  );
}
