import type { z } from 'zod';

/** What zod keeps of a schema that leads to the keys of the objects inside it. */
interface SchemaDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: readonly z.ZodType[];
  element?: z.ZodType;
  valueType?: z.ZodType;
  left?: z.ZodType;
  right?: z.ZodType;
  getter?: () => z.ZodType;
}

/**
 * What to say of a key a scenario file sets that the schema does not know: that it is unknown and,
 * when a key the schema knows at that place is one or two typing slips away, which one was meant.
 */
export function unknownSettingMessage(schema: z.ZodType, path: readonly PropertyKey[], key: string): string {
  const meant = closest(key, knownKeysAt(schema, path));
  return `unknown setting "${key}"${meant === undefined ? '' : `: did you mean "${meant}"?`}`;
}

/** The keys of the object(s) the schema accepts at `path` of its input; under a union, those of every member. */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const keys = new Set<string>();
  collectKeys(schema, path, keys);
  return [...keys];
}

function collectKeys(schema: z.ZodType, path: readonly PropertyKey[], keys: Set<string>): void {
  const def = (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
  const [head, ...rest] = path;
  switch (def.type) {
    case 'object': {
      if (head === undefined) for (const key of Object.keys(def.shape ?? {})) keys.add(key);
      else if (def.shape !== undefined && Object.hasOwn(def.shape, String(head))) collectKeys(def.shape[String(head)]!, rest, keys);
      return;
    }
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
      return collectKeys(def.innerType!, path, keys);
    case 'pipe':
      return collectKeys(def.in!, path, keys);
    case 'lazy':
      return collectKeys(def.getter!(), path, keys);
    case 'union':
      for (const option of def.options ?? []) collectKeys(option, path, keys);
      return;
    case 'intersection':
      collectKeys(def.left!, path, keys);
      return collectKeys(def.right!, path, keys);
    case 'array':
      if (head !== undefined) collectKeys(def.element!, rest, keys);
      return;
    case 'record':
      if (head !== undefined) collectKeys(def.valueType!, rest, keys);
      return;
  }
}

/** The known word nearest to `word`, if a slip or two away: a third of its letters at most. */
function closest(word: string, known: readonly string[]): string | undefined {
  const within = Math.max(1, Math.floor(word.length / 3));
  let best: { key: string; distance: number } | undefined;
  for (const key of known) {
    const distance = slips(word.toLowerCase(), key.toLowerCase());
    if (distance <= within && (best === undefined || distance < best.distance)) best = { key, distance };
  }
  return best?.key;
}

/** Letters added, removed, changed or swapped with the next one, to make `a` into `b` (optimal string alignment). */
function slips(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
