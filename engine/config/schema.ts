import { z } from 'zod';
import { duration } from '../events/index.js';

const site = z.strictObject({
  key: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'a site key is 1-40 characters of A-Z a-z 0-9 _ -'),
  name: z.string().default('Shop'),
  /** Shared with the site's backend: it signs identify calls (HMAC-SHA256 of the email). */
  secret: z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? 'a site needs its secret (secret), shared with its backend to sign identify calls and catalogue uploads: at least 16 characters, e.g. from `openssl rand -hex 16`'
          : undefined,
    })
    .min(16, 'a site secret must be at least 16 characters'),
  /**
   * Public URL of the site, for links in emails. Required: the engine cannot know where a real
   * site lives, and a guessed URL would put dead links in every email without a word.
   */
  url: z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? "a site needs its public URL (url), for the links in its emails, e.g. https://shop.example; only the demo site used when no sites are configured takes the engine's"
          : undefined,
    })
    .url(),
  from: z.string().default('Shop <shop@example.test>'),
  /** Only emails whose identify carried a valid HMAC are sent to. */
  requireVerifiedEmail: z.boolean().default(true),
  /** Signs this site's emails with DKIM; `privateKey` is the path of the PEM key file, read at start. */
  dkim: z.strictObject({ domainName: z.string().min(1), keySelector: z.string().min(1), privateKey: z.string().min(1) }).optional(),
  /** An address that unsubscribes whoever writes to it, offered in List-Unsubscribe next to the one-click URL. */
  unsubscribeMailto: z.email().optional(),
});

/** How long one webhook attempt may take; webhooks.reclaimAfter must stay above it. */
export const WEBHOOK_REQUEST_TIMEOUT_MS = 10_000;

/**
 * A dead letter is kept for an operator to notice and replay: a retention under an hour is most
 * likely a bare number meant as days or hours, which the duration reads as milliseconds.
 */
/**
 * A server's URL with one of the schemes its client speaks. `localhost:6379` is a valid URL (of
 * the scheme "localhost:"), which the client would only refuse at connect time, in its own words.
 */
