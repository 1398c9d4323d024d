/**
 * `{{ item.price | money }}` → "19.90"; `{{ cartTotal | money: "EUR" }}` → "€19.90".
 * Cart prices arrive from the tracker as plain numbers, and strictFilters means a template
 * may only use filters registered here or built into liquidjs.
 */
export function money(value: unknown, currency?: unknown): string {
  const amount = typeof value === 'number' ? value : Number(value);
  if (value === undefined || value === null || value === '' || !Number.isFinite(amount)) return '';
  if (typeof currency === 'string' && currency !== '') {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).format(amount);
  }
  return amount.toFixed(2);
}
