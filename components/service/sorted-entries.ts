/** `{ NAME: value }` as a list sorted by name, so that reordering a caller's object never shows as a change. */
export function sortedEntries<T>(record: Record<string, T>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
