import type { VisitorRef } from '../../events/index.js';
import type { Scenario, Variant } from '../model.js';

export interface Assignment {
  variant: Variant;
  /** In the held-out control group: recorded, never delivered. */
  control: boolean;
}

/**
 * Deterministic: a visitor always lands in the same group of a scenario, on every engine,
 * so uplift against the control group can be measured. Two independent hashes keep the control
 * draw apart from the variant draw.
 */
export function assignVariant(visitor: VisitorRef, scenario: Scenario): Assignment {
  const control = unitHash(`${visitor.site}\0${visitor.visitor}\0${scenario.id}\0control`) < scenario.control;
  const total = scenario.variants.reduce((sum, variant) => sum + variant.weight, 0);
  let point = unitHash(`${visitor.site}\0${visitor.visitor}\0${scenario.id}\0variant`) * total;
  for (const variant of scenario.variants) {
    point -= variant.weight;
    if (point < 0) return { variant, control };
  }
  return { variant: scenario.variants[scenario.variants.length - 1]!, control };
}

/** FNV-1a, 32 bits, as a number in [0, 1). */
function unitHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) / 0x1_0000_0000;
}
