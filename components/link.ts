import type * as pulumi from "@pulumi/pulumi";

/**
 * What a service needs to know about something it connects to (a database, a cache, another service).
 * - Docker: the container to start after once it is healthy (Compose's `service_healthy`). When
 *   `replaceDependents` is set, dependents are replaced with it: they resolve its address only when they
 *   start (nginx resolves its upstream once), so a new container with a new IP would leave them stale.
 * - AWS: the security group to admit the dependent through, on `port`; and, for a service, the ECS
 *   service to create first: Service Connect names resolve only in tasks started after the service exists.
 */
export type Link =
  | { kind: "docker"; name: string; container: pulumi.CustomResource; replaceDependents: boolean }
  | { kind: "aws"; name: string; securityGroupId: pulumi.Output<string>; port: number; description: string; createFirst?: pulumi.Resource };

/** Anything a service can connect to. */
export interface Linkable {
  readonly link: Link;
}