const serviceUrl = (schemes: readonly string[], example: string) =>
  z
    .string()
    .url()
    .refine((url) => schemes.includes(new URL(url).protocol), { message: `starts with ${schemes.map((scheme) => `${scheme}//`).join(' or ')}, e.g. ${example}` });

const deadLetterRetention = () =>
  duration
    .refine((ms) => ms >= 3_600_000, {
      message: 'must be at least 1h, long enough to notice and replay a dead letter; a bare number is milliseconds (30 is 30 ms): give a unit, e.g. 30d (default 30d)',
    })
    .default(30 * 86_400_000);

export const configSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().default('0.0.0.0'),
      port: z.number().int().min(0).max(65535).default(8080),
      /** The URL people and emails reach the engine at; defaults to http://localhost:<port>. */
      publicUrl: z.string().url().optional(),
      /**
       * How long a graceful stop lets the frames in flight (and scheduled sends, catalogue fan-outs)
       * finish before it closes the connections anyway; what is cut off is resent by the clients.
       */
      drainTimeout: duration.default(10_000),
    })
    .prefault({}),
  /** Unset: the one demo site of withDemoSite, whose URL depends on the server settings. */
  sites: z.array(site).min(1, 'configure at least one site').optional(),
  scenarios: z
    .strictObject({
      dir: z.string().default('deploy/demo/scenarios'),
      /** Built-in scenarios to run alongside the folder's, by name (docs/scenarios.md, "The built-in pack"). */
      pack: z.array(z.string()).default([]),
    })
    .prefault({}),
  templates: z.strictObject({ dir: z.string().default('deploy/demo/templates') }).prefault({}),
  dataDir: z.string().default('.tripwire'),
  store: z
    .strictObject({
      redisUrl: serviceUrl(['redis:', 'rediss:'], 'redis://localhost:6379').optional(),
      /** redisUrl is one node of a Redis Cluster; the engine learns the others from it. */
      redisCluster: z.boolean().default(false),
      prefix: z.string().default('tw'),
      profileTtl: duration.default(400 * 86_400_000),
      dedupeHorizon: duration.default(86_400_000),
    })
    .prefault({}),
  warehouse: z
    .strictObject({
      clickhouseUrl: serviceUrl(['http:', 'https:'], 'http://localhost:8123').optional(),
      database: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a database name is letters, digits and _, not starting with a digit')
        .default('tripwire'),
      batchSize: z.number().int().positive().default(5000),
      flushInterval: duration.default(1000),
      maxBufferedRows: z.number().int().positive().default(1_000_000),
      /** Consecutive failed inserts after which batches go to dataDir/spill until ClickHouse is back. */
      spillAfterFailures: z.number().int().positive().default(3),
      /** Disk the spill folder may use; past it rows wait in memory and the pipeline slows its acks. */
      spillMaxBytes: z.number().int().positive().default(1024 ** 3),
      /**
       * Appends every row to dataDir/journal before its frame is acknowledged (one write per
       * event-loop turn, no fsync), so a crash of the engine process loses no acknowledged row.
       */
      journal: z.boolean().default(true),
    })
    .prefault({}),
  email: z
    .strictObject({
      smtpUrl: serviceUrl(['smtp:', 'smtps:'], 'smtp://user:pass@mail.example:587').optional(),
    })
    .prefault({}),
  /** The mailer: queue, workers, retries (docs/email.md). */
  mailer: z
    .strictObject({
      /** 'inline' runs a worker inside the engine; 'off' leaves sending to `tripwire mailer` processes (needs Redis). */
      worker: z.enum(['inline', 'off']).default('inline'),
      /** Tries per email, the first included; then the job is dead-lettered. */
      attempts: z.number().int().min(1).default(5),
      /** Wait before the second try; doubles each time, up to maxRetryDelay. */
      retryDelay: duration.default(30_000),
      maxRetryDelay: duration.default(3_600_000),
      /** How long one send may hold a trigger; keep it above the SMTP timeouts (60 s). */
      lease: duration.default(120_000),
      /** Jobs a worker has held this long without finishing are taken over by another. */
      reclaimAfter: duration.default(300_000),
      pollInterval: duration.default(1000),
      batch: z.number().int().positive().default(10),
      /** Product recommendations per email (0: none). */
      recommendations: z.number().int().min(0).default(3),
      /** How long a trigger is remembered as sent. */
      sentRetention: duration.default(30 * 86_400_000),
      /** How long a dead letter is kept for an operator to inspect and replay; the workers then remove it. */
      deadLetterRetention: deadLetterRetention(),
    })
    .prefault({}),
  /** Webhook delivery: the queue's workers and retries (docs/scenarios.md, "Then: actions"; README, "Webhooks"). */
  webhooks: z
    .strictObject({
      /**
       * The longest a retry waits, a receiver's Retry-After included; a receiver asking for more
       * is dead-lettered. Default 60 s in process (a graceful stop waits for the retries), 1 h
       * with Redis (the retry waits in Redis, for whichever engine is running then).
       */
      maxRetryDelay: duration.optional(),
      /**
       * Webhooks an engine has held this long (it died mid-attempt) are taken over by another. At
       * or below the request timeout, engines would post a webhook again while its first post is
       * still waiting for its answer.
       */
      reclaimAfter: duration
        .refine((ms) => ms > WEBHOOK_REQUEST_TIMEOUT_MS, {
          message: `must be above the ${WEBHOOK_REQUEST_TIMEOUT_MS / 1000} s webhook request timeout, or engines post a webhook again while it is still being answered (default 1m)`,
        })
        .default(60_000),
      /** How often an idle engine looks for webhooks due (retries, and those other engines queued). */
      pollInterval: duration
        .refine((ms) => ms > 0, { message: 'must be above 0, or an idle engine asks the queue for webhooks in a loop (default 1s)' })
        .default(1000),
      /** Webhooks posted at once per engine. */
      batch: z.number().int().positive().default(10),
      /** Webhooks posted at once per engine to one receiver host (at most `batch`), so a receiver that never answers cannot hold every slot. */
      perReceiver: z.number().int().positive().default(5),
      /** How long a dead letter is kept for an operator to inspect and replay; the workers then remove it. */
      deadLetterRetention: deadLetterRetention(),
    })
    .prefault({}),
  gateway: z
    .strictObject({
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
    .strictObject({
      caps: z
        .strictObject({
          popin: z.strictObject({ limit: z.number().int().positive(), within: duration }).default({ limit: 3, within: 600_000 }),
          email: z.strictObject({ limit: z.number().int().positive(), within: duration }).default({ limit: 2, within: 86_400_000 }),
          webhook: z.strictObject({ limit: z.number().int().positive(), within: duration }).default({ limit: 10, within: 86_400_000 }),
        })
        .prefault({}),
    })
    .prefault({}),
  timers: z
    .strictObject({
      pollInterval: duration.default(500),
      batch: z.number().int().positive().default(500),
    })
    .prefault({}),
  /** Scheduled sends to segments: `when: schedule` scenarios (docs/scenarios.md). */
  schedules: z
    .strictObject({
      /** How often due sends are looked for; 0 never (a send then waits for another engine, or for runDue()). */
      pollInterval: duration.default(60_000),
      /** Audience members handed to delivery at once. */
      batch: z.number().int().positive().default(500),
    })
    .prefault({}),
  admin: z
    .strictObject({
      /** Bearer token for /api/queries and the /dashboard login; a random one is made (and printed) at start when unset. */
      token: z.string().min(16, 'the admin token must be at least 16 characters').optional(),
    })
    .prefault({}),
  /** The product catalogue feed, the interest index and the fan-out of changes (docs/catalogue.md). */
  catalogue: z
    .strictObject({
      /** Visitors kept per product and interest kind (view, cart); the newest are kept. */
      maxInterestedVisitors: z.number().int().positive().default(10_000),
      /** Interests older than this are forgotten. */
      interestMaxAge: duration.default(30 * 86_400_000),
      /** A product view this recent makes a visitor hear of its price drop or return to stock. */
      viewedWithin: duration.default(14 * 86_400_000),
      /** Largest feed request body. */
      maxRequestBytes: z.number().int().positive().default(8 * 1024 * 1024),
      /** How far a signed feed request's timestamp may be from the engine's clock. */
      signatureTolerance: duration.default(5 * 60_000),
      /** Interested visitors processed at once during a fan-out. */
      fanOutConcurrency: z.number().int().positive().default(32),
      /** With Redis, how often an engine reloads the catalogue other engines may have changed. */
      refreshInterval: duration.default(30_000),
      /** How often fan-outs left pending by a failure are tried again, without waiting for their site's next update. */
      fanOutRetryInterval: duration.default(60_000),
    })
    .prefault({}),
  demo: z
    .strictObject({
      /** Unset: on with the built-in demo site (no sites configured), off with configured sites (see withDemoSite). */
      enabled: z.boolean().optional(),
      catalogue: z.string().default('deploy/demo/catalogue.json'),
    })
    .prefault({}),
  log: z
    .strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
    .prefault({}),
}).superRefine((config, context) => {
  // The demo shop's sign-in vouches for whatever address a visitor types, signed with its site's
  // secret: harmless for the built-in demo site, a bypass of requireVerifiedEmail for a real one.
  const site = config.sites?.[0];
  if (site !== undefined && config.demo.enabled === true) {
    context.addIssue({
      code: 'custom',
      path: ['demo', 'enabled'],
      message:
        `the demo shop runs only with the built-in demo site, when no sites are configured: here its sign-in would sign any email address a visitor types with the secret of site "${site.key}", ` +
        'so anyone could pass as a verified address, and its demo products would be added to that site\'s catalogue. ' +
        'To serve your sites, remove demo.enabled and TW_DEMO (or set them to false); to try the demo shop, run an engine without sites',
    });
  }
});

