import type * as pulumi from "@pulumi/pulumi";

/**
 * What a service needs to know about something it connects to (a database, a cache, another service):
 * on Docker, the container to start after once it is healthy (Compose's `service_healthy`);
 * on AWS, the security group to admit it through and the port.
 */
export type Link =
  | { kind: "docker"; container: pulumi.Resource }
  | { kind: "aws"; name: string; securityGroupId: pulumi.Output<string>; port: number; description: string };

/** Anything a service can connect to. */
export interface Linkable {
  readonly link: Link;
}
