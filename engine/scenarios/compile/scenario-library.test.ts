import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { ScenarioProblem } from './scenario-compiler.js';
import { ScenarioLibrary } from './scenario-library.js';

const scenario = (id: string) => `id: ${id}\nwhen:\n  count: { event: product, atLeast: 2, within: 10m }\nthen:\n  popin: { title: Hello }\n`;

async function until<T>(check: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('ScenarioLibrary', () => {
  let dir: string;
  let library: ScenarioLibrary | undefined;
  const reloads: ScenarioProblem[][] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tw-scenarios-'));
    reloads.length = 0;
  });
  afterEach(async () => {
    library?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const open = async () => {
    library = await ScenarioLibrary.open({ dir, debounceMs: 10, onReload: ({ problems }) => reloads.push(problems) });
    library.watch();
    return library;
  };

  test('picks up a new scenario file without a restart', async () => {
    await writeFile(join(dir, 'a.yaml'), scenario('a'));
    const lib = await open();
    await writeFile(join(dir, 'b.yaml'), scenario('b'));
    await until(() => (lib.current().scenario('b') ? true : undefined));
    expect(lib.current().scenarios.map((s) => s.id).sort()).toEqual(['a', 'b']);
  });

  test('keeps the scenarios in force when a changed file is broken, and reports where', async () => {
    await writeFile(join(dir, 'a.yaml'), scenario('a'));
    const lib = await open();
    const before = lib.current();
    await writeFile(join(dir, 'a.yaml'), scenario('a').replace('atLeast: 2', 'atLeast: two'));
    const problems = await until(() => reloads.find((problems) => problems.length > 0));
    expect(lib.current()).toBe(before);
    expect(problems[0]).toMatchObject({ file: join(dir, 'a.yaml'), line: 3, path: 'when.count.atLeast' });
  });

  test('refuses to start on a broken folder, naming the file and line', async () => {
    await writeFile(join(dir, 'a.yaml'), 'id: a\nwhen:\n  count: { event: teleport, atLeast: 2, within: 10m }\nthen:\n  popin: { title: Hi }\n');
    await expect(ScenarioLibrary.open({ dir })).rejects.toThrow(/a\.yaml:3:.*when\.count\.event/);
  });

  test('refuses two files with the same id', async () => {
    await writeFile(join(dir, 'a.yaml'), scenario('same'));
    await writeFile(join(dir, 'b.yaml'), scenario('same'));
    await expect(ScenarioLibrary.open({ dir })).rejects.toThrow(/id "same" is already used/);
  });
});
