import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A copy of the demo scenario folder with the cart reminder's delay shortened for a test. */
export async function demoScenariosWithCartDelay(into: string, delay: string): Promise<string> {
  const dir = join(into, 'scenarios');
  await cp('deploy/demo/scenarios', dir, { recursive: true });
  const file = join(dir, 'cart-abandoned.yaml');
  const text = await readFile(file, 'utf8');
  const changed = text.replace(/within: 1m\b/, `within: ${delay}`);
  if (changed === text) throw new Error('the demo cart-abandoned scenario no longer has "within: 1m"; update this fixture');
  await writeFile(file, changed);
  return dir;
}
