import { z } from 'zod';
import { duration } from '../events/index.js';

const site = z.object({
  key: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'a site key is 1-40 characters of A-Z a-z 0-9 _ -'),
  name: z.string().default('Shop'),
  /** Shared with the site's backend: it signs identify calls (HMAC-SHA256 of the email). */
  secret: z.string().min(16, 'a site secret must be at least 16 characters'),
  /** Public URL of the site, for links in emails. */
  url: z.string().url().default('http://localhost:8080/shop'),
  from: z.string().default('Shop <shop@example.test>'),
  /** Only emails whose identify carried a valid HMAC are sent to. */
  requireVerifiedEmail: z.boolean().default(true),
});

export const configSchema = z.object({
  server: z
    .object({
      host: z.string().default('0.0.0.0'),
      port: z.number().int().min(0).max(65535).default(8080),
      /** The URL people and emails reach the engine at; defaults to http://localhost:<port>. */
      publicUrl: z.string().url().optional(),
    })
    .prefault({}),
  sites: z.array(site).min(1, 'configure at least one site').default([
    {
      key: 'demo',
      name: 'Tripwire Demo Shop',
      secret: 'demo-secret-change-me-please',
      url: 'http://localhost:8080/shop',
      from: 'Tripwire Demo Shop <shop@demo.tripwire.test>',
      requireVerifiedEmail: true,
    },
  ]),
  scenarios: z.object({ dir: z.string().default('deploy/demo/scenarios') }).prefault({}),
  templates: z.object({ dir: z.string().default('deploy/demo/templates') }).prefault({}),
  dataDir: z.string().default('.tripwire'),
  store: z
    .object({
      redisUrl: z.string().url().optional(),
      prefix: z.string().default('tw'),
      profileTtl: duration.default(400 * 86_400_000),
      dedupeHorizon: duration.default(86_400_000),
    })
    .prefault({}),
  warehouse: z
    .object({
      clickhouseUrl: z.string().url().optional(),
      database: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).default('tripwire'),
      batchSize: z.number().int().positive().default(5000),
      flushInterval: duration.default(1000),
      maxBufferedRows: z.number().int().positive().default(1_000_000),
    })
    .prefault({}),
  email: z
    .object({
      smtpUrl: z.string().url().optional(),
    })
    .prefault({}),
  gateway: z
    .object({
      maxFrameBytes: z.number().int().positive().default(64 * 1024),
      maxEventsPerFrame: z.number().int().positive().default(100),
      maxInFlightPerSocket: z.number().int().positive().default(500),
      maxBackpressureBytes: z.number().int().positive().default(1024 * 1024),
      idleTimeoutSeconds: z.number().int().min(8).default(120),
      /** How far in the future a client clock may be before its timestamps are replaced by arrival time. */
      maxClockSkew: duration.default(5 * 60_000),
    })
    .prefault({}),
  policies: z
    .object({
      caps: z
        .object({
          popin: z.object({ limit: z.number().int().positive(), within: duration }).default({ limit: 3, within: 600_000 }),
          email: z.object({ limit: z.number().int().positive(), within: duration }).default({ limit: 2, within: 86_400_000 }),
          webhook: z.object({ limit: z.number().int().positive(), within: duration }).default({ limit: 10, within: 86_400_000 }),
        })
        .prefault({}),
    })
    .prefault({}),
  timers: z
    .object({
      pollInterval: duration.default(500),
      batch: z.number().int().positive().default(500),
    })
    .prefault({}),
  demo: z.object({ enabled: z.boolean().default(true), catalogue: z.string().default('deploy/demo/catalogue.json') }).prefault({}),
  log: z
    .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
    .prefault({}),
});

export type TripwireConfig = z.infer<typeof configSchema>;
export type SiteConfig = TripwireConfig['sites'][number];
export type ConfigInput = z.input<typeof configSchema>;
