import { describe, expect, test } from 'vitest';
import type { TrackedEvent } from '../../events/index.js';
import type { TimerArmOp } from '../../state/index.js';
import { ScenarioCompiler } from '../compile/scenario-compiler.js';
import { ScenarioEvaluator } from './scenario-evaluator.js';
import { encodeTimerPayload } from './timer-payload.js';
import { triggerContext, type Candidate } from './trigger-context.js';

const visitor = { site: 'shop', visitor: 'ann' };
const compile = (yaml: string) => new ScenarioCompiler().compileOrThrow('s.yaml', yaml)!;

describe('what stops a scenario\'s timers', () => {
  const scenario = compile(
    'id: rescue\nwhen: { absence: { after: { event: cart_add }, missing: { event: checkout }, within: 1h } }\n' +
      'exit: { event: track, where: { name: unsubscribe } }\ngoal: { event: purchase, within: 7d }\n' +
      'journey:\n  - email: { template: one }\n  - wait: 1d\n    email: { template: two }\n  - wait: 2d\n    unless: { event: track, where: { name: review } }\n    email: { template: three }\n',
  );
  const evaluator = new ScenarioEvaluator([scenario]);
  const variant = scenario.variants[0]!.id;
  const stopsOf = (type: TrackedEvent['type'], props: TrackedEvent['props'] = {}) =>
    evaluator.plan(visitor, [{ id: 'e1', site: 'shop', visitor: 'ann', session: 's', type, time: 1_000, receivedAt: 1_000, url: '', props }]).ops[0]!.ops.filter((op) => op.kind.startsWith('timer.'));

  const DAY = 24 * 3600_000;
  // Each timer whose wait started by the event's time (1 s): due by then plus its wait.
  const journey = [
    { kind: 'timer.cancel', timer: `journey:rescue:${variant}:1`, dueBy: 1_000 + DAY },
    { kind: 'timer.cancel', timer: `journey:rescue:${variant}:2`, dueBy: 1_000 + 2 * DAY },
    { kind: 'timer.cancel', timer: 'journey:rescue' },
  ];

  test('an exit cancels the journey and every pending reminder that waited since it', () => {
    expect(stopsOf('track', { name: 'unsubscribe' })).toEqual([...journey, { kind: 'timer.cancelPrefix', prefix: 'absence:rescue', dueBy: 1_000 + 3600_000 }]);
  });

  test('reaching the goal cancels the journey, not a reminder that has not fired', () => {
    expect(stopsOf('purchase', { order: 'A-1' })).toEqual(journey);
  });

  test('a step\'s `unless` cancels that step\'s timer if it waited since it, and the name all steps shared before', () => {
    expect(stopsOf('track', { name: 'review' })).toEqual([
      { kind: 'timer.cancel', timer: `journey:rescue:${variant}:2`, dueBy: 1_000 + 2 * DAY },
      { kind: 'timer.cancel', timer: 'journey:rescue' },
    ]);
  });

  test('a first step delivered starts the journey afresh; a later one arms the next step alone', () => {
    const first = { scenario, eventId: 'e1', time: 1_000, context: triggerContext(scenario, { id: 'e1', site: 'shop', visitor: 'ann', session: 's', type: 'cart_add', time: 1_000, receivedAt: 1_000, url: '', props: {} }), variant: undefined, step: 0, claimed: false, failures: 0 };
    expect(evaluator.afterFire(first, variant, 1_000).map((op) => [op.kind, 'timer' in op ? op.timer : op.kind === 'timer.cancelPrefix' ? op.prefix : ''])).toEqual([
      ['timer.cancelPrefix', 'journey:rescue'],
      ['timer.arm', `journey:rescue:${variant}:1`],
    ]);
    const second = { ...first, eventId: 'e1#1', step: 1, variant };
    expect(evaluator.afterFire(second, variant, 1_000 + DAY).map((op) => [op.kind, 'timer' in op ? op.timer : ''])).toEqual([['timer.arm', `journey:rescue:${variant}:2`]]);
  });

  test('the next step waits from when its step was handed over, not from the firing\'s time', () => {
    const late = { scenario, eventId: 'e1', time: 1_000, context: triggerContext(scenario, { id: 'e1', site: 'shop', visitor: 'ann', session: 's', type: 'cart_add', time: 1_000, receivedAt: 1_000, url: '', props: {} }), variant: undefined, step: 0, claimed: false, failures: 0 };
    const arm = evaluator.afterFire(late, variant, 1_000 + 3 * DAY).find((op): op is TimerArmOp => op.kind === 'timer.arm');
    expect(arm?.due).toBe(1_000 + 3 * DAY + DAY);
  });
});

