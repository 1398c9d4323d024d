import { createHash } from 'node:crypto';
import type { VisitorRef } from '../../events/index.js';

/**
 * Deterministic: the same scenario fired by the same event for the same visitor always has
 * the same id, so a retried frame or a second engine produces the same trigger, not a new one.
 */
export function triggerId(visitor: VisitorRef, scenarioId: string, eventId: string): string {
  return createHash('sha256').update(`${visitor.site}\0${visitor.visitor}\0${scenarioId}\0${eventId}`).digest('base64url').slice(0, 22);
}
