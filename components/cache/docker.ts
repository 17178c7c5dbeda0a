import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { containerDefaults, healthGated } from "../docker-container";
import type { DockerTarget } from "../platform";
import type { CacheEndpoint } from "./index";

const port = 6379;

/** A Valkey container with an AUTH password, like ElastiCache, so the API's code path is the same in dev and prod. */
export function createValkeyContainer(parent: pulumi.Resource, name: string, version: string, platform: DockerTarget): CacheEndpoint {
  const generated = new random.RandomPassword(`${name}-password`, { length: 32, special: false }, { parent });
  // Marked secret here rather than trusting the provider's schema: every use below stays encrypted in state.
  const password = pulumi.secret(generated.result);
  const image = new docker.RemoteImage(`${name}-image`, { name: `valkey/valkey:${version}-alpine`, keepLocally: true }, { parent });
  const container = new docker.Container(
    `${name}-container`,
    {
      ...containerDefaults(256),
      name: `${platform.namePrefix}-${name}`,
      image: image.imageId,
      // The image's own non-root user; the password comes from the environment, so it is in no command line.
      user: "valkey",
      envs: [pulumi.interpolate`REDIS_PASSWORD=${password}`],
      // A cache: nothing is persisted, so the read-only root needs no writable data directory.
      command: ["sh", "-c", 'exec valkey-server --requirepass "$REDIS_PASSWORD" --save "" --appendonly no'],
      networksAdvanced: [{ name: platform.networkName, aliases: [name] }],
      ...healthGated(["CMD-SHELL", 'REDISCLI_AUTH="$REDIS_PASSWORD" valkey-cli ping | grep -q PONG'], "5s"),
    },
    { parent, deleteBeforeReplace: true },
  );
  return {
    host: pulumi.output(name),
    port: pulumi.output(port),
    password: { kind: "value", value: password },
    tls: false,
    link: { kind: "docker", name, container, replaceDependents: false },
  };
}
