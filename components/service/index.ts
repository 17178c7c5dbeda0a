import * as pulumi from "@pulumi/pulumi";
import type { ServiceSize } from "../../config";
import type { Image } from "../image";
import type { Link, Linkable } from "../link";
import type { Platform } from "../platform";
import type { SecretSource } from "../secret";
import { createFargateService, type EcsDeployment } from "./aws";
import { createServiceContainer } from "./docker";
import type { ServiceIngress } from "./ingress";

export type { ServiceIngress } from "./ingress";

/** One of the product's apps: a container on the Docker network; a Fargate service behind the load balancer on AWS. */
export interface ServiceArgs {
  /** Where it runs. */
  platform: Platform;
  /** What it runs. */
  image: Image;
  /** Port the app listens on inside its container. */
  port: number;
  /** Path that answers 200 while the process is alive (load balancer health check). */
  healthCheckPath: string;
  /** Plain settings for the container. Never secrets: those go in `secrets`. */
  environment: Record<string, pulumi.Input<string>>;
  /** Secrets for the container, by variable name. @default - none */
  secrets?: Record<string, SecretSource>;
  /** ARNs of Secrets Manager secrets the app reads itself while it runs (credentials that rotate); on AWS its task role may read exactly these. @default - none */
  secretsReadAtRunTime?: pulumi.Input<string>[];
  /** What it connects to: on Docker it starts once they are healthy; on AWS their security groups admit it. @default - nothing */
  links?: Linkable[];
  /** How people reach it. */
  ingress: ServiceIngress;
  /** Fargate size and counts (AWS). Docker runs one container with `memory` as its limit. */
  size: ServiceSize;
  /** Numeric user the image runs as; set explicitly so the runtime never falls back to root. */
  user: string;
  /** Paths the app writes to: tmpfs on Docker, task-scoped volumes on AWS; the root filesystem stays read-only. @default ["/tmp"] */
  writablePaths?: string[];
}

/** The parts of a service's definition both targets use, defaults resolved. */
export type ResolvedServiceArgs = Required<Omit<ServiceArgs, "platform">>;

export class Service extends pulumi.ComponentResource implements Linkable {
  /** The name other services use to reach it on the platform's network (`<name>:<port>`). */
  public readonly address: string;
  /** Where people reach it: `http://localhost:<hostPort>` on Docker, the load balancer URL on AWS. */
  public readonly url: pulumi.Output<string>;
  public readonly link: Link;
  /** On AWS, the ECS service and the task definition it should run; undefined on Docker. */
  public readonly deployment?: EcsDeployment;

  constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("nexiom:index:Service", name, {}, opts);
    const resolved: ResolvedServiceArgs = {
      secrets: {},
      secretsReadAtRunTime: [],
      links: [],
      writablePaths: ["/tmp"],
      ...args,
    };
    this.address = `${name}:${args.port}`;
    const target = args.platform.target;
    const created: { url: pulumi.Output<string>; link: Link; deployment?: EcsDeployment } =
      target.kind === "docker"
        ? createServiceContainer(this, name, resolved, target)
        : createFargateService(this, name, resolved, target);
    this.url = created.url;
    this.link = created.link;
    this.deployment = created.deployment;
    this.registerOutputs({ url: this.url, address: this.address });
  }
}
