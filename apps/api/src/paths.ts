import { join } from "node:path";

/**
 * Versioned SQL migrations sit next to the entry point: dist/migrations in the image (the bundle
 * is one file, so import.meta.dirname is dist), build/tsc/migrations in dev. This file must stay
 * at the root of src for the dev layout to match.
 */
export const migrationsDir = join(import.meta.dirname, "migrations");
