import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { NatGateways } from "../../config";
import { serviceTrustPolicy } from "../trust-policy";

export interface NetworkArgs {
  availabilityZones: number;
  natGateways: NatGateways;
  protectData: boolean;
  logRetentionDays: number;
  /** The account ID, which the flow-log role's trust policy names. */
  account: pulumi.Output<string>;
}

/**
 * Where tasks reach AWS APIs on 443: anywhere through NAT (public endpoints have no fixed addresses), or
 * only the VPC's interface endpoints and S3's gateway endpoint (its prefix list) when there is no NAT.
 */
export type AwsApiEgress = { kind: "nat" } | { kind: "endpoints"; s3PrefixListId: pulumi.Output<string> };

export interface Network {
  vpcId: pulumi.Output<string>;
  vpcCidr: string;
  awsApiEgress: AwsApiEgress;
  publicSubnetIds: pulumi.Output<string>[];
  privateSubnetIds: pulumi.Output<string>[];
  isolatedSubnetIds: pulumi.Output<string>[];
  availabilityZones: pulumi.Output<string>[];
  region: pulumi.Output<string>;
}

const vpcCidr = "10.0.0.0/16";
// Fixed, non-overlapping ranges per AZ index: public /24s at 10.0.0-5, private /20s from 10.0.16,
// isolated /24s at 10.0.200-205. Fixed so that adding an AZ never renumbers existing subnets.
const publicCidr = (i: number) => `10.0.${i}.0/24`;
const privateCidr = (i: number) => `10.0.${16 * (i + 1)}.0/20`;
const isolatedCidr = (i: number) => `10.0.${200 + i}.0/24`;

/**
 * The VPC: per AZ a public subnet (load balancer, NAT), a private one (tasks, out through NAT or VPC
 * endpoints) and an isolated one (database and cache, no route out); a default security group that
 * allows nothing; flow logs of all traffic.
 */
export function createNetwork(parent: pulumi.Resource, name: string, args: NetworkArgs): Network {
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
  const awsApiEgress: AwsApiEgress =
    args.natGateways === "none"
      ? { kind: "endpoints", s3PrefixListId: createVpcEndpoints(parent, name, vpc, region, privateSubnets.map((p) => p.subnet), privateSubnets.map((p) => p.routes)) }
      : { kind: "nat" };

  createFlowLogs(parent, name, vpc, region, args.logRetentionDays, args.account);

  return {
    vpcId: vpc.id,
    vpcCidr,
    awsApiEgress,
    publicSubnetIds: publicSubnets.map((s) => s.id),
    privateSubnetIds: privateSubnets.map((p) => p.subnet.id),
    isolatedSubnetIds: isolatedSubnets.map((s) => s.id),
    availabilityZones,
    region,
  };
}

/** EC2.6: every accepted and rejected flow in the VPC goes to CloudWatch Logs, kept as long as the other logs. */
function createFlowLogs(parent: pulumi.Resource, name: string, vpc: aws.ec2.Vpc, region: pulumi.Output<string>, retentionInDays: number, account: pulumi.Output<string>): void {
  const opts = { parent };
  const logGroup = new aws.cloudwatch.LogGroup(`${name}-flow-logs`, { name: `/vpc/${name}/flow-logs`, retentionInDays }, opts);
  const role = new aws.iam.Role(
    `${name}-flow-logs`,
    {
      description: "VPC flow logs write to their log group",
      assumeRolePolicy: serviceTrustPolicy("vpc-flow-logs.amazonaws.com", account, pulumi.interpolate`arn:aws:ec2:${region}:${account}:vpc-flow-log/*`),
    },
    opts,
  );
  new aws.iam.RolePolicy(
    `${name}-flow-logs`,
    {
      role: role.id,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            Resource: pulumi.interpolate`${logGroup.arn}:*`,
          },
        ],
      }),
    },
    opts,
  );
  new aws.ec2.FlowLog(
    `${name}-flow-logs`,
    { vpcId: vpc.id, trafficType: "ALL", logDestinationType: "cloud-watch-logs", logDestination: logGroup.arn, iamRoleArn: role.arn },
    opts,
  );
}

/**
 * Without NAT, tasks reach ECR, CloudWatch Logs and Secrets Manager through VPC endpoints (and
 * image layers through the S3 gateway endpoint). Cheaper than NAT for low traffic, and EC2.55/56.
 * Returns the S3 prefix list, the destination tasks' egress rules allow for the gateway endpoint.
 */
function createVpcEndpoints(
  parent: pulumi.Resource,
  name: string,
  vpc: aws.ec2.Vpc,
  region: pulumi.Output<string>,
  subnets: aws.ec2.Subnet[],
  routeTables: aws.ec2.RouteTable[],
): pulumi.Output<string> {
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
  const s3 = new aws.ec2.VpcEndpoint(
    `${name}-endpoint-s3`,
    {
      vpcId: vpc.id,
      serviceName: pulumi.interpolate`com.amazonaws.${region}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: routeTables.map((r) => r.id),
    },
    opts,
  );
  return s3.prefixListId;
}
