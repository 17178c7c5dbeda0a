import { useId, useState, type FormEvent } from "react";
import { ApiError, BODY_MAX_LENGTH, TITLE_MAX_LENGTH, type FieldErrors, type NoteInput } from "../api";
import { messageOf } from "./Status";

export interface NoteFormProps {
  /** Values the fields start with. @default empty fields */
  initial?: NoteInput;
  /** Text of the submit button. */
  submitLabel: string;
  /** Saves the note; a rejected promise shows its errors next to the fields. */
  onSubmit: (input: NoteInput) => Promise<unknown>;
  /** Shows a Cancel button when set. @default no Cancel button */
  onCancel?: () => void;
  /** Empty the fields after a successful save (a "new note" form). @default false */
  resetOnSuccess?: boolean;
}

/** Title and body fields; the API's validation messages appear under the field they name. */
export function NoteForm({ initial, submitLabel, onSubmit, onCancel, resetOnSuccess = false }: NoteFormProps) {
  const id = useId();
  const [values, setValues] = useState<NoteInput>(initial ?? { title: "", body: "" });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string>();
  const [saving, setSaving] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaving(true);
    setErrors({});
    setFormError(undefined);
    try {
      await onSubmit(values);
      if (resetOnSuccess) setValues({ title: "", body: "" });
    } catch (error) {
      const fieldErrors = error instanceof ApiError ? error.fieldErrors : {};
      setErrors(fieldErrors);
      const other = fieldErrors._?.join(" ");
      const anyField = Boolean(fieldErrors.title || fieldErrors.body);
      setFormError(other || (anyField ? undefined : messageOf(error)));
      const first = fieldErrors.title ? "title" : fieldErrors.body ? "body" : undefined;
      if (first) document.getElementById(`${id}-${first}`)?.focus();
    } finally {
      setSaving(false);
    }
  }

  const field = (name: keyof NoteInput) => {
    const messages = errors[name];
    return {
      id: `${id}-${name}`,
      name,
      value: values[name],
      onChange: (event: { target: { value: string } }) => setValues((v) => ({ ...v, [name]: event.target.value })),
      "aria-invalid": messages ? true : undefined,
      "aria-describedby": messages ? `${id}-${name}-error` : undefined,
    };
  };

  return (
    <form className="note-form" onSubmit={submit} aria-busy={saving}>
      <div className="field">
        <label htmlFor={`${id}-title`}>Title</label>
        <input {...field("title")} type="text" autoComplete="off" required maxLength={TITLE_MAX_LENGTH} />
        <FieldError id={`${id}-title-error`} messages={errors.title} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-body`}>Body</label>
        <textarea {...field("body")} rows={6} maxLength={BODY_MAX_LENGTH} />
        <FieldError id={`${id}-body-error`} messages={errors.body} />
      </div>
      {formError && (
        <p className="error" role="alert">
          {formError}
        </p>
      )}
      <div className="actions">
        <button type="submit" disabled={saving}>
          {saving ? "Saving…" : submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="secondary" onClick={onCancel} disabled={saving}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

function FieldError({ id, messages }: { id: string; messages?: string[] }) {
  if (!messages?.length) return null;
  return (
    <p className="field-error" id={id} role="alert">
      {messages.join(" ")}
    </p>
  );
}
