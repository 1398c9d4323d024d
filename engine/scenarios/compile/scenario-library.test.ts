import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
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
  const failures: unknown[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tw-scenarios-'));
    reloads.length = 0;
    failures.length = 0;
  });
  afterEach(async () => {
    library?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const open = async () => {
    library = await ScenarioLibrary.open({ dir, debounceMs: 10, onReload: ({ problems }) => reloads.push(problems), onReloadFailed: (error) => failures.push(error) });
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

  test('a reload meeting a file it cannot read (an editor\'s lock link, .#a.yaml) keeps the scenarios in force instead of failing', async () => {
    await writeFile(join(dir, 'a.yaml'), scenario('a'));
    const lib = await ScenarioLibrary.open({ dir });
    // Emacs marks a buffer with unsaved changes by a dangling symlink next to the file.
    await symlink('ann@laptop.4242:1700000000', join(dir, '.#a.yaml'));
    await expect(lib.reload()).resolves.toEqual([]);
    expect(lib.current().scenario('a')).toBeDefined();
  });

  test('a file it cannot read is a problem of that file; the scenarios in force stay', async () => {
    await writeFile(join(dir, 'a.yaml'), scenario('a'));
    const lib = await ScenarioLibrary.open({ dir });
    const before = lib.current();
    await symlink(join(dir, 'gone.yaml'), join(dir, 'b.yaml'));
    const problems = await lib.reload();
    expect(problems).toEqual([expect.objectContaining({ file: join(dir, 'b.yaml'), message: expect.stringMatching(/^cannot read the file: ENOENT/) })]);
    expect(lib.current()).toBe(before);
  });

  test('a watched folder removed (a deploy swapping it) is reported, and the scenarios in force stay', async () => {
    await writeFile(join(dir, 'a.yaml'), scenario('a'));
    const lib = await open();
    const before = lib.current();
    await rm(dir, { recursive: true, force: true });
    await until(() => (reloads.length > 0 || failures.length > 0 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(failures).toEqual([]);
    expect(reloads.flat()).toContainEqual(expect.objectContaining({ file: dir, message: expect.stringMatching(/cannot read the scenario folder/) }));
    expect(lib.current()).toBe(before);
  });
});