describe('firings tried again', () => {
  const birthday = compile('id: birthday\nwhen: { date: { trait: birthday, hour: 9 } }\nthen: { webhook: { url: "https://hooks.example/b" } }\n');
  const journey = compile(
    'id: viewed-journey\nwhen: { count: { event: product, atLeast: 1, within: 1h } }\njourney:\n  - popin: { title: t }\n  - wait: 1d\n    webhook: { url: "https://hooks.example/a" }\n',
  );
  const due = Date.UTC(2026, 2, 14, 9);
  const identify = { event: { id: 'id1', type: 'identify', time: 0, url: '' }, props: { traits: { birthday: '03-14' } } };

  function triedAgain(evaluator: ScenarioEvaluator, candidate: Candidate, claimed: boolean): Candidate {
    const [arm] = evaluator.deferred([candidate], due + 30_000, claimed) as TimerArmOp[];
    return evaluator.fromTimer({ visitor, timer: arm!.timer, due: arm!.due, payload: arm!.payload, leaseUntil: arm!.due + 120_000 })!;
  }

  test('a yearly firing tried again keeps its occurrence, so its trigger id, and fires at the retry', () => {
    const evaluator = new ScenarioEvaluator([birthday]);
    const first = evaluator.fromTimer({ visitor, timer: 'date:birthday', due, payload: encodeTimerPayload({ scenario: 'birthday', context: identify }), leaseUntil: due + 1 })!;
    const retried = triedAgain(evaluator, first, true);
    expect(retried).toEqual({ ...first, time: due + 30_000, claimed: true, failures: 1 });
  });

  test('a journey step tried again is the same step of the same occurrence', () => {
    const evaluator = new ScenarioEvaluator([journey]);
    const payload = encodeTimerPayload({ scenario: 'viewed-journey', context: identify, variant: journey.variants[0]!.id, step: 1, occurrence: 'e1' });
    const step = evaluator.fromTimer({ visitor, timer: 'journey:viewed-journey', due, payload, leaseUntil: due + 1 })!;
    expect(triedAgain(evaluator, step, false)).toEqual({ ...step, time: due + 30_000, failures: 1 });
  });

  test('a firing tried again waits under a timer name of its own, apart from the timers the visitor arms again', () => {
    const evaluator = new ScenarioEvaluator([compile('id: left-a\nwhen: { absence: { after: { event: product }, missing: { event: cart_add }, within: 2h } }\nthen: { popin: { title: Hi } }\n')]);
    const view = { id: 'e1', site: 'shop', visitor: 'ann', session: 's', type: 'product', time: 1_000, receivedAt: 1_000, url: '/p/mug', props: { id: 'mug' } } as const;
    const [arm] = evaluator.plan(visitor, [view]).ops[0]!.ops.filter((op): op is TimerArmOp => op.kind === 'timer.arm');
    const candidate = evaluator.fromTimer({ visitor, timer: arm!.timer, due: arm!.due, payload: arm!.payload, leaseUntil: arm!.due + 1 })!;
    const [parked] = evaluator.deferred([candidate], due, false) as TimerArmOp[];
    expect(parked!.timer).not.toBe(arm!.timer);
  });

  test('a firing keeps that it was claimed through later failures, and counts each failure', () => {
    const evaluator = new ScenarioEvaluator([birthday]);
    const first = evaluator.fromTimer({ visitor, timer: 'date:birthday', due, payload: encodeTimerPayload({ scenario: 'birthday', context: identify }), leaseUntil: due + 1 })!;
    const twice = triedAgain(evaluator, triedAgain(evaluator, first, true), false);
    expect(twice).toMatchObject({ claimed: true, failures: 2 });
  });
});
