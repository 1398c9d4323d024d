import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { feedSignature, readFeedFile } from '../../engine/catalogue/index.js';
import { importCatalogue } from '../../engine/cli/catalogue.js';
import { SocketClient, event } from '../support/socket-client.js';
import { backendVariants, startTestEngine, type TestEngine } from '../support/test-engine.js';

const { variants, urls } = await backendVariants();

const BACK_IN_STOCK = `
id: back-in-stock
name: Back in stock
when:
  count: { event: back_in_stock, atLeast: 1, within: 1d }
then:
  popin:
    title: "{{ props.name }} is back"
    body: "Now {{ props.price }}"
`;

const PRICE_DROP_IN_CART = `
id: price-drop-in-cart
name: Abandoned cart with a price drop
when:
  count: { event: price_drop, where: { reason: in_cart }, atLeast: 1, within: 1d }
then:
  popin:
    title: "{{ props.name }} now {{ props.price }} (was {{ props.old_price }})"
`;

const SITE = 'demo';
const LAMP = { id: 'e2e-lamp', name: 'Brass lamp', price: 80, category: 'lighting', stock: 'out_of_stock', url: '/shop/p/e2e-lamp', image: '/shop/img/e2e-lamp.svg' };

type Visitor = Awaited<ReturnType<typeof openVisitor>>;

/** A visitor on an open socket whose events are acked. */
async function openVisitor(engineUrl: string, id: string) {
  const socket = await SocketClient.open(engineUrl, SITE, id);
  let sent = 0;
  return {
    socket,
    send: async (type: string, props: Record<string, unknown>) => {
      socket.send(JSON.stringify({ b: [event(`${id}-${++sent}`, type, props)] }));
      return socket.next((m) => m.k === 'ack' || m.k === 'err');
    },
    /** Pop-ins pushed before an ack arrive before it on the same socket: after this, none is still on its way. */
    popinsSoFar: async () => {
      socket.send(JSON.stringify({ b: [event(`${id}-${++sent}`, 'page', {})] }));
      await socket.next((m) => m.k === 'ack');
      return socket.received.filter((m) => m.k === 'pop');
    },
  };
}

