/**
 * The only module that knows the API's URLs and response shapes: the rest of the app sees
 * notes, pages of notes and typed errors. Same origin, under /api (nginx in every
 * environment, Vite's proxy in `pnpm dev`).
 */

export interface Note {
  id: string;
  title: string;
  body: string;
  createdAt: string;
  updatedAt: string;
}

export interface NoteInput {
  title: string;
  body: string;
}

/** One page of notes, newest first; `nextCursor` is null on the last page. */
export interface NotePage {
  items: Note[];
  nextCursor: string | null;
}

/** The API's limits (apps/api/src/notes/dto/note-fields.ts), mirrored so the form says them first. */
export const TITLE_MAX_LENGTH = 200;
export const BODY_MAX_LENGTH = 50_000;

/** Messages for the fields the API rejected, keyed by field name; `_` holds the rest. */
export type FieldErrors = Partial<Record<keyof NoteInput | "_", string[]>>;

/** The API answered with an error status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fieldErrors: FieldErrors = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The API could not be reached, or nginx could not reach it (502, 503, 504). */
export class ApiUnavailableError extends Error {
  constructor() {
    super("The service is unavailable. Check your connection and try again.");
    this.name = "ApiUnavailableError";
  }
}

export const PAGE_SIZE = 20;

export function listNotes(cursor?: string, signal?: AbortSignal): Promise<NotePage> {
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (cursor) query.set("cursor", cursor);
  return request<NotePage>(`/api/notes?${query}`, { signal });
}

export function getNote(id: string, signal?: AbortSignal): Promise<Note> {
  return request<Note>(`/api/notes/${encodeURIComponent(id)}`, { signal });
}

export function createNote(input: NoteInput): Promise<Note> {
  return request<Note>("/api/notes", { method: "POST", body: JSON.stringify(input) });
}

export function updateNote(id: string, input: Partial<NoteInput>): Promise<Note> {
  return request<Note>(`/api/notes/${encodeURIComponent(id)}`, {
    method: "PATCH",
    body: JSON.stringify(input),
  });
}

export function deleteNote(id: string): Promise<void> {
  return request<void>(`/api/notes/${encodeURIComponent(id)}`, { method: "DELETE" });
}

async function request<T>(url: string, init: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      headers: { accept: "application/json", ...(init.body ? { "content-type": "application/json" } : {}) },
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiUnavailableError();
  }
  if (response.status === 502 || response.status === 503 || response.status === 504) {
    throw new ApiUnavailableError();
  }
  if (response.status === 204) return undefined as T;
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const fieldErrors =
      response.status === 413 ? { body: [tooLargeMessage(body)] } : fieldErrorsFrom(body);
    throw new ApiError(response.status, errorMessage(response.status, body), fieldErrors);
  }
  return body as T;
}

/** The limit comes from whoever refused the body (nginx or the API), so the app never states a stale one. */
function tooLargeMessage(body: unknown): string {
  const message = isRecord(body) ? body.message : undefined;
  return `Body is too large${typeof message === "string" ? `: ${message}` : "."}`;
}

function errorMessage(status: number, body: unknown): string {
  if (status === 404) return "This note does not exist, or it was deleted.";
  if (status === 413) return "The note is too large.";
  if (status === 429) return "Too many requests. Wait a moment and try again.";
  const message = isRecord(body) ? body.message : undefined;
  if (typeof message === "string") return message;
  if (status === 400) return "Some fields are not valid.";
  return `The request failed (HTTP ${status}).`;
}

const fields = ["title", "body"] as const;
const labels = { title: "Title", body: "Body" } as const;

/**
 * Maps an error body to messages per field. The API's 400 lists `issues: [{ field, message }]`
 * ("title", "must be a string of 1 to 200 characters"); structured lists under `errors` and
 * NestJS's default `message: ["title must be …"]` are understood too.
 */
export function fieldErrorsFrom(body: unknown): FieldErrors {
  const result: FieldErrors = {};
  const add = (field: string | undefined, message: string) => {
    const key = fields.find((name) => name === field);
    if (key) {
      const text = message.startsWith(key) ? message.slice(key.length).trimStart() : message;
      (result[key] ??= []).push(`${labels[key]} ${text}`);
    } else {
      (result._ ??= []).push(field && !message.startsWith(field) ? `${field} ${message}` : message);
    }
  };
  if (!isRecord(body)) return result;
  const list = Array.isArray(body.issues) ? body.issues : Array.isArray(body.errors) ? body.errors : undefined;
  if (list) {
    for (const entry of list) {
      if (!isRecord(entry)) continue;
      const field = entry.field ?? entry.property ?? entry.path;
      const name = Array.isArray(field) ? field.join(".") : typeof field === "string" ? field : undefined;
      for (const message of messagesOf(entry)) add(name, message);
    }
    return result;
  }
  const messages = Array.isArray(body.message) ? body.message : [];
  for (const message of messages) {
    if (typeof message !== "string") continue;
    add(message.split(/[\s.]/, 1)[0], message);
  }
  return result;
}

function messagesOf(entry: Record<string, unknown>): string[] {
  if (typeof entry.message === "string") return [entry.message];
  if (Array.isArray(entry.messages)) return entry.messages.filter((m) => typeof m === "string");
  if (isRecord(entry.constraints)) return Object.values(entry.constraints).filter((m) => typeof m === "string");
  return [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
