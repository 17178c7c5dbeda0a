import * as aws from "@pulumi/aws";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import type { AwsTarget } from "../platform";
import { buildInputs, type BuildDefinition } from "./build-definition";

// Fargate tasks run on x86_64 (see the task definitions' runtimePlatform), whatever builds the image.
const fargatePlatform = "linux/amd64";
const cacheTag = "cache";

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
      // Content tags never move; only the build cache tag is rewritten on every build.
      imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
      imageTagMutabilityExclusionFilters: [{ filter: cacheTag, filterType: "WILDCARD" }],
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
