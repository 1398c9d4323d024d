import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { WRITER_ID_FILE, dataDirWriterId } from './writer-id.js';

describe('dataDirWriterId', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tw-writer-id-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  test('is made at the first start and kept in the data folder', async () => {
    const made = await dataDirWriterId(dataDir);
    expect(made).toMatch(/^[0-9a-f]{16}$/);
    expect(await readFile(join(dataDir, WRITER_ID_FILE), 'utf8')).toBe(`${made}\n`);
  });

  test('is the same at every later start on the folder', async () => {
    const first = await dataDirWriterId(dataDir);
    expect(await dataDirWriterId(dataDir)).toBe(first);
  });

  test('a file that holds no writer id is refused with what to do, not replaced', async () => {
    await writeFile(join(dataDir, WRITER_ID_FILE), 'hello\n');
    await expect(dataDirWriterId(dataDir)).rejects.toMatchObject({ code: 'TW_CONFIG_INVALID', message: expect.stringMatching(/does not hold a writer id .* delete the file/) });
    expect(await readFile(join(dataDir, WRITER_ID_FILE), 'utf8')).toBe('hello\n');
  });
});
