import type { ApplyRequest, ApplyResult, EventOutcome, RetentionPolicy, StateOp } from '../window-store.js';
import { replyArray, replyFields, replyNumber } from './replies.js';
import type { VisitorKeys } from './visitor-keys.js';

/** apply.lua's KEYS and ARGV for one frame (the layout is documented in the script). */
export interface ApplyCall {
  keys: string[];
  args: string[];
  /** The earliest due among the frame's timer.arm ops, for the due index. */
  earliestArm: number | undefined;
}

const FIXED_KEYS = 5;
const HASH_KEY_INDEX = { profile: '2', cart: '3' } as const;

export function encodeApply(request: ApplyRequest, keys: VisitorKeys, retention: RetentionPolicy): ApplyCall {
  const windowIndex = new Map<string, string>();
  const callKeys = [keys.seen, keys.profile, keys.cart, keys.timers, keys.timerPayloads];
  const windowKey = (key: string): string => {
    let index = windowIndex.get(key);
    if (index === undefined) {
      callKeys.push(keys.window(key));
      index = String(FIXED_KEYS + windowIndex.size + 1);
      windowIndex.set(key, index);
    }
    return index;
  };

  const args = [
    String(request.now),
    String(retention.dedupeHorizon),
    String(retention.profileTtl),
    String(request.events.length),
  ];
  let earliestArm: number | undefined;
  for (const event of request.events) {
    args.push(event.eventId, String(event.ops.length));
    for (const op of event.ops) {
      args.push(...encodeOp(op, windowKey));
      // Counted even if the event turns out a duplicate: an early index entry costs one look.
      if (op.kind === 'timer.arm' && (earliestArm === undefined || op.due < earliestArm)) earliestArm = op.due;
    }
  }
  return { keys: callKeys, args, earliestArm };
}

function encodeOp(op: StateOp, windowKey: (key: string) => string): string[] {
  switch (op.kind) {
    case 'window.add':
      return ['a', windowKey(op.key), op.member, String(op.at), String(op.span)];
    case 'window.count':
      return ['c', windowKey(op.key), String(op.at), String(op.span)];
    case 'timer.arm':
      return ['t', op.timer, String(op.due), op.payload];
    case 'timer.cancel':
      return ['x', op.timer];
    case 'hash.set':
      return ['s', HASH_KEY_INDEX[op.hash], op.field, op.value];
    case 'hash.delete':
      return ['d', HASH_KEY_INDEX[op.hash], op.field];
    case 'hash.clear':
      return ['z', HASH_KEY_INDEX[op.hash]];
    case 'timer.cancelPrefix':
      return ['X', op.prefix];
    case 'hash.setIfAbsent':
      return ['n', HASH_KEY_INDEX[op.hash], op.field, op.value];
    case 'hash.increment':
      return ['i', HASH_KEY_INDEX[op.hash], op.field, String(Math.trunc(op.by))];
  }
}

export function decodeApply(request: ApplyRequest, reply: unknown): ApplyResult {
  const [outcomeReply, profileReply] = replyArray(reply, 'apply');
  const flat = replyArray(outcomeReply, 'apply outcomes');
  const events: EventOutcome[] = [];
  let i = 0;
  for (const event of request.events) {
    const duplicate = replyNumber(flat[i++], 'apply outcome') === 1;
    const results = event.ops.map(() => replyNumber(flat[i++], 'apply result'));
    events.push({ duplicate, results });
  }
  return { events, profile: replyFields(profileReply, 'apply profile') };
}
