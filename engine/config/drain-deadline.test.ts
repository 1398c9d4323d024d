import { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { createLogger } from '../observability/index.js';
import { DrainDeadline } from './drain-deadline.js';

function capturedLogger(): { logger: ReturnType<typeof createLogger>; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger('warn', stream), lines };
}

describe('DrainDeadline', () => {
  test('a step that never finishes is given up at the deadline, and the giving up is logged', async () => {
    const { logger, lines } = capturedLogger();
    const drain = new DrainDeadline(30, logger);
    const began = performance.now();
    await drain.within('pipeline', new Promise<void>(() => {}));
    expect(performance.now() - began).toBeGreaterThanOrEqual(25);
    expect(lines).toMatchObject([{ step: 'pipeline', drainTimeoutMs: 30, msg: expect.stringContaining('timed out') }]);
  });

  test('the budget is shared: a later step only gets what the earlier ones left', async () => {
    const { logger } = capturedLogger();
    const drain = new DrainDeadline(40, logger);
    drain.start();
    await drain.within('scheduled sends', new Promise<void>((resolve) => setTimeout(resolve, 30)));
    const began = performance.now();
    await drain.within('pipeline', new Promise<void>(() => {}));
    expect(performance.now() - began).toBeLessThan(30);
  });

  test('a step that fails within the budget fails the stop with its own error', async () => {
    const { logger, lines } = capturedLogger();
    const drain = new DrainDeadline(1000, logger);
    await expect(drain.within('pipeline', Promise.reject(new Error('store gone')))).rejects.toThrow('store gone');
    expect(lines).toEqual([]);
  });
});
