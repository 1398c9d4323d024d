import { describe, expect, it } from 'vitest';
import { freePort } from '../../test/support/free-port.js';
import { refusal, tripwireCli } from '../../test/support/tripwire-cli.js';
import { ErrorCodes } from '../errors.js';
import { importCatalogue } from './catalogue.js';

describe('tripwire catalogue import', () => {
  it('names the engine it could not reach and how to point at another, not the window store', async () => {
    const engineUrl = `http://127.0.0.1:${await freePort()}`;
    const rows = [{ id: 'kettle-1', name: 'Gooseneck kettle', price: 59 }];
    const failure = importCatalogue({ engineUrl, site: 'demo', secret: 'demo-secret-change-me-please', rows, batch: 10 });
    await expect(failure).rejects.toMatchObject({
      code: 'TW_ENGINE_UNREACHABLE',
      message: expect.stringContaining(`cannot reach the engine at ${engineUrl} (is it running? use --url)`),
    });
    expect(ErrorCodes.TW_ENGINE_UNREACHABLE).toMatch(/--url/);
  });
});

describe('tripwire catalogue, given arguments it does not take', () => {
  const catalogue = async (...args: string[]) => refusal(await tripwireCli(['catalogue', ...args], { REDIS_URL: '', CLICKHOUSE_URL: '' }));

  it('refuses a second file after the first rather than importing the first alone, and exits 2', async () => {
    expect(await catalogue('import', 'demo', 'feed.json', 'more.json')).toEqual({
      code: 2,
      problem: 'tripwire catalogue: unexpected argument more.json',
      usage: expect.stringMatching(/^usage: tripwire catalogue import /),
    });
  });

  it('refuses --batch without its value, and exits 2', async () => {
    expect(await catalogue('import', 'demo', 'feed.json', '--batch')).toMatchObject({ code: 2, problem: "tripwire catalogue: Option '--batch <value>' argument missing" });
  });
});
