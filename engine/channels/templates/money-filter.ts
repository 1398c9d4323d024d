import { TripwireError } from '../../errors.js';

/** The ISO 4217 codes this Node's Intl formats: a code outside it fails to format, so it is refused before. */
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** Whether `money: code` can format with this currency code (any case, as Intl takes it). */
export function isCurrencyCode(code: string): boolean {
  return /^[A-Za-z]{3}$/.test(code) && CURRENCIES.has(code.toUpperCase());
}

export function currencyCodeProblem(code: string): string {
  return `"${code}" is not a currency code: write an ISO 4217 code such as "EUR", "USD" or "GBP"`;
}

/**
 * `{{ item.price | money }}` → "19.90"; `{{ cartTotal | money: "EUR" }}` → "€19.90".
 * Cart prices arrive from the tracker as plain numbers, and strictFilters means a template
 * may only use filters registered here or built into liquidjs. A currency written in a template
 * or a scenario is checked when scenarios load (currency-check.ts); one that only a render
 * reveals fails it with TW_TEMPLATE_INVALID.
 */
export function money(value: unknown, currency?: unknown): string {
  const amount = typeof value === 'number' ? value : Number(value);
  if (value === undefined || value === null || value === '' || !Number.isFinite(amount)) return '';
  if (typeof currency === 'string' && currency !== '') {
    if (!isCurrencyCode(currency)) throw new TripwireError('TW_TEMPLATE_INVALID', `money: ${currencyCodeProblem(currency)}`);
    return new Intl.NumberFormat('en', { style: 'currency', currency }).format(amount);
  }
  return amount.toFixed(2);
}
