/**
 * Stand-in for `pulumi-resource-docker` (the plugin behind @pulumi/docker 5.2.0, a bridge of
 * kreuzwerker/terraform-provider-docker).
 *
 * Why a stand-in: the Go module proxy this machine reaches refuses `github.com/pulumi/pulumi-docker/provider/v4`
 * and the Terraform bridge's fork of terraform-plugin-sdk (403, "not available"), so the real plugin
 * cannot be built here. The Pulumi engine that drives this stand-in is the real CLI.
 *
 * The contract kept is the upstream provider's, read from its source (the revision the module proxy
 * serves), for the resources and inputs the program uses, and nothing else (any other input is a
 * check failure naming it):
 * - Container: created with Init=false on its first `networksAdvanced` network with the aliases given;
 *   started; with `wait`, polled once a second until healthy or `waitTimeout` seconds (an error if the
 *   image and the inputs define no health check); then read until running (15 s). Every input
 *   replaces the container except `restart`, `maxRetryCount` and `memory` (updated in place),
 *   `wait`, `waitTimeout`, `destroyGraceSeconds`, `mustRun` and `tmpfs` (state only: upstream does not
 *   mark tmpfs ForceNew, so a tmpfs change never reaches a running container). Refresh drops a container
 *   that no longer exists and sets `mustRun` false on a stopped one, so the next update starts it.
 *   Delete stops it with `destroyGraceSeconds`, then removes it with its anonymous volumes.
 * - Network, Volume: created by name; any change replaces them; refresh drops them when gone.
 * - RemoteImage: the local image by `name` (pulled only when absent); `imageId` is the engine's image
 *   ID; a change of `name` replaces it; refresh drops it when the image is gone; `keepLocally` keeps it.
 */
import * as provider from "@pulumi/pulumi/provider";
import Docker from "dockerode";
import { changedKeys, InitializationFailed, reveal, typeOf, unsupportedInputs, wire } from "./provider-kit";

const docker = new Docker();
type Inputs = Record<string, any>;

const containerInputs = [
  "name", "image", "user", "envs", "command", "mounts", "tmpfs", "networksAdvanced", "labels", "ports", "healthcheck",
  "wait", "waitTimeout", "restart", "maxRetryCount", "memory", "securityOpts", "capabilities", "readOnly",
  "logDriver", "logOpts", "destroyGraceSeconds", "mustRun",
] as const;
/** Upstream's container attributes without ForceNew: everything else replaces the container. */
const containerUpdatable = ["restart", "maxRetryCount", "memory", "wait", "waitTimeout", "destroyGraceSeconds", "mustRun", "tmpfs"];
/** How long upstream's read waits for a created container to be running. */
const runningTimeoutMs = 15_000;

const nanoseconds = (duration: string | undefined): number | undefined => {
  if (!duration) return undefined;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(duration);
  if (!match) throw new Error(`not a duration: ${duration}`);
  const unit = { ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 }[match[2] as "ms" | "s" | "m" | "h"];
  return Math.round(Number(match[1]) * unit);
};

const isMissing = (error: any) => error?.statusCode === 404;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function logsTail(id: string): Promise<string> {
  try {
    const buffer = (await docker.getContainer(id).logs({ stdout: true, stderr: true, tail: 30 })) as unknown as Buffer;
    // Demultiplex Docker's 8-byte frame headers into plain text.
    const lines: string[] = [];
    for (let offset = 0; offset + 8 <= buffer.length; ) {
      const size = buffer.readUInt32BE(offset + 4);
      lines.push(buffer.subarray(offset + 8, offset + 8 + size).toString("utf8"));
      offset += 8 + size;
    }
    return lines.join("").trimEnd();
  } catch {
    return "(no logs)";
  }
}

