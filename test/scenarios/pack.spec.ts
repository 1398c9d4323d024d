import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { parseConfig } from '../../engine/config/index.js';
import { ScenarioLibrary, checkScenarioFolder } from '../../engine/scenarios/index.js';
import { PACK_DIR, loadPack, packNames } from '../../engine/scenarios/pack/index.js';

const DEMO_SCENARIOS = 'deploy/demo/scenarios';

describe('the built-in scenario pack', () => {
  test('every file of the pack compiles without a problem', async () => {
    const { scenarios, problems } = await checkScenarioFolder(PACK_DIR);
    expect(problems).toEqual([]);
    expect(scenarios.length).toBe((await readdir(PACK_DIR)).filter((file) => file.endsWith('.yaml')).length);
  });

  test('docs/scenarios.md shows each scenario of the pack as its file has it', async () => {
    const docs = await readFile('docs/scenarios.md', 'utf8');
    for (const name of await packNames()) {
      const file = await readFile(`${PACK_DIR}${name}.yaml`, 'utf8');
      const settings = file.split('\n').filter((line) => !line.startsWith('#')).join('\n').trim();
      const section = docs.split(`#### \`${name}\`\n`)[1]?.split(/\n#{2,4} /)[0] ?? '';
      const shown = /```yaml\n([^`]*)```/.exec(section)?.[1]?.trim();
      expect(shown, name).toBe(settings);
    }
  });

  test('a scenario is enabled by the name of its file, which is its id', async () => {
    for (const scenario of await loadPack('all')) expect(scenario.source).toBe(`${PACK_DIR}${scenario.id}.yaml`);
  });

  test('loads only the scenarios named, once each', async () => {
    const scenarios = await loadPack(['birthday', 'cart-abandoned', 'birthday']);
    expect(scenarios.map((scenario) => scenario.id)).toEqual(['birthday', 'cart-abandoned']);
  });

  test('an unknown name is an error that lists the names there are', async () => {
    await expect(loadPack(['cart-abandoned', 'abandoned-cart'])).rejects.toMatchObject({
      code: 'TW_SCENARIO_INVALID',
      message: expect.stringMatching(/"abandoned-cart".*cart-abandoned.*welcome-d1/s),
    });
  });

  test('covers every family of the reference catalogue', async () => {
    expect(await packNames()).toEqual(
      expect.arrayContaining([
        'welcome-series', 'welcome-d1', 'cart-abandoned', 'cart-reminder-d3', 'cart-price-drop', 'view-abandoned',
        'view-abandoned-unavailable', 'view-abandoned-price-drop', 'category-abandoned', 'search-abandoned',
        'price-drop-viewed', 'back-in-stock', 'still-out-of-stock', 'post-purchase-cross-sell', 'post-purchase-review',
        'repurchase-30d', 'reactivation', 'next-best-offer', 'birthday', 'promo-d5-unless-purchased', 'order-confirmation',
        'product-viewed-3-times', 'cart-on-return', 'exit-intent-cart', 'section-popin', 'search-keywords-popin',
      ]),
    );
  });

  test('no pack scenario is enabled unless the config names it', () => {
    expect(parseConfig({}).scenarios.pack).toEqual([]);
    expect(parseConfig({ scenarios: { pack: ['birthday'] } }).scenarios.pack).toEqual(['birthday']);
  });

  test('pack scenarios run alongside the folder\'s', async () => {
    const library = await ScenarioLibrary.open({ dir: DEMO_SCENARIOS, extra: await loadPack(['birthday', 'back-in-stock']) });
    expect(library.current().scenario('birthday')).toBeDefined();
    expect(library.current().scenario('product-viewed-3-times')).toBeDefined();
    library.close();
  });

  test('a pack scenario whose id the folder already uses stops the start', async () => {
    await expect(ScenarioLibrary.open({ dir: DEMO_SCENARIOS, extra: await loadPack(['cart-abandoned']) })).rejects.toMatchObject({
      code: 'TW_SCENARIO_INVALID',
      message: expect.stringContaining(`deploy/demo/scenarios/cart-abandoned.yaml:1:1: id: id "cart-abandoned" is defined twice: in this file and in the built-in ${PACK_DIR}cart-abandoned.yaml`),
    });
  });
});
