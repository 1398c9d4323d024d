import { resolve } from 'node:path';
import type { Liquid, Template } from 'liquidjs';
import { createLiquidEngine } from './liquid-engine.js';
import { templateError } from './template-error.js';
import { assertTemplateName, partFile, type TemplatePart } from './template-files.js';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export interface RenderOverrides {
  /** A Liquid subject set by the scenario; when present the template needs no subject part. */
  subject?: string;
}

export interface TemplateRendererOptions {
  /** The folder holding `<name>.{subject,html,text}.liquid` and shared files such as layout.liquid. */
  dir: string;
}

/** Renders the subject, HTML and text parts of an email template, parsing each file once. */
export class TemplateRenderer {
  private readonly dir: string;
  private readonly html: Liquid;
  private readonly plain: Liquid;
  private readonly subjects = new Map<string, Template[]>();

  constructor(options: TemplateRendererOptions) {
    this.dir = resolve(options.dir);
    this.html = createLiquidEngine(this.dir, 'html');
    this.plain = createLiquidEngine(this.dir, 'plain');
  }

  async render(name: string, context: Record<string, unknown>, overrides: RenderOverrides = {}): Promise<RenderedEmail> {
    assertTemplateName(name);
    const [subject, html, text] = await Promise.all([
      overrides.subject === undefined
        ? this.renderPart(this.plain, name, 'subject', context)
        : this.renderSubject(overrides.subject, context),
      this.renderPart(this.html, name, 'html', context),
      this.renderPart(this.plain, name, 'text', context),
    ]);
    return { subject: oneLine(subject), html: html.trim(), text: tidyText(text) };
  }

  private async renderPart(
    engine: Liquid,
    name: string,
    part: TemplatePart,
    context: Record<string, unknown>,
  ): Promise<string> {
    const file = partFile(name, part);
    try {
      return String(await engine.renderFile(file, context));
    } catch (error) {
      throw templateError(error, this.dir, file);
    }
  }

  private async renderSubject(source: string, context: Record<string, unknown>): Promise<string> {
    try {
      let templates = this.subjects.get(source);
      if (!templates) {
        templates = this.plain.parse(source);
        this.subjects.set(source, templates);
      }
      return String(await this.plain.render(templates, context));
    } catch (error) {
      throw templateError(error, this.dir, 'scenario subject');
    }
  }
}

/** A header cannot hold line breaks, and template indentation should not reach the inbox. */
function oneLine(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

/** Liquid tags leave blank lines and trailing blanks behind; mail clients show them all. */
function tidyText(value: string): string {
  const lines = value.split('\n').map((line) => line.trimEnd());
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trim()}\n`;
}
