const euros = new Intl.NumberFormat('en-IE', { style: 'currency', currency: 'EUR' });

/** A price as the shop shows it: "€13.50". */
export function formatPrice(amount: number): string {
  return euros.format(amount);
}
