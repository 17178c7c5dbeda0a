import { useEffect, useState } from "react";

/** Sets the document title, which screen readers announce on navigation. */
export function usePageTitle(title: string) {
  useEffect(() => {
    document.title = `${title} · Nexiom`;
  }, [title]);
}

export type Resource<T> =
  | { state: "loading" }
  | { state: "error"; error: unknown }
  | { state: "ready"; data: T };

/**
 * Loads data for the current `key`, aborting the request when the key changes or the
 * component unmounts. `reload` fetches again (after an error, say); `set` replaces the data
 * after a local change (a created or edited note) without a round trip.
 */
export function useResource<T>(key: string, load: (signal: AbortSignal) => Promise<T>) {
  const [resource, setResource] = useState<Resource<T>>({ state: "loading" });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setResource({ state: "loading" });
    load(controller.signal).then(
      (data) => setResource({ state: "ready", data }),
      (error: unknown) => {
        if (!controller.signal.aborted) setResource({ state: "error", error });
      },
    );
    return () => controller.abort();
    // `load` is recreated on every render; `key` names what it loads.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, attempt]);
  return {
    resource,
    reload: () => setAttempt((n) => n + 1),
    set: (data: T) => setResource({ state: "ready", data }),
  };
}