// The tests of one backend tell one story, in order: the visitors of the first keep their interests.
describe.each(variants)('catalogue feed and fan-out, on $backends backends', ({ backends, skip }) => {
  let engine: TestEngine;
  let viewer: Visitor;
  let carter: Visitor;
  let fixtures: string;
  let secret: string;
  const sockets: SocketClient[] = [];

  const post = (body: unknown, headers: Record<string, string> = { Authorization: `Bearer ${secret}` }) =>
    fetch(`${engine.url}/catalogue/${SITE}/products`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

  const visitor = async (id: string) => {
    const opened = await openVisitor(engine.url, id);
    sockets.push(opened.socket);
    return opened;
  };

  beforeAll(async () => {
    if (skip !== undefined) return;
    fixtures = await mkdtemp(join(tmpdir(), 'tripwire-catalogue-'));
    const scenarios = join(fixtures, 'scenarios');
    await mkdir(scenarios);
    await writeFile(join(scenarios, 'back-in-stock.yaml'), BACK_IN_STOCK);
    await writeFile(join(scenarios, 'price-drop-in-cart.yaml'), PRICE_DROP_IN_CART);
    engine = await startTestEngine(backends, urls, { scenarios: { dir: scenarios } });
    secret = engine.config.sites.find((site) => site.key === SITE)!.secret;
    const created = await post([LAMP]);
    expect(created.status).toBe(200);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await engine?.close();
    if (fixtures) await rm(fixtures, { recursive: true, force: true });
  });

  test.skipIf(skip !== undefined)('refuses feed calls without the site secret with 401 TW_UNAUTHORIZED', async () => {
    const attempts: Array<Record<string, string>> = [
      {},
      { Authorization: 'Bearer not-the-secret' },
      { 'X-Tripwire-Timestamp': '1', 'X-Tripwire-Signature': 'sha256=00' },
    ];
    for (const headers of attempts) {
      const response = await post([{ id: LAMP.id, price: 1 }], headers);
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ k: 'err', c: 'TW_UNAUTHORIZED' });
    }
    expect(engine.catalogue.mirror.product(LAMP.id)?.price).toBe(LAMP.price);
  });

  test.skipIf(skip !== undefined)('accepts a request signed with the site secret', async () => {
    const body = JSON.stringify([{ id: 'e2e-signed', name: 'Signed product', price: 5 }]);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const response = await fetch(`${engine.url}/catalogue/${SITE}/products`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Tripwire-Timestamp': timestamp, 'X-Tripwire-Signature': feedSignature(secret, timestamp, body) },
      body,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ k: 'ok', created: 1 });
  });

  test.skipIf(skip !== undefined)('rejects an invalid row with 400, naming the row, and writes nothing', async () => {
    const response = await post([{ id: 'e2e-ok', name: 'Fine', price: 1 }, { id: 'e2e-bad', name: 'Bad', price: 'cheap' }]);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { c: string; m: string };
    expect(body.c).toBe('TW_CATALOGUE_INVALID');
    expect(body.m).toContain('products[1] (id "e2e-bad"): price');
    const read = await fetch(`${engine.url}/catalogue/${SITE}/products/e2e-ok`, { headers: { Authorization: `Bearer ${secret}` } });
    expect(read.status).toBe(404);
  });

  test.skipIf(skip !== undefined)('refuses catalogue events sent by a client', async () => {
    const mallory = await visitor('mallory');
    const answer = await mallory.send('price_drop', { id: LAMP.id, price: 0 });
    expect(answer).toMatchObject({ k: 'err', c: 'TW_UNKNOWN_EVENT' });
  });

  test.skipIf(skip !== undefined)('tells the visitors interested in a product it is back in stock, and no one else', async () => {
    viewer = await visitor('viewer');
    carter = await visitor('carter');
    const bystander = await visitor('bystander');
    expect(await viewer.send('product', { id: LAMP.id, name: 'a name the browser made up', price: 1 })).toMatchObject({ k: 'ack' });
    expect(await carter.send('cart_add', { id: LAMP.id, qty: 1, price: 1 })).toMatchObject({ k: 'ack' });
    expect(await bystander.send('product', { id: 'e2e-other' })).toMatchObject({ k: 'ack' });

    const response = await post([{ id: LAMP.id, stock: 'in_stock' }]);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ k: 'ok', updated: 1, changes: [{ kind: 'back_in_stock', id: LAMP.id }], events: 2, failed: 0 });

    const pop = await viewer.socket.next((m) => m.k === 'pop');
    // Product data comes from the catalogue, not from what the browser sent.
    expect(pop).toMatchObject({ s: 'back-in-stock', title: 'Brass lamp is back', body: 'Now 80' });
    expect(await carter.socket.next((m) => m.k === 'pop')).toMatchObject({ s: 'back-in-stock' });
    expect(await bystander.popinsSoFar()).toEqual([]);
  });

  test.skipIf(skip !== undefined)('tells a price drop to carts with reason in_cart, so a scenario can target abandoned carts', async () => {
    const response = await post([{ id: LAMP.id, price: 60 }]);
    expect(await response.json()).toMatchObject({ changes: [{ kind: 'price_drop', id: LAMP.id, price: 60, old_price: 80 }], events: 2 });
    expect(await carter.socket.next((m) => m.k === 'pop')).toMatchObject({ s: 'price-drop-in-cart', title: 'Brass lamp now 60 (was 80)' });
    expect(await viewer.popinsSoFar()).toEqual([]);
    expect(engine.catalogue.mirror.product(LAMP.id)?.price).toBe(60);
  });

  test.skipIf(skip !== undefined)('no longer tells a visitor who removed the product from their cart', async () => {
    expect(await carter.send('cart_remove', { id: LAMP.id })).toMatchObject({ k: 'ack' });
    const response = await post([{ id: LAMP.id, price: 50 }]);
    // The viewer only: the cart interest is gone.
    expect(await response.json()).toMatchObject({ changes: [{ kind: 'price_drop' }], events: 1 });
  });

  test.skipIf(skip !== undefined)('imports a CSV file in batches, naming a refused row by its number in the file', async () => {
    const file = join(fixtures, 'catalogue.csv');
    await writeFile(file, 'id,name,price,stock\ne2e-a,Alpha,10,3\ne2e-b,Beta,12,0\ne2e-c,Gamma,14,in_stock\n');
    const totals = await importCatalogue({ engineUrl: engine.url, site: SITE, secret, rows: await readFeedFile(file), batch: 2 });
    expect(totals).toMatchObject({ rows: 3, created: 3 });
    expect(await engine.catalogue.store.product(SITE, 'e2e-b')).toMatchObject({ name: 'Beta', price: 12, stock: 'out_of_stock' });

    const rows = [{ id: 'e2e-a', price: 9 }, { id: 'e2e-b', price: 11 }, { id: 'e2e-new', price: 1 }];
    await expect(importCatalogue({ engineUrl: engine.url, site: SITE, secret, rows, batch: 2 })).rejects.toThrow(
      /rows 3-3 were refused \(HTTP 400; rows 1-2 were imported\): row 3 \(id "e2e-new"\)/,
    );
  });
});
