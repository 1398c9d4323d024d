import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';

/**
 * chdb lists platform libraries that this registry does not serve; `npm install` then leaves them
 * out of the lock file, and `npm ci` refuses the lock on a fresh machine. The lock must name them
 * (as optional, platform-restricted entries that npm skips on other platforms).
 */
describe('package-lock.json', () => {
  test('names every optional platform library of chdb, so npm ci accepts it', async () => {
    const lock = JSON.parse(await readFile('package-lock.json', 'utf8')) as { packages: Record<string, { optionalDependencies?: Record<string, string> }> };
    const optional = Object.keys(lock.packages['node_modules/chdb']?.optionalDependencies ?? {});
    expect(optional.length).toBeGreaterThan(0);
    const missing = optional.filter((name) => lock.packages[`node_modules/${name}`] === undefined);
    expect(missing, `restore the lock entries for ${missing.join(', ')} (see git log of package-lock.json)`).toEqual([]);
  });
});
