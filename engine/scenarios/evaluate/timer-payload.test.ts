import { describe, expect, test } from 'vitest';
import type { TrackedEvent } from '../../events/index.js';
import type { TimerArmOp } from '../../state/index.js';
import { ScenarioCompiler } from '../compile/scenario-compiler.js';
import type { Scenario } from '../model.js';
import { ScenarioEvaluator } from './scenario-evaluator.js';
import { decodeTimerPayload, encodeTimerPayload } from './timer-payload.js';

function scenario(id: string, name: string): Scenario {
  const yaml = `id: ${id}\nname: ${name}\nwhen:\n  absence: { after: { event: product }, missing: { event: cart_add }, within: 2h }\nthen:\n  popin: { title: Hi }\n`;
  const result = new ScenarioCompiler().compile(`${id}.yaml`, yaml);
  if (!result.ok || result.scenario === undefined) throw new Error(`the test scenario does not compile: ${JSON.stringify(result)}`);
  return result.scenario;
}

const visitor = { site: 'shop', visitor: 'ann' };
const view: TrackedEvent = {
  id: 'e1',
  site: 'shop',
  visitor: 'ann',
  session: 's',
  type: 'product',
  time: 1_000,
  receivedAt: 1_000,
  url: '/p/mug',
  props: { id: 'mug', name: 'Mug', price: 12 },
};

function armed(evaluator: ScenarioEvaluator, event: TrackedEvent = view): TimerArmOp[] {
  return evaluator.plan(visitor, [event]).ops[0]!.ops.filter((op): op is TimerArmOp => op.kind === 'timer.arm');
}

describe('timer payloads', () => {
  test('an event arming the timers of several scenarios stores its context once per timer, without the scenario name', () => {
    const [first, second] = armed(new ScenarioEvaluator([scenario('left-a', 'Left A'), scenario('left-b', 'Left B')]));
    expect(decodeTimerPayload(first!.payload)).toEqual({
      scenario: 'left-a',
      context: { event: { id: 'e1', type: 'product', time: 1_000, url: '/p/mug' }, props: { id: 'mug', name: 'Mug', price: 12 } },
    });
    expect(decodeTimerPayload(second!.payload).scenario).toBe('left-b');
    expect(first!.payload).not.toContain('Left A');
  });

  test('a fired timer gives templates the scenario name from the scenario loaded', () => {
    const evaluator = new ScenarioEvaluator([scenario('left-a', 'Left A')]);
    const [arm] = armed(evaluator);
    const candidate = evaluator.fromTimer({ visitor, timer: arm!.timer, due: arm!.due, payload: arm!.payload, leaseUntil: arm!.due + 120_000 });
    expect(candidate?.context).toEqual({
      scenario: { id: 'left-a', name: 'Left A' },
      event: { id: 'e1', type: 'product', time: 1_000, url: '/p/mug' },
      props: { id: 'mug', name: 'Mug', price: 12 },
    });
    expect(candidate?.eventId).toBe('e1');
  });

  test('a payload stored with the scenario in its context still fires as it was stored', () => {
    const evaluator = new ScenarioEvaluator([scenario('left-a', 'Left A, renamed')]);
    const old = JSON.stringify({
      scenario: 'left-a',
      context: { scenario: { id: 'left-a', name: 'Left A' }, event: { id: 'e1', type: 'product', time: 1_000, url: '/p/mug' }, props: { id: 'mug' } },
    });
    const candidate = evaluator.fromTimer({ visitor, timer: 'absence:left-a', due: 5_000, payload: old, leaseUntil: 125_000 });
    expect(candidate).toMatchObject({ eventId: 'e1', time: 5_000, step: 0, context: { scenario: { id: 'left-a', name: 'Left A' }, props: { id: 'mug' } } });
  });

  test('a payload is stored short: the event positional, field names of one letter', () => {
    const [arm] = armed(new ScenarioEvaluator([scenario('left-a', 'Left A')]));
    expect(arm!.payload).toBe('{"s":"left-a","e":["e1","product",1000,"/p/mug"],"p":{"id":"mug","name":"Mug","price":12}}');
  });

  test('an event-armed payload is the same text as the whole payload encoded at once', () => {
    const odd: TrackedEvent = { ...view, id: 'e"1', url: '/p/"mug"\u2028', props: { id: 'mug', name: 'Mug "XL" \\ é', price: 12.5 } };
    const [arm] = armed(new ScenarioEvaluator([scenario('left-a', 'Left A')]), odd);
    const context = { event: { id: odd.id, type: odd.type, time: odd.time, url: odd.url }, props: odd.props };
    expect(arm!.payload).toBe(encodeTimerPayload({ scenario: 'left-a', context }));
  });

  test('a journey step payload keeps its variant, step, occurrence and failures through a round trip', () => {
    const payload = {
      scenario: 'left-a',
      context: { event: { id: 'e1', type: 'product', time: 1_000, url: '' }, props: {} },
      variant: 'b',
      step: 2,
      occurrence: 'e1@5000',
      failures: 1,
    };
    expect(decodeTimerPayload(encodeTimerPayload(payload))).toEqual(payload);
  });

  test('a payload stored in the earlier {scenario, context} shape decodes as it was stored', () => {
    const old = { scenario: 'left-a', context: { event: { id: 'e1', type: 'product', time: 1_000, url: '/p' }, props: { id: 'mug' } }, step: 1, variant: 'a' };
    expect(decodeTimerPayload(JSON.stringify(old))).toEqual(old);
  });
});

describe('the payload of a firing tried again', () => {
  const context = { event: { id: 'v2', type: 'product', time: 1_000, url: '' }, props: { id: 'mug' } };

  test('keeps a claimed firing\'s decision time', () => {
    const payload = { scenario: 'viewed-twice', context, occurrence: 'v2', failures: 1, claimed: true, decidedAt: 5_000 };
    expect(decodeTimerPayload(encodeTimerPayload(payload))).toEqual(payload);
  });

  test('stored by the previous build, without a decision time, decodes without one', () => {
    const stored = JSON.stringify({ s: 'viewed-twice', e: ['v2', 'product', 1_000, ''], p: { id: 'mug' }, o: 'v2', f: 1, c: 1 });
    expect(decodeTimerPayload(stored)).toEqual({ scenario: 'viewed-twice', context, occurrence: 'v2', failures: 1, claimed: true });
  });
});
