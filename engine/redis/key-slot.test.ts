import fc from 'fast-check';
import { createCluster } from 'redis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisClusterForTests } from '../../test/support/redis-cluster.js';
import { keySlot } from './key-slot.js';

describe('keySlot', () => {
  it('hashes the whole key when it has no hash tag', () => {
    expect(keySlot('123456789')).toBe(0x31c3 % 16_384);
    expect(keySlot('user:1')).toBe(10_778);
  });

  it('hashes only the hash tag when the key has one', () => {
    expect(keySlot('tw:{shop:v1}:e')).toBe(keySlot('shop:v1'));
    expect(keySlot('x{shop:v1}y{other}')).toBe(keySlot('shop:v1'));
  });

  it('hashes the whole key when the first hash tag is empty', () => {
    expect(keySlot('{}{shop}')).not.toBe(keySlot('shop'));
  });
});

const cluster = await redisClusterForTests();
if ('url' in cluster) afterAll(() => cluster.stop());

describe.skipIf('skip' in cluster)('keySlot against a Redis Cluster', () => {
  it('agrees with CLUSTER KEYSLOT for any key, braces and non-ASCII text included', async () => {
    const client = createCluster({ rootNodes: [{ url: 'url' in cluster ? cluster.url : '' }] });
    await client.connect();
    try {
      const keys = fc.sample(fc.string({ unit: fc.constantFrom('a', 'b', '{', '}', ':', 'é', '😀'), maxLength: 12 }), { numRuns: 300, seed: 7 });
      for (const key of keys) {
        const slot = Number(await client.sendCommand(undefined, true, ['CLUSTER', 'KEYSLOT', key]));
        expect(keySlot(key), key).toBe(slot);
      }
    } finally {
      await client.close();
    }
  });
});
