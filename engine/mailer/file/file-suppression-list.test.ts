import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Suppression } from '../suppression-list.js';
import { FileSuppressionList } from './file-suppression-list.js';

const AT = Date.UTC(2026, 0, 5, 10);
const ada: Suppression = { site: 'acme', email: 'ada@example.test', reason: 'unsubscribe', at: AT, detail: 'one-click' };

let dir: string;
let file: string;
const opened: FileSuppressionList[] = [];

async function openList(): Promise<FileSuppressionList> {
  const list = await FileSuppressionList.open(file);
  opened.push(list);
  return list;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tripwire-suppressions-'));
  file = join(dir, 'data', 'suppressions.ndjson');
});

afterEach(async () => {
  for (const list of opened.splice(0)) await list.close();
  await rm(dir, { recursive: true, force: true });
});

describe('FileSuppressionList', () => {
  it('takes in, before each read, what another process appended to the file', async () => {
    const engine = await openList();
    const operator = await FileSuppressionList.open(file, { compact: false });
    opened.push(operator);

    await operator.add({ ...ada, email: 'Zoe@Example.test', detail: 'operator' });
    expect(await engine.find('acme', 'zoe@example.test')).toMatchObject({ detail: 'operator' });

    await engine.add(ada);
    expect(await operator.list('acme')).toEqual([ada, { ...ada, email: 'zoe@example.test', detail: 'operator' }]);
    expect(await operator.remove('acme', 'ada@example.test')).toBe(true);
    expect(await engine.find('acme', 'ada@example.test')).toBeUndefined();
  });

  it('leaves a line still being written for the next read', async () => {
    const engine = await openList();
    await appendFile(file, '{"op":"add","entry":{"site":"acme","email":"half@example.test",');
    expect(await engine.list('acme')).toEqual([]);
    await appendFile(file, '"reason":"bounce","at":1,"detail":"550"}}\n');
    expect(await engine.list('acme')).toEqual([{ site: 'acme', email: 'half@example.test', reason: 'bounce', at: 1, detail: '550' }]);
  });

  it('opened without compaction, never rewrites the file, and refuses one that ends in a torn line', async () => {
    const first = await openList();
    for (let i = 0; i < 150; i++) await first.add(ada);
    const before = await readFile(file, 'utf8');
    const sharing = await FileSuppressionList.open(file, { compact: false });
    await sharing.close();
    expect(await readFile(file, 'utf8')).toBe(before);

    await appendFile(file, '{"op":"add"');
    await expect(FileSuppressionList.open(file, { compact: false })).rejects.toMatchObject({ code: 'TW_SUPPRESSION_FILE', message: expect.stringContaining('Start the engine once') });
  });

  it('finds after a reopen what was added and not what was removed', async () => {
    const first = await openList();
    await first.add(ada);
    await first.add({ ...ada, email: 'Zoe@Example.test', reason: 'bounce', detail: '550 no such user' });
    await first.remove('acme', 'zoe@example.test');
    await first.close();

    const second = await openList();

    expect(await second.find('acme', 'ADA@example.test')).toEqual(ada);
    expect(await second.find('acme', 'zoe@example.test')).toBeUndefined();
  });

  it('has every change on disk once its call resolved, one line each', async () => {
    const list = await openList();
    await list.add(ada);

    const lines = (await readFile(file, 'utf8')).split('\n').filter((line) => line !== '');
    expect(lines.map((line) => JSON.parse(line))).toEqual([{ op: 'add', entry: ada }]);
  });

  it('refuses to open a file with a line that does not parse, naming the file and the line', async () => {
    const first = await openList();
    await first.add(ada);
    await first.close();
    await appendFile(file, '{"op":"add","entry":{"site":"acme"}}\n');

    const error = await FileSuppressionList.open(file).catch((reason: unknown) => reason);

    expect(error).toMatchObject({ code: 'TW_SUPPRESSION_FILE', message: expect.stringContaining(`${file}, line 2`) });
  });

  it('drops a last line cut short by a crash, which never resolved, and keeps appending after the others', async () => {
    const first = await openList();
    await first.add(ada);
    await first.close();
    await appendFile(file, '{"op":"add","entry":{"site":"ac');

    const second = await openList();
    await second.add({ ...ada, email: 'bob@example.test' });
    await second.close();
    const third = await openList();

    expect((await third.list('acme')).map((entry) => entry.email)).toEqual(['ada@example.test', 'bob@example.test']);
  });

  it('rewrites a file that is mostly superseded changes to one line per entry', async () => {
    const first = await openList();
    for (let i = 0; i < 150; i++) await first.add({ ...ada, at: AT + i });
    await first.close();

    const second = await openList();

    expect(await second.find('acme', 'ada@example.test')).toMatchObject({ at: AT + 149 });
    expect((await readFile(file, 'utf8')).split('\n').filter((line) => line !== '')).toHaveLength(1);
  });
});
