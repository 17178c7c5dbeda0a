import { z } from "zod";

export const defaultPageSize = 20;
export const maxPageSize = 100;

/**
 * GET /api/notes?limit=&cursor=: `limit` 1 to 100 (default 20); `cursor` is the `nextCursor` of
 * the previous page, opaque to clients. Other query parameters are ignored.
 */
export const listNotesSchema = z.object(
  {
    limit: z
      .string()
      .regex(/^[0-9]{1,3}$/, { error: `must be an integer from 1 to ${maxPageSize}` })
      .transform(Number)
      .pipe(z.number().min(1, { error: `must be an integer from 1 to ${maxPageSize}` }).max(maxPageSize, { error: `must be an integer from 1 to ${maxPageSize}` }))
      .default(defaultPageSize),
    cursor: z
      .string()
      .transform((cursor, ctx) => {
        const seq = decodeCursor(cursor);
        if (seq === undefined) {
          ctx.addIssue({ code: "custom", message: "is not a cursor returned by this API" });
          return z.NEVER;
        }
        return seq;
      })
      .optional(),
  },
  { error: "must be a query string" },
);
export type ListNotesDto = z.output<typeof listNotesSchema>;

/** The cursor is the list position (notes.seq) in base64url, so that clients do not build it themselves. */
export function encodeCursor(seq: string): string {
  return Buffer.from(seq, "utf8").toString("base64url");
}

/** The seq a cursor stands for, or undefined when it is not one this API made. */
export function decodeCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,28}$/.test(cursor)) return undefined;
  const seq = Buffer.from(cursor, "base64url").toString("utf8");
  if (!/^[1-9][0-9]{0,18}$/.test(seq) || BigInt(seq) > 9223372036854775807n) return undefined;
  return seq;
}
