/**
 * Generated HTTP requests for the notes API, mostly malformed, each with the answer the README's
 * contract gives it. Built with fast-check arbitraries and drawn with a seed, so that one number
 * replays the same requests (fast-check is pinned in package.json for that reason).
 */
import fc from "fast-check";

/** What the contract says the answer is: created (201 and a stored row), ok (2xx), or a 4xx. */
export type Expected = "created" | "ok" | "client-error";

export interface GeneratedRequest {
  /** The generator branch, to tell failures apart. */
  kind: string;
  method: "GET" | "POST" | "PATCH" | "DELETE" | "PUT";
  /** Path and query, as sent on the request line. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  expected: Expected;
  /** For `created`: the row the database must then hold (title trimmed, as the contract says). */
  stored?: { title: string; body: string };
}

/** The README's limit: 300 KiB, room for the largest note the field rules allow in any script. */
const bodyLimitBytes = 300 * 1024;
const titleMax = 200;
const bodyMax = 50_000;

/** Text a note may hold that trips naive code: SQL and JSON metacharacters, direction marks, emoji, combining marks. */
const oddPieces = [
  "'", "\"", "\\", "%", "_", ";", "--", "/*", "*/", "' OR '1'='1", "'; DROP TABLE notes; --", "$1", "::text", "E'\\x00'",
  "\u200f", "\u202e", "\u200b", "\ufeff", "\u2028", "\u00a0", "مرحبا", "שלום", "😀", "👩‍👩‍👧", "🏳️‍🌈", "e\u0301",
  "𝕏", "\t", "\n", "{", "}", "[", "]", "<script>", "null", "\\u0000", "%00", "\u007f",
];
const unit = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...oddPieces) }, { weight: 2, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }) }, { weight: 2, arbitrary: fc.string({ minLength: 1, maxLength: 1 }) });

const isWellFormed = (text: string) => !/\p{Surrogate}/u.test(text);
/** A string the contract accepts as a title: 1 to 200 characters once trimmed, no NUL, well-formed Unicode. */
const validTitle = fc
  .string({ unit, minLength: 1, maxLength: 40 })
  .filter((t) => t.trim().length >= 1 && t.trim().length <= titleMax && !t.includes("\u0000") && isWellFormed(t));
const validBody = fc.oneof(
  { weight: 5, arbitrary: fc.string({ unit, maxLength: 200 }) },
  // The largest body allowed, in scripts from 1 to 6 bytes of JSON a UTF-16 unit (an emoji is 2 units): all under the limit.
  { weight: 1, arbitrary: fc.constantFrom("x".repeat(bodyMax), "漢".repeat(bodyMax), "😀".repeat(bodyMax / 2), "\u0001".repeat(bodyMax)) },
  { weight: 1, arbitrary: fc.constant("") },
).filter((b) => b.length <= bodyMax && !b.includes("\u0000") && isWellFormed(b));

const json = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8");
const jsonHeaders = { "content-type": "application/json" };

function post(kind: string, body: Buffer, expected: Expected, headers: Record<string, string> = jsonHeaders, stored?: GeneratedRequest["stored"]): GeneratedRequest {
  return { kind, method: "POST", path: "/api/notes", headers, body, expected, ...(stored ? { stored } : {}) };
}

const validCreate = fc.record({ title: validTitle, body: fc.option(validBody, { nil: undefined }) }).map(({ title, body }) =>
  post("valid create", json(body === undefined ? { title } : { title, body }), "created", jsonHeaders, { title: title.trim(), body: body ?? "" }),
);

/** [generator branch, value]: the branch names the failure. */
const tag = <T>(kind: string, value: T): [string, T] => [kind, value];

/** A value of any JSON type but string. */
const notAString = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }));

/** Bodies every write (POST, and PATCH of an existing note) must refuse with a 4xx, as objects. */
const invalidObject: fc.Arbitrary<[string, unknown]> = fc.oneof(
  notAString.map((title) => tag("title of the wrong type", { title })),
  fc.tuple(validTitle, notAString).map(([title, body]) => tag("body of the wrong type", { title, body })),
  fc.constant(tag("no fields", {})),
  fc.tuple(validTitle, fc.string({ maxLength: 20 }).filter((k) => k !== "title" && k !== "body"), fc.jsonValue({ maxDepth: 2 })).map(([title, key, value]) => tag("unknown field", { title, [key]: value })),
  fc.stringMatching(/^\s{1,20}$/).map((title) => tag("blank title", { title })),
  fc.integer({ min: titleMax + 1, max: 2_000 }).map((n) => tag("title too long", { title: "t".repeat(n) })),
  fc.integer({ min: bodyMax + 1, max: 60_000 }).map((n) => tag("body too long", { title: "ok", body: "b".repeat(n) })),
  fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })).map(([a, b]) => tag("NUL in title", { title: `${a}\u0000${b}` })),
  fc.tuple(validTitle, fc.string({ maxLength: 10 })).map(([title, b]) => tag("NUL in body", { title, body: `${b}\u0000` })),
  fc.tuple(fc.string({ maxLength: 10 }), fc.constantFrom("\ud800", "\udfff", "\udc00x", "a\ud83d")).map(([a, lone]) => tag("lone surrogate in title", { title: `${a}${lone}` })),
  fc.tuple(validTitle, fc.constantFrom("\ud800", "\udbff", "\ude00")).map(([title, lone]) => tag("lone surrogate in body", { title, body: `x${lone}y` })),
);

