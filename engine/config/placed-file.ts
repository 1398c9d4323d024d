import { randomBytes } from 'node:crypto';
import { link, open, unlink } from 'node:fs/promises';

/**
 * Puts `content` at `file` only if nothing is there, so that no reader ever sees half of it: the
 * content is written whole to a draft beside the file (fsync'd), linked into place, and the
 * draft removed. True once it is in place; false when a file was there already (EEXIST), which
 * is left as it is. Any other failure is thrown as it came.
 */
export async function linkIntoPlace(file: string, content: string): Promise<boolean> {
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
