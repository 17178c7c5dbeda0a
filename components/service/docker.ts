import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { containerDefaults, tmpfsFor } from "../docker-container";
import type { Link } from "../link";
import type { DockerTarget } from "../platform";
import type { ResolvedServiceArgs } from "./index";
import { pathPrefix } from "./ingress";
import { sortedEntries } from "./sorted-entries";

/**
 * The app's container on the product's network, reachable by its name, published on 127.0.0.1 only,
 * started after everything it links to is healthy, and itself awaited until healthy (the image's HEALTHCHECK).
 */
export function createServiceContainer(
  parent: pulumi.Resource,
  name: string,
  args: ResolvedServiceArgs,
  platform: DockerTarget,
): { url: pulumi.Output<string>; link: Link } {
  const plain = sortedEntries(args.environment).map(([key, value]) => pulumi.interpolate`${key}=${value}`);
  if (args.secretsReadAtRunTime.length > 0) {
    throw new Error(`Service ${name} reads Secrets Manager secrets at run time, which the Docker platform does not have.`);
  }
  const secret = sortedEntries(args.secrets).map(([key, source]) => {
    if (source.kind !== "value") {
      throw new Error(`Service ${name}: secret ${key} comes from Secrets Manager, which the Docker platform cannot read.`);
    }
    return pulumi.secret(pulumi.interpolate`${key}=${source.value}`);
  });
  const links = args.links.map(({ link }) => {
    if (link.kind !== "docker") throw new Error(`Service ${name} runs on Docker but links to ${link.name} on AWS.`);
    return link;
  });
  // A label carrying each such upstream's container ID: when the upstream is replaced, so is this container.
  const upstreamLabels = links
    .filter((link) => link.replaceDependents)
    .map((link) => ({ label: `nexiom.upstream.${link.name}`, value: link.container.id }));

  const container = new docker.Container(
    `${name}-container`,
    {
      ...containerDefaults(args.size.memory),
      name: `${platform.namePrefix}-${name}`,
      image: args.image.ref,
      user: args.user,
      envs: [...plain, ...secret],
      tmpfs: tmpfsFor(args.writablePaths, args.user),
      networksAdvanced: [{ name: platform.networkName, aliases: [name] }],
      labels: upstreamLabels,
      // Loopback only: the laptop's browser reaches it, the café's network does not.
      ports: [{ internal: args.port, external: args.ingress.hostPort, ip: "127.0.0.1", protocol: "tcp" }],
      wait: true,
      waitTimeout: 120,
    },
    // Fixed name and host port: the old container must go before its replacement can start.
    { parent, dependsOn: links.map((link) => link.container), deleteBeforeReplace: true, replaceOnChanges: ["labels"] },
  );
  return {
    url: pulumi.output(`http://localhost:${args.ingress.hostPort}${pathPrefix(args.ingress.pathPattern)}`),
    // nginx (and anything else that resolves this service once, at start) is replaced along with it.
    link: { kind: "docker", name, container, replaceDependents: true },
  };
}
