import type { ClaimCheck, ClaimOutcome, ClaimRequest } from '../window-store.js';
import { replyArray, replyNumber } from './replies.js';
import type { VisitorKeys } from './visitor-keys.js';

/** claim.lua's KEYS and ARGV (the layout is documented in the script). */
export interface ClaimCall {
  keys: string[];
  args: string[];
}

export function encodeClaims(request: ClaimRequest, keys: VisitorKeys): ClaimCall {
  const keyIndex = new Map<string, string>();
  const callKeys: string[] = [keys.gates];
  const indexOf = (key: string): string => {
    let index = keyIndex.get(key);
    if (index === undefined) {
      callKeys.push(key);
      index = String(callKeys.length);
      keyIndex.set(key, index);
    }
    return index;
  };
  const args = [String(request.now), String(request.claims.length)];
  for (const claim of request.claims) {
    args.push(String(claim.checks.length));
    for (const check of claim.checks) args.push(...encodeCheck(check, keys, indexOf));
  }
  return { keys: callKeys, args };
}

function encodeCheck(check: ClaimCheck, keys: VisitorKeys, indexOf: (key: string) => string): string[] {
  if (check.kind === 'gate') return ['g', keys.gate(check.key), String(check.ttl)];
  return [
    'c',
    indexOf(keys.window(check.key)),
    String(check.limit),
    String(check.span),
    check.member,
    String(check.at),
  ];
}

export function decodeClaims(reply: unknown): ClaimOutcome[] {
  return replyArray(reply, 'claim').map((outcome) => replyNumber(outcome, 'claim'));
}
