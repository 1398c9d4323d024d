import { z } from 'zod';
import { duration } from '../../events/index.js';
import { ENGINE_EVENT_TYPES, EVENT_TYPES } from '../../protocol/index.js';
import { isTimeZone } from '../time-zone.js';

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** One text or a list of them (any matches); compared ignoring case. */
const keywords = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/** `price: { gt: 100 }`, `stock: out_of_stock`, `category: { in: [a, b] }`, `q: { contains: [gift, present] }`. */
const condition = z.union([
  scalar,
  z
    .object({
      eq: scalar.optional(),
      ne: scalar.optional(),
      in: z.array(scalar).min(1).optional(),
      gt: z.number().optional(),
      gte: z.number().optional(),
      lt: z.number().optional(),
      lte: z.number().optional(),
      exists: z.boolean().optional(),
      contains: keywords.optional(),
      startsWith: keywords.optional(),
    })
    .strict()
    .refine(
      (value) => Object.keys(value).length === 1,
      'a condition has exactly one of eq, ne, in, gt, gte, lt, lte, exists, contains, startsWith',
    ),
]);

const EVENT_NAMES = [...EVENT_TYPES, ...ENGINE_EVENT_TYPES];
const eventType = z.enum(EVENT_NAMES, { error: (issue) => `${JSON.stringify(issue.input)} is not an event; the events are ${EVENT_NAMES.join(', ')}` });
const eventTypes = z.union([eventType, z.array(eventType).min(1)]);
const where = z.record(z.string(), condition).default({});

const matcher = z.object({ event: eventTypes, where }).strict();
const groupedMatcher = z.object({ event: eventTypes, where, by: z.string().optional() }).strict();

const count = z
  .object({
    event: eventTypes,
    where,
    per: z.string().optional(),
    distinct: z.string().optional(),
    atLeast: z.number().int().min(1),
    within: duration,
  })
  .strict();

const absence = z.object({ after: groupedMatcher, missing: groupedMatcher, per: z.string().optional(), within: duration }).strict();
const sequence = z.object({ first: groupedMatcher, then: groupedMatcher, per: z.string().optional(), within: duration }).strict();
const inactivity = z.object({ since: matcher, for: duration }).strict();
/** Refused here, or every date computed in it later throws (each identify carrying a date trait, each scheduled send). */
const timeZone = z.string().refine(isTimeZone, 'not an IANA time zone, e.g. Europe/Paris or UTC').default('UTC');

const date = z
  .object({
    trait: z.string().min(1),
    hour: z.number().int().min(0).max(23).default(10),
    timezone: timeZone,
  })
  .strict();

const DAY_MS = 86_400_000;

const schedule = z
  .object({
    every: duration.refine((ms) => ms >= DAY_MS && ms % DAY_MS === 0, 'every is a whole number of days, e.g. 1d, 7d or 2w'),
    at: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'write the time of day as HH:MM, e.g. 10:00').default('10:00'),
    timezone: timeZone,
    starting: z.string().refine(isDay, 'write the first day of sends as a date, YYYY-MM-DD').default('2024-01-01'),
    audience: z
      .object({
        query: z.string().min(1),
        params: z.record(z.string(), z.union([z.string(), z.number()]).transform(String)).default({}),
      })
      .strict(),
  })
  .strict();

const variables = z.record(z.string(), z.string()).default({});

const popin = z
  .object({
    template: z.enum(['toast', 'modal', 'bar']).default('toast'),
    title: z.string().min(1),
    body: z.string().default(''),
    image: z.string().optional(),
    cta: z.object({ label: z.string().min(1), url: z.string().min(1) }).strict().optional(),
    form: z
      .discriminatedUnion('kind', [
        z
          .object({
            kind: z.literal('email'),
            label: z.string().min(1).default('Email'),
            consent: z.string().min(1),
            submit: z.string().min(1),
            thanks: z.string().min(1).optional(),
          })
          .strict(),
        z
          .object({
            kind: z.literal('survey'),
            trait: z.string().regex(/^[a-z][a-z0-9_]*$/i, 'a trait name is letters, digits and underscores'),
            question: z.string().min(1),
            options: z.array(z.string().min(1)).min(2).max(5),
            thanks: z.string().min(1).optional(),
          })
          .strict(),
      ])
      .optional(),
  })
  .strict();

