import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TripwireError } from '../../errors.js';
import { luaScript, type LuaScript } from '../../redis/index.js';

export interface StoreScript extends LuaScript {
  name: string;
}

export interface StoreScripts {
  apply: StoreScript;
  claim: StoreScript;
  takeTimers: StoreScript;
  settleTimers: StoreScript;
  leaseDue: StoreScript;
  settleDue: StoreScript;
  interest: StoreScript;
}

/**
 * tsc copies only .js into dist/, so from dist/engine/state/redis/ the .lua files are found
 * in the source tree instead.
 */
const SCRIPT_FOLDERS = [
  new URL('./scripts/', import.meta.url),
  new URL('../../../../engine/state/redis/scripts/', import.meta.url),
];

/**
 * `keepKeys`: the store runs on a Redis Cluster, where a script must not empty a key it touches
 * again (kept-keys.lua); the scripts then differ by one line, hence by hash.
 */
export function loadStoreScripts({ keepKeys }: { keepKeys: boolean }): StoreScripts {
  const load = (name: string, ...preludes: string[]): StoreScript => loadScript(keepKeys, name, ...preludes);
  return {
    apply: load('apply', 'kept-keys', 'call-in-chunks', 'window-entries', 'claim-checks'),
    claim: load('claim', 'kept-keys', 'call-in-chunks', 'window-entries', 'claim-checks'),
    takeTimers: load('take-timers', 'kept-keys'),
    settleTimers: load('settle-timers', 'call-in-chunks'),
    leaseDue: load('lease-due', 'call-in-chunks'),
    settleDue: load('settle-due', 'call-in-chunks'),
    interest: load('interest', 'kept-keys'),
  };
}

/** A script, after the functions of the `preludes` it shares with others, in order (Lua scripts cannot import). */
function loadScript(keepKeys: boolean, name: string, ...preludes: string[]): StoreScript {
  const sources = [...preludes, name].map(readSource);
  if (preludes.includes('kept-keys')) sources.unshift(`local KEEP_KEYS = ${keepKeys}`);
  return { name, ...luaScript(sources.join('\n')) };
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
