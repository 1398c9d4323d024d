import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TripwireError } from '../../errors.js';
import type { StoreClient } from './store-client.js';

export interface LuaScript {
  name: string;
  source: string;
  sha: string;
}

export interface StoreScripts {
  apply: LuaScript;
  claim: LuaScript;
  takeTimers: LuaScript;
  settleTimers: LuaScript;
  leaseDue: LuaScript;
  settleDue: LuaScript;
  interest: LuaScript;
}

/**
 * tsc copies only .js into dist/, so from dist/engine/state/redis/ the .lua files are found
 * in the source tree instead.
 */
const SCRIPT_FOLDERS = [
  new URL('./scripts/', import.meta.url),
  new URL('../../../../engine/state/redis/scripts/', import.meta.url),
];

export function loadStoreScripts(): StoreScripts {
  return {
    apply: loadScript('apply', 'window-entries', 'claim-checks'),
    claim: loadScript('claim', 'window-entries', 'claim-checks'),
    takeTimers: loadScript('take-timers'),
    settleTimers: loadScript('settle-timers'),
    leaseDue: loadScript('lease-due'),
    settleDue: loadScript('settle-due'),
    interest: loadScript('interest'),
  };
}

/** A script, after the functions of the `preludes` it shares with others, in order (Lua scripts cannot import). */
function loadScript(name: string, ...preludes: string[]): LuaScript {
  const source = [...preludes, name].map(readSource).join('\n');
  return { name, source, sha: createHash('sha1').update(source).digest('hex') };
}

function readSource(name: string): string {
  const file = SCRIPT_FOLDERS.map((folder) => fileURLToPath(new URL(`${name}.lua`, folder))).find((path) =>
    existsSync(path),
  );
  if (file === undefined) {
    throw new TripwireError(
      'TW_STORE_UNAVAILABLE',
      `The Redis script ${name}.lua was not found next to the store or in engine/state/redis/scripts/; the installation is incomplete.`,
    );
  }
  return readFileSync(file, 'utf8');
}

/**
 * Runs a script by its SHA, and by its source when Redis has forgotten it (restart, SCRIPT
 * FLUSH). EVALSHA is written before the first await, so a command the caller sends in the same
 * tick shares its socket write. `afterReload` runs once the source has run: a command sent beside
 * the EVALSHA that must follow the script's writes is sent again there.
 */
export async function runScript(
  client: StoreClient,
  script: LuaScript,
  keys: string[],
  args: string[],
  afterReload?: () => Promise<unknown>,
): Promise<unknown> {
  try {
    return await client.sendCommand(['EVALSHA', script.sha, String(keys.length), ...keys, ...args]);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    const reply = await client.sendCommand(['EVAL', script.source, String(keys.length), ...keys, ...args]);
    await afterReload?.();
    return reply;
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}
