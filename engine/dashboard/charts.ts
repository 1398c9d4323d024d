/**
 * Hand-written SVG charts: no chart library, no network, nothing but markup the server renders.
 * Colours come from classes in dashboard.css, so the page needs no inline style (its CSP has none).
 */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

export interface RatePoint {
  /** Epoch ms of the minute. */
  time: number;
  value: number;
}

export interface BarGroup {
  label: string;
  bars: ReadonlyArray<{ label: string; value: number; tone: string; note?: string }>;
}

export interface FunnelStep {
  label: string;
  value: number;
}

/** A round axis maximum: 1, 2 or 5 times a power of ten, at least `value`. */
function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function formatCount(value: number): string {
  if (value >= 1_000_000) return `${(value / 1_000_000).toFixed(1)}M`;
  if (value >= 10_000) return `${Math.round(value / 1000)}k`;
  if (value >= 1000) return `${(value / 1000).toFixed(1)}k`;
  return String(Math.round(value * 100) / 100);
}

function shorten(label: string, length: number): string {
  return label.length <= length ? label : `${label.slice(0, length - 1)}…`;
}

function minuteLabel(time: number): string {
  return new Date(time).toISOString().slice(11, 16);
}

function empty(width: number, height: number, message: string): string {
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(message)}"><text class="muted" x="${width / 2}" y="${height / 2}" text-anchor="middle">${escapeHtml(message)}</text></svg>`;
}

/** Events per minute as an area under a line, with the y gridlines labelled. */
export function rateChart(points: readonly RatePoint[], width = 1360, height = 240): string {
  if (points.length === 0) return empty(width, height, 'No events yet');
  const left = 44;
  const right = 12;
  const top = 14;
  const bottom = 28;
  const max = niceMax(Math.max(...points.map((point) => point.value)));
  const x = (i: number) => left + (i * (width - left - right)) / Math.max(1, points.length - 1);
  const y = (value: number) => top + (height - top - bottom) * (1 - value / max);
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((share) => {
      const value = max * share;
      return `<line class="grid" x1="${left}" x2="${width - right}" y1="${y(value)}" y2="${y(value)}"/><text class="axis" x="${left - 6}" y="${y(value) + 4}" text-anchor="end">${formatCount(value)}</text>`;
    })
    .join('');
  const line = points.map((point, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(point.value).toFixed(1)}`).join(' ');
  const area = `${line} L${x(points.length - 1).toFixed(1)},${y(0)} L${x(0)},${y(0)} Z`;
  const ticks = points
    .map((point, i) => ({ point, i }))
    .filter(({ i }) => i % 15 === 0 || i === points.length - 1)
    .map(({ point, i }) => `<text class="axis" x="${x(i)}" y="${height - 8}" text-anchor="${i === points.length - 1 ? 'end' : 'middle'}">${minuteLabel(point.time)}</text>`)
    .join('');
  const last = points[points.length - 1]!;
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="Events per minute, last ${points.length} minutes">
<defs><linearGradient id="rate-fill" x1="0" x2="0" y1="0" y2="1"><stop offset="0" class="fill-start"/><stop offset="1" class="fill-end"/></linearGradient></defs>
${grid}<path class="area" d="${area}" fill="url(#rate-fill)"/><path class="line" d="${line}"/>
<circle class="dot" cx="${x(points.length - 1)}" cy="${y(last.value)}" r="4"/>${ticks}</svg>`;
}

/** Groups of horizontal bars sharing one scale, e.g. per scenario: fired, suppressed, delivered. */
export function groupedBars(groups: readonly BarGroup[], options: { format?: (value: number) => string; max?: number; width?: number } = {}): string {
  const width = options.width ?? 720;
  if (groups.length === 0) return empty(width, 120, 'No scenario has fired yet');
  const format = options.format ?? formatCount;
  const labelWidth = 170;
  const barHeight = 16;
  const gap = 5;
  const groupGap = 18;
  const valueRoom = 210;
  const all = groups.flatMap((group) => group.bars.map((bar) => bar.value));
  const max = options.max ?? niceMax(Math.max(0, ...all));
  const scale = (value: number) => ((width - labelWidth - valueRoom) * Math.max(0, value)) / max;
  let cursor = 8;
  const parts: string[] = [];
  for (const group of groups) {
    const groupHeight = group.bars.length * (barHeight + gap) - gap;
    parts.push(`<text class="group-label" x="0" y="${cursor + groupHeight / 2 + 5}">${escapeHtml(shorten(group.label, 22))}<title>${escapeHtml(group.label)}</title></text>`);
    group.bars.forEach((bar, i) => {
      const top = cursor + i * (barHeight + gap);
      const length = scale(bar.value);
      parts.push(
        `<rect class="track" x="${labelWidth}" y="${top}" width="${width - labelWidth - valueRoom}" height="${barHeight}" rx="4"/>`,
        `<rect class="bar ${bar.tone}" x="${labelWidth}" y="${top}" width="${Math.max(length, bar.value > 0 ? 3 : 0).toFixed(1)}" height="${barHeight}" rx="4"><title>${escapeHtml(`${group.label} · ${bar.label}: ${format(bar.value)}`)}</title></rect>`,
        `<text class="value" x="${labelWidth + length + 8}" y="${top + barHeight - 3}">${escapeHtml(`${bar.label} ${format(bar.value)}`)}${bar.note ? `<tspan class="note ${bar.note.startsWith('-') ? 'down' : 'up'}" dx="8">${escapeHtml(bar.note)}</tspan>` : ''}</text>`,
      );
    });
    cursor += groupHeight + groupGap;
  }
  const height = cursor - groupGap + 8;
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(groups.map((group) => group.label).join(', '))}">${parts.join('')}</svg>`;
}

/** view → cart → checkout → purchase as centred bars narrowing down, with the share kept at each step. */
export function funnelChart(steps: readonly FunnelStep[], width = 720): string {
  const first = steps[0]?.value ?? 0;
  if (first === 0) return empty(width, 160, 'No product views in this period');
  const rowHeight = 40;
  const labelWidth = 130;
  const room = width - labelWidth - 150;
  const parts = steps.map((step, i) => {
    const barWidth = Math.max(4, (room * step.value) / first);
    const top = 6 + i * rowHeight;
    const left = labelWidth + (room - barWidth) / 2;
    const previous = i === 0 ? undefined : steps[i - 1]!.value;
    const share = previous === undefined ? '100%' : previous === 0 ? '0%' : `${Math.round((step.value / previous) * 1000) / 10}%`;
    return `<text class="group-label" x="0" y="${top + 21}">${escapeHtml(step.label)}</text>
<rect class="bar funnel-${i}" x="${left.toFixed(1)}" y="${top}" width="${barWidth.toFixed(1)}" height="${rowHeight - 10}" rx="6"><title>${escapeHtml(`${step.label}: ${step.value}`)}</title></rect>
<text class="funnel-value" x="${labelWidth + room / 2}" y="${top + 20}" text-anchor="middle">${formatCount(step.value)}</text>
<text class="value" x="${labelWidth + room + 14}" y="${top + 20}">${i === 0 ? 'visitors' : `${share} of previous`}</text>`;
  });
  return `<svg class="chart" viewBox="0 0 ${width} ${steps.length * rowHeight + 6}" role="img" aria-label="Funnel">${parts.join('')}</svg>`;
}
