/**
 * Stand-in for `pulumi-resource-random` (the plugin behind @pulumi/random 4.21.2, a bridge of
 * hashicorp/terraform-provider-random).
 *
 * Why a stand-in: the Go module proxy this machine reaches refuses `github.com/pulumi/pulumi-random/provider/v4`
 * and the bridge's terraform-plugin-sdk fork (403, "not available").
 *
 * The contract kept, for `RandomPassword` as the program uses it: the upstream defaults (upper, lower,
 * numeric and special characters on, minimums 0, special characters `!@#$%&*()-_=+[]{}<>:?`), a result
 * drawn from a cryptographic source, every input change a replacement, and refresh keeping the
 * result (it exists nowhere but in the state). The SDK marks `result` secret. `bcryptHash` is not
 * produced.
 */
import * as provider from "@pulumi/pulumi/provider";
import { randomInt } from "node:crypto";
import { changedKeys, typeOf, unsupportedInputs } from "./provider-kit";

type Inputs = Record<string, any>;
const supported = ["length", "special", "upper", "lower", "numeric", "minUpper", "minLower", "minNumeric", "minSpecial", "overrideSpecial"];

const defaults = (inputs: Inputs): Inputs => ({
  upper: true, lower: true, numeric: true, special: true, minUpper: 0, minLower: 0, minNumeric: 0, minSpecial: 0, ...inputs,
});

function generate(i: Inputs): string {
  const sets: [boolean, string, number][] = [
    [i.upper, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", i.minUpper],
    [i.lower, "abcdefghijklmnopqrstuvwxyz", i.minLower],
    [i.numeric, "0123456789", i.minNumeric],
    [i.special, i.overrideSpecial ?? "!@#$%&*()-_=+[]{}<>:?", i.minSpecial],
  ];
  const pick = (chars: string) => chars[randomInt(chars.length)];
  const chars: string[] = [];
  for (const [on, set, min] of sets) if (on) for (let n = 0; n < min; n++) chars.push(pick(set));
  const all = sets.filter(([on]) => on).map(([, set]) => set).join("");
  if (all === "") throw new Error("RandomPassword: at least one of upper, lower, numeric or special must be true.");
  while (chars.length < i.length) chars.push(pick(all));
  // Shuffle, so that the required minimums do not always come first.
  for (let n = chars.length - 1; n > 0; n--) {
    const m = randomInt(n + 1);
    [chars[n], chars[m]] = [chars[m], chars[n]];
  }
  return chars.join("");
}

const randomProvider: provider.Provider = {
  version: "4.21.2",
  async check(urn, _olds, news) {
    const failures = unsupportedInputs(typeOf(urn), news, supported);
    if (typeOf(urn) !== "random:index/randomPassword:RandomPassword") failures.push({ property: "", reason: `the stand-in random provider does not implement ${typeOf(urn)}` });
    if (!(Number.isInteger(news.length) && news.length >= 1)) failures.push({ property: "length", reason: "length must be a whole number of at least 1" });
    return { inputs: defaults(news), failures };
  },
  async diff(_id, _urn, olds, news) {
    const changed = changedKeys(olds, news).filter((key) => key !== "result");
    return { changes: changed.length > 0, replaces: changed };
  },
  async create(_urn, inputs) {
    return { id: "none", outs: { ...inputs, result: generate(inputs) } };
  },
  async read(id, _urn, props) {
    const { result: _result, ...inputs } = props ?? {};
    return { id, props, inputs };
  },
};

void provider.main(randomProvider, process.argv.slice(2));
