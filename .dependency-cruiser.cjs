/**
 * The architecture as rules (see ../shared/STYLE.md): the core does no I/O, adapters are picked
 * only by the composition root, and a folder is entered only through its index.ts.
 */
const CORE = '^engine/(scenarios|events|protocol)/|^engine/state/(window-store|index)\\.ts$|^engine/state/memory/';
const ADAPTERS = '^engine/(state/redis|queue/redis|warehouse/chdb|warehouse/server|channels/email/outbox|channels/email/smtp|channels/webhook/redis|mailer/redis|mailer/file|catalogue/redis)/';
const IO_PACKAGES = 'node_modules/(uWebSockets\\.js|@trufflesuite|redis|@redis|@clickhouse|chdb|nodemailer)/';

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'core-does-no-io',
      comment: 'Scenario evaluation, events, protocol and the window-store interface know nothing of uWS, Redis, ClickHouse or SMTP.',
      severity: 'error',
      from: { path: CORE },
      to: { path: [IO_PACKAGES, '^engine/(gateway|pipeline|channels|warehouse|config|cli|demo-shop)/', '^engine/state/redis/'] },
    },
    {
      name: 'queue-does-no-io',
      comment: 'The generic job queue (JobQueue, MemoryJobQueue, QueueWorker) knows nothing of Redis; its Redis backend is engine/queue/redis/.',
      severity: 'error',
      from: { path: '^engine/queue/', pathNot: '^engine/queue/redis/' },
      to: { path: [IO_PACKAGES, '^engine/redis/', '^engine/queue/redis/'] },
    },
    {
      name: 'adapters-only-from-composition-root',
      comment:
        'Only the composition root (engine/config/compose*.ts) and the CLI pick adapters; adapters of one backend may build on its shared parts (mailer/redis and channels/webhook/redis on queue/redis).',
      severity: 'error',
      from: { path: '^engine/', pathNot: ['^engine/config/compose[a-z-]*\\.ts$', '^engine/cli/', ADAPTERS] },
      to: { path: ADAPTERS },
    },
    {
      name: 'enter-folders-through-index',
      comment: 'A folder of engine/ is entered only through its index.ts.',
      severity: 'error',
      from: { path: '^engine/([^/]+)/' },
      to: {
        path: '^engine/[^/]+/',
        pathNot: ['^engine/$1/', '^engine/.+/index\\.ts$', '^engine/errors\\.ts$', '^engine/config/compose\\.ts$'],
      },
    },
    {
      name: 'tracker-stays-in-the-browser',
      comment: 'The tracker may use the wire protocol, nothing else of the engine.',
      severity: 'error',
      from: { path: '^tracker/src/' },
      to: { path: '^engine/', pathNot: '^engine/protocol/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
