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
function loadScript(name: string, ...preludes: string[]): StoreScript {
  return { name, ...luaScript([...preludes, name].map(readSource).join('\n')) };
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
