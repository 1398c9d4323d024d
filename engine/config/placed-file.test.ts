import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { linkIntoPlace } from './placed-file.js';

let dir: string;
let file: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tw-placed-file-'));
  file = join(dir, 'writer.id');
});

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

/** A draft of `file` as a process that crashed between writing it and removing it leaves it, last written `ageMs` ago. */
async function draftLeftBy(pid: number, ageMs: number): Promise<string> {
  const name = `writer.id.${pid}.0badc0de`;
  await writeFile(join(dir, name), 'half');
  const written = new Date(Date.now() - ageMs);
  await utimes(join(dir, name), written, written);
  return name;
}

async function goneProcess(): Promise<number> {
  const child = spawn('true', { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

async function runningProcess(): Promise<number> {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  return child.pid!;
}

describe('linkIntoPlace', () => {
  test('puts the content in place whole and leaves no draft of its own', async () => {
    expect(await linkIntoPlace(file, 'abc\n')).toBe(true);
    expect(await readFile(file, 'utf8')).toBe('abc\n');
    expect(await readdir(dir)).toEqual(['writer.id']);
  });

  test('removes a draft of the file last written over a minute ago, whatever made it', async () => {
    await draftLeftBy(await goneProcess(), 120_000);
    await linkIntoPlace(file, 'abc\n');
    expect(await readdir(dir)).toEqual(['writer.id']);
  });

  test('removes an old draft even when its pid runs on this host: pids are reused, and pid 1 always runs', async () => {
    await draftLeftBy(await runningProcess(), 120_000);
    await linkIntoPlace(file, 'abc\n');
    expect(await readdir(dir)).toEqual(['writer.id']);
  });

  test('keeps a draft written in the last minute: it may be in flight, here or on another host sharing the folder', async () => {
    const draft = await draftLeftBy(await goneProcess(), 0);
    await linkIntoPlace(file, 'abc\n');
    expect((await readdir(dir)).sort()).toEqual([draft, 'writer.id'].sort());
  });

  test('leaves the drafts of other files alone', async () => {
    const other = `engine.lock.${await goneProcess()}.0badc0de`;
    await writeFile(join(dir, other), 'half');
    const old = new Date(Date.now() - 120_000);
    await utimes(join(dir, other), old, old);
    await linkIntoPlace(file, 'abc\n');
    expect((await readdir(dir)).sort()).toEqual([other, 'writer.id'].sort());
  });

  test('removes leftover drafts also when a file is in place already, which it leaves as it is', async () => {
    await writeFile(file, 'kept\n');
    await draftLeftBy(await goneProcess(), 120_000);
    expect(await linkIntoPlace(file, 'abc\n')).toBe(false);
    expect(await readFile(file, 'utf8')).toBe('kept\n');
    expect(await readdir(dir)).toEqual(['writer.id']);
  });
});
