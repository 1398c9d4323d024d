import { describe, expect, test } from 'vitest';
import { TripwireError } from '../errors.js';
import type { TrackedEvent, VisitorRef } from '../events/index.js';
import { createLogger } from '../observability/index.js';
import type { Frame } from '../pipeline/index.js';
import { MemoryInterestIndex, type InterestIndex, type InterestUpdate } from '../state/index.js';
import { InterestTracker } from './interest-tracker.js';

const at = 1_700_000_000_000;
const visitor = { site: 's', visitor: 'v' };

function productView(id: string): TrackedEvent {
  return { id: `view-${id}`, site: 's', visitor: 'v', session: '', type: 'product', time: at, receivedAt: at, url: '', props: { id } };
}

/** A frame whose reply says how it ended. */
function frameOf(events: TrackedEvent[]): { frame: Frame; outcome: Promise<string> } {
  let settle!: (outcome: string) => void;
  const outcome = new Promise<string>((resolve) => (settle = resolve));
  const frame = { visitor, events, receivedAt: at, reply: { ack: (ids: string[]) => settle(`ack ${ids.join(',')}`), fail: (code: string) => settle(`fail ${code}`) } };
  return { frame, outcome };
}

/** The in-process index, reporting each record and answering it when told to. */
class HeldIndex implements InterestIndex {
  readonly log: string[] = [];
  private readonly index = new MemoryInterestIndex();
  private answer: (error?: Error) => void = () => undefined;

  record(who: VisitorRef, updates: readonly InterestUpdate[], now: number): Promise<void> {
    this.log.push('record');
    return new Promise<void>((resolve, reject) => {
      this.answer = (error) => (error === undefined ? resolve(this.index.record(who, updates, now)) : reject(error));
    });
  }

  answerRecord(error?: Error): void {
    this.answer(error);
  }

  interested: InterestIndex['interested'] = (query) => this.index.interested(query);
  forget: InterestIndex['forget'] = (...args) => this.index.forget(...args);
}

describe('InterestTracker', () => {
  test("hands the frame on before asking for its interest record, so Redis runs the frame's apply first", () => {
    const index = new HeldIndex();
    new InterestTracker({ index, logger: createLogger('silent') }).forward(frameOf([productView('mug')]).frame, () => index.log.push('frame handed on'));
    expect(index.log).toEqual(['frame handed on', 'record']);
  });

  test('acks the frame only once its interest is recorded', async () => {
    const index = new HeldIndex();
    const { frame, outcome } = frameOf([productView('mug')]);
    new InterestTracker({ index, logger: createLogger('silent') }).forward(frame, (tracked) => tracked.reply.ack(['view-mug']));
    const first = await Promise.race([outcome, new Promise((resolve) => setTimeout(() => resolve('waiting'), 20))]);
    index.answerRecord();
    expect([first, await outcome]).toEqual(['waiting', 'ack view-mug']);
  });

  test('fails the frame when its interest cannot be recorded, so the client resends it', async () => {
    const index = new HeldIndex();
    const { frame, outcome } = frameOf([productView('mug')]);
    new InterestTracker({ index, logger: createLogger('silent') }).forward(frame, (tracked) => tracked.reply.ack(['view-mug']));
    index.answerRecord(new TripwireError('TW_STORE_UNAVAILABLE', 'Redis is down'));
    expect(await outcome).toBe('fail TW_STORE_UNAVAILABLE');
  });

  test('hands on a frame that says nothing of products as it is', () => {
    const index = new HeldIndex();
    const { frame } = frameOf([{ ...productView('mug'), type: 'page', props: {} }]);
    let handedOn: Frame | undefined;
    new InterestTracker({ index, logger: createLogger('silent') }).forward(frame, (tracked) => (handedOn = tracked));
    expect([handedOn, index.log]).toEqual([frame, []]);
  });
});
