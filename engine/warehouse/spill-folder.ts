import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TripwireError } from '../errors.js';
import type { WarehouseRows, WarehouseTable } from './rows.js';
import { WAREHOUSE_TABLES } from './rows.js';

/** A batch written to disk, waiting for ClickHouse. */
export interface SpilledBatch {
  readonly id: string;
  readonly table: WarehouseTable;
  readonly file: string;
  /** Rows in the batch; unknown for batches found on disk at start until they are read. */
  readonly rows: number | undefined;
  readonly bytes: number;
}

interface SpillFile<T extends WarehouseTable> {
  format: 'tripwire-spill-1';
  id: string;
  table: T;
  rows: readonly WarehouseRows[T][];
}

let counter = 0;

/**
 * A batch id that sorts by creation time: spill files are named after it, so replaying them in
 * name order replays them in the order they were written, across restarts.
 */
export function newBatchId(now: number = Date.now()): string {
  counter = (counter + 1) % 36 ** 4;
  return `${now.toString(36).padStart(9, '0')}${counter.toString(36).padStart(4, '0')}${randomBytes(5).toString('hex')}`;
}

const FILE_NAME = /^([0-9a-z]{23})\.([a-z]+)\.json$/;

function spillError(what: string, error: unknown): TripwireError {
  const message = error instanceof Error ? error.message : String(error);
  return new TripwireError('TW_WAREHOUSE_SPILL', `${what}: ${message}`, { cause: error });
}

/**
 * The folder where batches wait while ClickHouse is unreachable: one JSON file per batch, written
 * to a temporary name, fsync'd, then renamed, so a crash leaves either the whole batch or none.
 */
export class SpillFolder {
  constructor(readonly dir: string) {}

  /** Spilled batches, oldest first. Leftover temporary files (a crash mid-write) are removed: their batch was still in memory, so its rows are gone with the crash, never half-stored. */
  async list(): Promise<SpilledBatch[]> {
    let names: string[];
    try {
      await mkdir(this.dir, { recursive: true });
      names = await readdir(this.dir);
    } catch (error) {
      throw spillError(`Cannot read the spill folder ${this.dir}`, error);
    }
    const batches: SpilledBatch[] = [];
    for (const name of names.sort()) {
      const file = join(this.dir, name);
      if (name.endsWith('.tmp')) {
        await rm(file, { force: true });
        continue;
      }
      const match = FILE_NAME.exec(name);
      const table = match?.[2] as WarehouseTable | undefined;
      if (!match || table === undefined || !WAREHOUSE_TABLES.includes(table)) continue;
      const info = await stat(file);
      batches.push({ id: match[1]!, table, file, rows: undefined, bytes: info.size });
    }
    return batches;
  }

  /** Writes a batch to replay; `aside`: a batch ClickHouse refused, kept for an operator and never replayed on its own. */
  async write<T extends WarehouseTable>(table: T, id: string, rows: readonly WarehouseRows[T][], aside?: 'rejected'): Promise<SpilledBatch> {
    const name = `${id}.${table}.json`;
    const file = join(this.dir, aside === undefined ? name : `${name}.${aside}`);
    const temporary = `${file}.tmp`;
    const body = JSON.stringify({ format: 'tripwire-spill-1', id, table, rows } satisfies SpillFile<T>);
    try {
      await mkdir(this.dir, { recursive: true });
      const handle = await open(temporary, 'w');
      try {
        await handle.writeFile(body);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, file);
      await this.syncFolder();
    } catch (error) {
      await rm(temporary, { force: true });
      throw spillError(`Cannot spill ${rows.length} ${table} rows to ${this.dir}`, error);
    }
    return { id, table, file, rows: rows.length, bytes: Buffer.byteLength(body) };
  }

  async read<T extends WarehouseTable>(batch: SpilledBatch & { table: T }): Promise<WarehouseRows[T][]> {
    try {
      const parsed = JSON.parse(await readFile(batch.file, 'utf8')) as SpillFile<T>;
      if (parsed.format !== 'tripwire-spill-1' || parsed.table !== batch.table || !Array.isArray(parsed.rows)) {
        throw new Error('not a Tripwire spill file of this table');
      }
      return [...parsed.rows];
    } catch (error) {
      throw spillError(`Cannot read spilled batch ${batch.file}`, error);
    }
  }

  async remove(batch: SpilledBatch): Promise<void> {
    try {
      await rm(batch.file, { force: true });
    } catch (error) {
      throw spillError(`Cannot remove replayed batch ${batch.file}; it will be replayed again, without duplicates`, error);
    }
  }

  /**
   * Sets a spilled batch aside, unreadable (`.corrupt`) or refused by ClickHouse (`.rejected`), so
   * the batches behind it are replayed; list() skips it, an operator can inspect it.
   */
  async setAside(batch: SpilledBatch, reason: 'corrupt' | 'rejected'): Promise<string> {
    const aside = `${batch.file}.${reason}`;
    try {
      await rename(batch.file, aside);
    } catch (error) {
      throw spillError(`Cannot set ${batch.file} aside`, error);
    }
    return aside;
  }

  // The rename is only durable once the folder entry is on disk too.
  private async syncFolder(): Promise<void> {
    const handle = await open(this.dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}
