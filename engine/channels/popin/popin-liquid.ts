import { Liquid } from 'liquidjs';

/**
 * The Liquid that renders pop-in strings, and checks them when scenarios are loaded: one
 * definition, so that what the check lets through is what delivery can parse. Strict filters make
 * a misspelt filter a parse error rather than a string left unfiltered.
 */
export function createPopinLiquid(): Liquid {
  return new Liquid({ strictFilters: true });
}
