import type { PropValue, Props } from '../../events/index.js';
import type { Comparison, EventMatcher, PropertyCondition } from '../model.js';
import type { TrackedEvent } from '../../events/index.js';

export function matchesEvent(matcher: EventMatcher, event: TrackedEvent): boolean {
  return matcher.types.has(event.type) && matchesAll(matcher.where, event.props, event.url);
}

/**
 * `url` names the page the event happened on, unless the event carries a `url` property of its
 * own (a product's): page views keep their URL outside their properties.
 */
export function matchesAll(conditions: readonly PropertyCondition[], props: Props | Record<string, string>, pageUrl?: string): boolean {
  for (const condition of conditions) {
    const actual = props[condition.property] ?? (condition.property === 'url' ? pageUrl : undefined);
    if (!compare(condition.comparison, actual)) return false;
  }
  return true;
}

function compare(comparison: Comparison, actual: PropValue | undefined): boolean {
  switch (comparison.op) {
    case 'exists':
      return (actual !== undefined && actual !== null && actual !== '') === comparison.value;
    case 'eq':
      return same(actual, comparison.value);
    case 'ne':
      return !same(actual, comparison.value);
    case 'in':
      return comparison.values.some((value) => same(actual, value));
    case 'contains':
    case 'startsWith': {
      if (typeof actual !== 'string') return false;
      const text = actual.toLowerCase();
      return comparison.op === 'contains'
        ? comparison.values.some((value) => text.includes(value))
        : comparison.values.some((value) => text.startsWith(value));
    }
    default: {
      const number = toNumber(actual);
      if (number === undefined) return false;
      if (comparison.op === 'gt') return number > comparison.value;
      if (comparison.op === 'gte') return number >= comparison.value;
      if (comparison.op === 'lt') return number < comparison.value;
      return number <= comparison.value;
    }
  }
}

/** Profile traits are stored as strings, event properties keep their JSON type: compare loosely by text. */
function same(actual: PropValue | undefined, expected: string | number | boolean): boolean {
  if (actual === undefined || actual === null || typeof actual === 'object') return false;
  return actual === expected || String(actual) === String(expected);
}

function toNumber(value: PropValue | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const number = Number(value);
    return Number.isFinite(number) ? number : undefined;
  }
  return undefined;
}

/** The value of a grouping property as a key segment; undefined when the event lacks it. */
export function groupValue(event: TrackedEvent, property: string | undefined): string | undefined {
  if (property === undefined) return '';
  const value = event.props[property];
  if (value === undefined || value === null || typeof value === 'object') return undefined;
  return String(value);
}
