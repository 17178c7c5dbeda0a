import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { ApiError, deleteNote, getNote, updateNote, type Note } from "../api";
import { NoteForm } from "../components/NoteForm";
import { DateTime, ErrorMessage, Status } from "../components/Status";
import { usePageTitle, useResource } from "../hooks";

/** One note (`/notes/:id`): read it, edit it, delete it. Loaded as its own chunk. */
export default function NotePage() {
  const { id = "" } = useParams();
  const { resource, reload, set } = useResource(`note:${id}`, (signal) => getNote(id, signal));
  usePageTitle(resource.state === "ready" ? resource.data.title : "Note");

  if (resource.state === "loading") return <Status>Loading note…</Status>;
  if (resource.state === "error") {
    const missing = resource.error instanceof ApiError && resource.error.status === 404;
    return (
      <section>
        <h1>{missing ? "Note not found" : "Could not load the note"}</h1>
        <ErrorMessage error={resource.error} onRetry={reload} />
        <p>
          <Link to="/">Back to all notes</Link>
        </p>
      </section>
    );
  }
  return <NoteView key={resource.data.id} note={resource.data} onSaved={set} />;
}

function NoteView({ note, onSaved }: { note: Note; onSaved: (note: Note) => void }) {
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const [deleteError, setDeleteError] = useState<unknown>();
  const [saved, setSaved] = useState(false);

  async function save(input: { title: string; body: string }) {
    const updated = await updateNote(note.id, input);
    onSaved(updated);
    setEditing(false);
    setSaved(true);
  }

  async function remove() {
    setDeleteError(undefined);
    try {
      await deleteNote(note.id);
      navigate("/", { replace: true });
    } catch (error) {
      setDeleteError(error);
    }
  }

  return (
    <article className="note">
      <p>
        <Link to="/">← All notes</Link>
      </p>
      {editing ? (
        <>
          <h1>Edit note</h1>
          <NoteForm
            initial={{ title: note.title, body: note.body }}
            submitLabel="Save"
            onSubmit={save}
            onCancel={() => setEditing(false)}
          />
        </>
      ) : (
        <>
          <h1>{note.title}</h1>
          <p className="meta">
            Created <DateTime value={note.createdAt} />
            {note.updatedAt !== note.createdAt && (
              <>
                {" · "}updated <DateTime value={note.updatedAt} />
              </>
            )}
          </p>
          <div className="note-body">{note.body}</div>
          {saved && <Status>Saved.</Status>}
          <div className="actions">
            <button
              type="button"
              onClick={() => {
                setSaved(false);
                setEditing(true);
              }}
            >
              Edit
            </button>
            {confirmingDelete ? (
              <>
                <button type="button" className="danger" onClick={remove}>
                  Delete for good
                </button>
                <button type="button" className="secondary" onClick={() => setConfirmingDelete(false)}>
                  Keep it
                </button>
              </>
            ) : (
              <button type="button" className="secondary" onClick={() => setConfirmingDelete(true)}>
                Delete…
              </button>
            )}
          </div>
          {deleteError !== undefined && <ErrorMessage error={deleteError} />}
        </>
      )}
    </article>
  );
}
