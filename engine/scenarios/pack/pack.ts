import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TripwireError } from '../../errors.js';
import { ScenarioCompiler } from '../compile/scenario-compiler.js';
import type { Scenario } from '../model.js';

/**
 * tsc copies only .js into dist/, so from dist/engine/scenarios/pack/ the .yaml files are found
 * in the source tree instead.
 */
const PACK_FOLDERS = [new URL('./', import.meta.url), new URL('../../../../engine/scenarios/pack/', import.meta.url)].map((url) =>
  fileURLToPath(url),
);

/** Where the built-in scenarios live: one `<id>.yaml` per scenario. */
export const PACK_DIR: string = PACK_FOLDERS.find((folder) => existsSync(join(folder, 'cart-abandoned.yaml'))) ?? PACK_FOLDERS[0]!;

/** The names a site can enable, sorted. */
export async function packNames(): Promise<string[]> {
  const files = await readdir(PACK_DIR);
  return files
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => file.slice(0, -'.yaml'.length))
    .sort();
}

/**
 * Compiles the built-in scenarios a site enabled by name (`scenarios.pack` in the config), or all
 * of them. An unknown name stops the start with the list of names there are.
 */
export async function loadPack(names: readonly string[] | 'all', compiler = new ScenarioCompiler()): Promise<Scenario[]> {
  const available = await packNames();
  const wanted = names === 'all' ? available : [...new Set(names)];
  const unknown = wanted.filter((name) => !available.includes(name));
  if (unknown.length > 0) {
    throw new TripwireError(
      'TW_SCENARIO_INVALID',
      `no built-in scenario named ${unknown.map((name) => `"${name}"`).join(', ')}; the pack has: ${available.join(', ')}`,
    );
  }
  const scenarios: Scenario[] = [];
  for (const name of wanted) {
    const file = join(PACK_DIR, `${name}.yaml`);
    const scenario = compiler.compileOrThrow(file, await readFile(file, 'utf8'));
    if (scenario !== undefined) scenarios.push(scenario);
  }
  return scenarios;
}
