/**
 * The stack's configuration, validated once before any resource is registered.
 *
 * Pure: `index.ts` hands it the raw `nexiom:*` values (already merged with the defaults declared
 * in Pulumi.yaml by the Pulumi CLI) and it returns typed settings or throws one error listing every
 * bad key, its value and what is allowed. Tests call it directly.
 */

export type Environment = "dev" | "prod";
export type NatGateways = "none" | "single" | "perAz";

export interface ServiceSize {
  /** Fargate CPU units. */
  cpu: number;
  /** Fargate memory in MiB. */
  memory: number;
  /** Tasks (or, on Docker, containers: always 1) running normally. */
  desiredCount: number;
  /** Upper bound for autoscaling. */
  maxCount: number;
}

export interface NexiomConfig {
  environment: Environment;
  /** Host port of the web app on Docker. */
  webHostPort: number;
  /** Stateful resources survive `pulumi destroy` and are protected from deletion. */
  protectData: boolean;
  /** Public host name on AWS; undefined means plain HTTP on the load balancer's DNS name. */
  domain?: string;
  /** Route 53 hosted zone that holds `domain`. */
  hostedZone?: string;
  natGateways: NatGateways;
  availabilityZones: number;
  api: ServiceSize;
  web: ServiceSize;
  databaseMinCapacity: number;
  databaseMaxCapacity: number;
  cacheNodeType: string;
  logRetentionDays: number;
  /** Address that gets the alarms by e-mail (prod); undefined for none. */
  alertEmail?: string;
}

/** Raw values as `pulumi.Config.get` returns them: strings, or undefined when unset. */
export type RawConfig = Partial<Record<ConfigKey, string>>;

export const configKeys = [
  "environment",
  "webHostPort",
  "protectData",
  "domain",
  "hostedZone",
  "natGateways",
  "availabilityZones",
  "apiCpu",
  "apiMemory",
  "apiDesiredCount",
  "apiMaxCount",
  "webCpu",
  "webMemory",
  "webDesiredCount",
  "webMaxCount",
  "databaseMinCapacity",
  "databaseMaxCapacity",
  "cacheNodeType",
  "logRetentionDays",
  "alertEmail",
] as const;
export type ConfigKey = (typeof configKeys)[number];

/** Fargate's allowed memory (MiB) for each CPU value (Linux, platform 1.4). */
const fargateSizes: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1024, 2048]],
  [512, range(1024, 4096, 1024)],
  [1024, range(2048, 8192, 1024)],
  [2048, range(4096, 16384, 1024)],
  [4096, range(8192, 30720, 1024)],
  [8192, range(16384, 61440, 4096)],
  [16384, range(32768, 122880, 8192)],
]);

/** CloudWatch Logs accepts only these retention periods (days). */
const logRetentionValues = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

