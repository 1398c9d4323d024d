import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod';
import { TripwireError } from '../../errors.js';
import type { EventType } from '../../protocol/index.js';
import type { Comparison, EventMatcher, PropertyCondition, Scenario } from '../model.js';
import { scenarioFileSchema, type ConditionInput, type ScenarioFile } from './scenario-schema.js';

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
  return error.issues.map((issue) => {
    const path = issue.path.map(String);
    const at = positionOf(document, path, lines);
    return { file, line: at.line, column: at.col, path: path.join('.'), message: issue.message };
  });
}

/** The deepest node of the path that exists in the file: a missing key points at its parent. */
function positionOf(document: Document, path: string[], lines: LineCounter): { line: number; col: number } {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? document.contents : document.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range !== undefined && node.range !== null) return lines.linePos(node.range[0]);
  }
  return { line: 1, col: 1 };
}

function toScenario(file: string, input: ScenarioFile): Scenario {
  const { when, then } = input;
  const trigger = when.count
    ? {
        kind: 'count' as const,
        match: matcher(when.count.event, when.count.where),
        per: when.count.per,
        distinct: when.count.distinct,
        atLeast: when.count.atLeast,
        within: when.count.within,
      }
    : {
        kind: 'absence' as const,
        after: matcher(when.absence!.after.event, when.absence!.after.where),
        missing: matcher(when.absence!.missing.event, when.absence!.missing.where),
        per: when.absence!.per,
        within: when.absence!.within,
      };
  const action = then.popin
    ? {
        channel: 'popin' as const,
        template: then.popin.template,
        title: then.popin.title,
        body: then.popin.body,
        image: then.popin.image,
        cta: then.popin.cta,
      }
    : { channel: 'email' as const, template: then.email!.template, subject: then.email!.subject };
  return {
    id: input.id,
    name: input.name ?? input.id,
    source: file,
    priority: input.priority,
    cooldown: input.cooldown,
    trigger,
    visitor: { identified: input.visitor.identified, traits: conditions(input.visitor.traits) },
    action,
  };
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
  return { op: 'exists', value: input.exists! };
}
