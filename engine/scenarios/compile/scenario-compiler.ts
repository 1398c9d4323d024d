import { LineCounter, parseDocument, isMap, isNode, isScalar, type Document } from 'yaml';
import type { z } from 'zod';
import { TripwireError } from '../../errors.js';
import type { EventType } from '../../protocol/index.js';
import type {
  Action,
  Comparison,
  EventMatcher,
  GroupedMatcher,
  JourneyStep,
  PropertyCondition,
  Scenario,
  Trigger,
  Variant,
} from '../model.js';
import { scenarioFileSchema, type ActionInput, type ConditionInput, type ScenarioFile, type StepInput } from './scenario-schema.js';
import { unknownSettingMessage } from './unknown-setting.js';

export interface ScenarioProblem {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

export type CompileResult = { ok: true; scenario: Scenario | undefined } | { ok: false; problems: ScenarioProblem[] };

/**
 * Turns the text of one scenario file into a Scenario, or into problems that name the file,
 * the line and what is wrong. A disabled scenario compiles to `undefined`.
 */
export class ScenarioCompiler {
  compile(file: string, text: string): CompileResult {
    const lines = new LineCounter();
    const document = parseDocument(text, { lineCounter: lines, prettyErrors: false });
    if (document.errors.length > 0) {
      return {
        ok: false,
        problems: document.errors.map((error) => {
          const at = lines.linePos(error.pos[0]);
          return { file, line: at.line, column: at.col, path: '', message: error.message.split('\n')[0]! };
        }),
      };
    }
    const parsed = scenarioFileSchema.safeParse(document.toJS());
    if (!parsed.success) return { ok: false, problems: locate(file, parsed.error, document, lines) };
    return { ok: true, scenario: parsed.data.enabled ? toScenario(file, parsed.data) : undefined };
  }

  /** Like compile, but throws one TW_SCENARIO_INVALID error listing every problem. */
  compileOrThrow(file: string, text: string): Scenario | undefined {
    const result = this.compile(file, text);
    if (!result.ok) throw new TripwireError('TW_SCENARIO_INVALID', formatProblems(result.problems));
    return result.scenario;
  }
}

export function formatProblems(problems: readonly ScenarioProblem[]): string {
  return problems
    .map((p) => `${p.file}:${p.line}:${p.column}: ${p.path === '' ? '' : `${p.path}: `}${p.message}`)
    .join('\n');
}

function locate(file: string, error: z.ZodError, document: Document, lines: LineCounter): ScenarioProblem[] {
  return error.issues.flatMap((issue) => {
    const specific = mostSpecific(issue);
    const path = specific.path.map(String);
    // zod reports unknown keys on the object holding them: each is pointed at where it is written.
    if (specific.keys !== undefined) {
      return specific.keys.map((key) => {
        const at = keyPositionOf(document, path, key, lines);
        return { file, line: at.line, column: at.col, path: [...path, key].join('.'), message: unknownSettingMessage(scenarioFileSchema, specific.path, key) };
      });
    }
    const at = positionOf(document, path, lines);
    // zod says "expected string, received undefined" of a setting the file does not write.
    const missing = specific.expected !== undefined && path.length > 0 && !document.hasIn(path);
    return [{ file, line: at.line, column: at.col, path: path.join('.'), message: missing ? `"${path.at(-1)}" is required` : specific.message }];
  });
}

interface Issue {
  path: PropertyKey[];
  message: string;
  /** Set when the value is of none of the types expected here: the types it could have been. */
  expected?: string[];
  /** Set when the object at `path` has keys its schema does not know: those keys. */
  keys?: string[];
}

/**
 * zod says only "Invalid input" of a value that matches no member of a union (`event: prodcut`,
 * `stock: { lte: zero }`). The member the author meant is the one the value got furthest into:
 * of the right type, and failing deepest; its own issue says what is wrong, with its path.
 */
function mostSpecific(issue: z.core.$ZodIssue): Issue {
  if (issue.code === 'invalid_type') return { path: issue.path, message: issue.message, expected: [issue.expected] };
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue;
  let best: Issue | undefined;
  const expected: string[] = [];
  for (const branch of issue.errors) {
    if (branch[0] === undefined) continue;
    const inner = mostSpecific(branch[0]);
    if (inner.path.length === 0 && inner.expected !== undefined) expected.push(...inner.expected);
    else if (best === undefined || inner.path.length > best.path.length) best = inner;
  }
  if (best !== undefined) return { path: [...issue.path, ...best.path], message: best.message, keys: best.keys };
  if (expected.length === 0) return issue;
  const types = [...new Set(expected)];
  return { path: issue.path, message: `expected ${types.length === 1 ? types[0] : `${types.slice(0, -1).join(', ')} or ${types.at(-1)}`}`, expected };
}

/** The deepest node of the path that exists in the file: a missing key points at its parent. */
function positionOf(document: Document, path: string[], lines: LineCounter): { line: number; col: number } {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? document.contents : document.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range !== undefined && node.range !== null) return lines.linePos(node.range[0]);
  }
  return { line: 1, col: 1 };
}