/** Thrown with every problem found, one per line, so a person fixes them all in one go. */
export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid stack configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function validateConfig(raw: RawConfig): NexiomConfig {
  const problems: string[] = [];
  const key = (k: ConfigKey) => `nexiom:${k}`;
  const shown = (value: string) => JSON.stringify(value);

  const oneOf = <T extends string>(k: ConfigKey, allowed: readonly T[]): T => {
    const value = raw[k];
    if (value === undefined) {
      problems.push(`${key(k)} is required: one of ${allowed.join(", ")}.`);
      return allowed[0];
    }
    if (!(allowed as readonly string[]).includes(value)) {
      problems.push(`${key(k)} must be one of ${allowed.join(", ")}; got ${shown(value)}.`);
      return allowed[0];
    }
    return value as T;
  };

  const integer = (k: ConfigKey, min: number, max: number): number => {
    const value = raw[k];
    if (value === undefined) {
      problems.push(`${key(k)} is required: an integer from ${min} to ${max}.`);
      return min;
    }
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || n < min || n > max) {
      problems.push(`${key(k)} must be an integer from ${min} to ${max}; got ${shown(value)}.`);
      return min;
    }
    return n;
  };

  const decimal = (k: ConfigKey, min: number, max: number, step: number): number => {
    const value = raw[k];
    const n = Number(value);
    if (value === undefined || value.trim() === "" || !Number.isFinite(n) || n < min || n > max || !isMultiple(n, step)) {
      problems.push(
        `${key(k)} must be a number from ${min} to ${max} in steps of ${step}; got ${value === undefined ? "nothing" : shown(value)}.`,
      );
      return min;
    }
    return n;
  };

  const boolean = (k: ConfigKey): boolean => {
    const value = raw[k];
    if (value !== "true" && value !== "false") {
      problems.push(`${key(k)} must be true or false; got ${value === undefined ? "nothing" : shown(value)}.`);
      return true;
    }
    return value === "true";
  };

  const hostname = (k: ConfigKey): string | undefined => {
    const value = raw[k];
    if (value === undefined || value === "") return undefined;
    // RFC 1123 host name with at least two labels, lower case, no trailing dot or scheme.
    const label = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
    if (value.length > 253 || !new RegExp(`^(?:${label}\\.)+${label}$`).test(value)) {
      problems.push(
        `${key(k)} must be a lower-case DNS name such as app.example.com (no scheme, path or trailing dot); got ${shown(value)}.`,
      );
      return undefined;
    }
    return value;
  };

  const size = (prefix: "api" | "web"): ServiceSize => {
    const cpuKey = `${prefix}Cpu` as const;
    const memoryKey = `${prefix}Memory` as const;
    const cpus = [...fargateSizes.keys()];
    const cpu = oneOf(cpuKey, cpus.map(String));
    const memory = integer(memoryKey, 512, 122880);
    const allowedMemory = fargateSizes.get(Number(cpu));
    if (allowedMemory && raw[memoryKey] !== undefined && !allowedMemory.includes(memory) && /^\d+$/.test(raw[memoryKey]!)) {
      problems.push(
        `${key(memoryKey)} must be one of ${describeList(allowedMemory)} MiB with ${key(cpuKey)} = ${cpu} (Fargate task sizes); got ${shown(raw[memoryKey]!)}.`,
      );
    }
    const desiredCount = integer(`${prefix}DesiredCount`, 1, 100);
    const maxCount = integer(`${prefix}MaxCount`, 1, 100);
    if (maxCount < desiredCount) {
      problems.push(
        `${key(`${prefix}MaxCount`)} must be at least ${key(`${prefix}DesiredCount`)} (${desiredCount}); got ${maxCount}.`,
      );
    }
    return { cpu: Number(cpu), memory, desiredCount, maxCount };
  };

  const environment = oneOf("environment", ["dev", "prod"] as const);
  const webHostPort = integer("webHostPort", 1, 65535);
  const protectData = boolean("protectData");
  const domain = hostname("domain");
  let hostedZone = hostname("hostedZone");
  if (hostedZone && !domain) {
    problems.push(`${key("hostedZone")} is set but ${key("domain")} is not; set both, or neither for plain HTTP.`);
  }
  if (domain && hostedZone && domain !== hostedZone && !domain.endsWith(`.${hostedZone}`)) {
    problems.push(`${key("domain")} (${domain}) must be inside ${key("hostedZone")} (${hostedZone}).`);
  }
  if (domain && !hostedZone) hostedZone = domain.split(".").slice(1).join(".");
  const natGateways = oneOf("natGateways", ["none", "single", "perAz"] as const);
  // Two AZs at least: the load balancer, Aurora's reader and Redis failover all need a second one.
  const availabilityZones = integer("availabilityZones", 2, 6);
  const api = size("api");
  const web = size("web");
  // 0 ACU would let Aurora pause, and the first request after a pause waits ~15 s for it to resume.
  const databaseMinCapacity = decimal("databaseMinCapacity", 0.5, 256, 0.5);
  const databaseMaxCapacity = decimal("databaseMaxCapacity", 1, 256, 0.5);
  if (databaseMaxCapacity < databaseMinCapacity) {
    problems.push(
      `${key("databaseMaxCapacity")} must be at least ${key("databaseMinCapacity")} (${databaseMinCapacity}); got ${databaseMaxCapacity}.`,
    );
  }
  const cacheNodeType = raw.cacheNodeType ?? "";
  if (!/^cache\.[a-z0-9]+\.[a-z0-9]+$/.test(cacheNodeType)) {
    problems.push(`${key("cacheNodeType")} must be an ElastiCache node type such as cache.t4g.micro; got ${shown(cacheNodeType)}.`);
  }
  const logRetentionDays = oneOf("logRetentionDays", logRetentionValues.map(String));
  const alertEmail = raw.alertEmail === undefined || raw.alertEmail === "" ? undefined : raw.alertEmail;
  // What SNS accepts as an e-mail endpoint: one @, a dotted domain, no spaces; at most 254 characters (RFC 5321).
  if (alertEmail !== undefined && (alertEmail.length > 254 || !/^[^@\s]+@[^@\s]+\.[^@\s.]+$/.test(alertEmail))) {
    problems.push(`${key("alertEmail")} must be an e-mail address such as ops@example.com, or empty for no e-mail; got ${shown(alertEmail)}.`);
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    environment,
    webHostPort,
    protectData,
    domain,
    hostedZone,
    natGateways,
    availabilityZones,
    api,
    web,
    databaseMinCapacity,
    databaseMaxCapacity,
    cacheNodeType,
    logRetentionDays: Number(logRetentionDays),
    alertEmail,
  };
}

function range(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let v = from; v <= to; v += step) values.push(v);
  return values;
}

function isMultiple(n: number, step: number): boolean {
  return Math.abs(n / step - Math.round(n / step)) < 1e-9;
}

/** "1024, 2048, …, 8192" for long lists, so a message stays one readable line. */
function describeList(values: readonly number[]): string {
  return values.length <= 4 ? values.join(", ") : `${values[0]} to ${values[values.length - 1]} in steps of ${values[1] - values[0]}`;
}
