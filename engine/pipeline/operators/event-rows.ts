import type { TrackedEvent } from '../../events/index.js';
import type { DeliveryRow, EventRow } from '../../warehouse/index.js';

/** Properties that have their own column, per event type; the rest stays in `props` as JSON. */
const COLUMNS: Partial<Record<TrackedEvent['type'], readonly string[]>> = {
  product: ['id', 'category'],
  cart_add: ['id', 'category'],
  cart_remove: ['id', 'category'],
  category: ['id'],
  search: ['q'],
};

export function eventRow(event: TrackedEvent): EventRow {
  const props = event.props;
  const columns = COLUMNS[event.type];
  let rest: Record<string, unknown> | undefined;
  for (const key in props) {
    if (columns !== undefined && columns.includes(key)) continue;
    (rest ??= {})[key] = props[key];
  }
  return {
    site: event.site,
    visitor_id: event.visitor,
    session_id: event.session,
    event_id: event.id,
    type: event.type,
    time: event.time,
    received_at: event.receivedAt,
    url: event.url,
    product_id: isProductish(event) && props.id !== undefined ? String(props.id) : '',
    category: categoryOf(event),
    search_query: event.type === 'search' && typeof props.q === 'string' ? props.q : '',
    value: typeof props.value === 'number' ? props.value : typeof props.price === 'number' ? props.price : 0,
    props: rest === undefined ? '{}' : JSON.stringify(rest),
  };
}

/** Pop-in feedback events are also deliveries: the warehouse computes pop-in KPIs from them. */
export function popinFeedbackRow(event: TrackedEvent): DeliveryRow | undefined {
  const status = POPIN_FEEDBACK[event.type];
  if (status === undefined) return undefined;
  const trigger = typeof event.props.trigger === 'string' ? event.props.trigger : '';
  return {
    delivery_id: `${trigger}:${status}:${event.id}`,
    trigger_id: trigger,
    site: event.site,
    visitor_id: event.visitor,
    scenario_id: typeof event.props.scenario === 'string' ? event.props.scenario : '',
    channel: 'popin',
    status,
    detail: '',
    time: event.time,
  };
}

const POPIN_FEEDBACK: Partial<Record<TrackedEvent['type'], string>> = {
  popin_shown: 'shown',
  popin_clicked: 'clicked',
  popin_dismissed: 'dismissed',
};

function isProductish(event: TrackedEvent): boolean {
  return event.type === 'product' || event.type === 'cart_add' || event.type === 'cart_remove';
}

function categoryOf(event: TrackedEvent): string {
  if (event.type === 'category' && event.props.id !== undefined) return String(event.props.id);
  return typeof event.props.category === 'string' ? event.props.category : '';
}
