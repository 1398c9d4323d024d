import { html, type Html } from './html.js';

/**
 * The shop draws its own product pictures, so the demo needs no network and no image files:
 * a tile in the product's colour, a simple shape picked from the product id, and the
 * product's initials. The same product always gets the same picture.
 */
export function productImage(product: { id: string; name: string; color: string }): string {
  const background = parseColor(product.color);
  // Above this luminance dark ink contrasts better with the tile than white does.
  const light = luminance(background) > 0.21;
  const shapeColor = toHex(mix(background, light ? BLACK : WHITE, light ? 0.18 : 0.28));
  const ink = light ? '#2b2118' : '#fffaf3';
  const shape = SHAPES[hash(product.id) % SHAPES.length] ?? SHAPES[0]!;
  const svg = html`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400" width="400" height="400" role="img" aria-label="${product.name}">
<title>${product.name}</title>
<rect width="400" height="400" fill="${toHex(background)}"/>
<circle cx="330" cy="60" r="120" fill="${ink}" opacity="0.06"/>
<g fill="${shapeColor}" stroke="${shapeColor}">${shape}</g>
<text x="200" y="345" text-anchor="middle" font-family="Georgia, 'Times New Roman', serif" font-size="64" letter-spacing="6" fill="${ink}">${initials(product.name)}</text>
</svg>`;
  return svg.text;
}

/** Each shape sits in the upper part of the tile, around (200, 160), leaving room for the initials. */
const SHAPES: readonly Html[] = [
  html`<rect x="120" y="90" width="130" height="140" rx="20" stroke="none"/><path d="M250 125 h22 a35 35 0 0 1 0 70 h-22" fill="none" stroke-width="18"/>`,
  html`<ellipse cx="200" cy="160" rx="70" ry="95" transform="rotate(30 200 160)" stroke="none"/><path d="M165 95 C215 140 185 185 235 225" fill="none" stroke="#000" stroke-opacity="0.18" stroke-width="10" stroke-linecap="round"/>`,
  html`<path d="M200 60 C270 120 285 200 200 255 C115 200 130 120 200 60 Z" stroke="none"/><path d="M200 95 L200 250" stroke="#000" stroke-opacity="0.15" stroke-width="8" fill="none"/>`,
  html`<path d="M110 130 H290 A90 90 0 0 1 110 130 Z" stroke="none"/><rect x="150" y="226" width="100" height="14" rx="7" stroke="none"/>`,
  html`<circle cx="200" cy="160" r="90" fill="none" stroke-width="22"/><circle cx="200" cy="160" r="42" stroke="none"/>`,
  html`<path d="M200 65 L290 245 H110 Z" stroke="none" stroke-linejoin="round"/><path d="M200 130 L245 225 H155 Z" fill="#000" fill-opacity="0.12" stroke="none"/>`,
];

function initials(name: string): string {
  const words = name.split(/[\s,&-]+/).filter((word) => /^[A-Za-z]/.test(word));
  return words
    .slice(0, 2)
    .map((word) => word[0]!.toUpperCase())
    .join('');
}

/** FNV-1a: tiny, stable across runs and platforms. */
function hash(text: string): number {
  let value = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    value ^= text.charCodeAt(i);
    value = Math.imul(value, 0x01000193) >>> 0;
  }
  return value;
}

type Rgb = readonly [number, number, number];
const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];

function parseColor(hex: string): Rgb {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
}

function mix(color: Rgb, other: Rgb, amount: number): Rgb {
  const channel = (i: 0 | 1 | 2) => Math.round(color[i] + (other[i] - color[i]) * amount);
  return [channel(0), channel(1), channel(2)];
}

function toHex(color: Rgb): string {
  return `#${color.map((channel) => channel.toString(16).padStart(2, '0')).join('')}`;
}

/** Relative luminance (WCAG), to pick ink that stays readable on the tile. */
function luminance(color: Rgb): number {
  const linear = (channel: number) => {
    const c = channel / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(color[0]) + 0.7152 * linear(color[1]) + 0.0722 * linear(color[2]);
}
