import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TripwireError } from '../errors.js';
import { linkIntoPlace } from './placed-file.js';

/** The file in the data folder naming the engine that writes from it, the same at every start. */
export const WRITER_ID_FILE = 'writer.id';

const WRITER_ID = /^[0-9a-f]{16}$/;

/**
 * The data folder's writer id: made once, read at every later start. It starts the query id of
 * the engine's inserts into a ClickHouse server, so an engine restarted on the folder after a
 * kill -9 knows which inserts still running there were its predecessor's (ServerWarehouse).
 * Made whole then linked into place (linkIntoPlace), so no start ever reads half of one.
 */
export async function dataDirWriterId(dataDir: string): Promise<string> {
  const file = join(dataDir, WRITER_ID_FILE);
  const made = randomBytes(8).toString('hex');
  const placed = await linkIntoPlace(file, `${made}\n`).catch((error: unknown) => Promise.reject(unusable(file, error)));
  if (placed) return made;
  const found = (
    await readFile(file, 'utf8').catch((error: unknown) => {
      throw unusable(file, error);
    })
  ).trim();
  if (!WRITER_ID.test(found)) {
    throw new TripwireError('TW_CONFIG_INVALID', `${file} does not hold a writer id (16 hex digits). If no engine runs on this data folder, delete the file and start again.`);
  }
  return found;
}

function unusable(file: string, error: unknown): TripwireError {
  return new TripwireError('TW_CONFIG_INVALID', `The data folder's writer id ${file} cannot be made or read: ${(error as Error).message}. Give a dataDir (TW_DATA_DIR) the engine may write to.`, { cause: error });
}
