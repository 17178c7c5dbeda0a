/**
 * What the stand-in resource plugins share: reading the engine's wire values (secrets included),
 * refusing inputs a stand-in does not implement, and failing a create whose resource exists but did
 * not come up (so the engine records it and replaces it next time, as it does for the real plugins).
 */

const sigKey = "4dabf18193072939515e22adb298388d";
const secretSig = "1b47061264138c4ac30d75fd1eb44270";

/** A value with the engine's secret markers removed, for use; outputs keep the marked originals. */
export function reveal<T = any>(value: unknown): T {
  if (Array.isArray(value)) return value.map(reveal) as T;
  if (value !== null && typeof value === "object") {
    const object = value as Record<string, unknown>;
    if (object[sigKey] === secretSig) return reveal(object.value);
    return Object.fromEntries(Object.entries(object).map(([key, item]) => [key, reveal(item)])) as T;
  }
  return value as T;
}

/** Properties as the engine's wire format takes them: absent rather than undefined (protobuf refuses undefined). */
export function wire<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

/** The resource type from a URN (`urn:pulumi:stack::project::parent$type::name`). */
export function typeOf(urn: string): string {
  return urn.split("::")[2].split("$").pop()!;
}

/** Check failures for every input the stand-in would otherwise silently ignore. */
export function unsupportedInputs(type: string, inputs: Record<string, unknown>, supported: readonly string[]) {
  return Object.keys(inputs)
    .filter((key) => !key.startsWith("__") && inputs[key] !== undefined && !supported.includes(key))
    .map((property) => ({
      property,
      reason: `the stand-in ${type} does not implement \`${property}\` (see test/engine/plugins/README.md); implement it there before the program uses it`,
    }));
}

/** Names of the inputs whose values differ (compared without secret markers). */
export function changedKeys(olds: Record<string, unknown>, news: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)].filter((key) => !key.startsWith("__")));
  const same = (a: unknown, b: unknown) => JSON.stringify(canonical(reveal(a))) === JSON.stringify(canonical(reveal(b)));
  return [...keys].filter((key) => !same(olds[key], news[key])).sort();
}

/** Object keys sorted, so that two equal values serialise equally. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.keys(value as object).sort().map((key) => [key, canonical((value as Record<string, unknown>)[key])]));
  }
  return value;
}

/**
 * The resource exists (the engine must record it, so the next update replaces it) but did not come
 * up: the Node provider server reports an error carrying an `id` as a resource initialisation failure.
 */
export class InitializationFailed extends Error {
  constructor(
    message: string,
    readonly id: string,
    readonly properties: Record<string, unknown>,
    readonly reasons: string[],
  ) {
    super(message);
  }
}
