import { describe, expect, test } from 'vitest';
import { ScenarioCompiler } from './scenario-compiler.js';

const compile = (text: string) => new ScenarioCompiler().compile('s.yaml', text);

describe('ScenarioCompiler', () => {
  test('compiles a count scenario with durations in milliseconds', () => {
    const result = compile('id: v3\ncooldown: 30m\nwhen:\n  count: { event: product, per: id, atLeast: 3, within: 30m }\nthen:\n  popin: { title: Hi }\n');
    expect(result.ok && result.scenario).toMatchObject({ id: 'v3', cooldown: 1_800_000, trigger: { kind: 'count', per: 'id', atLeast: 3, within: 1_800_000 } });
  });

  test('reports YAML syntax errors with their line', () => {
    const result = compile('id: x\nwhen: [\n');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]?.line).toBeGreaterThanOrEqual(2);
  });

  test('names the line and path of a wrong value', () => {
    const result = compile('id: x\nwhen:\n  count: { event: product, atLeast: 3, within: soon }\nthen:\n  popin: { title: Hi }\n');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems).toEqual([
        expect.objectContaining({ line: 3, path: 'when.count.within', message: expect.stringContaining('"soon" is not a duration') }),
      ]);
    }
  });

  test('points a missing key at its parent', () => {
    const result = compile('id: x\nwhen:\n  count: { event: product, within: 1h }\nthen:\n  popin: { title: Hi }\n');
    expect(!result.ok && result.problems[0]).toMatchObject({ line: 3, path: 'when.count.atLeast' });
  });

  test('rejects an unknown key instead of ignoring it', () => {
    const result = compile('id: x\npriorty: 5\nwhen:\n  count: { event: product, atLeast: 1, within: 1h }\nthen:\n  popin: { title: Hi }\n');
    expect(!result.ok && result.problems[0]?.message).toMatch(/priorty/);
  });

  test('needs exactly one trigger and one delivery', () => {
    const result = compile('id: x\nwhen: {}\nthen: {}\n');
    expect(!result.ok && result.problems.map((p) => p.message)).toEqual(
      expect.arrayContaining([expect.stringContaining('when needs exactly one of'), expect.stringContaining('exactly one of popin, email, webhook')]),
    );
  });

  test('a disabled scenario compiles to nothing', () => {
    const result = compile('id: x\nenabled: false\nwhen:\n  count: { event: product, atLeast: 1, within: 1h }\nthen:\n  popin: { title: Hi }\n');
    expect(result).toEqual({ ok: true, scenario: undefined });
  });

  test('a journey keeps its waits and exits; variants default to one', () => {
    const result = compile(
      'id: promo\nwhen:\n  count: { event: identify, atLeast: 1, within: 1d }\njourney:\n  - email: { template: welcome }\n  - wait: 5d\n    unless: { event: purchase }\n    email: { template: promo, variables: { code: WELCOME10 } }\ncontrol: 10%\n',
    );
    expect(result.ok && result.scenario).toMatchObject({
      control: 0.1,
      variants: [{ id: 'A', steps: [{ wait: 0 }, { wait: 5 * 86_400_000, action: { channel: 'email', template: 'promo', variables: { code: 'WELCOME10' } } }] }],
    });
  });

  test('names the line of a date trigger\'s time zone that is not one', () => {
    const result = compile('id: birthday\nwhen:\n  date: { trait: birthday, hour: 9, timezone: Europe/Pari }\nthen:\n  email: { template: birthday }\n');
    expect(!result.ok && result.problems[0]).toMatchObject({ line: 3, path: 'when.date.timezone', message: expect.stringMatching(/not an IANA time zone/) });
  });

  test('rejects a variant named control, the name the control group is recorded under', () => {
    const result = compile(
      'id: offer\ncontrol: 10%\nwhen:\n  count: { event: search, atLeast: 1, within: 1s }\nvariants:\n  - id: control\n    then: { popin: { title: "Nothing new" } }\n  - id: discount\n    then: { popin: { title: "10% off" } }\n',
    );
    expect(!result.ok && result.problems[0]).toMatchObject({ line: 6, path: 'variants.0.id', message: expect.stringMatching(/control group/) });
  });

  test('rejects two variants with the same id', () => {
    const result = compile(
      'id: offer\nwhen:\n  count: { event: search, atLeast: 1, within: 1s }\nvariants:\n  - id: a\n    journey:\n      - popin: { title: "One" }\n  - id: a\n    journey:\n      - email: { template: two }\n      - wait: 1d\n        email: { template: three }\n',
    );
    expect(!result.ok && result.problems).toEqual([expect.objectContaining({ line: 8, path: 'variants.1.id', message: 'variant id "a" is already used by variants.0' })]);
  });

  test('rejects a control share over 100%', () => {
    const result = compile('id: offer\ncontrol: 150%\nwhen:\n  count: { event: search, atLeast: 1, within: 1s }\nthen: { popin: { title: Hi } }\n');
    expect(!result.ok && result.problems).toEqual([expect.objectContaining({ line: 2, path: 'control', message: 'a share is at most 100% (or 1)' })]);
    expect(compile('id: offer\ncontrol: 100%\nwhen:\n  count: { event: search, atLeast: 1, within: 1s }\nthen: { popin: { title: Hi } }\n').ok).toBe(true);
  });

  test('says what is wrong with a mistyped event name', () => {
    const result = compile('id: x\nwhen:\n  count: { event: prodcut, atLeast: 3, within: 30m }\nthen:\n  popin: { title: Hi }\n');
    expect(!result.ok && result.problems[0]).toMatchObject({ line: 3, path: 'when.count.event' });
    expect(!result.ok && result.problems[0]?.message).toMatch(/"prodcut" is not an event; the events are page, product,/);
  });

  test('names the event of a list that is not one', () => {
    const result = compile('id: x\nwhen:\n  count: { event: [product, prodcut], atLeast: 3, within: 30m }\nthen:\n  popin: { title: Hi }\n');
    expect(!result.ok && result.problems).toEqual([expect.objectContaining({ path: 'when.count.event.1', message: expect.stringMatching(/^"prodcut" is not an event/) })]);
  });

  test('says what is wrong with a condition, down to its operator', () => {
    const where = (condition: string) => compile(`id: x\nwhen:\n  count: { event: product, where: { stock: ${condition} }, atLeast: 3, within: 30m }\nthen:\n  popin: { title: Hi }\n`);
    const mistyped = where('{ lte: zero }');
    expect(!mistyped.ok && mistyped.problems).toEqual([expect.objectContaining({ line: 3, path: 'when.count.where.stock.lte', message: 'Invalid input: expected number, received string' })]);
    const list = where('[1, 2]');
    expect(!list.ok && list.problems).toEqual([expect.objectContaining({ path: 'when.count.where.stock', message: 'expected string, number, boolean or object' })]);
  });
});

