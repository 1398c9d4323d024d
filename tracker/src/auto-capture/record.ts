import type { PageTw } from '../page-tw.js';

export type Props = Record<string, unknown>;
/** Records one captured event through the page's tw(), as a hand-written call would. */
export type CaptureEvent = (type: string, props: Props) => void;

/**
 * The JSON-LD of a product page and its GA4 view_item describe the same view: a product id is
 * recorded once per page URL, whichever says it first.
 */
export function onceProductPerPage(tw: PageTw): CaptureEvent {
  const seen: Record<string, 1> = {};
  return (type, props) => {
    if (type === 'product') {
      const key = location.href + ' ' + String(props.id);
      if (seen[key]) return;
      seen[key] = 1;
    }
    tw(type, props);
  };
}

/** A finite number from a number or a numeric string (schema.org and GA4 both allow "89.90"), else undefined. */
export function amount(value: unknown): number | undefined {
  const parsed = typeof value === 'string' ? parseFloat(value) : value;
  return typeof parsed === 'number' && isFinite(parsed) ? parsed : undefined;
}

/** A string from a string or a number id, else undefined. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value || undefined : typeof value === 'number' ? String(value) : undefined;
}
