import * as pulumi from "@pulumi/pulumi";
import type { Link, Linkable } from "../link";
import type { Platform } from "../platform";
import type { SecretSource } from "../secret";
import { createReplicationGroup } from "./aws";
import { createValkeyContainer } from "./docker";

/** Redis-compatible cache (Valkey): a container on Docker; an ElastiCache replication group with TLS and an AUTH token on AWS. */
export interface CacheArgs {
  /** Where it runs. */
  platform: Platform;
  /** Valkey version, the same on both targets. @default "8.1" */
  version?: string;
  /** ElastiCache node type (AWS only). @default "cache.t4g.micro" */
  nodeType?: string;
}

export class Cache extends pulumi.ComponentResource implements Linkable {
  public readonly host: pulumi.Output<string>;
  public readonly port: pulumi.Output<number>;
  /** AUTH token. */
  public readonly password: SecretSource;
  /** ElastiCache encrypts in transit (rediss); the local container does not. */
  public readonly tls: boolean;
  public readonly link: Link;

  constructor(name: string, args: CacheArgs, opts?: pulumi.ComponentResourceOptions) {
    super("nexiom:index:Cache", name, {}, opts);
    const version = args.version ?? "8.1";
    const target = args.platform.target;
    const endpoint =
      target.kind === "docker"
        ? createValkeyContainer(this, name, version, target)
        : createReplicationGroup(this, name, version, args.nodeType ?? "cache.t4g.micro", target);
    this.host = endpoint.host;
    this.port = endpoint.port;
    this.password = endpoint.password;
    this.tls = endpoint.tls;
    this.link = endpoint.link;
    this.registerOutputs({ host: this.host, port: this.port });
  }
}

export type CacheEndpoint = Pick<Cache, "host" | "port" | "password" | "tls" | "link">;
