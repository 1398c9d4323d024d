import { closeSync, openSync } from 'node:fs';

let detached = false;

/**
 * Points the process's fd 0 at /dev/null, once, before chdb opens a session. chdb reads fd 0 as
 * an INSERT's external data (chdb-io/chdb-core#239): with data waiting there (`echo x | tripwire
 * start`, a supervisor's open pipe) every INSERT fails with NOT_IMPLEMENTED, and with
 * async_insert off it would store that data as rows. No command that opens the embedded
 * warehouse reads its stdin. The lowest free descriptor is the one open() returns, so closing
 * fd 0 first makes /dev/null fd 0; a fd 0 already closed is filled the same way.
 */
export function detachStdinFromChdb(): void {
  if (detached || process.platform === 'win32') return;
  try {
    closeSync(0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EBADF') throw error;
  }
  const fd = openSync('/dev/null', 'r');
  // Another thread took fd 0 between the two calls: what it opened stays, chdb may read it.
  if (fd !== 0) closeSync(fd);
  detached = true;
}