/** JSON text that is not a note object, or not JSON. */
const invalidText: fc.Arbitrary<[string, Buffer]> = fc.oneof(
  fc.string({ maxLength: 60 }).filter((s) => { try { JSON.parse(`{${s}`); return false; } catch { return true; } }).map((s) => tag("malformed JSON", Buffer.from(`{${s}`, "utf8"))),
  fc.constantFrom("", " ", "{", "{\"title\":", "{\"title\":\"a\",}", "{'title':'a'}", "{\"title\":\"a\"}}", "[", "nul", "{\"title\":\"\\x41\"}", "{\"title\":\"a\\\"}").map((s) => tag("truncated or invalid JSON", Buffer.from(s, "utf8"))),
  fc.oneof(fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }), fc.integer(), fc.constant(null), fc.string({ maxLength: 8 }), fc.boolean()).map((v) => tag("not an object", json(v))),
  fc.integer({ min: 500, max: 30_000 }).map((depth) => tag("deeply nested array as title", Buffer.from(`{"title":${"[".repeat(depth)}${"]".repeat(depth)}}`))),
  fc.integer({ min: 500, max: 12_000 }).map((depth) => tag("deeply nested object", Buffer.from(`{"title":"ok","x":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}`))),
  fc.integer({ min: 500, max: 12_000 }).map((depth) => tag("deeply nested __proto__", Buffer.from(`{"title":"ok","x":${'{"a":'.repeat(depth)}{"__proto__":{"polluted":1}}${"}".repeat(depth)}}`))),
  fc.constantFrom('{"title":"ok","__proto__":{"admin":true}}', '{"title":"ok","constructor":{"prototype":{"admin":true}}}').map((s) => tag("prototype poisoning", Buffer.from(s))),
  fc.tuple(fc.constantFrom(Buffer.from([0xff]), Buffer.from([0xc3, 0x28]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]), Buffer.from([0xe2, 0x82])), validTitle).map(([bad, title]) =>
    tag("invalid UTF-8 in a string", Buffer.concat([Buffer.from(`{"title":${JSON.stringify(title).slice(0, -1)}`), bad, Buffer.from('"}')])),
  ),
  fc.integer({ min: bodyLimitBytes + 1, max: 400_000 }).map((size) => tag("body over 300 KiB", Buffer.from(`{"title":"big","body":"${"x".repeat(size)}"}`))),
  fc.integer({ min: bodyLimitBytes / 4 + 1, max: 100_000 }).map((n) => tag("emoji body over 300 KiB", json({ title: "big", body: "😀".repeat(n) }))),
);

