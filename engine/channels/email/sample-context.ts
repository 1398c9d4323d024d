import type { EmailSite } from './email-request.js';

/**
 * Template variables for previews: what a real trigger would pass, with made-up values. A
 * `--data` file given to the preview command is merged over it.
 */
export function sampleEmailContext(site: EmailSite): Record<string, unknown> {
  const url = (path: string) => `${site.publicUrl}${path}`;
  const cart = [
    { id: 'ethiopia-guji', name: 'Ethiopia Guji, 250 g', price: 13.5, qty: 2, image: url('/img/ethiopia-guji.svg'), url: url('/p/ethiopia-guji') },
    { id: 'pour-over-kettle', name: 'Pour-over kettle', price: 54, qty: 1, image: url('/img/pour-over-kettle.svg'), url: url('/p/pour-over-kettle') },
  ];
  return {
    trigger: { id: 'preview', scenario: 'preview', time: Date.UTC(2025, 0, 31, 9, 0, 0) },
    visitor: { name: 'Ada', email: 'ada@example.test' },
    product: cart[0],
    cart,
    cartTotal: 81,
    discountCode: 'WELCOME10',
    recommendations: [
      { id: 'colombia-huila', name: 'Colombia Huila, 250 g', price: 12, image: url('/img/colombia-huila.svg'), url: url('/p/colombia-huila'), reason: 'co-viewed' },
      { id: 'stoneware-mug', name: 'Stoneware mug', price: 18, image: url('/img/stoneware-mug.svg'), url: url('/p/stoneware-mug'), reason: 'best-seller' },
    ],
    unsubscribeUrl: `${site.publicUrl}/unsubscribe-preview`,
  };
}
