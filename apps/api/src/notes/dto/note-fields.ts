import { z } from "zod";

export const titleMaxLength = 200;
export const bodyMaxLength = 50_000;

/**
 * Request bodies over this many bytes get 413 before they are read whole. Sized for the worst
 * case the field rules allow rather than for typical text: lengths count UTF-16 code units, and
 * one unit takes up to 6 bytes of JSON (`JSON.stringify` writes a control character such as
 * U+0001 as `\u0001`, and any client may escape any character so), so a note of the longest
 * title and body is at most 6 × 50,200 = 301,200 bytes plus its keys and punctuation. (Raw UTF-8
 * is at most 3 bytes a unit: CJK 3, an emoji 4 for its 2 units.) nginx's client_max_body_size
 * (apps/web/nginx/default.conf.template) is the same.
 */
export const bodyLimitBytes = 300 * 1024;

// PostgreSQL text cannot hold U+0000: reject it here as a 400 rather than fail the INSERT with a 500.
const noNul = (value: string) => !value.includes("\u0000");
const noNulError = { error: "must not contain NUL (U+0000) characters" };
// A JSON escape such as "\ud800" is an unpaired surrogate: no UTF-8 can hold it, and pg would store U+FFFD instead of
// what the client sent while answering 201. Reject it as a 400, as for NUL.
const wellFormed = (value: string) => !/\p{Surrogate}/u.test(value);
const wellFormedError = { error: "must be well-formed Unicode (no unpaired surrogates)" };

export const title = z
  .string({ error: `must be a string of 1 to ${titleMaxLength} characters` })
  .refine(noNul, noNulError)
  .refine(wellFormed, wellFormedError)
  .trim()
  .min(1, { error: `must be a string of 1 to ${titleMaxLength} characters` })
  .max(titleMaxLength, { error: `must be a string of 1 to ${titleMaxLength} characters` });

export const body = z
  .string({ error: `must be a string of at most ${bodyMaxLength} characters` })
  .refine(noNul, noNulError)
  .refine(wellFormed, wellFormedError)
  .max(bodyMaxLength, { error: `must be a string of at most ${bodyMaxLength} characters` });

export const objectError = { error: "must be a JSON object" };
