/** A note as the API returns it. */
export interface NoteDto {
  id: string;
  title: string;
  body: string;
  /** ISO 8601, UTC. */
  createdAt: string;
  updatedAt: string;
}

/** One page of the list, newest first; pass nextCursor back as ?cursor= for the next page (null: no more). */
export interface NotesPageDto {
  items: NoteDto[];
  nextCursor: string | null;
}
