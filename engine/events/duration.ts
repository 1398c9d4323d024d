import { z } from 'zod';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/;

/** Parses "500ms", "30s", "30m", "1h", "3d", "2w" into milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (match === null) return undefined;
  return Math.round(Number(match[1]) * UNITS[match[2]!]!);
}

/** A duration written as "30m" (or a number of milliseconds), validated into milliseconds. */
export const duration = z
  .union([z.number().int().nonnegative(), z.string()], {
    error: (issue) =>
      issue.input === undefined
        ? 'a duration is needed here; write e.g. 500ms, 30s, 30m, 1h, 3d (or a number of milliseconds)'
        : `${JSON.stringify(issue.input)} is not a duration; write e.g. 500ms, 30s, 30m, 1h, 3d (or a number of milliseconds)`,
  })
  .transform((value, ctx) => {
    if (typeof value === 'number') return value;
    const ms = parseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration; write e.g. 500ms, 30s, 30m, 1h, 3d` });
      return z.NEVER;
    }
    return ms;
  });
