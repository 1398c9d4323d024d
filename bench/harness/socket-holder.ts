import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./socket-holder-process.ts', import.meta.url));

/** Opens `count` idle sockets to the engine from another process; resolves once all are open. */
export async function holdSockets(engineUrl: string, count: number, site = 'demo'): Promise<{ release(): Promise<void> }> {
  const base = `${engineUrl.replace(/^http/, 'ws')}/live?s=${site}&v=`;
  const child = fork(ENTRY, [base, String(count)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once('message', (message: { open?: number; error?: string }) =>
      message.error === undefined ? resolve() : reject(new Error(`holding ${count} sockets failed: ${message.error}`)),
    );
    child.once('exit', (code) => reject(new Error(`the socket holder exited with code ${code}`)));
  });
  return {
    release: async () => {
      if (child.connected) child.send('release');
      await exited;
    },
  };
}
