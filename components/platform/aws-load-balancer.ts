import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface LoadBalancerArgs {
  vpcId: pulumi.Output<string>;
  publicSubnetIds: pulumi.Output<string>[];
  domain?: string;
  hostedZone?: string;
  protectData: boolean;
  logRetentionDays: number;
  /** The account ID, part of the access-log object keys the bucket policy allows. */
  account: pulumi.Output<string>;
}

export interface PublicLoadBalancer {
  /** The listener services add their routing rules to (HTTPS with a domain, else HTTP). */
  listenerArn: pulumi.Output<string>;
  arnSuffix: pulumi.Output<string>;
  securityGroupId: pulumi.Output<string>;
  url: pulumi.Output<string>;
  https: boolean;
}

// Allowed by Security Hub ELB.17; the more common ELBSecurityPolicy-TLS13-1-2-2021-06 is not.
const tlsPolicy = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06";

/**
 * The one internet-facing load balancer: HTTP(S) from the world, a 404 for anything no service routes,
 * HTTPS with a DNS-validated certificate when a domain is configured, access logs to S3.
 */
export function createLoadBalancer(parent: pulumi.Resource, name: string, args: LoadBalancerArgs): PublicLoadBalancer {
  const opts = { parent };
  const tags = (resource: string) => ({ Name: `${name}-${resource}` });
  const https = args.domain !== undefined;
  const loadBalancerSecurityGroup = new aws.ec2.SecurityGroup(
    `${name}-alb-sg`,
    { vpcId: args.vpcId, description: "Load balancer: HTTP(S) from the internet, out only to the service ports", tags: tags("alb") },
    opts,
  );
  // IPv4 only, like the load balancer's addresses (its default `ipv4` address type).
  for (const port of https ? [80, 443] : [80]) {
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-alb-in-${port}`,
      {
        securityGroupId: loadBalancerSecurityGroup.id,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        cidrIpv4: "0.0.0.0/0",
        description: `HTTP${port === 443 ? "S" : ""} from the internet`,
      },
      opts,
    );
  }

  const accessLogs = createAccessLogBucket(parent, name, args);
  const loadBalancer = new aws.lb.LoadBalancer(
    `${name}-alb`,
    {
      loadBalancerType: "application",
      internal: false,
      subnets: args.publicSubnetIds,
      securityGroups: [loadBalancerSecurityGroup.id],
      dropInvalidHeaderFields: true,
      desyncMitigationMode: "defensive",
      enableDeletionProtection: args.protectData,
      accessLogs: { bucket: accessLogs.bucket, prefix: accessLogPrefix, enabled: true },
      tags: tags("alb"),
    },
    // The bucket policy must exist first: AWS checks it can write there before it enables the logs.
    { parent, dependsOn: [accessLogs.policy] },
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

  return { listenerArn: listener.arn, arnSuffix: loadBalancer.arnSuffix, securityGroupId: loadBalancerSecurityGroup.id, url, https };
}

const accessLogPrefix = "alb";

/**
 * ELB.5: a private, encrypted bucket the load balancer writes its access logs to, expiring them after
 * the same retention as the other logs. Kept on destroy when data is protected (logs are evidence).
 */
function createAccessLogBucket(parent: pulumi.Resource, name: string, args: LoadBalancerArgs): { bucket: pulumi.Output<string>; policy: pulumi.Resource } {
  const opts = { parent };
  const bucket = new aws.s3.Bucket(
    `${name}-alb-logs`,
    { forceDestroy: !args.protectData },
    { parent, protect: args.protectData, retainOnDelete: args.protectData },
  );
  new aws.s3.BucketPublicAccessBlock(
    `${name}-alb-logs`,
    { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    opts,
  );
  new aws.s3.BucketOwnershipControls(`${name}-alb-logs`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, opts);
  // Load balancer access logs support only SSE-S3 (AES256), not KMS keys.
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-alb-logs`,
    { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
    opts,
  );
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-alb-logs`,
    { bucket: bucket.id, rules: [{ id: "expire-access-logs", status: "Enabled", filter: {}, expiration: { days: args.logRetentionDays } }] },
    opts,
  );
  // Regions opened before August 2022 deliver as a regional ELB account; newer ones as the log delivery service.
  const elbAccount = aws.elb.getServiceAccountOutput({}, opts).arn;
  const logObjects = pulumi.interpolate`${bucket.arn}/${accessLogPrefix}/AWSLogs/${args.account}/*`;
  const policy = new aws.s3.BucketPolicy(
    `${name}-alb-logs`,
    {
      bucket: bucket.id,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          { Sid: "ElbAccountWritesLogs", Effect: "Allow", Principal: { AWS: elbAccount }, Action: "s3:PutObject", Resource: logObjects },
          { Sid: "LogDeliveryWritesLogs", Effect: "Allow", Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" }, Action: "s3:PutObject", Resource: logObjects },
          {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      }),
    },
    opts,
  );
  return { bucket: bucket.bucket, policy };
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

