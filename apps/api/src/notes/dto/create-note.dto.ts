import { z } from "zod";
import { body, objectError, title } from "./note-fields.js";

/** POST /api/notes: `title` is required, `body` defaults to ""; any other key is a 400. */
export const createNoteSchema = z.strictObject({ title, body: body.default("") }, objectError);
export type CreateNoteDto = z.output<typeof createNoteSchema>;
