import { relative } from 'node:path';
import { TokenKind, Value, toValueSync, type Template, type Token } from 'liquidjs';
import type { PropertyAccessToken, QuotedToken } from 'liquidjs';
import { isCurrencyCode } from './money-filter.js';

/** A `money` filter whose currency is known before any render and cannot be formatted. */
export interface CurrencyMisuse {
  currency: string;
  /** `<file>:<line>:<column>` of the filter, relative to the template folder (or `subject:…` for a scenario's subject). */
  where: string;
  /** The scenario's `variables` entry the currency came from, when it came from one. */
  variable?: string;
}

export interface CurrencyCheckOptions {
  /** Values of `variables.<name>` (the scenario's email action); none when checking a folder alone. */
  variables?: Readonly<Record<string, unknown>>;
  /** Follow `render`, `include` and `layout` into their files (a scenario's template), or stay in the file (a folder, file by file). */
  partials?: boolean;
}

/**
 * The `money` currencies of parsed templates that are written down and cannot be formatted: a
 * quoted code, or `variables.<name>` whose value the scenario's email action sets. A currency
 * from the visitor's data is known only at render, where the filter refuses it.
 */
export function currencyMisuses(templates: readonly Template[], root: string, { variables = {}, partials = true }: CurrencyCheckOptions = {}): CurrencyMisuse[] {
  const misuses: CurrencyMisuse[] = [];
  const seen = new Set<Template>();
  const visit = (template: Template): void => {
    if (seen.has(template)) return;
    seen.add(template);
    for (const argument of template.arguments?.() ?? []) {
      if (!(argument instanceof Value)) continue;
      for (const filter of argument.filters) {
        const [currency] = filter.args;
        if (filter.name !== 'money' || currency === undefined || Array.isArray(currency)) continue;
        const written = writtenCurrency(currency as Token, variables);
        if (written === undefined || isCurrencyCode(written.code)) continue;
        misuses.push({ currency: written.code, where: position(template.token, root), ...(written.variable === undefined ? {} : { variable: written.variable }) });
      }
    }
    // Partials and layouts are parsed synchronously from the folder, as a render would read them.
    for (const child of template.children ? toValueSync(template.children(partials, true)) : []) visit(child);
  };
  templates.forEach(visit);
  return misuses;
}

function writtenCurrency(token: Token, variables: Readonly<Record<string, unknown>>): { code: string; variable?: string } | undefined {
  if (token.kind === TokenKind.Quoted) return { code: (token as QuotedToken).content };
  if (token.kind !== TokenKind.PropertyAccess) return undefined;
  const access = token as PropertyAccessToken;
  const [head, name, ...rest] = access.props.map((prop) => ('content' in prop && typeof prop.content === 'string' ? prop.content : undefined));
  if (access.variable !== undefined || head !== 'variables' || name === undefined || rest.length > 0) return undefined;
  const value = variables[name];
  return typeof value === 'string' && value !== '' ? { code: value, variable: name } : undefined;
}

/** Where in a file, or `subject:<line>:<column>` for a scenario's subject (parsed from text, no file). */
function position(token: Token, root: string): string {
  const [line, column] = token.getPosition();
  return `${token.file ? relative(root, token.file) : 'subject'}:${line}:${column}`;
}
