import type { TrackedEvent } from '../../events/index.js';
import type { StateOp } from '../../state/index.js';

/** Profile fields the engine writes; traits set by identify are stored as `trait.<name>`. */
export const PROFILE = {
  email: 'email',
  emailVerified: 'email_verified',
  consentPrefix: 'consent.',
  traitPrefix: 'trait.',
  lastPurchaseAt: 'last_purchase_at',
} as const;

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
      for (const [purpose, granted] of Object.entries(props)) {
        if (typeof granted !== 'boolean') continue;
        out.push({ kind: 'hash.set', hash: 'profile', field: PROFILE.consentPrefix + purpose, value: granted ? '1' : '0' });
      }
      return;
    case 'cart_add': {
      const line: CartLine = {
        id: String(props.id),
        name: typeof props.name === 'string' ? props.name : String(props.id),
        price: typeof props.price === 'number' ? props.price : 0,
        qty: typeof props.qty === 'number' ? props.qty : 1,
      };
      out.push({ kind: 'hash.set', hash: 'cart', field: line.id, value: JSON.stringify(line) });
      return;
    }
    case 'cart_remove':
      out.push({ kind: 'hash.delete', hash: 'cart', field: String(props.id) });
      return;
    case 'purchase':
      out.push({ kind: 'hash.clear', hash: 'cart' });
      out.push({ kind: 'hash.set', hash: 'profile', field: PROFILE.lastPurchaseAt, value: String(event.time) });
      return;
    default:
      return;
  }
}

export function readCart(cart: Record<string, string>): CartLine[] {
  return Object.values(cart).map((line) => JSON.parse(line) as CartLine);
}

export function isIdentified(profile: Record<string, string>): boolean {
  return (profile[PROFILE.email] ?? '') !== '';
}

export function hasVerifiedEmail(profile: Record<string, string>): boolean {
  return isIdentified(profile) && profile[PROFILE.emailVerified] === '1';
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
