import { randomBytes } from 'node:crypto';
import { link, open, readdir, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isRunning } from './running-process.js';

/**
 * A draft younger than this may be in flight (made, linked, not yet removed) on another host
 * sharing the folder, whose pid means nothing here; a process's own drafts live for milliseconds.
 */
const DRAFT_IN_FLIGHT_MS = 60_000;

/**
 * Puts `content` at `file` only if nothing is there, so that no reader ever sees half of it: the
 * content is written whole to a draft beside the file (fsync'd), linked into place, the folder
 * fsync'd, and the draft removed. True once it is in place; false when a file was there already
 * (EEXIST), which is left as it is. Any other failure is thrown as it came. Drafts of `file` left
 * by a process that crashed before removing its own are removed first.
 */
export async function linkIntoPlace(file: string, content: string): Promise<boolean> {
  await removeLeftDrafts(file);
  const draft = draftName(file);
  const handle = await open(draft, 'wx');
  try {
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await link(draft, file);
    await syncFolder(dirname(file));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(draft);
  }
}

/** A name beside `file` for a copy of it that this process alone uses: `<file>.<pid>.<8 hex digits>`. */
export function draftName(file: string): string {
  return `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
}

/**
 * The link is an entry of the folder, durable only once the folder is: without this fsync a power
 * loss can take the file away although its caller went on (an engine whose inserts carry a writer
 * id the next start does not find).
 */
async function syncFolder(dir: string): Promise<void> {
  let folder;
  try {
    folder = await open(dir, 'r');
    await folder.sync();
  } catch (error) {
    // Windows cannot open a folder (EISDIR, EPERM) and some file systems refuse to fsync one
    // (EINVAL): there the link is as durable as the file system makes it, which no call changes.
    if (!['EISDIR', 'EINVAL', 'EPERM'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await folder?.close();
  }
}

/**
 * A crash between linking and removing a draft leaves it for ever, so each placing removes those
 * of `file` whose process is gone: its pid is not running on this host, or is this process's own
 * (a restarted container is pid 1 again). Only drafts last written over a minute ago: a younger
 * one may be in flight, in this process or on another host sharing the folder.
 */
async function removeLeftDrafts(file: string): Promise<void> {
  const dir = dirname(file);
  const draft = new RegExp(`^${escapeRegExp(basename(file))}\\.(\\d+)\\.[0-9a-f]{8}$`);
  for (const name of await readdir(dir)) {
    const pid = draft.exec(name)?.[1];
    if (pid === undefined || (Number(pid) !== process.pid && isRunning(Number(pid)))) continue;
    const path = join(dir, name);
    try {
      if (Date.now() - (await stat(path)).mtimeMs > DRAFT_IN_FLIGHT_MS) await unlink(path);
    } catch (error) {
      // Removed meanwhile, by its own process or another start.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
