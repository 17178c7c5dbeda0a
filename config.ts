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

/**
 * Every `nexiom:*` value the stack has, without the `nexiom:` prefix, as `pulumi.runtime.allConfig()` gives them:
 * strings, undefined when unset. Keys the program does not know are kept, so that a typo is reported.
 */
export type RawConfig = Readonly<Record<string, string | undefined>>;

/** Host port of the API on Docker: fixed, not configurable, so that `pnpm dev` (port 3000) runs beside the dev stack. */
export const apiHostPort = 3001;

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

  // Each reader returns undefined for a bad value (after recording its problem), so that a rule relating two
  // keys is only checked when both values are valid: a bad value never causes a second, invented message.
  const oneOf = <T extends string>(k: ConfigKey, allowed: readonly T[]): T | undefined => {
    const value = raw[k];
    if (value === undefined) {
      problems.push(`${key(k)} is required: one of ${allowed.join(", ")}.`);
      return undefined;
    }
    if (!(allowed as readonly string[]).includes(value)) {
      problems.push(`${key(k)} must be one of ${allowed.join(", ")}; got ${shown(value)}.`);
      return undefined;
    }
    return value as T;
  };

  const integer = (k: ConfigKey, min: number, max: number): number | undefined => {
    const value = raw[k];
    if (value === undefined) {
      problems.push(`${key(k)} is required: an integer from ${min} to ${max}.`);
      return undefined;
    }
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || n < min || n > max) {
      problems.push(`${key(k)} must be an integer from ${min} to ${max}; got ${shown(value)}.`);
      return undefined;
    }
    return n;
  };

  const decimal = (k: ConfigKey, min: number, max: number, step: number): number | undefined => {
    const value = raw[k];
    const n = Number(value);
    if (value === undefined || value.trim() === "" || !Number.isFinite(n) || n < min || n > max || !isMultiple(n, step)) {
      problems.push(
        `${key(k)} must be a number from ${min} to ${max} in steps of ${step}; got ${value === undefined ? "nothing" : shown(value)}.`,
      );
      return undefined;
    }
    return n;
  };

  const boolean = (k: ConfigKey): boolean | undefined => {
    const value = raw[k];
    if (value !== "true" && value !== "false") {
      problems.push(`${key(k)} must be true or false; got ${value === undefined ? "nothing" : shown(value)}.`);
      return undefined;
    }
    return value === "true";
  };

  /** The host name; "" when unset (a valid choice), undefined when bad. */
  const hostname = (k: ConfigKey): string | undefined => {
    const value = raw[k] ?? "";
    // RFC 1123 host name with at least two labels, lower case, no trailing dot or scheme.
    const label = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
    if (value !== "" && (value.length > 253 || !new RegExp(`^(?:${label}\\.)+${label}$`).test(value))) {
      problems.push(
        `${key(k)} must be a lower-case DNS name such as app.example.com (no scheme, path or trailing dot); got ${shown(value)}.`,
      );
      return undefined;
    }
    return value;
  };

  /** `rule` is checked only when every value it relates is valid. */
  const whenValid = <T extends unknown[]>(values: { [I in keyof T]: T[I] | undefined }, rule: (...values: T) => string | undefined) => {
    if (values.some((v) => v === undefined)) return;
    const problem = rule(...(values as T));
    if (problem) problems.push(problem);
  };

  const size = (prefix: "api" | "web") => {
    const cpuKey = `${prefix}Cpu` as const;
    const memoryKey = `${prefix}Memory` as const;
    const desiredKey = `${prefix}DesiredCount` as const;
    const maxKey = `${prefix}MaxCount` as const;
    const cpu = oneOf(cpuKey, [...fargateSizes.keys()].map(String));
    const memory = integer(memoryKey, 512, 122880);
    whenValid([cpu, memory], (cpu: string, memory: number) => {
      const allowed = fargateSizes.get(Number(cpu))!;
      return allowed.includes(memory)
        ? undefined
        : `${key(memoryKey)} must be one of ${describeList(allowed)} MiB with ${key(cpuKey)} = ${cpu} (Fargate task sizes); got ${shown(raw[memoryKey]!)}.`;
    });
    const desiredCount = integer(desiredKey, 1, 100);
    const maxCount = integer(maxKey, 1, 100);
    whenValid([desiredCount, maxCount], (desired: number, max: number) =>
      max < desired ? `${key(maxKey)} must be at least ${key(desiredKey)} (${desired}); got ${max}.` : undefined,
    );
    return { cpu: cpu && Number(cpu), memory, desiredCount, maxCount };
  };

  const unknown = Object.keys(raw).filter((k) => !(configKeys as readonly string[]).includes(k) && raw[k] !== undefined);
  for (const k of unknown.sort()) {
    problems.push(`nexiom:${k} is not a key this program reads; the keys are ${configKeys.join(", ")}.`);
  }
  const environment = oneOf("environment", ["dev", "prod"] as const);
  const webHostPort = integer("webHostPort", 1, 65535);
  whenValid([webHostPort], (port: number) =>
    port === apiHostPort ? `${key("webHostPort")} must not be ${apiHostPort}, the API's host port on Docker; got ${shown(raw.webHostPort!)}.` : undefined,
  );
  const protectData = boolean("protectData");
  const domain = hostname("domain");
  const hostedZone = hostname("hostedZone");
  whenValid([domain, hostedZone], (domain: string, zone: string) => {
    if (zone && !domain) return `${key("hostedZone")} is set but ${key("domain")} is not; set both, or neither for plain HTTP.`;
    if (domain && zone && domain !== zone && !domain.endsWith(`.${zone}`)) return `${key("domain")} (${domain}) must be inside ${key("hostedZone")} (${zone}).`;
    return undefined;
  });
  const natGateways = oneOf("natGateways", ["none", "single", "perAz"] as const);
  // Two AZs at least: the load balancer, Aurora's reader and Redis failover all need a second one.
  const availabilityZones = integer("availabilityZones", 2, 6);
  const api = size("api");
  const web = size("web");
  // 0 ACU would let Aurora pause, and the first request after a pause waits ~15 s for it to resume.
  const databaseMinCapacity = decimal("databaseMinCapacity", 0.5, 256, 0.5);
  const databaseMaxCapacity = decimal("databaseMaxCapacity", 1, 256, 0.5);
  whenValid([databaseMinCapacity, databaseMaxCapacity], (min: number, max: number) =>
    max < min ? `${key("databaseMaxCapacity")} must be at least ${key("databaseMinCapacity")} (${min}); got ${max}.` : undefined,
  );
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
  // No problem was recorded, so every reader returned a value.
  return {
    environment: environment!,
    webHostPort: webHostPort!,
    protectData: protectData!,
    domain: domain || undefined,
    hostedZone: hostedZone || (domain ? domain.split(".").slice(1).join(".") : undefined),
    natGateways: natGateways!,
    availabilityZones: availabilityZones!,
    api: api as ServiceSize,
    web: web as ServiceSize,
    databaseMinCapacity: databaseMinCapacity!,
    databaseMaxCapacity: databaseMaxCapacity!,
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
