import { describe, expect, it } from 'vitest';
import { failedOffNode } from './apply-frame.js';

/*
 * What a Redis Cluster node answers a script's command on a key it does not serve, as
 * scriptVerifyClusterState (script.c) words it. Redis 7.0 answers a slot that is moving with
 * "non local key" (the node it leaves redirects with ASK); Redis 8.0 and Valkey answer a command
 * naming keys of a moving slot some of which have left with CLUSTER_REDIR_UNSTABLE, in its own
 * words, and a slot nobody serves in others.
 */
describe('failedOffNode', () => {
  it.each([
    ['a slot that moved (MOVED, ASK)', 'ERR Script attempted to access a non local key in a cluster node'],
    ['a moving slot some of whose keys have left (Redis 8.0, Valkey)', "ERR Unable to execute command 'exists' in script because undeclared keys were accessed during rehashing of the slot"],
  ])('is true for %s, so the frame goes again alone, routed by its keys', (_case, message) => {
    expect(failedOffNode([message], 0)).toBe(true);
  });

  it('is false for a frame that failed on its own data', () => {
    expect(failedOffNode(['WRONGTYPE Operation against a key holding the wrong kind of value'], 0)).toBe(false);
  });
});
