import { TripwireError } from '../../errors.js';
import type { ApplyRequest, ApplyResult, ConditionalClaim, EventOutcome, RetentionPolicy, StateOp, WindowAddOp } from '../window-store.js';
import { encodeCheck } from './claim-frame.js';
import { replyArray, replyNumber } from './replies.js';
import type { ItemOutcome } from './turn-batch.js';
import { seenId } from './seen-id.js';
import { cartOfReply, profileOfReply, storedField } from './visitor-hash.js';
import { named, type VisitorKeys } from './visitor-keys.js';
import { entryMember, entryTime, windowRange } from './window-entries.js';

/** One frame's part of apply.lua's KEYS and ARGV (the layout is documented in the script). */
export interface ApplyCall {
  request: ApplyRequest;
  /** The frame's keys (hash fields in args name them by index, relative to the first). */
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

/** hash.clear's argument: which fields of the visitor's one hash it removes (visitor-hash.ts). */
const CLEARED = { profile: 'p', cart: 'c' } as const;

export function encodeApply(request: ApplyRequest, keys: VisitorKeys, dedupeHorizon: number): ApplyCall {
  const args = [String(request.now), String(request.events.length), request.withProfile === false ? '0' : '1'];
  let earliestArm: number | undefined;
  const added = new Set<string>();
  for (const event of request.events) {
    args.push(seenId(named(event.eventId, 'An event id')), String(event.ops.length), '0');
    const ttlAt = args.length - 1;
    let windowsTtl = 0;
    for (const op of event.ops) {
      if (op.kind === 'window.add') {
        const pair = `${op.key}\n${op.member}`;
        encodeAdd(op, keys, args, op.member === event.eventId && op.span <= dedupeHorizon && !added.has(pair));
        added.add(pair);
        // The windows set lives as long as the longest span of its adds needs from now.
        windowsTtl = Math.max(windowsTtl, op.span, op.at + op.span - request.now);
        args[ttlAt] = String(windowsTtl);
        continue;
      }
      encodeOp(op, keys, args);
      // Counted even if the event turns out a duplicate: an early index entry costs one look.
      if (op.kind === 'timer.arm' && (earliestArm === undefined || op.due < earliestArm)) earliestArm = op.due;
    }
  }
  const claims = request.claims ?? [];
  args.push(String(claims.length));
  for (const claim of claims) encodeConditionalClaim(claim, request.now, keys, args);
  const frameKeys = [keys.seen, keys.hash, keys.timers, keys.windows];
  if (claims.length > 0) frameKeys.push(keys.gates);
  return { request, keys: frameKeys, args, earliestArm };
}

function encodeConditionalClaim(claim: ConditionalClaim, now: number, keys: VisitorKeys, args: string[]): void {
  args.push(String(claim.event), String(claim.op), claim.equals === undefined ? '' : String(claim.equals), String(claim.atLeast), claim.lane, String(claim.checks.length));
  for (const check of claim.checks) args.push(...encodeCheck(check, now, keys));
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
    args.push(String(call.keys.length), frameArgument(call.args));
  }
  return { keys, args };
}

/**
 * The frames of visitors one Redis Cluster node serves, in slots of their own, as one call that
 * declares no keys: their keys follow their fields in ARGV (apply.lua, "Frames of one node").
 */
export function encodeNodeBatch(calls: readonly ApplyCall[], retention: RetentionPolicy): string[] {
  const { keys, args } = encodeApplyBatch(calls, retention);
  for (const key of keys) args.push(key);
  return args;
}

/**
 * Whether a frame of a node's call was turned away because the node does not serve all its keys
 * (the slot moved, or is moving and a key has left): apply.lua marks it, whatever words the
 * server's version uses. Sent again on its own, it is routed to the right node.
 */
export function turnedAway(reply: unknown, index: number): boolean {
  const frame = Array.isArray(reply) ? reply[index] : undefined;
  return typeof frame === 'string' && frame.startsWith(TURNED_AWAY);
}

/** The start of apply.lua's answer for a frame whose keys its node does not serve. */
const TURNED_AWAY = 'TW_NOT_ON_NODE ';

