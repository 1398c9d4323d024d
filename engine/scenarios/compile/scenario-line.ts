import { readFile } from 'node:fs/promises';

/** The first line of the scenario file that mentions `text`, so a problem found after compiling points at it; else the top. */
export async function scenarioLineOf(file: string, text: string, cache: Map<string, string[]>): Promise<{ line: number; column: number }> {
  let lines = cache.get(file);
  if (lines === undefined) {
    lines = await readFile(file, 'utf8').then(
      (content) => content.split('\n'),
      () => [],
    );
    cache.set(file, lines);
  }
  const index = lines.findIndex((line) => line.includes(text));
  return index < 0 ? { line: 1, column: 1 } : { line: index + 1, column: lines[index]!.indexOf(text) + 1 };
}
