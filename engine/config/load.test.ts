import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadConfig, parseConfig } from './load.js';
import { configSchema } from './schema.js';

describe('loadConfig from the environment', () => {
  test('a duration variable takes a duration as the README writes it', async () => {
    const config = await loadConfig({ env: { TW_SCHEDULE_POLL_INTERVAL: '30s' } });
    expect(config.schedules.pollInterval).toBe(30_000);
  });

  test('a duration variable set to 0 turns the schedule poll off', async () => {
    const config = await loadConfig({ env: { TW_SCHEDULE_POLL_INTERVAL: '0' } });
    expect(config.schedules.pollInterval).toBe(0);
  });

  test('a bare number in a duration variable is milliseconds, as in the config file', async () => {
    const config = await loadConfig({ env: { TW_SCHEDULE_POLL_INTERVAL: '45000' } });
    expect(config.schedules.pollInterval).toBe(45_000);
  });

  test('a duration variable that is not a duration names the variable, its setting and how to write one', async () => {
    await expect(loadConfig({ env: { TW_SCHEDULE_POLL_INTERVAL: 'hourly' } })).rejects.toMatchObject({
      code: 'TW_CONFIG_INVALID',
      message: expect.stringMatching(/schedules\.pollInterval \(environment variable TW_SCHEDULE_POLL_INTERVAL\): "hourly" is not a duration; write e\.g\. 500ms, 30s/),
    });
  });
});

describe('configuration messages', () => {
  test('a database name that is not an identifier says what a name may hold, not a regular expression', async () => {
    await expect(loadConfig({ env: { CLICKHOUSE_DATABASE: 'tripwire-prod' } })).rejects.toMatchObject({
      code: 'TW_CONFIG_INVALID',
      message: expect.stringContaining(
        'warehouse.database (environment variable CLICKHOUSE_DATABASE): a database name is letters, digits and _, not starting with a digit',
      ),
    });
  });
});

describe('misspelt settings', () => {
  test('a setting the engine does not know stops it, naming the setting, instead of being ignored', () => {
    expect(() => parseConfig({ gatway: { maxFrameBytes: 1000 } })).toThrow(
      /gatway: not a setting Tripwire knows; check its spelling \(engine\/config\/schema\.ts lists them\)/,
    );
  });

  // Every section, so that one added later cannot silently take misspelt settings: all but the list of sites and the one plain value.
  test.each(Object.keys(configSchema.shape).filter((key) => key !== 'sites' && key !== 'dataDir'))('a setting the %s section does not know stops the engine', (section) => {
    expect(() => parseConfig({ [section]: { notASetting: 1 } })).toThrow(new RegExp(`${section}\\.notASetting: not a setting Tripwire knows`));
  });

  test('a misspelt setting inside a section is named with its section', () => {
    expect(() => parseConfig({ policies: { caps: { popin: { limit: 1, within: '1h', whitin: '2h' } } } })).toThrow(
      /policies\.caps\.popin\.whitin: not a setting Tripwire knows/,
    );
  });
});

describe('durations', () => {
  test('a cap without its window says a duration is missing and how to write one', () => {
    expect(() => parseConfig({ policies: { caps: { popin: { limit: 1 } } } })).toThrow(
      /policies\.caps\.popin\.within: a duration is needed here; write e\.g\. 500ms, 30s, 30m, 1h, 3d \(or a number of milliseconds\)/,
    );
  });
});

describe('the webhooks settings', () => {
  test.each([0, '1s', '10s'])('refuse a reclaimAfter of %s, not above the 10 s request timeout, saying why', (reclaimAfter) => {
    expect(() => parseConfig({ webhooks: { reclaimAfter } })).toThrow(
      expect.objectContaining({ code: 'TW_CONFIG_INVALID', message: expect.stringMatching(/webhooks\.reclaimAfter.*must be above the 10 s webhook request timeout/) }),
    );
  });

  test('refuse a pollInterval of 0, which would poll the queue in a loop', () => {
    expect(() => parseConfig({ webhooks: { pollInterval: 0 } })).toThrow(
      expect.objectContaining({ code: 'TW_CONFIG_INVALID', message: expect.stringMatching(/webhooks\.pollInterval.*must be above 0/) }),
    );
  });

  test('take a reclaimAfter just above the request timeout', () => {
    expect(parseConfig({ webhooks: { reclaimAfter: '11s' } }).webhooks.reclaimAfter).toBe(11_000);
  });
});

