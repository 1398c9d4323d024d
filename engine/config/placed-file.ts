import { randomBytes } from 'node:crypto';
import { link, open, readdir, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A draft younger than this may be in flight (made, linked, not yet removed), here or on another host sharing the folder. */
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
  // A draft removed under this placing by another's cleanup (it stalled past DRAFT_IN_FLIGHT_MS:
  // a paused VM, an NFS hiccup, a clock skewed against the file server) is made again.
  for (let tries = 1; tries <= 3; tries++) {
    const placed = await placeOnce(file, content);
    if (placed !== 'draft gone') return placed;
  }
  throw new Error(`its draft beside ${file} was removed before it could be linked, three times`);
}

async function placeOnce(file: string, content: string): Promise<boolean | 'draft gone'> {
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
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'ENOENT' && (error as NodeJS.ErrnoException).syscall === 'link') return 'draft gone';
    throw error;
  } finally {
    await unlink(draft).catch(unlessMissing);
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
    // Where a folder cannot be opened (Windows: EISDIR, EPERM; a folder the engine may write to
    // but not list: EACCES) or fsync'd (EINVAL, ENOTSUP on some network and FUSE file systems),
    // the link is as durable as the file system makes it, which no call here changes.
    if (!FOLDER_SYNC_REFUSED.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await folder?.close();
  }
}

const FOLDER_SYNC_REFUSED = new Set(['EISDIR', 'EINVAL', 'EPERM', 'EACCES', 'ENOTSUP', 'EOPNOTSUPP']);

/**
 * A crash between linking and removing a draft leaves it for ever, so each placing removes the
 * drafts of `file` last written over a minute ago, whichever process made them: a live one's
 * draft lives for milliseconds, and one that stalled past the minute makes its draft again
 * (linkIntoPlace). In a folder the engine may write to but not list, none are removed.
 */
async function removeLeftDrafts(file: string): Promise<void> {
  const dir = dirname(file);
  const draft = new RegExp(`^${escapeRegExp(basename(file))}\\.\\d+\\.[0-9a-f]{8}$`);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EACCES') return;
    throw error;
  }
  for (const name of names) {
    if (!draft.test(name)) continue;
    const path = join(dir, name);
    try {
      if (Date.now() - (await stat(path)).mtimeMs > DRAFT_IN_FLIGHT_MS) await unlink(path);
    } catch (error) {
      // Removed meanwhile, by its own process or another start.
      unlessMissing(error as NodeJS.ErrnoException);
    }
  }
}

function unlessMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
