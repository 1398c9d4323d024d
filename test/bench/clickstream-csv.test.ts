import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { clickstreamEvents, readClickstreamCsv } from '../../bench/replay/index.js';
import { isTripwireError } from '../../engine/errors.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/clickstream-small.csv', import.meta.url));

describe('the clickstream CSV reader (timestamp,visitorid,event,itemid,transactionid)', () => {
  it('reads every row of a file in that layout', async () => {
    const events = await readClickstreamCsv(FIXTURE);
    expect(events).toHaveLength(13);
  });

  it('maps view, addtocart and transaction to product, cart_add and purchase', async () => {
    const events = await readClickstreamCsv(FIXTURE);
    const visitor = events.filter((event) => event.v === 'cs257597');
    expect(visitor.map((event) => event.t)).toEqual(['product', 'cart_add', 'purchase']);
    expect(visitor[0]!.p).toEqual({ id: '355908' });
    expect(visitor[1]!.p).toEqual({ id: '355908', qty: 1 });
    expect(visitor[2]!.p).toEqual({ order: '4000', items: [{ id: '355908', qty: 1 }] });
  });

  it('returns the rows in time order, whatever order the file has', async () => {
    const times = (await readClickstreamCsv(FIXTURE)).map((event) => event.ts);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('starts a new session after 30 minutes of inactivity, as the tracker does', async () => {
    const visitor = (await readClickstreamCsv(FIXTURE)).filter((event) => event.v === 'cs111016');
    expect(visitor).toHaveLength(2);
    expect(visitor[0]!.ss).not.toBe(visitor[1]!.ss);
    const sameSession = (await readClickstreamCsv(FIXTURE)).filter((event) => event.v === 'cs992329');
    expect(new Set(sameSession.map((event) => event.ss)).size).toBe(1);
  });

  it('gives every row of a visitor its own event id, so none is dropped as a duplicate', async () => {
    const events = await readClickstreamCsv(FIXTURE);
    expect(new Set(events.map((event) => `${event.v}/${event.i}`)).size).toBe(events.length);
  });

  it('finds the columns by the header names when they come in another order', async () => {
    const events = await clickstreamEvents(['visitorid,event,timestamp,transactionid,itemid', '7,view,1433221332117,,42']);
    expect(events[0]).toMatchObject({ v: 'cs7', t: 'product', ts: 1433221332117, p: { id: '42' } });
  });

  it('reads rows without a header in the default column order', async () => {
    const events = await clickstreamEvents(['1433221332117,7,addtocart,42,']);
    expect(events[0]).toMatchObject({ v: 'cs7', t: 'cart_add' });
  });

  it('takes timestamps in epoch seconds as well as milliseconds', async () => {
    const events = await clickstreamEvents(['1433221332,7,view,42,']);
    expect(events[0]!.ts).toBe(1433221332000);
  });

  it('names the line of an unknown event with TW_REPLAY_INPUT', async () => {
    const reading = clickstreamEvents(['timestamp,visitorid,event,itemid,transactionid', '1433221332117,7,wishlist,42,'], { source: 'shop.csv' });
    await expect(reading).rejects.toSatisfy((error: unknown) => isTripwireError(error) && error.code === 'TW_REPLAY_INPUT' && error.message.startsWith('shop.csv:2:'));
  });

  it('refuses a header that lacks one of the five columns', async () => {
    await expect(clickstreamEvents(['timestamp,visitorid,event,itemid'])).rejects.toThrow(/no "transactionid" column/);
  });
});
