/** What one evaluation of the program registered, as the tests and `pnpm plan` read it. */
export interface RecordedResource {
  urn: string;
  /** Physical ID the (mock) provider returned. */
  id: string;
  /** Type token, e.g. `aws:ecs/service:Service` or `nexiom:index:Database`. */
  type: string;
  name: string;
  /** URN of the parent; undefined for top-level resources. */
  parent?: string;
  /** False for components. */
  custom: boolean;
  /** Inputs as the provider receives them, secrets unwrapped (see `secretPaths`). */
  inputs: Record<string, unknown>;
  /** Paths (e.g. `envs[2]`) of inputs Pulumi marks secret. */
  secretPaths: string[];
  protect: boolean;
  retainOnDelete: boolean;
  deleteBeforeReplace: boolean;
  ignoreChanges: string[];
  replaceOnChanges: string[];
  /** URNs of explicit `dependsOn` resources. */
  dependsOn: string[];
}

export interface StackRecord {
  stack: string;
  resources: RecordedResource[];
  /** The program's exports, resolved. */
  outputs: Record<string, unknown>;
  /** Names of exports Pulumi marks secret. */
  secretOutputs: string[];
  /** The program's error, when it threw. */
  error?: string;
}

const sigKey = "4dabf18193072939515e22adb298388d";
const secretSig = "1b47061264138c4ac30d75fd1eb44270";
const resourceSig = "5cf8f73096256a8f31e491e813e4eb8e";
const unknownValue = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Turns the wire form of resource inputs into plain values, noting where secrets were. */
export function convertProperties(wire: unknown): { value: unknown; secretPaths: string[] } {
  const secretPaths: string[] = [];
  const visit = (value: unknown, at: string): unknown => {
    if (value === unknownValue) return "<unknown>";
    if (Array.isArray(value)) return value.map((item, i) => visit(item, `${at}[${i}]`));
    if (value !== null && typeof value === "object") {
      const object = value as Record<string, unknown>;
      if (object[sigKey] === secretSig) {
        secretPaths.push(at);
        return visit(object.value, at);
      }
      if (object[sigKey] === resourceSig) return { resource: object.urn };
      return Object.fromEntries(Object.entries(object).map(([key, item]) => [key, visit(item, at === "" ? key : `${at}.${key}`)]));
    }
    return value;
  };
  return { value: visit(wire, ""), secretPaths };
}
