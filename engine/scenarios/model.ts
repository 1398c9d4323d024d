import type { EventType, PopinForm, PopinTemplate } from '../protocol/index.js';

/** A scenario as the engine runs it, compiled from a scenario file. */
export interface Scenario {
  id: string;
  name: string;
  /** The file it came from, for errors and the check command. */
  source: string;
  /** When several scenarios fire for one visitor at once, only the highest per channel is delivered. */
  priority: number;
  /** Quiet period per visitor after a firing, ms. */
  cooldown: number;
  /**
   * An order confirmation, a password reset: sent at once, outside marketing consent and frequency
   * caps, never competing with marketing messages for priority. A verified address is still required.
   */
  transactional: boolean;
  trigger: Trigger;
  visitor: VisitorFilter;
  /** One or more variants; a visitor always gets the same one. */
  variants: Variant[];
  /** Share of visitors (0..1) held out: recorded as suppressed ("control"), never delivered. */
  control: number;
  /** Events that end the scenario for a visitor: pending reminders and journey steps are cancelled. */
  exit: EventMatcher | undefined;
  /** What counts as a conversion, and how long after the trigger (for attribution in the warehouse). */
  goal: { match: EventMatcher; within: number } | undefined;
}

export interface Variant {
  id: string;
  weight: number;
  /** The first step is delivered when the scenario fires; later steps wait. */
  steps: JourneyStep[];
}

export interface JourneyStep {
  /** Wait after the previous step (0 for the first). */
  wait: number;
  /** The journey stops if one of these events happens during the wait. */
  unless: EventMatcher | undefined;
  action: Action;
}

export type Trigger = CountTrigger | AbsenceTrigger | SequenceTrigger | DateTrigger | ScheduleTrigger;

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

/**
 * Fires `within` after an `after` event unless a `missing` event comes first. With grouping,
 * the missing event must share the after event's group: `after.by` and `missing.by` name the
 * property that holds it on each side (a category view's `id`, a product view's `category`).
 */
export interface AbsenceTrigger {
  kind: 'absence';
  after: GroupedMatcher;
  missing: GroupedMatcher;
  within: number;
}

/** Fires on a `then` event that follows a `first` event (of the same group) within `within`. */
export interface SequenceTrigger {
  kind: 'sequence';
  first: GroupedMatcher;
  then: GroupedMatcher;
  within: number;
}

/** Fires every year on the date held by a visitor trait (YYYY-MM-DD or MM-DD), at a local hour. */
export interface DateTrigger {
  kind: 'date';
  trait: string;
  hour: number;
  /** IANA time zone used when the visitor has no `timezone` trait. */
  timezone: string;
}

/**
 * A scheduled send to a segment (Retail Rocket's multicast): at `at` local time, every `every`
 * from the `starting` day, to each visitor a warehouse audience query returns. It starts from no
 * visitor's event: the segment scheduler runs it, not the evaluator.
 */
export interface ScheduleTrigger {
  kind: 'schedule';
  /** Period in ms, a whole number of days. */
  every: number;
  /** Local time of day, in minutes after midnight. */
  at: number;
  /** IANA time zone of `at` and `starting`. */
  timezone: string;
  /** The first local day of sends (YYYY-MM-DD); later sends fall every `every` after it. */
  starting: string;
  audience: AudienceRef;
}

/** A shipped warehouse audience query (engine/warehouse/queries), by name, with its parameters. */
export interface AudienceRef {
  query: string;
  params: Record<string, string>;
}

export interface EventMatcher {
  types: ReadonlySet<EventType>;
  where: PropertyCondition[];
}

export interface GroupedMatcher extends EventMatcher {
  /** Property holding the group value; undefined when the trigger is not grouped. */
  by: string | undefined;
}

export type Comparison =
  | { op: 'eq'; value: string | number | boolean }
  | { op: 'ne'; value: string | number | boolean }
  | { op: 'in'; values: Array<string | number | boolean> }
  | { op: 'gt' | 'gte' | 'lt' | 'lte'; value: number }
  | { op: 'exists'; value: boolean }
  /** Text operators ignore case; `values` are already lower-cased, any one of them matches. */
  | { op: 'contains' | 'startsWith'; values: string[] };

export interface PropertyCondition {
  property: string;
  comparison: Comparison;
}

export interface VisitorFilter {
  /** Requires (true) or excludes (false) visitors who identified with an email. */
  identified: boolean | undefined;
  /** Requires (true) or excludes (false) visitors first seen more than 30 minutes before. */
  returning: boolean | undefined;
  /** Consent purposes the visitor must have granted, e.g. ["email"]. */
  consent: string[];
  traits: PropertyCondition[];
}

export type Channel = 'popin' | 'email' | 'webhook';

export type Action = PopinAction | EmailAction | WebhookAction;

export interface PopinAction {
  channel: 'popin';
  template: PopinTemplate;
  /** Liquid templates, rendered with the trigger context. */
  title: string;
  body: string;
  image: string | undefined;
  cta: { label: string; url: string } | undefined;
  /** An email-capture or one-question form; its strings are Liquid templates too. */
  form?: PopinForm | undefined;
}

export interface EmailAction {
  channel: 'email';
  template: string;
  subject: string | undefined;
  /** Extra template variables (a discount code, a headline...). */
  variables: Record<string, string>;
}

/** Posts the trigger as signed JSON to another system (SMS gateway, CRM...). */
export interface WebhookAction {
  channel: 'webhook';
  url: string;
  variables: Record<string, string>;
}