describe('dead-letter retention', () => {
  test('keeps dead letters 30 days by default, in both queues', () => {
    const config = parseConfig({});
    expect([config.mailer.deadLetterRetention, config.webhooks.deadLetterRetention]).toEqual([30 * 86_400_000, 30 * 86_400_000]);
  });

  test('takes each queue its own retention from the environment', async () => {
    const config = await loadConfig({ env: { TW_MAILER_DEAD_LETTER_RETENTION: '7d', TW_WEBHOOK_DEAD_LETTER_RETENTION: '12h' } });
    expect([config.mailer.deadLetterRetention, config.webhooks.deadLetterRetention]).toEqual([7 * 86_400_000, 12 * 3_600_000]);
  });

  test.each(['mailer', 'webhooks'])('refuses a %s.deadLetterRetention of 0, which would remove every dead letter as it is made', (section) => {
    expect(() => parseConfig({ [section]: { deadLetterRetention: 0 } })).toThrow(
      expect.objectContaining({ code: 'TW_CONFIG_INVALID', message: expect.stringMatching(new RegExp(`${section}\\.deadLetterRetention.*must be at least 1h`)) }),
    );
  });

  test('refuses a bare-number retention under an hour, saying a bare number is milliseconds', async () => {
    await expect(loadConfig({ env: { TW_WEBHOOK_DEAD_LETTER_RETENTION: '30' } })).rejects.toThrow(
      expect.objectContaining({ code: 'TW_CONFIG_INVALID', message: expect.stringMatching(/webhooks\.deadLetterRetention.*at least 1h.*a bare number is milliseconds/) }),
    );
  });

  test('takes a retention of exactly an hour', () => {
    expect(parseConfig({ mailer: { deadLetterRetention: '1h' } }).mailer.deadLetterRetention).toBe(3_600_000);
  });
});

