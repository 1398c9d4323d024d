import type { ClaimCheck, ClaimOutcome, ClaimRequest } from '../window-store.js';
import { replyArray, replyNumber } from './replies.js';
import { named, type VisitorKeys } from './visitor-keys.js';
import { entryMember, entryTime, windowRange } from './window-entries.js';

/** claim.lua's KEYS and ARGV (the layout is documented in the script). */
export interface ClaimCall {
  keys: string[];
  args: string[];
}

export function encodeClaims(request: ClaimRequest, keys: VisitorKeys): ClaimCall {
  const args = [String(request.claims.length), String(request.now)];
  for (const claim of request.claims) {
    args.push(claim.lane ?? '', String(claim.checks.length));
    for (const check of claim.checks) args.push(...encodeCheck(check, request.now, keys));
  }
  return { keys: [keys.gates, keys.windows], args };
}

/** A check's fields (claim-checks.lua), counting from `now`, when the engine fires: a cap's entry and range are at `now`. */
export function encodeCheck(check: ClaimCheck, now: number, keys: VisitorKeys): string[] {
  if (check.kind === 'gate') return ['g', keys.gate(named(check.key, 'A gate key')), String(check.ttl)];
  const range = windowRange(now, check.span);
  return ['c', keys.window(check.key), String(check.limit), entryTime(now), entryMember(check.member), range.from, range.until, String(check.span)];
}

export function decodeClaims(reply: unknown): ClaimOutcome[] {
  return replyArray(reply, 'claim').map((outcome) => replyNumber(outcome, 'claim'));
}
