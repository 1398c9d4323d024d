import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { startCeilingServer, type CeilingServer } from '../../bench/ceiling/index.js';
import { connectRedis, type RedisConnection } from '../../engine/redis/index.js';
import { redisForTests, type RedisForTests } from '../support/redis-server.js';
import { describeSkippedContract } from '../support/skipped-suite.js';

const redis = await redisForTests();

/** Sends one frame on a fresh socket to `path` and resolves with the reply. */
async function roundTrip(server: CeilingServer, path: string, frame: string): Promise<string> {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}${path}`);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const reply = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
  socket.send(frame);
  try {
    return await reply;
  } finally {
    socket.close();
  }
}

if ('skip' in redis) {
  describeSkippedContract('The bench\'s Redis echo', 'Redis round-trip floor', redis.skip);
} else {
  describe('The bench\'s Redis echo (the Redis round-trip floor)', () => {
    const key = `tw-bench-test:${randomBytes(4).toString('hex')}`;
    let connection: RedisConnection;
    let server: CeilingServer;

    beforeAll(async () => {
      connection = await connectRedis((redis as RedisForTests).url, { purpose: 'the Redis echo test' });
      server = await startCeilingServer({ redis: connection, redisEchoKey: key });
    });
    afterAll(async () => {
      server.close();
      await connection.send(key, ['DEL', key]);
      await connection.close();
      await (redis as RedisForTests).stop();
    });

    test('answers a frame with its own bytes after one Redis round trip, and counts it', async () => {
      const [trips, echoed] = [Number((await connection.send(key, ['GET', key])) ?? 0), server.counts.echoed];
      expect(await roundTrip(server, '/redis-echo', '{"b":[1]}')).toBe('{"b":[1]}');
      expect(Number(await connection.send(key, ['GET', key]))).toBe(trips + 1);
      expect(server.counts.echoed).toBe(echoed + 1);
    });

    test('answers after two round trips in a row on /redis-echo-2', async () => {
      const trips = Number((await connection.send(key, ['GET', key])) ?? 0);
      expect(await roundTrip(server, '/redis-echo-2', '{"b":[2]}')).toBe('{"b":[2]}');
      expect(Number(await connection.send(key, ['GET', key]))).toBe(trips + 2);
    });
  });
}
