import { TripwireError } from '../../errors.js';
import type { ApplyRequest, ApplyResult, EventOutcome, RetentionPolicy, StateOp } from '../window-store.js';
import { replyArray, replyFields, replyNumber } from './replies.js';
import type { ItemOutcome } from './turn-batch.js';
import { seenId } from './seen-id.js';
import type { VisitorKeys } from './visitor-keys.js';

/** One frame's part of apply.lua's KEYS and ARGV (the layout is documented in the script). */
export interface ApplyCall {
  request: ApplyRequest;
  /** Key indexes in args are relative to the frame's first key. */
  keys: string[];
  args: string[];
  /** The earliest due among the frame's timer.arm ops, for the due index. */
  earliestArm: number | undefined;
}

/** apply.lua's KEYS and ARGV for several frames. */
export interface ApplyBatchCall {
  keys: string[];
  args: string[];
}

const FIXED_KEYS = 4;
const HASH_KEY_INDEX = { profile: '2', cart: '3' } as const;

export function encodeApply(request: ApplyRequest, keys: VisitorKeys): ApplyCall {
  const windowIndex = new Map<string, string>();
  const callKeys = [keys.seen, keys.profile, keys.cart, keys.timers];
  const windowKey = (key: string): string => {
    let index = windowIndex.get(key);
    if (index === undefined) {
      callKeys.push(keys.window(key));
      index = String(FIXED_KEYS + windowIndex.size + 1);
      windowIndex.set(key, index);
    }
    return index;
  };

  const args = [String(request.now), String(request.events.length)];
  let earliestArm: number | undefined;
  for (const event of request.events) {
    args.push(seenId(event.eventId), String(event.ops.length));
    for (const op of event.ops) {
      args.push(...encodeOp(op, windowKey));
      // Counted even if the event turns out a duplicate: an early index entry costs one look.
      if (op.kind === 'timer.arm' && (earliestArm === undefined || op.due < earliestArm)) earliestArm = op.due;
    }
  }
  return { request, keys: callKeys, args, earliestArm };
}

/** The share of a call's argument budget one frame takes. */
export function applySize(call: ApplyCall): number {
  return call.keys.length + call.args.length + 2;
}

export function encodeApplyBatch(calls: readonly ApplyCall[], retention: RetentionPolicy): ApplyBatchCall {
  const keys: string[] = [];
  const args = [String(retention.dedupeHorizon), String(retention.profileTtl), String(calls.length)];
  for (const call of calls) {
    keys.push(...call.keys);
    args.push(String(call.keys.length), String(call.args.length), ...call.args);
  }
  return { keys, args };
}

/** One outcome per frame: a frame the script failed on rejects alone. */
export function decodeApplyBatch(calls: readonly ApplyCall[], reply: unknown): Array<ItemOutcome<ApplyResult>> {
  const frames = replyArray(reply, 'apply');
  return calls.map((call, i) => {
    const frame = frames[i];
    if (typeof frame === 'string') {
      return { ok: false, error: new TripwireError('TW_STORE_UNAVAILABLE', `Redis failed to apply a frame of ${call.request.visitor.site}/${call.request.visitor.visitor}: ${frame}`) };
    }
    return { ok: true, value: decodeApply(call.request, frame) };
  });
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