async function createContainer(inputs: Inputs): Promise<string> {
  const i = reveal<Inputs>(inputs);
  const [network, ...otherNetworks] = i.networksAdvanced ?? [];
  const portBindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  const exposed: Record<string, object> = {};
  for (const port of i.ports ?? []) {
    const key = `${port.internal}/${port.protocol ?? "tcp"}`;
    exposed[key] = {};
    (portBindings[key] ??= []).push({ HostIp: port.ip ?? "0.0.0.0", HostPort: String(port.external ?? "") });
  }
  const health = i.healthcheck;
  const created = await docker.createContainer({
    name: i.name,
    Image: i.image,
    User: i.user,
    Env: i.envs,
    Cmd: i.command,
    Labels: Object.fromEntries((i.labels ?? []).map((l: { label: string; value: string }) => [l.label, l.value])),
    ExposedPorts: exposed,
    Healthcheck: health
      ? { Test: health.tests, Interval: nanoseconds(health.interval), Timeout: nanoseconds(health.timeout), Retries: health.retries, StartPeriod: nanoseconds(health.startPeriod) }
      : undefined,
    HostConfig: {
      Init: false,
      RestartPolicy: { Name: i.restart ?? "no", MaximumRetryCount: i.maxRetryCount ?? 0 },
      ReadonlyRootfs: i.readOnly ?? false,
      LogConfig: { Type: i.logDriver ?? "json-file", Config: i.logOpts ?? {} },
      Tmpfs: i.tmpfs,
      Mounts: (i.mounts ?? []).map((m: { type: string; source: string; target: string }) => ({ Type: m.type, Source: m.source, Target: m.target })),
      PortBindings: portBindings,
      CapDrop: i.capabilities?.drops,
      CapAdd: i.capabilities?.adds,
      SecurityOpt: i.securityOpts,
      Memory: i.memory ? i.memory * 1024 * 1024 : undefined,
      NetworkMode: network?.name ?? "bridge",
    },
    NetworkingConfig: network ? { EndpointsConfig: { [network.name]: { Aliases: network.aliases ?? [] } } } : undefined,
  } as Docker.ContainerCreateOptions);
  for (const extra of otherNetworks) await docker.getNetwork(extra.name).connect({ Container: created.id, EndpointConfig: { Aliases: extra.aliases ?? [] } });
  await created.start();

  const failed = async (reason: string) => {
    const logs = await logsTail(created.id);
    return new InitializationFailed(`container ${i.name} ${reason}\n--- last log lines ---\n${logs}`, created.id, inputs, [reason]);
  };
  if (i.wait) {
    const deadline = Date.now() + (i.waitTimeout ?? 60) * 1000;
    for (;;) {
      const state = (await created.inspect()).State;
      if (!state.Health) throw await failed("has `wait` but no health check defined: remove `wait` or add a `healthcheck`");
      if (state.Health.Status === "healthy") break;
      if (Date.now() > deadline) throw await failed(`failed to be in a healthy state within ${i.waitTimeout ?? 60} s (health: ${state.Health.Status}, running: ${state.Running})`);
      await sleep(1000);
    }
  }
  const deadline = Date.now() + runningTimeoutMs;
  while (!(await created.inspect()).State.Running) {
    if (Date.now() > deadline) throw await failed("is not running");
    await sleep(250);
  }
  return created.id;
}

