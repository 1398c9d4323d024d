import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SocketClient, event } from '../support/socket-client.js';
import { startTestEngine, type TestEngine } from '../support/test-engine.js';

const ADMIN_TOKEN = 'bad-input-admin-token-0123';

describe('bad input at the gateway', () => {
  let engine: TestEngine;
  let client: SocketClient;

  beforeAll(async () => {
    engine = await startTestEngine('embedded', undefined, { admin: { token: ADMIN_TOKEN } });
    client = await SocketClient.open(engine.url, 'demo', 'visitor-bad-input');
  });

  afterAll(async () => {
    client?.close();
    await engine?.close();
  });

  const isError = (code: string) => (message: Record<string, unknown>) => message.k === 'err' && message.c === code;

  test('malformed JSON gets a TW_BAD_JSON error frame', async () => {
    client.send('{"b": [');
    const error = await client.next(isError('TW_BAD_JSON'));
    expect(error.m).toMatch(/not JSON/);
  });

  test('a frame without an event array gets TW_BAD_FRAME', async () => {
    client.send(JSON.stringify({ events: [] }));
    await client.next(isError('TW_BAD_FRAME'));
  });

  test('an unknown event type gets TW_UNKNOWN_EVENT naming the event, and its frame-mates are still accepted', async () => {
    client.send(JSON.stringify({ b: [event('e-unknown', 'teleport'), event('e-ok-1', 'page')] }));
    const error = await client.next(isError('TW_UNKNOWN_EVENT'));
    expect(error.i).toBe('e-unknown');
    const ack = await client.next((message) => message.k === 'ack');
    expect(ack.i).toEqual(['e-ok-1']);
  });

  test('wrong types get TW_BAD_EVENT with what is wrong', async () => {
    client.send(JSON.stringify({ b: [{ i: 'e-types', t: 'product', ts: 'yesterday', p: { id: 'x' } }] }));
    expect((await client.next(isError('TW_BAD_EVENT'))).m).toMatch(/"ts" must be a number/);
    client.send(JSON.stringify({ b: [event('e-price', 'product', { id: 'x', price: '12' })] }));
    expect((await client.next(isError('TW_BAD_EVENT'))).m).toMatch(/"p.price" must be a number/);
    client.send(JSON.stringify({ b: [event('e-noid', 'product', { name: 'no id' })] }));
    expect((await client.next(isError('TW_BAD_EVENT'))).m).toMatch(/needs "p.id"/);
  });

  test('an oversized frame gets TW_FRAME_TOO_LARGE and the connection stays open', async () => {
    const limit = engine.config.gateway.maxFrameBytes;
    client.send(JSON.stringify({ b: [event('e-big', 'page', { title: 'x'.repeat(limit) })] }));
    await client.next(isError('TW_FRAME_TOO_LARGE'));
    client.send(JSON.stringify({ b: [event('e-after-big', 'page')] }));
    expect((await client.next((message) => message.k === 'ack')).i).toEqual(['e-after-big']);
  });

  test('too many events in one frame get TW_TOO_MANY_EVENTS', async () => {
    const events = Array.from({ length: engine.config.gateway.maxEventsPerFrame + 1 }, (_, i) => event(`e-many-${i}`, 'page'));
    client.send(JSON.stringify({ b: events }));
    await client.next(isError('TW_TOO_MANY_EVENTS'));
  });

  test('an unknown site key is refused at the upgrade with TW_UNKNOWN_SITE', async () => {
    const refusal = await SocketClient.refusal(engine.url, 'nope', 'abc');
    expect(refusal.status).toBe(400);
    expect((JSON.parse(refusal.body) as { c: string }).c).toBe('TW_UNKNOWN_SITE');
  });

  test('a malformed visitor id is refused at the upgrade with TW_BAD_VISITOR', async () => {
    const refusal = await SocketClient.refusal(engine.url, 'demo', 'not a valid id!');
    expect(refusal.status).toBe(400);
    expect((JSON.parse(refusal.body) as { c: string }).c).toBe('TW_BAD_VISITOR');
  });

  test('a beacon with a bad body gets a 400 with the error code', async () => {
    const response = await fetch(`${engine.url}/e`, { method: 'POST', body: 'not json' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { c: string }).c).toBe('TW_BAD_JSON');
  });

  test('a good beacon is acked', async () => {
    const response = await fetch(`${engine.url}/e`, { method: 'POST', body: JSON.stringify({ s: 'demo', v: 'beacon-visitor', b: [event('e-beacon', 'page')] }) });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { i: string[] }).i).toEqual(['e-beacon']);
  });

  test('rejected events never reach ClickHouse, accepted ones do, and the engine keeps serving', async () => {
    client.send(JSON.stringify({ b: [event('e-final', 'page')] }));
    await client.next((message) => message.k === 'ack');
    await engine.sink.flush();
    const rows = await engine.warehouse.query<{ event_id: string }>('SELECT event_id FROM {events} ORDER BY event_id');
    expect(rows.map((row) => row.event_id)).toEqual(['e-after-big', 'e-beacon', 'e-final', 'e-ok-1']);
    const health = await fetch(`${engine.url}/healthz`);
    expect(health.status).toBe(200);
  });

  test('rejections are counted in the metrics', async () => {
    const text = await (await fetch(`${engine.url}/metrics`)).text();
    expect(text).toMatch(/tripwire_events_rejected_total\{code="TW_BAD_JSON"\} [1-9]/);
    expect(text).toMatch(/tripwire_events_rejected_total\{code="TW_UNKNOWN_EVENT"\} [1-9]/);
  });

  test('a malformed percent-escape in a query name gets 400 TW_QUERY_INVALID, not a 500', async () => {
    for (const name of ['%', 'funnel%zz', '%E0%A4%A']) {
      const response = await fetch(`${engine.url}/api/queries/${name}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'TW_QUERY_INVALID', message: expect.stringMatching(/percent-escape/) } });
    }
  });

  test('a malformed percent-escape in a catalogue path gets 400 TW_CATALOGUE_INVALID, not a 500', async () => {
    const secret = engine.config.sites.find((site) => site.key === 'demo')!.secret;
    for (const path of ['/catalogue/de%mo/products', '/catalogue/demo/products/mug%', '/catalogue/demo/products/%C0%AF']) {
      const response = await fetch(`${engine.url}${path}`, { headers: { authorization: `Bearer ${secret}` } });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ k: 'err', c: 'TW_CATALOGUE_INVALID', m: expect.stringMatching(/percent-escape/) });
    }
  });

  test('an admin cookie with a malformed percent-escape is no credential: 401, and the dashboard shows its sign-in page', async () => {
    const cookie = { cookie: 'tw_admin=%zz' };
    const api = await fetch(`${engine.url}/api/queries`, { headers: cookie });
    expect(api.status).toBe(401);
    expect(await api.json()).toMatchObject({ error: { code: 'TW_UNAUTHORIZED' } });
    const dashboard = await fetch(`${engine.url}/dashboard`, { headers: cookie });
    expect(dashboard.status).toBe(401);
    expect(await dashboard.text()).toMatch(/<form/);
    expect((await fetch(`${engine.url}/api/queries`, { headers: { ...cookie, authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(200);
  });
});
