import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { createNote, listNotes, type Note } from "../api";
import { NoteForm } from "../components/NoteForm";
import { DateTime, ErrorMessage, Status } from "../components/Status";
import { usePageTitle, useResource } from "../hooks";

/** The list of notes, newest first, one page at a time, with a form to add one. */
export function NotesPage() {
  usePageTitle("Notes");
  const [params] = useSearchParams();
  const cursor = params.get("cursor") ?? undefined;
  const { resource, reload, set } = useResource(`notes:${cursor ?? ""}`, (signal) => listNotes(cursor, signal));
  const [created, setCreated] = useState<Note>();

  async function create(input: { title: string; body: string }) {
    const note = await createNote(input);
    setCreated(note);
    // The new note is the newest: it belongs at the top of the first page only.
    if (!cursor && resource.state === "ready") set({ ...resource.data, items: [note, ...resource.data.items] });
  }

  return (
    <>
      <h1>Notes</h1>
      <section aria-labelledby="new-note">
        <h2 id="new-note">New note</h2>
        <NoteForm submitLabel="Add note" onSubmit={create} resetOnSuccess />
        {created && (
          <Status>
            Added <Link to={`/notes/${encodeURIComponent(created.id)}`}>{created.title}</Link>.
          </Status>
        )}
      </section>
      <section aria-labelledby="all-notes">
        <h2 id="all-notes">{cursor ? "Older notes" : "Latest notes"}</h2>
        {resource.state === "loading" && <Status>Loading notes…</Status>}
        {resource.state === "error" && <ErrorMessage error={resource.error} onRetry={reload} />}
        {resource.state === "ready" && (
          <>
            {resource.data.items.length === 0 ? (
              <p>{cursor ? "No older notes." : "No notes yet. Add the first one above."}</p>
            ) : (
              <ul className="note-list">
                {resource.data.items.map((note) => (
                  <li key={note.id}>
                    <Link to={`/notes/${encodeURIComponent(note.id)}`}>{note.title}</Link>
                    <DateTime value={note.createdAt} />
                    {note.body && <p>{excerpt(note.body)}</p>}
                  </li>
                ))}
              </ul>
            )}
            <nav className="pager" aria-label="Pages">
              {cursor && <Link to="/">Newest notes</Link>}
              {resource.data.nextCursor && (
                <Link to={`/?${new URLSearchParams({ cursor: resource.data.nextCursor })}`}>Older notes</Link>
              )}
            </nav>
          </>
        )}
      </section>
    </>
  );
}

function excerpt(body: string): string {
  return body.length > 160 ? `${body.slice(0, 160).trimEnd()}…` : body;
}
