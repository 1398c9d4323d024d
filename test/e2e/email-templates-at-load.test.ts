/*
 * A scenario's email templates are checked when its scenarios are loaded: at the engine's start,
 * on a reload and by `tripwire check`, not when its first email is sent. (Audit, area 3: a
 * template name that did not exist, or a subject that did not parse, passed all three and then
 * dead-lettered every email of the scenario.)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { checkScenarioEmails } from '../../engine/channels/templates/index.js';
import { checkScenarioSetup } from '../../engine/config/compose.js';
import { ScenarioLibrary } from '../../engine/scenarios/index.js';
import { startTestEngine, type TestEngine } from '../support/test-engine.js';

const demoTemplates = fileURLToPath(new URL('../../deploy/demo/templates', import.meta.url));

const folders: string[] = [];
let engine: TestEngine | undefined;

async function scenarioFolder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tripwire-template-load-'));
  folders.push(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

afterEach(async () => {
  await engine?.close();
  engine = undefined;
  await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const mailing = (email: string) => `id: cart-mail
when:
  count: { event: cart_add, atLeast: 1, within: 1m }
then:
  email: ${email}
`;

describe('email templates at load time', () => {
  test('an engine whose scenario names an email template missing from the template folder refuses to start, naming it', async () => {
    const dir = await scenarioFolder({ 'cart-mail.yaml': mailing('{ template: cart-abandonned, subject: "Your cart" }') });

    const starting = startTestEngine('embedded', undefined, { scenarios: { dir }, log: { level: 'fatal' } });
    const started = await starting.then(
      (running) => {
        engine = running;
        return 'started';
      },
      (error: Error) => error.message,
    );

    expect(started).toMatch(/cart-abandonned/);
  });

  test('the scenario check reports an email subject that does not parse', async () => {
    const dir = await scenarioFolder({ 'cart-mail.yaml': mailing('{ template: cart-abandoned, subject: "{{ product.name | shout }}" }') });

    const { problems } = await checkScenarioSetup({ dir, templatesDir: demoTemplates, pack: [] });

    expect(problems).toEqual([expect.objectContaining({ file: join(dir, 'cart-mail.yaml'), line: 5, path: 'then.email', message: expect.stringMatching(/shout/) })]);
  });

  test('the scenario check reports a template without the subject part a scenario without a subject needs', async () => {
    const templates = await scenarioFolder({ 'bare.html.liquid': '<p>Hi</p>', 'bare.text.liquid': 'Hi' });
    const dir = await scenarioFolder({ 'cart-mail.yaml': mailing('{ template: bare }') });

    const { problems } = await checkScenarioSetup({ dir, templatesDir: templates, pack: [] });

    expect(problems.map((problem) => problem.message)).toEqual([expect.stringMatching(/template "bare" lacks bare\.subject\.liquid/)]);
  });

  test('the scenario check reports a money currency written in the template that is not a currency code, at the scenario line', async () => {
    const templates = await scenarioFolder({
      'priced.html.liquid': '<p>Hi</p>\n{% if cart.size > 0 %}<p>{{ cartTotal | money: "EURO" }}</p>{% endif %}',
      'priced.text.liquid': 'Total: {{ cartTotal | money: "EUR" }}',
    });
    const dir = await scenarioFolder({ 'cart-mail.yaml': mailing('{ template: priced, subject: "Your cart" }') });

    const { problems } = await checkScenarioSetup({ dir, templatesDir: templates, pack: [] });

    expect(problems).toEqual([
      expect.objectContaining({
        file: join(dir, 'cart-mail.yaml'),
        line: 5,
        path: 'then.email',
        message: 'template "priced", priced.html.liquid:2:26: money: "EURO" is not a currency code: write an ISO 4217 code such as "EUR", "USD" or "GBP"',
      }),
    ]);
  });

  test('the scenario check reports a bad money currency in the subject, in a partial the template renders, and in the variables it passes', async () => {
    const templates = await scenarioFolder({
      'priced.html.liquid': '{% render "price", amount: cartTotal %}',
      'priced.text.liquid': '{{ cartTotal | money: variables.currency }}',
      'price.liquid': '<b>{{ amount | money: "US$" }}</b>',
    });
    const dir = await scenarioFolder({
      'cart-mail.yaml': mailing('{ template: priced, subject: "{{ cartTotal | money: \'EUX\' }} in your cart", variables: { currency: EURO } }'),
    });

    const { problems } = await checkScenarioSetup({ dir, templatesDir: templates, pack: [] });

    expect(problems.map((problem) => [problem.line, problem.message])).toEqual([
      [5, 'the subject, subject:1:1: money: "EUX" is not a currency code: write an ISO 4217 code such as "EUR", "USD" or "GBP"'],
      [5, 'template "priced", price.liquid:1:4: money: "US$" is not a currency code: write an ISO 4217 code such as "EUR", "USD" or "GBP"'],
      [5, 'variables.currency: "EURO" is not a currency code: write an ISO 4217 code such as "EUR", "USD" or "GBP" (priced.text.liquid:1:1 formats money with it)'],
    ]);
  });

  test('an engine whose scenario formats money in a currency that is not one refuses to start, naming the scenario', async () => {
    const templates = await scenarioFolder({
      'priced.html.liquid': '{{ cartTotal | money: variables.currency }}',
      'priced.text.liquid': '{{ cartTotal }}',
    });
    const dir = await scenarioFolder({ 'cart-mail.yaml': mailing('{ template: priced, subject: "Your cart", variables: { currency: EURO } }') });

    const started = await startTestEngine('embedded', undefined, { scenarios: { dir }, templates: { dir: templates }, log: { level: 'fatal' } }).then(
      (running) => {
        engine = running;
        return 'started';
      },
      (error: Error) => error.message,
    );

    expect(started).toMatch(/cart-mail\.yaml.*variables\.currency: "EURO" is not a currency code/s);
  });

  test('a reload whose scenario names a missing template keeps the scenarios in force and reports it', async () => {
    const dir = await scenarioFolder({ 'cart-mail.yaml': mailing('{ template: cart-abandoned, subject: "Your cart" }') });
    const reports: string[] = [];
    const library = await ScenarioLibrary.open({
      dir,
      check: (scenarios) => checkScenarioEmails(scenarios, demoTemplates),
      onReload: ({ problems }) => reports.push(...problems.map((problem) => problem.message)),
    });
    await writeFile(join(dir, 'cart-mail.yaml'), mailing('{ template: cart-abandonned, subject: "Your cart" }'));

    const problems = await library.reload();

    expect(problems.map((problem) => problem.message)).toEqual([expect.stringMatching(/no template "cart-abandonned"/)]);
    expect(reports).toEqual(problems.map((problem) => problem.message));
    expect(library.current().scenarios.map((scenario) => scenario.variants[0]!.steps[0]!.action)).toMatchObject([{ template: 'cart-abandoned' }]);
  });

  test('an engine whose template folder has a template that does not parse refuses to start, naming the file', async () => {
    const templates = await scenarioFolder({ 'broken.html.liquid': '{% if %}', 'broken.text.liquid': 'Hi', 'broken.subject.liquid': 'Hi' });

    const started = await startTestEngine('embedded', undefined, { templates: { dir: templates }, log: { level: 'fatal' } }).then(
      (running) => {
        engine = running;
        return 'started';
      },
      (error: Error) => error.message,
    );

    expect(started).toMatch(/broken\.html\.liquid/);
  });
});
