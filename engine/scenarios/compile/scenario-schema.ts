import { z } from 'zod';
import { duration } from '../../events/index.js';
import { EVENT_TYPES } from '../../protocol/index.js';

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** `price: { gt: 100 }`, `stock: out_of_stock`, `category: { in: [a, b] }`. */
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
    })
    .strict()
    .refine((value) => Object.keys(value).length === 1, 'a condition has exactly one of eq, ne, in, gt, gte, lt, lte, exists'),
]);

const eventType = z.enum(EVENT_TYPES);

const matcher = z
  .object({
    event: z.union([eventType, z.array(eventType).min(1)]),
    where: z.record(z.string(), condition).default({}),
  })
  .strict();

const count = z
  .object({
    event: z.union([eventType, z.array(eventType).min(1)]),
    where: z.record(z.string(), condition).default({}),
    per: z.string().optional(),
    distinct: z.string().optional(),
    atLeast: z.number().int().min(1),
    within: duration,
  })
  .strict();

const absence = z
  .object({
    after: matcher,
    missing: matcher,
    per: z.string().optional(),
    within: duration,
  })
  .strict();

const popin = z
  .object({
    template: z.enum(['toast', 'modal', 'bar']).default('toast'),
    title: z.string().min(1),
    body: z.string().default(''),
    image: z.string().optional(),
    cta: z.object({ label: z.string().min(1), url: z.string().min(1) }).strict().optional(),
  })
  .strict();

const email = z
  .object({
    template: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a template name is lowercase letters, digits and dashes'),
    subject: z.string().optional(),
  })
  .strict();

export const scenarioFileSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'an id is lowercase letters, digits and dashes'),
    name: z.string().optional(),
    enabled: z.boolean().default(true),
    priority: z.number().int().min(0).max(1000).default(50),
    cooldown: duration.default(0),
    when: z
      .object({ count: count.optional(), absence: absence.optional() })
      .strict()
      .refine((when) => Number(when.count !== undefined) + Number(when.absence !== undefined) === 1, 'when needs exactly one of count, absence'),
    visitor: z
      .object({
        identified: z.boolean().optional(),
        traits: z.record(z.string(), condition).default({}),
      })
      .strict()
      .prefault({}),
    then: z
      .object({ popin: popin.optional(), email: email.optional() })
      .strict()
      .refine((then) => Number(then.popin !== undefined) + Number(then.email !== undefined) === 1, 'then needs exactly one of popin, email'),
  })
  .strict();

export type ScenarioFile = z.infer<typeof scenarioFileSchema>;
export type ConditionInput = z.infer<typeof condition>;
