import { TripwireError } from '../../errors.js';
import { isPlainEmailAddress } from '../../protocol/index.js';
import type { EmailRequest, EmailSite } from './email-request.js';
import type { EmailTransport, OutgoingEmail, SentEmail } from './email-transport.js';
import { trackLinks, withOpenPixel, type EmailLinks, type LinkSubject } from './links/index.js';

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
  /**
   * Signed unsubscribe, open and click links. With them every message gets an unsubscribe
   * link (`unsubscribeUrl` in templates), RFC 8058 one-click headers, tracked links and an
   * open pixel; without them (previews, tests) none of these.
   */
  links?: EmailLinks;
}

/** Renders a trigger's template and hands the message to the transport. */
export class EmailChannel {
  private readonly transport: EmailTransport;
  private readonly renderer: EmailRenderer;
  private readonly links: EmailLinks | undefined;

  constructor(options: EmailChannelOptions) {
    this.transport = options.transport;
    this.renderer = options.renderer;
    this.links = options.links;
  }

  async send(request: EmailRequest): Promise<SentEmail> {
    return this.transport.send(await this.compose(request));
  }

  /** The message `send` would hand over, for previews and tests. */
  async compose(request: EmailRequest): Promise<OutgoingEmail> {
    const to = request.to.trim();
    if (to === '') {
      throw new TripwireError('TW_EMAIL_ADDRESS_INVALID', `trigger ${request.triggerId}: the visitor has no email address to send "${request.template}" to`);
    }
    // The gateway refuses such identifies; this holds for profiles stored before it did, and any other caller.
    if (!isPlainEmailAddress(to)) {
      throw new TripwireError('TW_EMAIL_ADDRESS_INVALID', `trigger ${request.triggerId}: "${to.slice(0, 80)}" is not exactly one plain address; nothing is sent to it`);
    }
    const subject = linkSubjectOf(request);
    const unsubscribeUrl = this.links?.unsubscribeUrl(subject);
    const context = { ...request.context, site: request.site, ...(unsubscribeUrl === undefined ? {} : { unsubscribeUrl }) };
    const overrides = request.subject === undefined ? {} : { subject: request.subject };
    const rendered = await this.renderer.render(request.template, context, overrides);
    const message: OutgoingEmail = {
      from: senderOf(request.site),
      to,
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      headers: {
        'X-Tripwire-Trigger': request.triggerId,
        'X-Tripwire-Scenario': request.scenarioId,
      },
      messageId: messageIdOf(request.triggerId),
      ...(request.site.dkim === undefined ? {} : { dkim: request.site.dkim }),
      // Explicit, so the relay is asked for this one recipient and never for addresses parsed out of a header.
      envelope: { from: senderAddressOf(request.site), to: [to] },
    };
    if (this.links !== undefined && unsubscribeUrl !== undefined) {
      const links = this.links;
      message.html = withOpenPixel(
        trackLinks(message.html, (url) => links.clickUrl(subject, url), (url) => url === unsubscribeUrl),
        links.openPixelUrl(subject),
      );
      // An unsubscribe stops marketing, not order confirmations: a transactional message is on no list to leave.
      if (request.transactional !== true) {
        message.headers['List-Unsubscribe'] = listUnsubscribe(unsubscribeUrl, request.site.unsubscribeMailto);
        // RFC 8058: a POST to the URL unsubscribes without a page, so mail clients can offer a button.
        message.headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
      }
    }
    return message;
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

/** The bare address of `from`, for MAIL FROM. */
function senderAddressOf(site: EmailSite): string {
  const bracketed = /<([^<>]+)>\s*$/.exec(site.from);
  return (bracketed?.[1] ?? site.from).trim();
}

function linkSubjectOf(request: EmailRequest): LinkSubject {
  return { site: request.site.key, trigger: request.triggerId, visitor: request.visitor ?? '', scenario: request.scenarioId, email: request.to };
}

function listUnsubscribe(url: string, mailto: string | undefined): string {
  if (mailto === undefined || mailto === '') return `<${url}>`;
  return `<${url}>, <mailto:${mailto}?subject=unsubscribe>`;
}