const email = z
  .object({
    template: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a template name is lowercase letters, digits and dashes'),
    subject: z.string().optional(),
    variables,
  })
  .strict();

const webhook = z.object({ url: z.string().url(), variables }).strict();

const exactlyOne = (keys: string[]) => (value: Record<string, unknown>) => keys.filter((key) => value[key] !== undefined).length === 1;

const action = z
  .object({ popin: popin.optional(), email: email.optional(), webhook: webhook.optional() })
  .strict()
  .refine(exactlyOne(['popin', 'email', 'webhook']), 'an action is exactly one of popin, email, webhook');

const step = z
  .object({
    wait: duration.optional(),
    unless: matcher.optional(),
    popin: popin.optional(),
    email: email.optional(),
    webhook: webhook.optional(),
  })
  .strict()
  .refine(exactlyOne(['popin', 'email', 'webhook']), 'a journey step has exactly one of popin, email, webhook');

const delivery = {
  then: action.optional(),
  journey: z.array(step).min(1).optional(),
};

/** Held-out firings are recorded under this variant name, so a variant may not take it. */
const CONTROL = 'control';

const variantId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,20}$/, 'a variant id is 1-20 letters, digits, dashes and underscores')
  .refine((id) => id !== CONTROL, `"${CONTROL}" is the name the control group's firings are recorded under; name the variant otherwise, and hold visitors out with \`control:\``);

const variant = z
  .object({ id: variantId, weight: z.number().positive().default(1), ...delivery })
  .strict()
  .refine(exactlyOne(['then', 'journey']), 'a variant has exactly one of then, journey');

/** A variant's id names its rows and its visitors' journeys: two variants with one id would mix them. */
const variants = z
  .array(variant)
  .min(1)
  .superRefine((list, ctx) => {
    const first = new Map<string, number>();
    list.forEach((item, index) => {
      const earlier = first.get(item.id);
      if (earlier === undefined) first.set(item.id, index);
      else ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `variant id "${item.id}" is already used by variants.${earlier}` });
    });
  });

/** "10%" or 0.1, at most all of them. */
const share = z
  .union([z.number().min(0).max(1), z.string().regex(/^\d+(\.\d+)?%$/, 'write a share as 10% or 0.1')])
  .transform((value) => (typeof value === 'number' ? value : Number(value.slice(0, -1)) / 100))
  .refine((value) => value <= 1, 'a share is at most 100% (or 1)');

export const scenarioFileSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'an id is lowercase letters, digits and dashes'),
    name: z.string().optional(),
    description: z.string().optional(),
    enabled: z.boolean().default(true),
    priority: z.number().int().min(0).max(1000).default(50),
    transactional: z.boolean().default(false),
    cooldown: duration.default(0),
    when: z
      .object({
        count: count.optional(),
        absence: absence.optional(),
        sequence: sequence.optional(),
        inactivity: inactivity.optional(),
        date: date.optional(),
        schedule: schedule.optional(),
      })
      .strict()
      .refine(
        exactlyOne(['count', 'absence', 'sequence', 'inactivity', 'date', 'schedule']),
        'when needs exactly one of count, absence, sequence, inactivity, date, schedule',
      ),
    visitor: z
      .object({
        identified: z.boolean().optional(),
        returning: z.boolean().optional(),
        consent: z.union([z.string(), z.array(z.string())]).optional(),
        traits: z.record(z.string(), condition).default({}),
      })
      .strict()
      .prefault({}),
    ...delivery,
    variants: variants.optional(),
    control: share.default(0),
    exit: matcher.optional(),
    goal: z.object({ event: eventTypes, where, within: duration }).strict().optional(),
  })
  .strict()
  .refine(exactlyOne(['then', 'journey', 'variants']), 'a scenario needs exactly one of then, journey, variants');

export type ScenarioFile = z.infer<typeof scenarioFileSchema>;
export type ConditionInput = z.infer<typeof condition>;
export type MatcherInput = z.infer<typeof groupedMatcher>;
export type ActionInput = z.infer<typeof action>;
export type StepInput = z.infer<typeof step>;

function isDay(text: string): boolean {
  const at = Date.parse(`${text}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(at) && new Date(at).toISOString().startsWith(text);
}
