import * as pulumi from "@pulumi/pulumi";

/**
 * A role trust policy for an AWS service, limited to this account and to the resources named by
 * `sourceArn`: another account's use of the same service cannot make it assume the role (the
 * confused-deputy protection the services' guides recommend, with aws:SourceAccount and aws:SourceArn).
 */
export function serviceTrustPolicy(service: string, account: pulumi.Input<string>, sourceArn: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": account }, ArnLike: { "aws:SourceArn": sourceArn } },
      },
    ],
  });
}