export type SiteConfig = z.infer<typeof site>;
type ParsedConfig = z.infer<typeof configSchema>;
export type TripwireConfig = Omit<ParsedConfig, 'sites' | 'demo'> & { sites: SiteConfig[]; demo: { enabled: boolean; catalogue: string } };

/**
 * The parsed settings with the demo site when no site is configured. The demo site is the shop the
 * engine itself serves at /shop, so its URL follows the engine's: server.publicUrl, else
 * http://localhost:<port> (with port 0 the port is picked only when the engine listens, so its
 * links name port 0: set server.publicUrl then). The demo shop is on only with it.
 */
export function withDemoSite(parsed: ParsedConfig): TripwireConfig {
  if (parsed.sites !== undefined) return { ...parsed, sites: parsed.sites, demo: { ...parsed.demo, enabled: false } };
  const engineUrl = parsed.server.publicUrl ?? `http://localhost:${parsed.server.port}`;
  const demo: SiteConfig = {
    key: 'demo',
    name: 'Kettle & Kiln',
    secret: 'demo-secret-change-me-please',
    url: `${engineUrl.replace(/\/$/, '')}/shop`,
    from: 'Kettle & Kiln <shop@demo.tripwire.test>',
    requireVerifiedEmail: true,
  };
  return { ...parsed, sites: [demo], demo: { ...parsed.demo, enabled: parsed.demo.enabled ?? true } };
}
export type ConfigInput = z.input<typeof configSchema>;
