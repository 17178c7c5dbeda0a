import * as pulumi from "@pulumi/pulumi";
import { createAwsPlatform, type AwsPlatformArgs, type AwsTarget } from "./aws";
import { createDockerPlatform, type DockerPlatformArgs, type DockerTarget } from "./docker";

export type { AwsTarget } from "./aws";
export type { DockerTarget } from "./docker";

/** What the platform gives the components that run on it: the shared network and, on AWS, the cluster and load balancer. */
export type PlatformTarget = DockerTarget | AwsTarget;

/** Where the product runs: a Docker network on the local engine, or a VPC, ECS cluster and load balancer on AWS. */
export interface PlatformArgs {
  /** The target and its settings. Only `environments/*.ts` choose it. */
  target: ({ kind: "docker" } & DockerPlatformArgs) | ({ kind: "aws" } & AwsPlatformArgs);
}

export class Platform extends pulumi.ComponentResource {
  /** The target's shared resources, discriminated by `kind`. */
  public readonly target: PlatformTarget;
  /** The URL people open: the web app's host port on Docker, the load balancer (or domain) on AWS. */
  public readonly url: pulumi.Output<string>;
  /** Whether the public URL is served over HTTPS. */
  public readonly https: boolean;

  constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("nexiom:index:Platform", name, {}, opts);
    this.target =
      args.target.kind === "docker"
        ? createDockerPlatform(this, name, args.target)
        : createAwsPlatform(this, name, args.target);
    this.url = this.target.url;
    this.https = this.target.kind === "aws" && this.target.https;
    this.registerOutputs({ url: this.url });
  }
}