describe('ScenarioCompiler, given settings it does not know or lacks', () => {
  const misspelt = [
    'id: cart',
    'when:',
    '  count:',
    '    event: product',
    '    atLeast: 1',
    '    within: 1h',
    'then:',
    '  popin:',
    '    titel: "Hi"',
    'cooldonw: 1h',
    '',
  ].join('\n');
  const problems = () => {
    const result = compile(misspelt);
    return result.ok ? [] : result.problems;
  };

  test('points an unknown key at its own line and column, with the key in its setting path', () => {
    expect(problems()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ line: 9, column: 5, path: 'then.popin.titel' }),
        expect.objectContaining({ line: 10, column: 1, path: 'cooldonw' }),
      ]),
    );
  });

  test('suggests the known key closest to an unknown one', () => {
    expect(problems().find((p) => p.path === 'then.popin.titel')?.message).toBe('unknown setting "titel": did you mean "title"?');
    expect(problems().find((p) => p.path === 'cooldonw')?.message).toBe('unknown setting "cooldonw": did you mean "cooldown"?');
  });

  test('says no more than unknown of a key like none it knows', () => {
    const result = compile('id: x\nzzzzzz: 1\nwhen:\n  count: { event: product, atLeast: 1, within: 1h }\nthen:\n  popin: { title: Hi }\n');
    expect(!result.ok && result.problems).toEqual([expect.objectContaining({ line: 2, path: 'zzzzzz', message: 'unknown setting "zzzzzz"' })]);
  });

  test('says a missing required setting is required', () => {
    expect(problems().find((p) => p.path === 'then.popin.title')).toMatchObject({ line: 9, message: '"title" is required' });
  });
});
