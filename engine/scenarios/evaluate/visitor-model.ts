import type { TrackedEvent } from '../../events/index.js';
import type { StateOp } from '../../state/index.js';

/** Profile fields the engine writes; traits set by identify are stored as `trait.<name>`. */
export const PROFILE = {
  email: 'email',
  emailVerified: 'email_verified',
  consentPrefix: 'consent.',
  /** The address an email consent was given for (see hasConsent). */
  emailConsentFor: 'consent.email.for',
  traitPrefix: 'trait.',
  lastPurchaseAt: 'last_purchase_at',
  firstSeen: 'first_seen',
  /** `yearly_armed.<scenario>`: the due time of the yearly occurrence an identify last armed (yearly-date.ts). */
  yearlyArmedPrefix: 'yearly_armed.',
} as const;

/** Cart lines live in the cart hash as `l:<id>` (the line) and `q:<id>` (its quantity, incremented). */
const LINE = 'l:';
const QUANTITY = 'q:';

export interface CartLine {
  id: string;
  name: string;
  price: number;
  qty: number;
}

/** The profile and cart updates an event implies, whatever scenarios are loaded. */
export function visitorOps(event: TrackedEvent, out: StateOp[]): void {
  const props = event.props;
  switch (event.type) {
    case 'identify': {
      if (typeof props.email === 'string' && props.email !== '') {
        out.push({ kind: 'hash.set', hash: 'profile', field: PROFILE.email, value: props.email.toLowerCase() });
        out.push({ kind: 'hash.set', hash: 'profile', field: PROFILE.emailVerified, value: props.verified === true ? '1' : '0' });
        // A consent given before the first identify is bound to the first address identified.
        out.push({ kind: 'hash.setIfAbsent', hash: 'profile', field: PROFILE.emailConsentFor, value: props.email.toLowerCase() });
      }
      const traits = props.traits;
      if (traits !== null && typeof traits === 'object' && !Array.isArray(traits)) {
        for (const [name, value] of Object.entries(traits)) {
          if (value === null || typeof value === 'object') continue;
          out.push({ kind: 'hash.set', hash: 'profile', field: PROFILE.traitPrefix + name, value: String(value) });
        }
      }
      return;
    }
    case 'consent':
      // The consent itself, and when and how it was given: the proof a regulator asks for.
      for (const [purpose, granted] of Object.entries(props)) {
        if (typeof granted !== 'boolean') continue;
        const field = PROFILE.consentPrefix + purpose;
        out.push({ kind: 'hash.set', hash: 'profile', field, value: granted ? '1' : '0' });
        out.push({ kind: 'hash.set', hash: 'profile', field: `${field}.at`, value: String(event.time) });
        out.push({ kind: 'hash.set', hash: 'profile', field: `${field}.source`, value: consentSource(event) });
        // Email consent is the person's, not the browser's: it is bound to the address signed in
        // when it was given (none yet: the next identify's), so another address signed in later on
        // the same browser does not inherit it.
        if (purpose === 'email') out.push({ kind: 'hash.copy', hash: 'profile', field: PROFILE.emailConsentFor, from: PROFILE.email });
      }
      return;
    case 'page':
      out.push({ kind: 'hash.setIfAbsent', hash: 'profile', field: PROFILE.firstSeen, value: String(event.time) });
      return;
    case 'cart_add': {
      const id = String(props.id);
      const line = { id, name: typeof props.name === 'string' ? props.name : id, price: typeof props.price === 'number' ? props.price : 0 };
      out.push({ kind: 'hash.set', hash: 'cart', field: LINE + id, value: JSON.stringify(line) });
      out.push({ kind: 'hash.increment', hash: 'cart', field: QUANTITY + id, by: quantity(props.qty) });
      return;
    }
    case 'cart_remove': {
      const id = String(props.id);
      if (typeof props.qty === 'number') {
        out.push({ kind: 'hash.increment', hash: 'cart', field: QUANTITY + id, by: -quantity(props.qty) });
        return;
      }
      out.push({ kind: 'hash.delete', hash: 'cart', field: QUANTITY + id });
      out.push({ kind: 'hash.delete', hash: 'cart', field: LINE + id });
      return;
    }
    case 'purchase':
      out.push({ kind: 'hash.clear', hash: 'cart' });
      out.push({ kind: 'hash.set', hash: 'profile', field: PROFILE.lastPurchaseAt, value: String(event.time) });
      return;
    default:
      return;
  }
}

function consentSource(event: TrackedEvent): string {
  const wording = typeof event.props.wording === 'string' ? event.props.wording : '';
  return JSON.stringify({ url: event.url, wording, event: event.id });
}

function quantity(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 1 ? Math.floor(value) : 1;
}

/** The cart's lines that still have a quantity (a line whose last unit was removed keeps no quantity). */
export function readCart(cart: Record<string, string>): CartLine[] {
  const lines: CartLine[] = [];
  for (const [field, value] of Object.entries(cart)) {
    if (!field.startsWith(LINE)) continue;
    const qty = Number(cart[QUANTITY + field.slice(LINE.length)] ?? 0);
    if (qty > 0) lines.push({ ...(JSON.parse(value) as Omit<CartLine, 'qty'>), qty });
  }
  return lines;
}

export function isIdentified(profile: Record<string, string>): boolean {
  return (profile[PROFILE.email] ?? '') !== '';
}

/**
 * Whether the visitor granted `purpose`. Email consent counts only for the address it was given
 * for; one recorded before consents carried an address counts for the profile's address.
 */
export function hasConsent(profile: Record<string, string>, purpose: string): boolean {
  if (profile[PROFILE.consentPrefix + purpose] !== '1') return false;
  if (purpose !== 'email') return true;
  const givenFor = profile[PROFILE.emailConsentFor];
  return givenFor === undefined || givenFor === profile[PROFILE.email];
}

export function hasVerifiedEmail(profile: Record<string, string>): boolean {
  return isIdentified(profile) && profile[PROFILE.emailVerified] === '1';
}

/**
 * Whether the visitor lets the site send marketing email to the profile's address: the delivery
 * policy asks when a trigger fires, the mailer again right before each send.
 */
export function hasEmailConsent(profile: Record<string, string>): boolean {
  return hasConsent(profile, 'email');
}

/** Traits as filters see them: `trait.country` is `country`, consents as `consent.email`. */
export function visitorTraits(profile: Record<string, string>): Record<string, string> {
  const traits: Record<string, string> = {};
  for (const [field, value] of Object.entries(profile)) {
    if (field.startsWith(PROFILE.traitPrefix)) traits[field.slice(PROFILE.traitPrefix.length)] = value;
    else traits[field] = value;
  }
  return traits;
}
