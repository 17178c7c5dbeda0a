import { z } from "zod";

export const titleMaxLength = 200;
export const bodyMaxLength = 50_000;

export const title = z
  .string({ error: `must be a string of 1 to ${titleMaxLength} characters` })
  .trim()
  .min(1, { error: `must be a string of 1 to ${titleMaxLength} characters` })
  .max(titleMaxLength, { error: `must be a string of 1 to ${titleMaxLength} characters` });

export const body = z
  .string({ error: `must be a string of at most ${bodyMaxLength} characters` })
  .max(bodyMaxLength, { error: `must be a string of at most ${bodyMaxLength} characters` });

export const objectError = { error: "must be a JSON object" };
