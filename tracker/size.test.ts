import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { TRACKER_BUDGETS, budgetOverruns, buildTracker } from './build.js';
import type { TrackerFile } from './build.js';

let outdir: string;
let files: TrackerFile[];
beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'tw-size-'));
  ({ files } = await buildTracker({ outdir }));
});
afterAll(async () => {
  await rm(outdir, { recursive: true, force: true });
});

const gzipped = (name: string): number => files.find((file) => file.name === name)!.gzipBytes;

test(`the core tw.js stays within ${TRACKER_BUDGETS.core} B gzipped`, () => {
  expect(gzipped('tw.js')).toBeLessThanOrEqual(TRACKER_BUDGETS.core);
});

test(`tw.js with the pop-in renderer stays within ${TRACKER_BUDGETS.coreWithRenderer} B gzipped`, () => {
  expect(gzipped('tw.js') + gzipped('tw-ui.js')).toBeLessThanOrEqual(TRACKER_BUDGETS.coreWithRenderer);
  expect(budgetOverruns(files)).toEqual([]);
});

test(`the modal focus trap chunk tw-modal.js stays within ${TRACKER_BUDGETS.modal} B gzipped`, () => {
  expect(gzipped('tw-modal.js')).toBeLessThanOrEqual(TRACKER_BUDGETS.modal);
});

test(`the form chunk tw-form.js stays within ${TRACKER_BUDGETS.form} B gzipped`, () => {
  expect(gzipped('tw-form.js')).toBeLessThanOrEqual(TRACKER_BUDGETS.form);
});

test(`the automatic-capture chunk tw-capture.js stays within ${TRACKER_BUDGETS.capture} B gzipped`, () => {
  expect(gzipped('tw-capture.js')).toBeLessThanOrEqual(TRACKER_BUDGETS.capture);
});

test(`the POST /e fallback chunk tw-post.js stays within ${TRACKER_BUDGETS.post} B gzipped`, () => {
  expect(gzipped('tw-post.js')).toBeLessThanOrEqual(TRACKER_BUDGETS.post);
});

test('the shipped build carries no dev-only code', async () => {
  for (const name of ['tw.js', 'tw-ui.js', 'tw-modal.js', 'tw-form.js', 'tw-capture.js', 'tw-post.js']) expect(await readFile(join(outdir, name), 'utf8')).not.toContain('[tripwire]');
});

test('a dev build keeps its warnings', async () => {
  const devdir = join(outdir, 'dev');
  await buildTracker({ outdir: devdir, dev: true });
  expect(await readFile(join(devdir, 'tw.js'), 'utf8')).toContain('[tripwire]');
});