/** Lone UTF-16 surrogates, which JSON.stringify writes as `\udXXX` escapes that cjson refuses. */
const LONE_SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * A frame's fields as one JSON argument (apply.lua decodes it with cjson). A client string with
 * a lone surrogate is sent as node-redis sent every argument before: as UTF-8, the surrogate
 * replaced by U+FFFD, so no event can make the script refuse the frame.
 */
function frameArgument(fields: readonly string[]): string {
  const json = JSON.stringify(fields);
  return LONE_SURROGATE_ESCAPE.test(json) ? JSON.stringify(fields.map((field) => Buffer.from(field, 'utf8').toString('utf8'))) : json;
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

/**
 * `ownEvent`: the member is the id of the event adding it, and no op of this frame added it
 * before. The script runs the op only if that event id was not seen within the dedupe horizon,
 * so no earlier frame added it either (the core adds an event's id to a window only in that
 * event's ops; distinct windows add property values, which a tracker cannot make equal to an
 * id it does not know): the member cannot be in the window, and the script skips looking for
 * its old entry ('A'), unless the window is longer than the dedupe horizon: an event resent
 * after the horizon is applied again, and its first entry may still be inside such a window.
 * Any other add ('a') reads its window to move the member's old entry.
 */
function encodeAdd(op: WindowAddOp, keys: VisitorKeys, args: string[], ownEvent: boolean): void {
  const range = windowRange(op.at, op.span);
  args.push(ownEvent ? 'A' : 'a', keys.window(op.key), entryTime(op.at), entryMember(op.member), range.from, range.until);
}

function encodeOp(op: Exclude<StateOp, WindowAddOp>, keys: VisitorKeys, args: string[]): void {
  switch (op.kind) {
    case 'window.count': {
      const range = windowRange(op.at, op.span);
      args.push('c', keys.window(op.key), range.from, range.until);
      return;
    }
    case 'timer.arm':
      args.push('t', named(op.timer, 'A timer name'), String(op.due), op.payload);
      return;
    case 'timer.cancel':
      if (op.dueBy === undefined) args.push('x', named(op.timer, 'A timer name'));
      else args.push('y', named(op.timer, 'A timer name'), String(op.dueBy));
      return;
    case 'hash.set':
      args.push('s', storedField(op.hash, op.field), op.value);
      return;
    case 'hash.delete':
      args.push('d', storedField(op.hash, op.field));
      return;
    case 'hash.clear':
      args.push('z', CLEARED[op.hash]);
      return;
    case 'timer.cancelPrefix':
      if (op.dueBy === undefined) args.push('X', named(op.prefix, 'A timer prefix'));
      else args.push('Y', named(op.prefix, 'A timer prefix'), String(op.dueBy));
      return;
    case 'hash.setIfAbsent':
      args.push('n', storedField(op.hash, op.field), op.value);
      return;
    case 'hash.copy':
      args.push('k', storedField(op.hash, op.field), storedField(op.hash, op.from));
      return;
    case 'hash.increment':
      args.push('i', storedField(op.hash, op.field), String(Math.trunc(op.by)));
      return;
  }
}

export function decodeApply(request: ApplyRequest, reply: unknown): ApplyResult {
  const [outcomeReply, profileReply, claimsReply, cartReply] = replyArray(reply, 'apply');
  const flat = replyArray(outcomeReply, 'apply outcomes');
  const events: EventOutcome[] = [];
  let i = 0;
  for (const event of request.events) {
    const duplicate = replyNumber(flat[i++], 'apply outcome') === 1;
    const results = event.ops.map(() => replyNumber(flat[i++], 'apply result'));
    events.push({ duplicate, results });
  }
  return {
    events,
    profile: profileOfReply(profileReply, 'apply profile'),
    claims: replyArray(claimsReply, 'apply claims').map((outcome) => replyNumber(outcome, 'apply claim')),
    cart: cartReply === null || cartReply === undefined ? undefined : cartOfReply(cartReply, 'apply cart'),
  };
}
