import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { buildTracker } from '../build.js';
import { launchChromium } from './browser.js';
import { TrackerHarness } from './harness.js';

/** What a browser test file needs: the built tracker, a harness engine serving it, and Chromium. */
export interface TrackerStage {
  harness: TrackerHarness;
  browser: Browser;
  /** A page in a fresh context: a new visitor with empty storage. */
  newPage(options?: BrowserContextOptions): Promise<Page>;
  close(): Promise<void>;
}

export async function openStage(): Promise<TrackerStage> {
  const trackerDir = await mkdtemp(join(tmpdir(), 'tw-tracker-'));
  await buildTracker({ outdir: trackerDir });
  const harness = await TrackerHarness.start({ trackerDir });
  const browser = await launchChromium();
  return {
    harness,
    browser,
    async newPage(options) {
      const context = await browser.newContext(options);
      return context.newPage();
    },
    async close() {
      await browser.close();
      await harness.close();
      await rm(trackerDir, { recursive: true, force: true });
    },
  };
}