async function removeContainer(id: string, graceSeconds: number | undefined): Promise<void> {
  const container = docker.getContainer(id);
  try {
    await container.stop({ t: graceSeconds ?? 0 });
  } catch (error: any) {
    if (!isMissing(error) && error?.statusCode !== 304) throw error;
  }
  try {
    await container.remove({ v: true, force: true });
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
}

interface Kind {
  inputs: readonly string[];
  /** Inputs that change in place; any other change replaces the resource. */
  updatable: readonly string[];
  /** Outputs the engine computes, which are not inputs and so never a change. */
  computed: readonly string[];
  defaults?: (inputs: Inputs) => Inputs;
  create(inputs: Inputs): Promise<{ id: string; outs: Inputs }>;
  /** The resource's current outputs and inputs, or undefined when it no longer exists. */
  read(id: string, props: Inputs): Promise<{ props: Inputs; inputs: Inputs } | undefined>;
  update?(id: string, olds: Inputs, news: Inputs): Promise<Inputs>;
  delete(id: string, props: Inputs): Promise<void>;
}

/** Read and delete for an engine object that exists or not, whose outputs are its inputs plus `computed`. */
function readAndDeleteByName(get: (id: string) => { inspect(): Promise<unknown>; remove(): Promise<unknown> }, computed: readonly string[]): Pick<Kind, "read" | "delete"> {
  return {
    async read(id, props) {
      try {
        await get(id).inspect();
        return { props, inputs: Object.fromEntries(Object.entries(props).filter(([key]) => !computed.includes(key))) };
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
    async delete(id) {
      try {
        await get(id).remove();
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    },
  };
}

const networkComputed = ["scope"];
const volumeComputed = ["driver", "mountpoint"];

const kinds: Record<string, Kind> = {
  "docker:index/container:Container": {
    inputs: containerInputs,
    updatable: containerUpdatable,
    computed: ["exitCode"],
    defaults: (inputs) => ({ restart: "no", maxRetryCount: 0, readOnly: false, logDriver: "json-file", wait: false, waitTimeout: 60, mustRun: true, ...inputs }),
    async create(inputs) {
      const id = await createContainer(inputs);
      return { id, outs: { ...inputs, exitCode: null } };
    },
    async read(id, props) {
      try {
        const state = (await docker.getContainer(id).inspect()).State;
        const { exitCode: _exitCode, ...recorded } = props;
        const inputs = { ...recorded, mustRun: state.Running ? props.mustRun : false };
        return { props: { ...inputs, exitCode: state.Running ? null : state.ExitCode }, inputs };
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
    async update(id, olds, news) {
      const container = docker.getContainer(id);
      const o = reveal<Inputs>(olds);
      const n = reveal<Inputs>(news);
      if (!o.mustRun && n.mustRun) await container.start();
      if (o.restart !== n.restart || o.maxRetryCount !== n.maxRetryCount || o.memory !== n.memory) {
        await container.update({ RestartPolicy: { Name: n.restart, MaximumRetryCount: n.maxRetryCount }, Memory: (n.memory ?? 0) * 1024 * 1024 });
      }
      return { ...news, exitCode: null };
    },
    delete: (id, props) => removeContainer(id, reveal<Inputs>(props).destroyGraceSeconds),
  },

  "docker:index/network:Network": {
    inputs: ["name", "driver", "attachable"],
    updatable: [],
    computed: networkComputed,
    async create(inputs) {
      const network = await docker.createNetwork({ Name: inputs.name, Driver: inputs.driver ?? "bridge", Attachable: inputs.attachable ?? false, CheckDuplicate: true });
      return { id: network.id, outs: { ...inputs, scope: "local" } };
    },
    ...readAndDeleteByName((id) => docker.getNetwork(id), networkComputed),
  },

  "docker:index/volume:Volume": {
    inputs: ["name"],
    updatable: [],
    computed: volumeComputed,
    async create(inputs) {
      await docker.createVolume({ Name: inputs.name });
      const volume = await docker.getVolume(inputs.name).inspect();
      return { id: volume.Name, outs: { ...inputs, driver: volume.Driver, mountpoint: volume.Mountpoint } };
    },
    ...readAndDeleteByName((id) => docker.getVolume(id), volumeComputed),
  },

  "docker:index/remoteImage:RemoteImage": {
    inputs: ["name", "keepLocally"],
    updatable: ["keepLocally"],
    computed: ["imageId", "repoDigest"],
    async create(inputs) {
      let image: Docker.ImageInspectInfo;
      try {
        image = await docker.getImage(inputs.name).inspect();
      } catch (error) {
        if (!isMissing(error)) throw error;
        await pull(inputs.name);
        image = await docker.getImage(inputs.name).inspect();
      }
      const outs = { ...inputs, imageId: image.Id, repoDigest: image.RepoDigests?.[0] ?? "" };
      return { id: `${image.Id}${inputs.name}`, outs };
    },
    async read(_id, props) {
      try {
        // As upstream: the name's current local image, whose ID may differ from the one recorded.
        const image = await docker.getImage(props.name).inspect();
        const { imageId: _imageId, repoDigest: _repoDigest, ...inputs } = props;
        return { props: { ...props, imageId: image.Id, repoDigest: image.RepoDigests?.[0] ?? "" }, inputs };
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
    async update(_id, _olds, news) {
      return news;
    },
    async delete(_id, props) {
      if (props.keepLocally) return;
      try {
        await docker.getImage(props.imageId).remove();
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    },
  },
};

function pull(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    docker.pull(name, (error: Error | null, stream: NodeJS.ReadableStream) => {
      if (error) return reject(new Error(`Unable to pull image ${name}: ${error.message}`));
      docker.modem.followProgress(stream, (done: Error | null) => (done ? reject(new Error(`Unable to pull image ${name}: ${done.message}`)) : resolve()));
    });
  });
}

function kindOf(urn: string): Kind {
  const type = typeOf(urn);
  const kind = kinds[type];
  if (!kind) throw new Error(`The stand-in docker provider does not implement ${type} (test/engine/plugins/README.md).`);
  return kind;
}

const dockerProvider: provider.Provider = {
  version: "5.2.0",
  async check(urn, _olds, news) {
    const kind = kindOf(urn);
    const failures = unsupportedInputs(typeOf(urn), news, kind.inputs);
    return { inputs: kind.defaults ? kind.defaults(news) : news, failures };
  },
  async diff(_id, urn, olds, news) {
    const kind = kindOf(urn);
    // Each kind's own computed outputs: a network's `driver` is an input, a volume's is computed.
    const changed = changedKeys(olds, news).filter((key) => !kind.computed.includes(key));
    const replaces = changed.filter((key) => !kind.updatable.includes(key));
    return { changes: changed.length > 0, replaces, deleteBeforeReplace: false };
  },
  async create(urn, inputs) {
    const { id, outs } = await kindOf(urn).create(inputs);
    return { id, outs: wire(outs) };
  },
  async read(id, urn, props) {
    const current = await kindOf(urn).read(id, props ?? {});
    return current ? { id, props: wire(current.props), inputs: wire(current.inputs) } : { id: "", props: {} };
  },
  async update(id, urn, olds, news) {
    const kind = kindOf(urn);
    return { outs: wire(kind.update ? await kind.update(id, olds, news) : news) };
  },
  async delete(id, urn, props) {
    await kindOf(urn).delete(id, props);
  },
};

void provider.main(dockerProvider, process.argv.slice(2));
