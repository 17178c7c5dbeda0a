import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { containerDefaults, healthGated, tmpfsFor } from "../docker-container";
import type { DockerTarget } from "../platform";
import type { DatabaseEndpoint } from "./index";

const user = "nexiom";
const port = 5432;

/** A PostgreSQL container on the product's network, its data on a named volume, started healthy before anything links to it. */
export function createPostgresContainer(
  parent: pulumi.Resource,
  name: string,
  version: string,
  databaseName: string,
  platform: DockerTarget,
): DatabaseEndpoint {
  // The password opens the data on the volume, which PostgreSQL initialises with it once: it must live
  // exactly as long as the volume, or a destroy-then-up leaves the API locked out of its own database.
  // Both are protected together; `pnpm dev:stack --destroy` destroys everything but them
  // (`pulumi destroy --exclude-protected`), as `docker compose down` keeps named volumes.
  const generated = new random.RandomPassword(`${name}-password`, { length: 32, special: false }, { parent, protect: platform.protectData });
  // Marked secret here rather than trusting the provider's schema: every use below stays encrypted in state.
  const password = pulumi.secret(generated.result);
  const image = new docker.RemoteImage(
    `${name}-image`,
    { name: `postgres:${version}-alpine`, keepLocally: true },
    { parent },
  );
  // Survives container replacement and, unless protectData is false, `pulumi destroy`: protected, and
  // kept in the engine even if someone unprotects it and destroys the stack.
  const volume = new docker.Volume(
    `${name}-data`,
    { name: `${platform.namePrefix}-postgres-data` },
    { parent, protect: platform.protectData, retainOnDelete: platform.protectData },
  );
  const container = new docker.Container(
    `${name}-container`,
    {
      ...containerDefaults(512),
      name: `${platform.namePrefix}-${name}`,
      image: image.imageId,
      // Run as the image's postgres user (uid 70): the volume takes the image's ownership of the data
      // directory on first use, so the entrypoint needs no root to chown it.
      user: "postgres",
      envs: [pulumi.interpolate`POSTGRES_PASSWORD=${password}`, `POSTGRES_USER=${user}`, `POSTGRES_DB=${databaseName}`],
      mounts: [{ type: "volume", source: volume.name, target: "/var/lib/postgresql/data" }],
      tmpfs: tmpfsFor(["/var/run/postgresql", "/tmp"]),
      networksAdvanced: [{ name: platform.networkName, aliases: [name] }],
      ...healthGated(["CMD", "pg_isready", "--host=127.0.0.1", `--username=${user}`, `--dbname=${databaseName}`], "10s"),
    },
    // A fixed container name cannot exist twice: delete the old container before creating its replacement.
    { parent, deleteBeforeReplace: true },
  );
  return {
    host: pulumi.output(name),
    port: pulumi.output(port),
    user: pulumi.output(user),
    password: { kind: "value", value: password },
    tls: false,
    link: { kind: "docker", name, container, replaceDependents: false },
  };
}