/** Where an unknown key of the object at `path` is written; the object's position if it cannot be found. */
function keyPositionOf(document: Document, path: string[], key: string, lines: LineCounter): { line: number; col: number } {
  const parent = path.length === 0 ? document.contents : document.getIn(path, true);
  const pair = isMap(parent) ? parent.items.find((item) => isScalar(item.key) && String(item.key.value) === key) : undefined;
  const range = isScalar(pair?.key) ? pair.key.range : undefined;
  return range !== undefined && range !== null ? lines.linePos(range[0]) : positionOf(document, path, lines);
}

function toScenario(file: string, input: ScenarioFile): Scenario {
  const variants: Variant[] = input.variants
    ? input.variants.map((variant) => ({ id: variant.id, weight: variant.weight, steps: steps(variant) }))
    : [{ id: 'A', weight: 1, steps: steps(input) }];
  const consent = input.visitor.consent;
  return {
    id: input.id,
    name: input.name ?? input.id,
    source: file,
    priority: input.priority,
    cooldown: input.cooldown,
    transactional: input.transactional,
    trigger: trigger(input.when),
    visitor: {
      identified: input.visitor.identified,
      returning: input.visitor.returning,
      consent: consent === undefined ? [] : Array.isArray(consent) ? consent : [consent],
      traits: conditions(input.visitor.traits),
    },
    variants,
    control: input.control,
    exit: input.exit ? matcher(input.exit.event, input.exit.where) : undefined,
    goal: input.goal ? { match: matcher(input.goal.event, input.goal.where), within: input.goal.within } : undefined,
  };
}

function trigger(when: ScenarioFile['when']): Trigger {
  if (when.count) {
    const count = when.count;
    return { kind: 'count', match: matcher(count.event, count.where), per: count.per, distinct: count.distinct, atLeast: count.atLeast, within: count.within };
  }
  if (when.absence) {
    const { after, missing, per, within } = when.absence;
    return { kind: 'absence', after: grouped(after, per), missing: grouped(missing, per), within };
  }
  if (when.sequence) {
    const { first, then, per, within } = when.sequence;
    return { kind: 'sequence', first: grouped(first, per), then: grouped(then, per), within };
  }
  if (when.inactivity) {
    // "No purchase for 60 days since the last one": each matching event re-arms the same reminder.
    const since = { event: when.inactivity.since.event, where: when.inactivity.since.where };
    return { kind: 'absence', after: grouped(since, undefined), missing: grouped(since, undefined), within: when.inactivity.for };
  }
  if (when.schedule) {
    const { every, at, timezone, starting, audience } = when.schedule;
    const [hours, minutes] = at.split(':').map(Number) as [number, number];
    return { kind: 'schedule', every, at: hours * 60 + minutes, timezone, starting, audience: { query: audience.query, params: audience.params } };
  }
  const date = when.date!;
  return { kind: 'date', trait: date.trait, hour: date.hour, timezone: date.timezone };
}

function steps(input: { then?: ActionInput | undefined; journey?: StepInput[] | undefined }): JourneyStep[] {
  if (input.then) return [{ wait: 0, unless: undefined, action: action(input.then) }];
  return input.journey!.map((step, index) => ({
    wait: index === 0 ? 0 : (step.wait ?? 0),
    unless: step.unless ? matcher(step.unless.event, step.unless.where) : undefined,
    action: action(step),
  }));
}

function action(input: ActionInput | StepInput): Action {
  if (input.popin) {
    const popin = input.popin;
    return { channel: 'popin', template: popin.template, title: popin.title, body: popin.body, image: popin.image, cta: popin.cta, form: popin.form };
  }
  if (input.email) return { channel: 'email', template: input.email.template, subject: input.email.subject, variables: input.email.variables };
  return { channel: 'webhook', url: input.webhook!.url, variables: input.webhook!.variables };
}

function grouped(input: { event: EventType | EventType[]; where: Record<string, ConditionInput>; by?: string | undefined }, per: string | undefined): GroupedMatcher {
  return { ...matcher(input.event, input.where), by: input.by ?? per };
}

function matcher(event: EventType | EventType[], where: Record<string, ConditionInput>): EventMatcher {
  const types = Array.isArray(event) ? event : [event];
  return { types: new Set(types), where: conditions(where) };
}

function conditions(where: Record<string, ConditionInput>): PropertyCondition[] {
  return Object.entries(where).map(([property, input]) => ({ property, comparison: comparison(input) }));
}

function comparison(input: ConditionInput): Comparison {
  if (typeof input !== 'object') return { op: 'eq', value: input };
  if (input.eq !== undefined) return { op: 'eq', value: input.eq };
  if (input.ne !== undefined) return { op: 'ne', value: input.ne };
  if (input.in !== undefined) return { op: 'in', values: input.in };
  if (input.gt !== undefined) return { op: 'gt', value: input.gt };
  if (input.gte !== undefined) return { op: 'gte', value: input.gte };
  if (input.lt !== undefined) return { op: 'lt', value: input.lt };
  if (input.lte !== undefined) return { op: 'lte', value: input.lte };
  if (input.contains !== undefined) return { op: 'contains', values: lowerCased(input.contains) };
  if (input.startsWith !== undefined) return { op: 'startsWith', values: lowerCased(input.startsWith) };
  return { op: 'exists', value: input.exists! };
}

function lowerCased(input: string | string[]): string[] {
  return (Array.isArray(input) ? input : [input]).map((text) => text.toLowerCase());
}
