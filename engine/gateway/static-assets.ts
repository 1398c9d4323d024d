import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TripwireError } from '../errors.js';

export interface StaticAsset {
  body: Buffer;
  contentType: string;
}

const TYPES: Record<string, string> = {
  '.js': 'application/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** The built tracker files, read once at start and served from memory. */
export async function loadTrackerAssets(dir: string): Promise<Map<string, StaticAsset>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (cause) {
    throw new TripwireError('TW_CONFIG_INVALID', `the tracker is not built (${dir} is missing): run "npm run build:tracker"`, { cause });
  }
  const assets = new Map<string, StaticAsset>();
  for (const name of names) {
    const type = TYPES[name.slice(name.lastIndexOf('.'))];
    if (type === undefined) continue;
    assets.set(`/${name}`, { body: await readFile(join(dir, name)), contentType: type });
  }
  if (!assets.has('/tw.js')) throw new TripwireError('TW_CONFIG_INVALID', `${dir} has no tw.js: run "npm run build:tracker"`);
  return assets;
}
