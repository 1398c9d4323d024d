/**
 * Builds the browser tracker: tracker/dist/tw.js (the core every page loads) and tracker/dist/tw-ui.js
 * (the pop-in renderer, loaded on the first pop-in). Fails past the gzip budgets: size is the
 * tracker's first goal (STYLE.md §10). Run: npx tsx tracker/build.ts [--dev]
 */
import { build } from 'esbuild';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Gzipped bytes: the core alone, and the core with the renderer. */
export const TRACKER_BUDGETS = { core: 2560, coreWithRenderer: 4096 } as const;

const ENTRIES = [
  { name: 'tw.js', entry: 'src/index.ts' },
  { name: 'tw-ui.js', entry: 'src/popin/index.ts' },
] as const;

export interface TrackerFile {
  name: string;
  bytes: number;
  gzipBytes: number;
}

export interface BuildTrackerOptions {
  /** Defaults to tracker/dist. */
  outdir?: string;
  /** Keeps dev-only warnings (console.warn on rejected events, missing data-site...). */
  dev?: boolean;
}

export async function buildTracker(options: BuildTrackerOptions = {}): Promise<{ files: TrackerFile[] }> {
  const outdir = resolve(options.outdir ?? join(here, 'dist'));
  await mkdir(outdir, { recursive: true });
  const files: TrackerFile[] = [];
  for (const { name, entry } of ENTRIES) {
    const result = await build({
      entryPoints: [join(here, entry)],
      bundle: true,
      format: 'iife',
      target: 'es2017',
      minify: true,
      write: false,
      legalComments: 'none',
      define: { TW_DEV: options.dev ? 'true' : 'false' },
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.contents;
    await writeFile(join(outdir, name), code);
    files.push({ name, bytes: code.byteLength, gzipBytes: gzipSync(code, { level: 9 }).byteLength });
  }
  return { files };
}

/** Budget overruns, as messages; empty when the build fits. */
export function budgetOverruns(files: TrackerFile[]): string[] {
  const gzip = (name: string): number => files.find((file) => file.name === name)?.gzipBytes ?? 0;
  const core = gzip('tw.js');
  const all = core + gzip('tw-ui.js');
  const overruns: string[] = [];
  if (core > TRACKER_BUDGETS.core) overruns.push(`tw.js is ${core} B gzipped, over its ${TRACKER_BUDGETS.core} B budget`);
  if (all > TRACKER_BUDGETS.coreWithRenderer) {
    overruns.push(`tw.js + tw-ui.js are ${all} B gzipped, over their ${TRACKER_BUDGETS.coreWithRenderer} B budget`);
  }
  return overruns;
}

async function main(): Promise<void> {
  const dev = process.argv.includes('--dev');
  const { files } = await buildTracker({ dev });
  for (const file of files) console.log(`${file.name.padEnd(10)} ${String(file.bytes).padStart(6)} B  ${String(file.gzipBytes).padStart(5)} B gzipped`);
  const overruns = dev ? [] : budgetOverruns(files);
  for (const overrun of overruns) console.error(overrun);
  if (overruns.length) process.exitCode = 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
