import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The engine's Prometheus metrics, registered on one registry that /metrics serves. */
export interface EngineMetrics {
  registry: Registry;
  eventsAccepted: Counter<'type'>;
  eventsDuplicate: Counter;
  eventsRejected: Counter<'code'>;
  framesFailed: Counter<'code'>;
  triggers: Counter<'scenario' | 'status' | 'reason'>;
  deliveries: Counter<'channel' | 'status'>;
  frameSeconds: Histogram;
  popinSeconds: Histogram;
  /**
   * How far each frame's device clock was from the engine's (|arrival − `st`|, so it includes the
   * frame's trip), for the frames that said their sent time: one observation per frame, none per event.
   */
  clockOffsetSeconds: Histogram;
  /** Acks and error frames uWS refused because the socket's buffer was past maxBackpressure (pop-ins count in deliveries). */
  socketMessagesDropped: Counter<'kind'>;
  /** Connections uWS closed itself on a frame it refuses before the gateway sees it (no error frame), by reason. */
  socketsClosedOnFrame: Counter<'reason'>;
  openSockets: Gauge;
  /** Request bodies (POST /e, page POSTs) being read: each settles when complete, too large or aborted. */
  bodiesReading: Gauge;
  /** Rows of batches ClickHouse refused as malformed, set aside in dataDir/spill as `.rejected` files. */
  warehouseRowsRejected: Counter<'table'>;
  /** Appends to the warehouse journal that failed: their rows were kept in memory only (a crash would lose them). */
  warehouseJournalFailures: Counter;
  /** Refreshes of the data folder's lock (dataDir/engine.lock) that failed: 15 s after the last good one, another engine may take the folder over. */
  dataDirLockRefreshFailures: Counter;
  /** How long each journal append took: acks wait for it, so a slow disk shows here first. */
  warehouseJournalAppendSeconds: Histogram;
  /** 1 while the warehouse takes rows, 0 while it cannot be reached, its schema is not yet created, or inserts fail. */
  warehouseAvailable: Gauge;
  /** Tells warehouseAvailable how to read the warehouse's state, asked at each scrape. */
  reportWarehouse(available: () => boolean): void;
  /** Jobs of each queue by state, read at each scrape; a queue whose count is unknown has no samples then. */
  queueJobs: Gauge<'queue' | 'state'>;
  /** Tells queueJobs how to read the queues, asked at each scrape (never on the hot path). */
  reportQueues(read: () => Promise<Record<string, QueueCounts>>): void;
  /**
   * Counts an accepted event in eventsAccepted: a plain number per type on the hot path, added to
   * the counter when it is read (prom-client hashes a label object on every inc).
   */
  acceptEvent(type: string): void;
}

/** A queue's jobs by state (ready, held, delayed, dead), or unknown: not counted in time, or its store failed. */
export type QueueCounts = { readonly state: 'counted'; readonly jobs: Readonly<Record<string, number>> } | { readonly state: 'unknown' };

