import * as docker from "@pulumi/docker";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { buildInputs, type BuildDefinition } from "./build-definition";

/** Builds into the local engine (`--load`) and returns the engine's image ID for containers to run. */
export function createLocalImage(parent: pulumi.Resource, name: string, build: BuildDefinition, tag: string): pulumi.Output<string> {
  const imageName = `nexiom-${name}:${tag}`;
  const image = new dockerBuild.Image(
    `${name}-build`,
    { ...buildInputs(build), push: false, load: true, tags: [imageName] },
    { parent },
  );
  // The engine's own ID for the loaded tag: a container pinned to it is replaced only when the bytes change.
  // The tag is known at preview, so an unchanged image previews as unchanged.
  const local = new docker.RemoteImage(
    `${name}-local`,
    { name: imageName, keepLocally: true },
    { parent, dependsOn: [image] },
  );
  return local.imageId;
}
