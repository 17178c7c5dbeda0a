import * as pulumi from "@pulumi/pulumi";
import type { Platform } from "../platform";
import { createEcrImage, ecrContentTag } from "./aws";
import { contextDigest, type BuildDefinition } from "./build-definition";
import { createLocalImage } from "./docker";

export type { BuildDefinition } from "./build-definition";

/** One app's container image, built from the same definition everywhere: loaded into the local engine on Docker, pushed to ECR on AWS. */
export interface ImageArgs {
  /** Where it is built for. */
  platform: Platform;
  /** Dockerfile, context, target and build args: identical in every stack. */
  build: BuildDefinition;
}

export class Image extends pulumi.ComponentResource {
  /**
   * What a container runs: the engine's image ID on Docker (a tag would recreate the container on
   * every `up`), `repository@sha256:digest` on AWS (a task definition pinned to exact bytes).
   */
  public readonly ref: pulumi.Output<string>;
  /** Tag derived from the build's content: unchanged content, unchanged tag (on AWS, `build-<digest>`). */
  public readonly tag: string;
  /** The ECR repository on AWS, for pull permissions; undefined on Docker. */
  public readonly repositoryArn?: pulumi.Output<string>;

  constructor(name: string, args: ImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("nexiom:index:Image", name, {}, opts);
    const target = args.platform.target;
    if (target.kind === "docker") {
      this.tag = contextDigest(args.build).slice(0, 16);
      this.ref = createLocalImage(this, name, args.build, this.tag);
    } else {
      this.tag = ecrContentTag(args.build);
      const pushed = createEcrImage(this, name, args.build, this.tag, target);
      this.ref = pushed.ref;
      this.repositoryArn = pushed.repositoryArn;
    }
    this.registerOutputs({ ref: this.ref, tag: this.tag });
  }
}
