import { z } from "zod";

export const titleMaxLength = 200;
export const bodyMaxLength = 50_000;

// PostgreSQL text cannot hold U+0000: reject it here as a 400 rather than fail the INSERT with a 500.
const noNul = (value: string) => !value.includes("\u0000");
const noNulError = { error: "must not contain NUL (U+0000) characters" };

export const title = z
  .string({ error: `must be a string of 1 to ${titleMaxLength} characters` })
  .refine(noNul, noNulError)
  .trim()
  .min(1, { error: `must be a string of 1 to ${titleMaxLength} characters` })
  .max(titleMaxLength, { error: `must be a string of 1 to ${titleMaxLength} characters` });

export const body = z
  .string({ error: `must be a string of at most ${bodyMaxLength} characters` })
  .refine(noNul, noNulError)
  .max(bodyMaxLength, { error: `must be a string of at most ${bodyMaxLength} characters` });

export const objectError = { error: "must be a JSON object" };
