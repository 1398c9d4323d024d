import type { EventType, PopinTemplate } from '../protocol/index.js';

/** A scenario as the engine runs it, compiled from a scenario file. */
export interface Scenario {
  id: string;
  name: string;
  /** The file it came from, for errors and the check command. */
  source: string;
  priority: number;
  /** Quiet period per visitor after a firing, ms. */
  cooldown: number;
  trigger: Trigger;
  visitor: VisitorFilter;
  action: Action;
}

export type Trigger = CountTrigger | AbsenceTrigger;

/** Fires when the `atLeast`-th matching event lands within `within` (per value of `per`, if set). */
export interface CountTrigger {
  kind: 'count';
  match: EventMatcher;
  per: string | undefined;
  /** Count distinct values of this property instead of events. */
  distinct: string | undefined;
  atLeast: number;
  within: number;
}

/** Fires `within` after an `after` event unless a `missing` event (with the same `per` value, if set) comes first. */
export interface AbsenceTrigger {
  kind: 'absence';
  after: EventMatcher;
  missing: EventMatcher;
  per: string | undefined;
  within: number;
}

export interface EventMatcher {
  types: ReadonlySet<EventType>;
  where: PropertyCondition[];
}

export type Comparison =
  | { op: 'eq'; value: string | number | boolean }
  | { op: 'ne'; value: string | number | boolean }
  | { op: 'in'; values: Array<string | number | boolean> }
  | { op: 'gt' | 'gte' | 'lt' | 'lte'; value: number }
  | { op: 'exists'; value: boolean };

export interface PropertyCondition {
  property: string;
  comparison: Comparison;
}

export interface VisitorFilter {
  /** Requires (true) or excludes (false) visitors who identified with an email. */
  identified: boolean | undefined;
  traits: PropertyCondition[];
}

export type Channel = 'popin' | 'email';

export type Action = PopinAction | EmailAction;

export interface PopinAction {
  channel: 'popin';
  template: PopinTemplate;
  /** Liquid templates, rendered with the trigger context. */
  title: string;
  body: string;
  image: string | undefined;
  cta: { label: string; url: string } | undefined;
}

export interface EmailAction {
  channel: 'email';
  template: string;
  subject: string | undefined;
}
