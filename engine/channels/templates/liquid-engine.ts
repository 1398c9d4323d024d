import { Liquid } from 'liquidjs';
import { money } from './money-filter.js';

export type EngineKind = 'html' | 'plain';

/**
 * One liquidjs engine per output kind: escaping is an engine-wide option, and only HTML
 * needs it (a subject or a text part showing "&lt;" would be a bug). Parsed files are
 * cached for the life of the engine.
 */
export function createLiquidEngine(dir: string, kind: EngineKind): Liquid {
  const engine = new Liquid({
    root: [dir],
    extname: '.liquid',
    strictFilters: true,
    cache: true,
    ownPropertyOnly: true,
    ...(kind === 'html' ? { outputEscape: 'escape' as const } : {}),
  });
  engine.registerFilter('money', money);
  return engine;
}
