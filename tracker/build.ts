/**
 * Builds the browser tracker: tracker/dist/tw.js (the core every page loads) and the chunks it
 * fetches only when a page needs them: tw-ui.js (the pop-in renderer, on the first pop-in), tw-modal.js (the focus trap, on the first modal),
 * tw-form.js (on the first pop-in with a form), tw-capture.js (with data-capture), tw-post.js (the
 * POST /e fallback, once the socket keeps failing). Fails past the
 * gzip budgets: size is the tracker's first goal (STYLE.md §10). Run: npx tsx tracker/build.ts [--dev]
 */
import { build } from 'esbuild';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Gzipped bytes: the core alone, the core with the renderer, and each lazily loaded chunk alone. */
export const TRACKER_BUDGETS = { core: 2560, coreWithRenderer: 4096, modal: 256, form: 1280, capture: 1700, post: 256 } as const;

/**
 * Property names that never leave tw.js (its settings, transport and outbox objects): the
 * minifier shortens them, everywhere in the bundle. So never list a wire key, a PopinMessage
 * field, a member of the page global (q, ui, trap, form, post, loaded) that other chunks share, or any
 * name a browser object has (the tag's dataset.site is why `site` is not here).
 */
const CORE_PRIVATE_PROPS = /^(automaticPages|consentRequired|script|base|visitor|outbox|onPop|events|persist|flush|leave|resume|drop|loadChunk)$/;

const ENTRIES = [
  { name: 'tw.js', entry: 'src/index.ts', mangleProps: CORE_PRIVATE_PROPS },
  { name: 'tw-ui.js', entry: 'src/popin/index.ts' },
  { name: 'tw-modal.js', entry: 'src/popin/modal/index.ts' },
  { name: 'tw-form.js', entry: 'src/popin/form/index.ts' },
  { name: 'tw-capture.js', entry: 'src/auto-capture/index.ts' },
  { name: 'tw-post.js', entry: 'src/post/index.ts' },
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
  for (const { name, entry, ...extra } of ENTRIES) {
    const result = await build({
      ...extra,
      entryPoints: [join(here, entry)],
      bundle: true,
      format: 'iife',
      target: 'es2017',
      minify: true,
      write: false,
      legalComments: 'none',
      define: { TW_DEV: options.dev ? 'true' : 'false' },
      logLevel: 'silent',
      // Not the project's tsconfig: its "strict" would make esbuild prepend "use strict" to every
      // chunk, bytes that change nothing for code already written as strict TypeScript.
      tsconfigRaw: {},
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
  const chunks = [['tw-modal.js', TRACKER_BUDGETS.modal], ['tw-form.js', TRACKER_BUDGETS.form], ['tw-capture.js', TRACKER_BUDGETS.capture], ['tw-post.js', TRACKER_BUDGETS.post]] as const;
  for (const [name, budget] of chunks) {
    if (gzip(name) > budget) overruns.push(`${name} is ${gzip(name)} B gzipped, over its ${budget} B budget`);
  }
  return overruns;
}

async function main(): Promise<void> {
  const dev = process.argv.includes('--dev');
  const { files } = await buildTracker({ dev });
  const budgets: Record<string, string> = {
    'tw.js': `budget ${TRACKER_BUDGETS.core} B`,
    'tw-ui.js': `budget ${TRACKER_BUDGETS.coreWithRenderer} B with tw.js`,
    'tw-modal.js': `budget ${TRACKER_BUDGETS.modal} B`,
    'tw-form.js': `budget ${TRACKER_BUDGETS.form} B`,
    'tw-capture.js': `budget ${TRACKER_BUDGETS.capture} B`,
    'tw-post.js': `budget ${TRACKER_BUDGETS.post} B`,
  };
  for (const file of files) {
    console.log(`${file.name.padEnd(14)} ${String(file.bytes).padStart(6)} B  ${String(file.gzipBytes).padStart(5)} B gzipped  (${budgets[file.name]})`);
  }
  const overruns = dev ? [] : budgetOverruns(files);
  for (const overrun of overruns) console.error(overrun);
  if (overruns.length) process.exitCode = 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
