/**
 * Where the time goes in a V8 CPU profile (from `npm run bench -- --profile`, which runs each
 * engine with node --cpu-prof): self time per function and per source area. Given a sampled
 * allocation profile (`.heapprofile`, from bench/hot-path.ts --allocations), the bytes allocated
 * instead, per frame with `--per FRAMES`.
 *   npx tsx bench/profile-top.ts bench/results/profiles/memory-discard/*.cpuprofile [--top 25]
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface AllocationNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: AllocationNode[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' }, per: { type: 'string' } },
});

/** The part of the code a frame belongs to: ours by folder, a dependency by package, or V8/Node. */
function area(url: string, name: string): string {
  if (url === '') return name === '(garbage collector)' || name === '(idle)' || name === '(program)' ? name : '(native)';
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency !== null) return dependency[1]!;
  const ours = /\/(engine\/[^/]+(?:\/[^/.]+(?=\/))?|bench\/[^/]+)/.exec(url);
  if (ours !== null) return ours[1]!;
  return url.startsWith('node:') ? 'node' : url;
}

/** The function a profile node stands for, as printed: name and file:line, or the V8/Node area. */
function functionKey({ functionName, url, lineNumber }: ProfileNode['callFrame']): string {
  const where = area(url, functionName);
  return `${functionName || '(anonymous)'}  ${url === '' ? where : `${url.slice(url.lastIndexOf('/') + 1)}:${lineNumber + 1}`}`;
}

function printTop(title: string, totals: Map<string, number>, limit: number, format: (value: number) => string): void {
  console.log(`\n${title}:`);
  for (const [key, value] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, limit)) console.log(`  ${format(value)}  ${key}`);
}

function allocationTop(file: string, head: AllocationNode): void {
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  let total = 0;
  const visit = (node: AllocationNode): void => {
    total += node.selfSize;
    if (node.selfSize > 0) {
      const key = functionKey(node.callFrame);
      const where = area(node.callFrame.url, node.callFrame.functionName);
      functions.set(key, (functions.get(key) ?? 0) + node.selfSize);
      areas.set(where, (areas.get(where) ?? 0) + node.selfSize);
    }
    for (const child of node.children) visit(child);
  };
  visit(head);
  const per = values.per === undefined ? undefined : Number(values.per);
  const format = (bytes: number): string =>
    `${((bytes / total) * 100).toFixed(1).padStart(5)}%${per === undefined ? '' : `  ${(bytes / per).toFixed(0).padStart(6)} B/frame`}`;
  const perFrame = per === undefined ? '' : ` (${(total / per).toFixed(0)} B per frame)`;
  console.log(`\n${file}: ${(total / 2 ** 20).toFixed(1)} MiB allocated${perFrame}`);
  printTop('By area (bytes allocated)', areas, 15, format);
  printTop('By function (bytes allocated)', functions, Number(values.top), format);
}

for (const file of positionals) {
  const parsed = JSON.parse(await readFile(file, 'utf8')) as CpuProfile | { head: AllocationNode };
  if ('head' in parsed) {
    allocationTop(file, parsed.head);
    continue;
  }
  const profile = parsed;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...selfMicros.values()].reduce((sum, micros) => sum + micros, 0);
  const idle = [...selfMicros].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((sum, [, micros]) => sum + micros, 0);
  const busy = total - idle;
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    const { callFrame } = byId.get(id)!;
    if (callFrame.functionName === '(idle)') continue;
    const key = functionKey(callFrame);
    const where = area(callFrame.url, callFrame.functionName);
    functions.set(key, (functions.get(key) ?? 0) + micros);
    areas.set(where, (areas.get(where) ?? 0) + micros);
  }
  const share = (micros: number) => `${((micros / busy) * 100).toFixed(1).padStart(5)}%`;
  console.log(`\n${file}: ${(busy / 1e6).toFixed(2)} s busy of ${(total / 1e6).toFixed(2)} s`);
  printTop('By area (self time)', areas, 15, share);
  printTop('By function (self time)', functions, Number(values.top), share);
}
