import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../../engine/config/index.js';

/** The YAML blocks of a guide that configure sites: an operator copies them as they are. */
async function siteExamples(guide: string): Promise<string[]> {
  const text = await readFile(guide, 'utf8');
  return [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]!).filter((block) => /^sites:/m.test(block));
}

describe.each(['README.md', 'docs/email.md'])('the sites examples of %s', (guide) => {
  test('are configurations the engine accepts as they are written', async () => {
    const examples = await siteExamples(guide);
    expect(examples.length, `${guide} shows a sites example`).toBeGreaterThan(0);
    for (const example of examples) expect(() => parseConfig(parse(example) as Record<string, unknown>), example).not.toThrow();
  });
});
