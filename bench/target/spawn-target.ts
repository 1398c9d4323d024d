import { fork, type ChildProcess } from 'node:child_process';
import { TARGET_ENTRY } from './build-target.js';
import type { TargetPauses, TargetReply, TargetRequest, TargetSpec, TargetStats } from './target-spec.js';

export interface TargetOptions {
  /** Writes a V8 CPU profile of the target into this folder when it stops (node --cpu-prof). */
  cpuProfileDir?: string;
  /** Further node/V8 flags for the engine process, e.g. GC settings to compare (`--node-flags`). */
  nodeFlags?: readonly string[];
  startTimeoutMs?: number;
}

/** A target process as the harness holds it: where it listens, its stats on demand, stop. */
export interface Target {
  readonly pid: number;
  readonly port: number;
  readonly url: string;
  /** With gc, after a full garbage collection (the process runs with --expose-gc). */
  stats(options?: { gc?: boolean }): Promise<TargetStats>;
  /** Fills the engine's store with visitors `<prefix>-0` … `<prefix>-(count-1)`; resolves with the failed frames. */
  seed(count: number, prefix: string): Promise<number>;
  /** Event-loop delay and GC pauses since the previous call (the first call covers the time since start). */
  pauses(): Promise<TargetPauses>;
  stop(): Promise<void>;
}

export async function spawnTarget(spec: TargetSpec, options: TargetOptions = {}): Promise<Target> {
  const execArgv = ['--expose-gc', ...(options.nodeFlags ?? [])];
  if (options.cpuProfileDir !== undefined) execArgv.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`);
  const child = fork(TARGET_ENTRY, [JSON.stringify(spec)], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await ready(child, options.startTimeoutMs ?? 60_000);
  const pid = child.pid;
  if (pid === undefined) throw new Error('the target process started without a pid');
  let nextId = 0;
  const pending = new Map<number, (reply: TargetReply) => void>();
  child.on('message', (message: TargetReply) => {
    if (message.type === 'ready' || message.type === 'failed') return;
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  });
  const ask = (request: (id: number) => TargetRequest): Promise<TargetReply> =>
    new Promise((resolve, reject) => {
      if (!child.connected) {
        reject(new Error('the target process has exited'));
        return;
      }
      const id = nextId++;
      pending.set(id, resolve);
      child.send(request(id));
    });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid,
    port,
    url: `http://127.0.0.1:${port}`,
    stats: async (options = {}) => {
      const reply = await ask((id) => ({ type: 'stats', id, gc: options.gc }));
      if (reply.type !== 'stats') throw new Error(`unexpected reply ${reply.type}`);
      return reply.stats;
    },
    seed: async (count, prefix) => {
      const reply = await ask((id) => ({ type: 'seed', id, visitors: count, prefix }));
      if (reply.type !== 'seeded') throw new Error(`unexpected reply ${reply.type}`);
      return reply.failed;
    },
    pauses: async () => {
      const reply = await ask((id) => ({ type: 'pauses', id }));
      if (reply.type !== 'pauses') throw new Error(`unexpected reply ${reply.type}`);
      return reply.pauses;
    },
    stop: async () => {
      if (child.connected) child.send({ type: 'stop' } satisfies TargetRequest);
      await exited;
    },
  };
}

function ready(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the target process did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', (message: TargetReply) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message.port);
      } else if (message.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`the target process failed to start: ${message.message}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the target process exited with code ${code} before it was ready`));
    });
  });
}
