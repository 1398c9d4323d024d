import { describe, expect, it } from 'vitest';
import { turnedAway } from './apply-frame.js';

/*
 * apply.lua marks a frame of a node's call that its node turned away (a key it does not serve):
 * whatever words the server uses, Redis 7.0's "non local key" or Redis 8.0 and Valkey's
 * "undeclared keys were accessed during rehashing", the mark is what the engine reads.
 */
describe('turnedAway', () => {
  it.each([
    ['a slot that moved (Redis 7.0)', 'TW_NOT_ON_NODE ERR Script attempted to access a non local key in a cluster node'],
    ['a moving slot some of whose keys have left (Redis 8.0, Valkey)', "TW_NOT_ON_NODE ERR Unable to execute command 'exists' in script because undeclared keys were accessed during rehashing of the slot"],
  ])('is true for a frame turned away from %s, so the frame goes again alone, routed by its keys', (_case, message) => {
    expect(turnedAway([message], 0)).toBe(true);
  });

  it('is false for a frame that failed on its own data', () => {
    expect(turnedAway(['WRONGTYPE Operation against a key holding the wrong kind of value'], 0)).toBe(false);
  });

  it('is false for a frame that was applied', () => {
    expect(turnedAway([[[0, 1], [], [], false]], 0)).toBe(false);
  });
});
