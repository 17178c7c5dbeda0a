import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";

export interface DockerPlatformArgs {
  /** Name of the private network the containers share. @default "nexiom-network" */
  networkName?: string;
  /** Host port the web app is published on; only used to report the URL. */
  webHostPort: number;
  /** Keep named volumes on destroy, as `docker compose down` does. */
  protectData: boolean;
}

export interface DockerTarget {
  kind: "docker";
  /** The network's name, for `networksAdvanced`. */
  networkName: pulumi.Output<string>;
  url: pulumi.Output<string>;
  protectData: boolean;
  /** Prefix of container and volume names, so one engine can tell the product's containers apart. */
  namePrefix: string;
}

export function createDockerPlatform(parent: pulumi.Resource, name: string, args: DockerPlatformArgs): DockerTarget {
  const network = new docker.Network(
    `${name}-network`,
    {
      name: args.networkName ?? "nexiom-network",
      driver: "bridge",
      // Containers reach each other by name on this network only; nothing else is attached to it.
      attachable: false,
    },
    { parent },
  );
  return {
    kind: "docker",
    networkName: network.name,
    url: pulumi.output(`http://localhost:${args.webHostPort}`),
    protectData: args.protectData,
    namePrefix: name,
  };
}
