/**
 * Where the time goes in a V8 CPU profile (from `npm run bench -- --profile`, which runs each
 * engine with node --cpu-prof): self time per function and per source area.
 *   npx tsx bench/profile-top.ts bench/results/profiles/memory-discard/*.cpuprofile [--top 25]
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });

/** The part of the code a frame belongs to: ours by folder, a dependency by package, or V8/Node. */
function area(url: string, name: string): string {
  if (url === '') return name === '(garbage collector)' || name === '(idle)' || name === '(program)' ? name : '(native)';
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency !== null) return dependency[1]!;
  const ours = /\/(engine\/[^/]+(?:\/[^/.]+(?=\/))?|bench\/[^/]+)/.exec(url);
  if (ours !== null) return ours[1]!;
  return url.startsWith('node:') ? 'node' : url;
}

for (const file of positionals) {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...selfMicros.values()].reduce((sum, micros) => sum + micros, 0);
  const idle = [...selfMicros].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((sum, [, micros]) => sum + micros, 0);
  const busy = total - idle;
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    const where = area(url, functionName);
    const key = `${functionName || '(anonymous)'}  ${url === '' ? where : `${url.slice(url.lastIndexOf('/') + 1)}:${lineNumber + 1}`}`;
    functions.set(key, (functions.get(key) ?? 0) + micros);
    areas.set(where, (areas.get(where) ?? 0) + micros);
  }
  const share = (micros: number) => `${((micros / busy) * 100).toFixed(1).padStart(5)}%`;
  console.log(`\n${file}: ${(busy / 1e6).toFixed(2)} s busy of ${(total / 1e6).toFixed(2)} s\n\nBy area (self time):`);
  for (const [where, micros] of [...areas].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${share(micros)}  ${where}`);
  console.log('\nBy function (self time):');
  for (const [key, micros] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) console.log(`  ${share(micros)}  ${key}`);
}