export function createMetrics(registry = new Registry(), withDefaults = true): EngineMetrics {
  if (withDefaults) collectDefaultMetrics({ register: registry, prefix: 'tripwire_' });
  const registers = [registry];
  const acceptedByType = new Map<string, number>();
  let warehouseAvailable: () => boolean = () => true;
  let readQueues: () => Promise<Record<string, QueueCounts>> = async () => ({});
  const eventsAccepted: Counter<'type'> = new Counter({
    name: 'tripwire_events_accepted_total',
    help: 'Events applied, by type',
    labelNames: ['type'],
    registers,
    collect: () => {
      for (const [type, count] of acceptedByType) eventsAccepted.inc({ type }, count);
      acceptedByType.clear();
    },
  });
  return {
    registry,
    eventsAccepted,
    acceptEvent: (type) => void acceptedByType.set(type, (acceptedByType.get(type) ?? 0) + 1),
    eventsDuplicate: new Counter({ name: 'tripwire_events_duplicate_total', help: 'Events dropped as already seen', registers }),
    eventsRejected: new Counter({ name: 'tripwire_events_rejected_total', help: 'Events or frames rejected at the gateway, by error code', labelNames: ['code'], registers }),
    framesFailed: new Counter({ name: 'tripwire_frames_failed_total', help: 'Frames the pipeline could not process, by error code', labelNames: ['code'], registers }),
    triggers: new Counter({ name: 'tripwire_triggers_total', help: 'Scenario firings, by scenario, status and suppression reason', labelNames: ['scenario', 'status', 'reason'], registers }),
    deliveries: new Counter({ name: 'tripwire_deliveries_total', help: 'Deliveries by channel and status', labelNames: ['channel', 'status'], registers }),
    frameSeconds: new Histogram({
      name: 'tripwire_frame_seconds',
      help: 'Time from a frame entering the pipeline to its ack',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    popinSeconds: new Histogram({
      name: 'tripwire_popin_seconds',
      help: "Time from reading the frame whose event fired a pop-in to writing the pop-in to the visitor's socket",
      buckets: [0.00025, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    clockOffsetSeconds: new Histogram({
      name: 'tripwire_client_clock_offset_seconds',
      help: "How far a frame's device clock was from the engine's when it sent the frame, by which the engine moved its events' times (frames with a sent time only)",
      buckets: [1, 10, 60, 300, 900, 3600, 21600, 86400, 604800],
      registers,
    }),
    socketMessagesDropped: new Counter({
      name: 'tripwire_socket_messages_dropped_total',
      help: "Acks and error frames not sent because the connection's send buffer was past its backpressure limit, by kind",
      labelNames: ['kind'],
      registers,
    }),
    socketsClosedOnFrame: new Counter({
      name: 'tripwire_sockets_closed_on_frame_total',
      help: 'Connections uWS closed (code 1006, no error frame) on a text frame that is not valid UTF-8 or is over 4 x gateway.maxFrameBytes, by reason',
      labelNames: ['reason'],
      registers,
    }),
    openSockets: new Gauge({ name: 'tripwire_open_sockets', help: 'Open tracker connections', registers }),
    bodiesReading: new Gauge({
      name: 'tripwire_http_bodies_reading',
      help: 'HTTP request bodies being read (beacons, page POSTs); a read ends when the body is complete, too large or the request aborted',
      registers,
    }),
    warehouseRowsRejected: new Counter({
      name: 'tripwire_warehouse_rows_rejected_total',
      help: 'Rows of batches ClickHouse refused as malformed, set aside as .rejected files in dataDir/spill, by table',
      labelNames: ['table'],
      registers,
    }),
    warehouseJournalFailures: new Counter({
      name: 'tripwire_warehouse_journal_failures_total',
      help: 'Appends to the warehouse journal (dataDir/journal) that failed; their rows are kept in memory and stored as usual, but a crash of the engine would lose them',
      registers,
    }),
    dataDirLockRefreshFailures: new Counter({
      name: 'tripwire_data_dir_lock_refresh_failures_total',
      help: "Refreshes of the data folder's lock (dataDir/engine.lock) that failed; /healthz lists dataDir in degraded until one succeeds, as 15 s after the last good refresh another engine may take the folder over",
      registers,
    }),
    warehouseJournalAppendSeconds: new Histogram({
      name: 'tripwire_warehouse_journal_append_seconds',
      help: 'Time each append to the warehouse journal (dataDir/journal) took, failed ones included; frames and settled timers wait for it',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    warehouseAvailable: new Gauge({
      name: 'tripwire_warehouse_available',
      help: '1 while the warehouse takes rows; 0 while it cannot be reached, its schema is not yet created, or inserts fail (rows wait in memory or dataDir/spill)',
      registers,
      collect() {
        this.set(warehouseAvailable() ? 1 : 0);
      },
    }),
    reportWarehouse: (available) => {
      warehouseAvailable = available;
    },
    queueJobs: new Gauge({
      name: 'tripwire_queue_jobs',
      help: 'Jobs of the mail and webhook queues by state (ready, held, delayed, dead); no samples for a queue not counted in time',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        const readings = await readQueues();
        this.reset();
        for (const [queue, counts] of Object.entries(readings)) {
          if (counts.state === 'unknown') continue;
          for (const [state, value] of Object.entries(counts.jobs)) this.set({ queue, state }, value);
        }
      },
    }),
    reportQueues: (read) => {
      readQueues = read;
    },
  };
}
