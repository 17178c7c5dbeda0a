// Types for the parts of build.mjs that the tests and the bench import.
import type { BuildResult } from "esbuild";

export const optionalExternals: string[];
export const esbuildNameHelper: RegExp;
export function trimKeepNames(code: string, file?: string): string;
export function bundleFile(options: { entry: string; outfile: string; minify?: boolean }): Promise<BuildResult<{ metafile: true }>>;
export function bundle(options?: { outdir?: string; minify?: boolean }): Promise<BuildResult<{ metafile: true }>>;
export function tsc(): void;
export const tscOut: string;
export const root: string;
