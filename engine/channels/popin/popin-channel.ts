import type { Template } from 'liquidjs';
import type { VisitorRef } from '../../events/index.js';
import type { DeliveryContext, PopinOutcome, PopinPort } from '../../pipeline/index.js';
import { isSafeLink, type PopinForm, type PopinMessage } from '../../protocol/index.js';
import type { PopinAction } from '../../scenarios/index.js';
import { createPopinLiquid } from './popin-liquid.js';

/** The visitor's open connections; the gateway implements it. */
export interface VisitorConnections {
  /** Sends to every open connection of the visitor. */
  send(visitor: VisitorRef, message: PopinMessage): PopinOutcome;
}

/**
 * Renders a scenario's pop-in (its strings are Liquid templates) with the trigger context and
 * pushes it down the visitor's socket. The tracker inserts every string as text; URLs are also
 * checked here so that a bad template cannot ship a javascript: link or a path that leaves the site.
 */
export class PopinChannel implements PopinPort {
  private readonly liquid = createPopinLiquid();
  /** Scenario strings are few and fixed: parse each once. */
  private readonly parsed = new Map<string, Template[]>();

  constructor(private readonly connections: VisitorConnections) {}

  async show(visitor: VisitorRef, action: PopinAction, context: DeliveryContext): Promise<PopinOutcome> {
    const scope = context as unknown as Record<string, unknown>;
    const render = (template: string) => this.liquid.render(this.parse(template), scope) as Promise<string>;
    const [title, body, image, ctaLabel, ctaUrl] = await Promise.all([
      render(action.title),
      render(action.body),
      action.image === undefined ? Promise.resolve('') : render(action.image),
      action.cta === undefined ? Promise.resolve('') : render(action.cta.label),
      action.cta === undefined ? Promise.resolve('') : render(action.cta.url),
    ]);
    const message: PopinMessage = { k: 'pop', id: context.trigger.id, s: context.trigger.scenario, tpl: action.template, title, body };
    if (isSafeLink(image)) message.image = image;
    if (ctaLabel !== '' && isSafeLink(ctaUrl)) message.cta = { label: ctaLabel, url: ctaUrl };
    if (action.form !== undefined) message.form = await this.renderForm(action.form, render);
    return this.connections.send(visitor, message);
  }

  /** The form's visible strings are templates; the survey's trait name is not (scenarios read it back). */
  private async renderForm(form: PopinForm, render: (template: string) => Promise<string>): Promise<PopinForm> {
    const thanks = form.thanks === undefined ? {} : { thanks: await render(form.thanks) };
    if (form.kind === 'email') {
      const [label, consent, submit] = await Promise.all([render(form.label), render(form.consent), render(form.submit)]);
      return { kind: 'email', label, consent, submit, ...thanks };
    }
    const [question, ...options] = await Promise.all([render(form.question), ...form.options.map(render)]);
    return { kind: 'survey', trait: form.trait, question: question!, options, ...thanks };
  }

  private parse(template: string): Template[] {
    let parsed = this.parsed.get(template);
    if (parsed === undefined) {
      parsed = this.liquid.parse(template);
      this.parsed.set(template, parsed);
    }
    return parsed;
  }
}
