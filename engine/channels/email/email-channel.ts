import { TripwireError } from '../../errors.js';
import type { EmailRequest, EmailSite } from './email-request.js';
import type { EmailTransport, OutgoingEmail, SentEmail } from './email-transport.js';

/** What the channel needs from a template renderer (TemplateRenderer fits). */
export interface EmailRenderer {
  render(
    name: string,
    context: Record<string, unknown>,
    overrides?: { subject?: string },
  ): Promise<{ subject: string; html: string; text: string }>;
}

export interface EmailChannelOptions {
  transport: EmailTransport;
  renderer: EmailRenderer;
}

/** Renders a trigger's template and hands the message to the transport. */
export class EmailChannel {
  private readonly transport: EmailTransport;
  private readonly renderer: EmailRenderer;

  constructor(options: EmailChannelOptions) {
    this.transport = options.transport;
    this.renderer = options.renderer;
  }

  async send(request: EmailRequest): Promise<SentEmail> {
    return this.transport.send(await this.compose(request));
  }

  /** The message `send` would hand over, for previews and tests. */
  async compose(request: EmailRequest): Promise<OutgoingEmail> {
    if (request.to.trim() === '') {
      throw new TripwireError('TW_EMAIL_FAILED', `trigger ${request.triggerId}: the visitor has no email address to send "${request.template}" to`);
    }
    const context = { ...request.context, site: request.site };
    const overrides = request.subject === undefined ? {} : { subject: request.subject };
    const rendered = await this.renderer.render(request.template, context, overrides);
    return {
      from: senderOf(request.site),
      to: request.to,
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      headers: {
        'X-Tripwire-Trigger': request.triggerId,
        'X-Tripwire-Scenario': request.scenarioId,
      },
      messageId: messageIdOf(request.triggerId),
    };
  }
}

/** Stable per trigger, so a resent email (or a bounce) can be matched to the trigger that sent it. */
export function messageIdOf(triggerId: string): string {
  return `<${triggerId.replace(/[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]/g, '-')}@tripwire>`;
}

function senderOf(site: EmailSite): string {
  if (site.from.includes('<')) return site.from;
  return `${JSON.stringify(site.name)} <${site.from}>`;
}
