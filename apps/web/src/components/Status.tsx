import type { ReactNode } from "react";
import { ApiError, ApiUnavailableError } from "../api";

/** A polite live region for loading and success messages. */
export function Status({ children }: { children: ReactNode }) {
  return (
    <p className="status" role="status">
      {children}
    </p>
  );
}

/** An error a person can act on, announced at once, with a retry when it can help. */
export function ErrorMessage({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const unavailable = error instanceof ApiUnavailableError;
  return (
    <div className="error" role="alert">
      <p>{messageOf(error)}</p>
      {onRetry && (unavailable || !(error instanceof ApiError) || error.status >= 500) && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function DateTime({ value }: { value: string }) {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return null;
  return <time dateTime={date.toISOString()}>{dateFormat.format(date)}</time>;
}
