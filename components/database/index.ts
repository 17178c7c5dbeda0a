import * as pulumi from "@pulumi/pulumi";
import type { Link, Linkable } from "../link";
import type { Platform } from "../platform";
import type { SecretSource } from "../secret";
import { createAurora } from "./aws";
import { createPostgresContainer } from "./docker";

/** PostgreSQL for the product: a container with a named volume on Docker; Aurora Serverless v2 (writer + reader) on AWS. */
export interface DatabaseArgs {
  /** Where it runs. */
  platform: Platform;
  /** PostgreSQL version, the same on both targets (Aurora's engine, the container's image tag). @default "17.5" */
  version?: string;
  /** Database the product's tables live in. @default "nexiom" */
  databaseName?: string;
  /** Lowest Aurora Serverless v2 capacity in ACUs (AWS only). @default 0.5 */
  minCapacity?: number;
  /** Highest Aurora Serverless v2 capacity in ACUs (AWS only). @default 4 */
  maxCapacity?: number;
}

/** How the API reaches the database; the same shape on both targets. */
export interface DatabaseEndpoint {
  host: pulumi.Output<string>;
  port: pulumi.Output<number>;
  user: pulumi.Output<string>;
  password: SecretSource;
  /** Aurora requires TLS; the local container has no certificate. */
  tls: boolean;
  link: Link;
}

export class Database extends pulumi.ComponentResource implements Linkable {
  /** Host name that services on the same platform use. */
  public readonly host: pulumi.Output<string>;
  public readonly port: pulumi.Output<number>;
  public readonly user: pulumi.Output<string>;
  public readonly databaseName: string;
  public readonly password: SecretSource;
  public readonly tls: boolean;
  public readonly link: Link;

  constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("nexiom:index:Database", name, {}, opts);
    const version = args.version ?? "17.5";
    const databaseName = args.databaseName ?? "nexiom";
    const target = args.platform.target;
    const endpoint =
      target.kind === "docker"
        ? createPostgresContainer(this, name, version, databaseName, target)
        : createAurora(this, name, version, databaseName, target, { min: args.minCapacity ?? 0.5, max: args.maxCapacity ?? 4 });
    this.host = endpoint.host;
    this.port = endpoint.port;
    this.user = endpoint.user;
    this.databaseName = databaseName;
    this.password = endpoint.password;
    this.tls = endpoint.tls;
    this.link = endpoint.link;
    this.registerOutputs({ host: this.host, port: this.port });
  }
}
