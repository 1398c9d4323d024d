import { describe, expect, test } from 'vitest';
import { latencyRunId, saturationEnv, type BenchContext } from '../../bench/steps/index.js';

// Only what saturationEnv reads; the rest of a context (k6, Redis, logging) starts processes.
const ctx = { runId: 'bench1', quick: true } as BenchContext;

describe('visitor ids of the bench k6 runs', () => {
  test('differ between runs of fresh visitors, so no run finds the state of an earlier one', () => {
    expect(saturationEnv(ctx, 1).RUN_ID).not.toBe(saturationEnv(ctx, 10).RUN_ID);
  });

  test('differ between latency rounds and loads, so no probe is the visitor of an earlier probe', () => {
    const ids = [0.25, 0.75].flatMap((load) => [0, 1, 2].map((round) => latencyRunId(ctx, load, round)));
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('stay the bench run id for a run drawing from the seeded population', () => {
    expect(saturationEnv(ctx, 1, { VISITORS: 1000 }).RUN_ID).toBe('bench1');
  });
});
