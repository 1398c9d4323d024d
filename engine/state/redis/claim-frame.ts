import type { ClaimCheck, ClaimOutcome, ClaimRequest } from '../window-store.js';
import { replyArray, replyNumber } from './replies.js';
import type { VisitorKeys } from './visitor-keys.js';

/** claim.lua's KEYS and ARGV (the layout is documented in the script). */
export interface ClaimCall {
  keys: string[];
  args: string[];
}

export function encodeClaims(request: ClaimRequest, keys: VisitorKeys): ClaimCall {
  const args = [String(request.now), String(request.claims.length)];
  for (const claim of request.claims) {
    args.push(String(claim.checks.length));
    for (const check of claim.checks) args.push(...encodeCheck(check));
  }
  return { keys: [keys.windows], args };
}

function encodeCheck(check: ClaimCheck): string[] {
  if (check.kind === 'gate') return ['g', check.key, String(check.ttl)];
  return [
    'c',
    check.key,
    String(check.limit),
    String(check.span),
    check.member,
    String(check.at),
  ];
}

export function decodeClaims(reply: unknown): ClaimOutcome[] {
  return replyArray(reply, 'claim').map((outcome) => replyNumber(outcome, 'claim'));
}
