import type * as docker from "@pulumi/docker";

/**
 * Settings every container of the product gets on Docker (CIS Docker Benchmark section 5).
 * Callers spread these first and their wiring after, so they can tune a limit but not lose the rest.
 */
export function containerDefaults(memoryMb: number): Partial<docker.ContainerArgs> {
  return {
    // Back after a reboot or an engine restart, as Compose's `restart: unless-stopped`: with CIS 5.15's
    // `on-failure`, a server that exits 0 when the engine stops it (all four do) stays down. A crash
    // loop is slowed by the engine's doubling restart delay instead (docs/security.md, 5.15).
    restart: "unless-stopped",
    // 5.11: a runaway process cannot take the laptop's memory.
    memory: memoryMb,
    // 5.26 and 5.4: no privilege escalation, no Linux capabilities; every image here runs as a non-root user.
    securityOpts: ["no-new-privileges:true"],
    capabilities: { drops: ["ALL"] },
    // 5.13: read-only root; each container names the few paths it writes as tmpfs or volumes.
    readOnly: true,
    logDriver: "json-file",
    logOpts: { "max-size": "10m", "max-file": "3" },
    // Matches ECS's stop timeout: time for a graceful SIGTERM shutdown before SIGKILL.
    destroyGraceSeconds: 30,
  };
}

/**
 * tmpfs mounts for the paths a read-only container writes to. Docker creates a tmpfs owned by root
 * whatever the image's directory was (with that directory's mode, often 0755 or 0775), so a container
 * that runs as a numeric `user` gets its tmpfs owned by that uid: nginx (uid 101) could not otherwise
 * write its filled template to /etc/nginx/conf.d and would start without the product's site.
 */
export function tmpfsFor(paths: readonly string[], user?: string): Record<string, string> {
  const [uid, gid] = (user ?? "").split(":");
  const owner = /^\d+$/.test(uid ?? "") ? `,uid=${uid}${/^\d+$/.test(gid ?? "") ? `,gid=${gid}` : ""}` : "";
  return Object.fromEntries(paths.map((p) => [p, `rw,noexec,nosuid,size=64m${owner}`]));
}

/**
 * A health check that `pulumi up` waits on (`wait`), so that containers depending on this one start only
 * once it is healthy: Compose's `depends_on: condition: service_healthy`.
 */
export function healthGated(test: string[], startPeriod: string): Partial<docker.ContainerArgs> {
  return {
    healthcheck: { tests: test, interval: "5s", timeout: "3s", retries: 12, startPeriod },
    wait: true,
    waitTimeout: 120,
  };
}
