/*
 * `tripwire check` refuses what the engine's start refuses: a template folder with a template
 * that does not parse, built-in pack scenarios that clash with the folder's or do not exist, and a
 * pop-in whose Liquid does not parse (which start and a reload now refuse too, rather than every
 * firing failing at delivery). (Product review: check said "no problems" of all of these.)
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { composeScenarios } from '../../engine/config/compose.js';
import { startTestEngine } from '../support/test-engine.js';
import { tripwireCli } from '../support/tripwire-cli.js';

const demo = fileURLToPath(new URL('../../deploy/demo/', import.meta.url));
const pack = fileURLToPath(new URL('../../engine/scenarios/pack/', import.meta.url));

const folders: string[] = [];

async function folder(files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tripwire-check-'));
  folders.push(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

afterEach(async () => {
  await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('tripwire check, as the engine start would', () => {
  test('names the file, line and column of a template of the template folder that does not parse, and exits 1', async () => {
    const templates = await folder();
    await cp(join(demo, 'templates'), templates, { recursive: true });
    const file = join(templates, 'cart-abandoned.html.liquid');
    const lines = (await readFile(file, 'utf8')).split('\n').length;
    await writeFile(file, `${await readFile(file, 'utf8')}{% if cart.size > 0 %}<p>{{ visitor.name | nosuch }}</p>\n`);

    const checked = await tripwireCli(['check'], { TW_TEMPLATES_DIR: templates });

    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain(`cart-abandoned.html.liquid:${lines}:`);
    expect(checked.stderr).toMatch(/undefined filter: nosuch/);
  });

  test('names both files when a built-in scenario the config enables has the id of one of the folder\'s, and exits 1', async () => {
    const config = await folder({ 'tripwire.yaml': 'scenarios: { pack: [cart-abandoned, birthday] }\n' });

    const checked = await tripwireCli(['check'], { TW_CONFIG: join(config, 'tripwire.yaml') });

    expect(checked.code).toBe(1);
    expect(checked.stderr).toMatch(/id "cart-abandoned" is defined twice/);
    expect(checked.stderr).toContain(join('deploy', 'demo', 'scenarios', 'cart-abandoned.yaml'));
    expect(checked.stderr).toContain(join(pack, 'cart-abandoned.yaml'));
  });

  test('names a built-in scenario the config enables that the pack does not have, and exits 1', async () => {
    const config = await folder({ 'tripwire.yaml': 'scenarios: { pack: [birthday, abandoned-cart] }\n' });

    const checked = await tripwireCli(['check'], { TW_CONFIG: join(config, 'tripwire.yaml') });

    expect(checked.code).toBe(1);
    expect(checked.stderr).toMatch(/no built-in scenario named "abandoned-cart"; the pack has: back-in-stock, birthday/);
  });

  test('counts the built-in scenarios the config enables among those it checked', async () => {
    const config = await folder({ 'tripwire.yaml': 'scenarios: { pack: [birthday] }\n' });

    const checked = await tripwireCli(['check'], { TW_CONFIG: join(config, 'tripwire.yaml') });

    expect([checked.code, checked.stdout.trim().split('\n').at(-1)]).toEqual([0, '4 scenarios, no problems']);
    expect(checked.stdout).toContain(`ok  birthday  (${join(pack, 'birthday.yaml')})`);
  });
});

const popin = (title: string, survey = 'Which colour?') => `id: welcome-popin
when:
  count: { event: page, atLeast: 1, within: 1m }
then:
  popin:
    template: modal
    title: "${title}"
    body: "Have a look around."
    form:
      kind: survey
      trait: colour
      question: "${survey}"
      options: [Red, Blue]
`;

describe('tripwire check given a file', () => {
  const hello = (id: string) => `id: ${id}\nwhen:\n  count: { event: page, atLeast: 1, within: 1m }\nthen:\n  popin: { template: modal, title: "Hi", body: "x" }\n`;

  test('checks it with the other scenarios of its folder, and exits 0 when none has a problem', async () => {
    const dir = await folder({ 'a.yaml': hello('a'), 'b.yaml': hello('b') });

    const checked = await tripwireCli(['check', join(dir, 'a.yaml')]);

    expect([checked.code, checked.stdout]).toEqual([0, `ok  a  (${join(dir, 'a.yaml')})\nok  b  (${join(dir, 'b.yaml')})\n2 scenarios, no problems\n`]);
  });

  test('finds an id it shares with another file of its folder', async () => {
    const dir = await folder({ 'a.yaml': hello('same'), 'b.yaml': hello('same') });

    const checked = await tripwireCli(['check', join(dir, 'b.yaml')]);

    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain(`${join(dir, "b.yaml")}:1:1: id: id "same" is already used by ${join(dir, "a.yaml")}`);
  });
});

describe('tripwire check with a file that does not compile', () => {
  const typo = 'id: typo\nwhen:\n  count: { event: page, atLeast: many, within: 1m }\nthen:\n  popin: { template: modal, title: "Hi", body: "x" }\n';
  const mail = 'id: mail\nwhen:\n  count: { event: page, atLeast: 1, within: 1m }\nvisitor: { identified: true }\nthen:\n  email: { template: no-such-template }\n';
  const pop = 'id: pop\nwhen:\n  count: { event: page, atLeast: 1, within: 1m }\nthen:\n  popin: { template: modal, title: "Welcome {{ props.name }", body: "x" }\n';

  test('still lists the email and pop-in problems of the other files', async () => {
    const dir = await folder({ 'typo.yaml': typo, 'mail.yaml': mail, 'pop.yaml': pop });

    const checked = await tripwireCli(['check', dir]);

    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain('no template "no-such-template"');
    expect(checked.stderr).toMatch(/pop\.yaml:5:\d+: then\.popin\.title: .*not closed/);
  });

  test('lists none of them as ok', async () => {
    const dir = await folder({ 'typo.yaml': typo, 'mail.yaml': mail, 'pop.yaml': pop });

    expect((await tripwireCli(['check', dir])).stdout).toBe('');
  });
});

describe('pop-in Liquid at load time', () => {
  test('tripwire check does not list a scenario with a problem as ok', async () => {
    const dir = await folder({ 'welcome-popin.yaml': popin('Welcome to {{ props.name }'), 'hello.yaml': popin('Hello').replace('welcome-popin', 'hello') });

    const checked = await tripwireCli(['check', dir]);

    expect(checked.stdout).toBe(`ok  hello  (${join(dir, 'hello.yaml')})\n`);
  });


  test('tripwire check names the line and field of a pop-in title that does not parse, and exits 1', async () => {
    const dir = await folder({ 'welcome-popin.yaml': popin('Welcome to {{ props.name }') });

    const checked = await tripwireCli(['check', dir]);

    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain(`${join(dir, 'welcome-popin.yaml')}:7:`);
    expect(checked.stderr).toMatch(/then\.popin\.title: .*output .* not closed/);
  });

  test('tripwire check names a pop-in form string that uses a filter there is not', async () => {
    const dir = await folder({ 'welcome-popin.yaml': popin('Welcome', "{{ visitor.name | shout }}, which colour?") });

    const checked = await tripwireCli(['check', dir]);

    expect(checked.code).toBe(1);
    expect(checked.stderr).toMatch(/welcome-popin\.yaml:12:\d+: then\.popin\.form\.question: .*undefined filter: shout/);
  });

  test('an engine whose pop-in title does not parse refuses to start, naming the file and line', async () => {
    const dir = await folder({ 'welcome-popin.yaml': popin('Welcome to {{ props.name }') });

    const started = await startTestEngine('embedded', undefined, { scenarios: { dir }, log: { level: 'fatal' } }).then(
      async (running) => {
        await running.close();
        return 'started';
      },
      (error: Error) => error.message,
    );

    expect(started).toMatch(/welcome-popin\.yaml:7:\d+: then\.popin\.title: /);
  });

  test('a reload whose pop-in title does not parse keeps the scenarios in force and reports it', async () => {
    const dir = await folder({ 'welcome-popin.yaml': popin('Welcome to {{ props.name }}') });
    const templatesDir = join(demo, 'templates');
    const library = await composeScenarios({ dir, templatesDir, pack: [] }, {});
    await writeFile(join(dir, 'welcome-popin.yaml'), popin('Welcome to {{ props.name }'));

    const problems = await library.reload();

    expect(problems).toEqual([expect.objectContaining({ file: join(dir, 'welcome-popin.yaml'), line: 7, path: 'then.popin.title' })]);
    expect(library.current().scenarios.map((scenario) => scenario.variants[0]!.steps[0]!.action)).toMatchObject([{ title: 'Welcome to {{ props.name }}' }]);
    library.close();
  });
});

const weekly = (audience: string) => `id: weekly-picks
when:
  schedule:
    every: 7d
    audience: ${audience}
visitor: { identified: true }
then:
  email: { template: new-arrivals }
`;

describe('schedule audiences at load time', () => {
  test('tripwire check names a schedule whose audience query is not one, at its line, and exits 1', async () => {
    const dir = await folder({ 'weekly-picks.yaml': weekly('{ query: funnel }') });

    const checked = await tripwireCli(['check', dir]);

    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain(`${join(dir, 'weekly-picks.yaml')}:5:`);
    expect(checked.stderr).toMatch(/when\.schedule\.audience: "funnel" is not an audience query/);
  });

  test('a reload whose schedule audience cannot run keeps the scenarios in force and reports it', async () => {
    const dir = await folder({ 'weekly-picks.yaml': weekly('{ query: audience-cart-abandoners }') });
    const library = await composeScenarios({ dir, templatesDir: join(demo, 'templates'), pack: [] }, {});
    await writeFile(join(dir, 'weekly-picks.yaml'), weekly('{ query: audience-category-viewers }'));

    const problems = await library.reload();

    expect(problems).toEqual([
      expect.objectContaining({ file: join(dir, 'weekly-picks.yaml'), line: 5, path: 'when.schedule.audience', message: 'audience-category-viewers needs "category" in params' }),
    ]);
    expect(library.current().scenarios.map((scenario) => scenario.trigger)).toMatchObject([{ audience: { query: 'audience-cart-abandoners' } }]);
    library.close();
  });
});