describe("a site's url", () => {
  const shop = { key: 'shop', secret: 'a-secret-of-sixteen-chars' };

  test('the demo site links to the shop on the default port when nothing says otherwise', async () => {
    const config = await loadConfig({ env: {} });
    expect(config.sites.map((site) => site.url)).toEqual(['http://localhost:8080/shop']);
  });

  test('the demo site links to the shop on the port PORT sets', async () => {
    const config = await loadConfig({ env: { PORT: '9123' } });
    expect(config.sites[0]!.url).toBe('http://localhost:9123/shop');
  });

  test('the demo site links to the shop at the engine\'s public URL when PUBLIC_URL is set, whatever the port', async () => {
    const config = await loadConfig({ env: { PORT: '9123', PUBLIC_URL: 'https://tw.example.com/' } });
    expect(config.sites[0]!.url).toBe('https://tw.example.com/shop');
  });

  test('a configured site keeps the url it was given, whatever the engine\'s port and public URL', async () => {
    const config = await loadConfig({ env: { PORT: '9123', PUBLIC_URL: 'https://tw.example.com' }, overrides: { sites: [{ ...shop, url: 'https://shop.example/' }] } });
    expect(config.sites.map((site) => site.url)).toEqual(['https://shop.example/']);
  });

  test('a configured site without a url stops the engine, naming the setting and what to put there', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tripwire-config-'));
    try {
      const file = join(dir, 'tripwire.yaml');
      await writeFile(file, 'sites:\n  - key: shop\n    secret: a-secret-of-sixteen-chars\n');
      await expect(loadConfig({ env: {}, file })).rejects.toMatchObject({
        code: 'TW_CONFIG_INVALID',
        message: expect.stringContaining('sites.0.url: a site needs its public URL (url), for the links in its emails, e.g. https://shop.example'),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// The demo shop's sign-in signs any address with its site's secret: it may only ever sign for the built-in demo site.
describe('the demo shop', () => {
  const shop = { key: 'shop', secret: '0123456789abcdef0123', url: 'https://shop.example' };
  const whySignsAnyAddress = /demo\.enabled \(environment variable TW_DEMO\): .*sign any email address .* secret of site "shop".*remove demo\.enabled/s;

  test('is on with the built-in demo site when no sites are configured', () => {
    const config = parseConfig({});
    expect([config.demo.enabled, config.sites.map((site) => site.key)]).toEqual([true, ['demo']]);
  });

  test('can be turned off without configured sites', async () => {
    expect((await loadConfig({ env: { TW_DEMO: 'false' } })).demo.enabled).toBe(false);
  });

  test('is off by default once sites are configured', () => {
    expect(parseConfig({ sites: [shop] }).demo.enabled).toBe(false);
  });

  test('turned off explicitly next to configured sites, stays off', () => {
    expect(parseConfig({ sites: [shop], demo: { enabled: false } }).demo.enabled).toBe(false);
  });

  test('asked for in the config file next to configured sites stops the engine, saying why and what to do', () => {
    expect(() => parseConfig({ sites: [shop], demo: { enabled: true } })).toThrow(
      expect.objectContaining({ code: 'TW_CONFIG_INVALID', message: expect.stringMatching(whySignsAnyAddress) }),
    );
  });

  test('asked for with TW_DEMO next to sites of the config file stops the engine, saying why and what to do', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tripwire-config-'));
    try {
      const file = join(dir, 'tripwire.yaml');
      await writeFile(file, `sites:\n  - key: ${shop.key}\n    secret: ${shop.secret}\n    url: ${shop.url}\n`);
      await expect(loadConfig({ env: { TW_DEMO: 'true' }, file })).rejects.toMatchObject({
        code: 'TW_CONFIG_INVALID',
        message: expect.stringMatching(whySignsAnyAddress),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("a site's secret", () => {
  test('a configured site without a secret stops the engine, naming the setting, what it is for and how long it must be', () => {
    expect(() => parseConfig({ sites: [{ key: 'shop', url: 'https://shop.example' }] })).toThrow(
      expect.objectContaining({
        code: 'TW_CONFIG_INVALID',
        message: expect.stringContaining('sites.0.secret: a site needs its secret (secret), shared with its backend to sign identify calls and catalogue uploads: at least 16 characters'),
      }),
    );
  });
});

describe('server URLs', () => {
  test.each([
    ['REDIS_URL', 'localhost:6379', /store\.redisUrl.*REDIS_URL.*starts with redis:\/\/ or rediss:\/\//s],
    ['CLICKHOUSE_URL', 'localhost:8123', /warehouse\.clickhouseUrl.*CLICKHOUSE_URL.*starts with http:\/\/ or https:\/\//s],
    ['SMTP_URL', 'localhost:25', /email\.smtpUrl.*SMTP_URL.*starts with smtp:\/\/ or smtps:\/\//s],
  ])('%s without its scheme (%s) stops the engine as a setting, naming the schemes', async (env, value, message) => {
    await expect(loadConfig({ env: { [env]: value } })).rejects.toMatchObject({ code: 'TW_CONFIG_INVALID', message: expect.stringMatching(message) });
  });

  test('each scheme its client speaks is taken', async () => {
    const config = await loadConfig({ env: { REDIS_URL: 'rediss://cache:6380', CLICKHOUSE_URL: 'https://warehouse:8443', SMTP_URL: 'smtps://user:pass@mail:465' } });
    expect([config.store.redisUrl, config.warehouse.clickhouseUrl, config.email.smtpUrl]).toEqual(['rediss://cache:6380', 'https://warehouse:8443', 'smtps://user:pass@mail:465']);
  });
});
