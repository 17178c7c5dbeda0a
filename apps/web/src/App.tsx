import { lazy, Suspense } from "react";
import { BrowserRouter, Link, Route, Routes } from "react-router";
import { NotesPage } from "./pages/NotesPage";
import { Status } from "./components/Status";
import { usePageTitle } from "./hooks";

// The detail page is its own chunk: the list, which most visits start on, loads less.
const NotePage = lazy(() => import("./pages/NotePage"));

/** Declarative React Router: the data-router APIs are not needed and would add to the bundle. */
export function App() {
  return (
    <BrowserRouter>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <Link to="/" className="brand">
          Nexiom notes
        </Link>
      </header>
      <main id="main" tabIndex={-1}>
        <Routes>
          <Route path="/" element={<NotesPage />} />
          <Route
            path="/notes/:id"
            element={
              <Suspense fallback={<Status>Loading…</Status>}>
                <NotePage />
              </Suspense>
            }
          />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </main>
    </BrowserRouter>
  );
}

function NotFound() {
  usePageTitle("Page not found");
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <Link to="/">See all notes</Link>.
      </p>
    </section>
  );
}
