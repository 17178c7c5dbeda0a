import { readdirSync } from "node:fs";
import { flushCompileCache, getCompileCacheDir } from "node:module";

/** `node dist/main.js --fill-compile-cache`: the image build's step (Dockerfile, stage compile-cache). */
export const fillCompileCacheFlag = "--fill-compile-cache";

/**
 * Writes V8's compiled code for the bundle into Node's compile cache (NODE_COMPILE_CACHE), so that every
 * start reads it instead of compiling about 4 MB of JavaScript: about 80 ms of the API's start on the
 * bench machine (README, "Benchmarks"). Node has compiled the bundle by the time this runs; nothing
 * here reads config or connects anywhere, so the image build needs no database.
 *
 * Node keys the cache by its version, the user id and the script's path: the cache is only used by
 * the same user running the same file at the same path, which is why the Dockerfile fills it as the
 * runner's user at the runner's path. Returns the exit code.
 */
export function fillCompileCache(): number {
  const write = (line: string) => process.stderr.write(`${line}\n`);
  const directory = getCompileCacheDir();
  if (directory === undefined) {
    write(`${fillCompileCacheFlag}: Node's compile cache is off; set NODE_COMPILE_CACHE to a directory this user can write`);
    return 1;
  }
  flushCompileCache();
  if (readdirSync(directory).length === 0) {
    write(`${fillCompileCacheFlag}: Node wrote nothing to ${directory}; is it writable by this user?`);
    return 1;
  }
  write(`${fillCompileCacheFlag}: compiled code for ${process.argv[1]} is in ${directory}`);
  return 0;
}