const invalidCreate = fc.oneof(
  invalidObject.map(([kind, value]) => post(kind, json(value), "client-error")),
  invalidText.map(([kind, body]) => post(kind, body, "client-error")),
  fc.tuple(fc.constantFrom("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "application/jsonx", "", "json"), validTitle).map(([type, title]) =>
    post(`content type "${type}"`, json({ title }), "client-error", type === "" ? {} : { "content-type": type }),
  ),
  fc.tuple(fc.integer({ min: bodyLimitBytes + 1, max: 400_000 })).map(([size]) =>
    post("chunked body over 300 KiB", Buffer.from(`{"title":"big","body":"${"y".repeat(size)}"}`), "client-error", { ...jsonHeaders, "transfer-encoding": "chunked" }),
  ),
);

/** A path segment, percent-encoded or raw where the request line allows it. */
const badId = fc.oneof(
  fc.string({ unit, minLength: 1, maxLength: 60 }).filter(isWellFormed).map(encodeURIComponent),
  fc.constantFrom("%", "%zz", "%00", "%E0%A4%A", "..%2f..%2fetc%2fpasswd", "'%20OR%201=1--", "1;DROP%20TABLE%20notes", "null", "undefined", "-1", "0", "99999999999999999999999", "00000000-0000-0000-0000-00000000000g", "{id}", "%F0%9F%98%80"),
  fc.integer({ min: 101, max: 3_000 }).map((n) => "a".repeat(n)),
  fc.uuid().map((id) => id.toUpperCase()), // well-formed but unknown
  fc.uuid(),
);

const isValidLimit = (s: string) => /^[0-9]{1,3}$/.test(s) && Number(s) >= 1 && Number(s) <= 100;
const isValidCursor = (s: string) => {
  if (!/^[A-Za-z0-9_-]{1,28}$/.test(s)) return false;
  const seq = Buffer.from(s, "base64url").toString("utf8");
  return /^[1-9][0-9]{0,18}$/.test(seq) && BigInt(seq) <= 9223372036854775807n;
};
const limitText = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom("0", "101", "-1", "1e2", "1.5", "0x10", " 5", "", "100", "1", "007", "99999999999999999999"), fc.integer({ min: -5, max: 200 }).map(String));
const cursorText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ maxLength: 20 }).map((s) => Buffer.from(s).toString("base64url")),
  fc.bigInt({ min: -10n, max: 2n ** 70n }).map((n) => Buffer.from(String(n)).toString("base64url")),
  fc.constantFrom("", "=", "MQ==", "MA", "LTE", "OTIyMzM3MjAzNjg1NDc3NTgwOA"),
);
const list = fc
  .record({ limit: fc.option(limitText, { nil: undefined }), cursor: fc.option(cursorText, { nil: undefined }), repeat: fc.boolean() })
  .map(({ limit, cursor, repeat }): GeneratedRequest => {
    const query = new URLSearchParams();
    if (limit !== undefined) query.append("limit", limit);
    if (limit !== undefined && repeat) query.append("limit", limit); // ?limit=5&limit=5 arrives as an array
    if (cursor !== undefined) query.append("cursor", cursor);
    const valid = (limit === undefined || (isValidLimit(limit) && !repeat)) && (cursor === undefined || isValidCursor(cursor));
    return { kind: valid ? "valid list" : "bad limit or cursor", method: "GET", path: `/api/notes?${query}`, headers: {}, expected: valid ? "ok" : "client-error" };
  });

const byId = fc.tuple(badId, fc.constantFrom("GET", "DELETE", "PATCH") as fc.Arbitrary<"GET" | "DELETE" | "PATCH">, validTitle).map(
  ([id, method, title]): GeneratedRequest => ({
    kind: `${method} of an unknown or malformed id`,
    method,
    path: `/api/notes/${id}`,
    headers: method === "PATCH" ? jsonHeaders : {},
    ...(method === "PATCH" ? { body: json({ title }) } : {}),
    expected: "client-error",
  }),
);

/** Generators that need the id of one real note (the canary), which none of them may change. */
function againstCanary(canaryId: string): fc.Arbitrary<GeneratedRequest> {
  return fc.oneof(
    invalidObject.map(([kind, value]): GeneratedRequest => ({
      kind: `PATCH canary: ${kind}`,
      method: "PATCH",
      path: `/api/notes/${canaryId}`,
      headers: jsonHeaders,
      body: json(value),
      expected: "client-error",
    })),
    invalidText.map(([kind, body]): GeneratedRequest => ({ kind: `PATCH canary: ${kind}`, method: "PATCH", path: `/api/notes/${canaryId}`, headers: jsonHeaders, body, expected: "client-error" })),
    fc.constantFrom("PUT", "POST").map((method): GeneratedRequest => ({ kind: `${method} on a note`, method: method as "PUT" | "POST", path: `/api/notes/${canaryId}`, headers: jsonHeaders, body: json({ title: "x" }), expected: "client-error" })),
    fc.constant<GeneratedRequest>({ kind: "GET canary", method: "GET", path: `/api/notes/${canaryId}`, headers: {}, expected: "ok" }),
  );
}

/** `count` requests drawn from `seed`: about a fifth valid, the rest malformed in every way above. */
export function generateRequests(seed: number, count: number, canaryId: string): GeneratedRequest[] {
  const any = fc.oneof(
    { weight: 3, arbitrary: validCreate },
    { weight: 1, arbitrary: list.filter((r) => r.expected === "ok") },
    { weight: 7, arbitrary: invalidCreate },
    { weight: 3, arbitrary: list },
    { weight: 3, arbitrary: byId },
    { weight: 3, arbitrary: againstCanary(canaryId) },
  );
  return fc.sample(any, { seed, numRuns: count });
}
