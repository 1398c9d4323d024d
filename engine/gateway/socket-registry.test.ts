import type { WebSocket } from 'uWebSockets.js';
import { describe, expect, test } from 'vitest';
import type { VisitorRef } from '../events/index.js';
import { SocketRegistry, type SocketData } from './socket-registry.js';

/** What the registry reads of a uWS socket: its data. */
function tab(visitor: VisitorRef): WebSocket<SocketData> {
  const data: SocketData = { visitor, inFlight: 0, closed: false };
  return { getUserData: () => data } as unknown as WebSocket<SocketData>;
}

describe('SocketRegistry', () => {
  const ann: VisitorRef = { site: 'shop', visitor: 'ann' };

  test('reports a visitor gone when the last of its connections closes, not before', () => {
    const gone: VisitorRef[] = [];
    const registry = new SocketRegistry(undefined, (visitor) => gone.push(visitor));
    const [first, second] = [tab(ann), tab(ann)];
    registry.add(first);
    registry.add(second);
    registry.remove(first);
    expect(gone).toEqual([]);
    registry.remove(second);
    expect(gone).toEqual([ann]);
  });

  test('reports a visitor back when it opens its first connection, not its second', () => {
    const back: VisitorRef[] = [];
    const registry = new SocketRegistry((visitor) => back.push(visitor));
    registry.add(tab(ann));
    registry.add(tab(ann));
    expect(back).toEqual([ann]);
  });

  test('reports a visitor gone once, however often its connection is removed', () => {
    const gone: VisitorRef[] = [];
    const registry = new SocketRegistry(undefined, (visitor) => gone.push(visitor));
    const socket = tab(ann);
    registry.add(socket);
    registry.remove(socket);
    registry.remove(socket);
    expect(gone).toEqual([ann]);
  });
});
