import { z } from "zod";
import { body, objectError, title } from "./note-fields.js";

/** PATCH /api/notes/:id: the fields to change, at least one. */
export const updateNoteSchema = z
  .strictObject({ title: title.optional(), body: body.optional() }, objectError)
  .refine((dto) => dto.title !== undefined || dto.body !== undefined, {
    error: "must set at least one of title, body",
  });
export type UpdateNoteDto = z.output<typeof updateNoteSchema>;
