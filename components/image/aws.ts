import * as aws from "@pulumi/aws";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import type { AwsTarget } from "../platform";
import { buildInputs, contextDigest, type BuildDefinition } from "./build-definition";

// Fargate tasks run on x86_64 (see the task definitions' runtimePlatform), whatever builds the image.
const fargatePlatform = "linux/amd64";
const cacheTag = "cache";
const contentTagPrefix = "build-";

/**
 * The tag a build pushes: `build-` and a digest of everything that makes the image's bytes (context,
 * Dockerfile, target, build args, file permissions, platform).
 *
 * ECR must never refuse this push, or the deploy stops. Content tags are therefore excluded from tag
 * immutability (as the cache tag is): a rebuild of content that already has a tag (an `up` interrupted
 * after its push, a stack re-created over a kept repository, a forced rebuild) moves the tag instead of
 * failing. That is safe because nothing deploys by tag (task definitions pin `repository@digest`), and
 * because the digest covers permissions and platform, a tag only moves off an image no task definition
 * of the stack uses. Every other tag (a release tag a person adds) stays immutable.
 */
export function ecrContentTag(build: BuildDefinition): string {
  return `${contentTagPrefix}${contextDigest(build, process.cwd(), { fileModes: true, platform: fargatePlatform }).slice(0, 16)}`;
}

/**
 * An ECR repository and the image pushed to it, returned as `repository@digest`.
 *
 * Registry credentials are not resource inputs: ECR tokens expire every 12 hours and would show as a
 * change on every preview. The build uses the machine's Docker credentials instead (the ECR credential
 * helper, or `aws ecr get-login-password | docker login` in CI).
 */
export function createEcrImage(
  parent: pulumi.Resource,
  name: string,
  build: BuildDefinition,
  tag: string,
  platform: AwsTarget,
): { ref: pulumi.Output<string>; repositoryArn: pulumi.Output<string> } {
  const repository = new aws.ecr.Repository(
    `${name}-repository`,
    {
      name: `${platform.namePrefix}/${name}`,
      imageScanningConfiguration: { scanOnPush: true },
      // Immutable tags, except those the build writes: the cache tag (rewritten by every build) and the
      // content tags (see ecrContentTag), so that no push of the deploy is ever refused.
      imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
      imageTagMutabilityExclusionFilters: [
        { filter: cacheTag, filterType: "WILDCARD" },
        { filter: `${contentTagPrefix}*`, filterType: "WILDCARD" },
      ],
      encryptionConfigurations: [{ encryptionType: "AES256" }],
      forceDelete: !platform.protectData,
    },
    { parent, protect: platform.protectData, retainOnDelete: platform.protectData },
  );
  new aws.ecr.LifecyclePolicy(
    `${name}-lifecycle`,
    {
      repository: repository.name,
      policy: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            description: "Drop untagged layers a week after they stop being referenced",
            selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 },
            action: { type: "expire" },
          },
          {
            rulePriority: 2,
            description: "Keep the 30 most recent images (the rollback range); the cache tag is rewritten by every build, so it stays among them",
            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 30 },
            action: { type: "expire" },
          },
        ],
      }),
    },
    { parent },
  );

  const cacheRef = pulumi.interpolate`${repository.repositoryUrl}:${cacheTag}`;
  const image = new dockerBuild.Image(
    `${name}-build`,
    {
      ...buildInputs(build),
      platforms: [fargatePlatform],
      push: true,
      tags: [pulumi.interpolate`${repository.repositoryUrl}:${tag}`],
      // Layer cache in the registry, so CI machines with an empty local cache rebuild only what changed.
      cacheFrom: [{ registry: { ref: cacheRef } }],
      cacheTo: [{ registry: { ref: cacheRef, mode: "max", imageManifest: true, ociMediaTypes: true } }],
    },
    { parent },
  );
  return { ref: pulumi.interpolate`${repository.repositoryUrl}@${image.digest}`, repositoryArn: repository.arn };
}
