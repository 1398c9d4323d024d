import type { FunnelDayRow, ScenarioKpiRow } from '../warehouse/index.js';
import { escapeHtml, funnelChart, groupedBars, rateChart, type BarGroup } from './charts.js';
import type { DashboardData } from './dashboard-data.js';

export const PERIODS = [7, 30, 90] as const;

function count(value: number): string {
  return new Intl.NumberFormat('en', { maximumFractionDigits: 0 }).format(value);
}

function money(value: number): string {
  return new Intl.NumberFormat('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);
}

function percent(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}

function points(uplift: number): string {
  const value = Math.round(uplift * 1000) / 10;
  return `${value >= 0 ? '+' : ''}${value} pts vs control`;
}

function sum(rows: readonly ScenarioKpiRow[], pick: (row: ScenarioKpiRow) => number): number {
  return rows.reduce((total, row) => total + pick(row), 0);
}

function byScenario(rows: readonly ScenarioKpiRow[]): Map<string, ScenarioKpiRow[]> {
  const groups = new Map<string, ScenarioKpiRow[]>();
  for (const row of rows) groups.set(row.scenario_id, [...(groups.get(row.scenario_id) ?? []), row]);
  return groups;
}

function tile(label: string, value: string, hint: string): string {
  return `<div class="tile"><div class="tile-label">${escapeHtml(label)}</div><div class="tile-value" data-test="tile-${escapeHtml(label.toLowerCase().replaceAll(' ', '-'))}">${escapeHtml(value)}</div><div class="tile-hint">${escapeHtml(hint)}</div></div>`;
}

function card(id: string, title: string, subtitle: string, body: string, wide = false): string {
  return `<section class="card${wide ? ' wide' : ''}" id="${id}" aria-labelledby="${id}-title"><header><h2 id="${id}-title">${escapeHtml(title)}</h2><p>${escapeHtml(subtitle)}</p></header>${body}</section>`;
}

function triggersChart(rows: readonly ScenarioKpiRow[]): string {
  const groups: BarGroup[] = [...byScenario(rows)].map(([scenario, arms]) => ({
    label: scenario,
    bars: [
      { label: 'fired', value: sum(arms, (row) => row.fired), tone: 'tone-fired' },
      { label: 'suppressed', value: sum(arms, (row) => row.suppressed), tone: 'tone-suppressed' },
      { label: 'held out', value: sum(arms, (row) => row.held_out), tone: 'tone-control' },
      { label: 'delivered', value: sum(arms, (row) => row.delivered), tone: 'tone-delivered' },
    ],
  }));
  return groupedBars(groups);
}

function conversionChart(rows: readonly ScenarioKpiRow[]): string {
  const groups: BarGroup[] = [...byScenario(rows)].map(([scenario, arms]) => ({
    label: scenario,
    bars: arms.map((row) => ({
      label: row.variant === 'control' ? 'control' : `variant ${row.variant}`,
      value: row.conversion_rate,
      tone: row.variant === 'control' ? 'tone-control' : 'tone-conversion',
      ...(row.variant !== 'control' && row.uplift !== null ? { note: points(row.uplift).replace(' vs control', '') } : {}),
    })),
  }));
  const top = Math.max(0.05, ...rows.map((row) => row.conversion_rate));
  return groupedBars(groups, { format: percent, max: Math.min(1, Math.ceil(top * 20) / 20) });
}

function funnelDays(days: readonly FunnelDayRow[]): string {
  if (days.length === 0) return '<p class="muted">No product views in this period.</p>';
  const body = [...days]
    .reverse()
    .slice(0, 8)
    .map(
      (day) => `<tr><td>${escapeHtml(day.day)}</td><td>${count(day.viewed)}</td><td>${count(day.carted)}</td><td>${count(day.checked_out)}</td><td>${count(day.purchased)}</td><td>${percent(day.cart_rate)}</td><td class="strong">${percent(day.conversion_rate)}</td></tr>`,
    )
    .join('');
  return `<div class="table-wrap"><table><thead><tr><th>Day</th><th>Viewed</th><th>Carted</th><th>Checkout</th><th>Bought</th><th>Cart rate</th><th>Conversion</th></tr></thead><tbody>${body}</tbody></table></div>`;
}

function kpiTable(rows: readonly ScenarioKpiRow[]): string {
  if (rows.length === 0) return '<p class="muted">No trigger decisions in this period.</p>';
  const body = rows
    .map(
      (row) => `<tr><td>${escapeHtml(row.scenario_id)}</td><td>${escapeHtml(row.variant)}</td><td>${count(row.fired)}</td><td>${count(row.suppressed)}</td><td>${count(row.held_out)}</td><td>${count(row.delivered)}</td><td>${count(row.stopped_at_delivery)}</td><td>${percent(row.popin_click_rate)}</td><td>${percent(row.email_open_rate)}</td><td>${percent(row.email_click_rate)}</td><td>${count(row.conversions)}</td><td>${percent(row.conversion_rate)}</td><td>${money(row.revenue)}</td><td class="${(row.uplift ?? 0) > 0 ? 'up' : (row.uplift ?? 0) < 0 ? 'down' : ''}">${row.variant === 'control' || row.uplift === null ? '—' : points(row.uplift).replace(' vs control', '')}</td></tr>`,
    )
    .join('');
  return `<div class="table-wrap"><table><thead><tr><th>Scenario</th><th>Variant</th><th>Fired</th><th>Suppressed</th><th>Held out</th><th>Delivered</th><th title="Fired, then stopped before delivery: suppression list, or a retry stopped by consent, audience or a reload">Stopped</th><th>Pop-in CTR</th><th>Email open</th><th>Email click</th><th>Orders</th><th>Conv. rate</th><th>Revenue</th><th>Uplift</th></tr></thead><tbody>${body}</tbody></table></div>`;
}

/** Everything under the header: refreshed in place every few seconds. */
export function dashboardPanels(data: DashboardData): string {
  const { kpis, funnel, rate } = data;
  const lastHour = rate.reduce((total, point) => total + point.value, 0);
  const lastFive = rate.slice(-5).reduce((total, point) => total + point.value, 0) / 5;
  const totals = funnel.reduce(
    (acc, day) => ({ viewed: acc.viewed + day.viewed, carted: acc.carted + day.carted, checkedOut: acc.checkedOut + day.checked_out, purchased: acc.purchased + day.purchased }),
    { viewed: 0, carted: 0, checkedOut: 0, purchased: 0 },
  );
  const period = `last ${data.days} days`;
  return `<div class="tiles">
${tile('Events', count(lastHour), `last hour · ${Math.round(lastFive * 10) / 10}/min now`)}
${tile('Triggers fired', count(sum(kpis, (row) => row.fired)), period)}
${tile('Delivered', count(sum(kpis, (row) => row.delivered)), 'pop-ins shown, emails sent')}
${tile('Orders attributed', count(data.attributed.orders), 'within the attribution window')}
${tile('Revenue attributed', money(data.attributed.revenue), period)}
</div>
<div class="grid">
${card('live', 'Live event rate', 'Events received per minute, last 60 minutes (UTC)', rateChart(rate), true)}
${card('triggers', 'Triggers and deliveries per scenario', `Decisions and what reached the visitor, ${period}`, triggersChart(kpis))}
${card('conversion', 'Conversion and uplift per variant', 'Ordered within 7 days of a trigger (control: of being held out); green: points above control', conversionChart(kpis))}
${card('funnel', 'Shop funnel', `Visitors per step, in order within a day, ${period}`, funnelChart([
    { label: 'Viewed a product', value: totals.viewed },
    { label: 'Added to cart', value: totals.carted },
    { label: 'Checked out', value: totals.checkedOut },
    { label: 'Purchased', value: totals.purchased },
  ]))}
${card('funnel-days', 'Funnel by day', 'Latest days first; conversion is bought ÷ viewed', funnelDays(funnel))}
${card('kpis', 'Scenario KPIs', `Per scenario and A/B variant, ${period}`, kpiTable(kpis), true)}
</div>`;
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><link rel="stylesheet" href="/dashboard/dashboard.css"></head>
<body>${body}</body></html>`;
}

export function dashboardPage(data: DashboardData): string {
  const periods = PERIODS.map(
    (days) => `<a href="/dashboard?days=${days}"${days === data.days ? ' aria-current="page"' : ''}>${days} days</a>`,
  ).join('');
  return layout(
    'Tripwire · Dashboard',
    `<header class="top"><div class="brand"><span class="mark" aria-hidden="true"></span>Tripwire <span class="muted">dashboard</span></div>
<nav class="periods" aria-label="Period">${periods}</nav>
<div class="meta"><span id="updated" data-days="${data.days}">Updated ${new Date(data.now).toISOString().slice(11, 19)} UTC</span> · ClickHouse ${escapeHtml(data.warehouseVersion)}
<form method="post" action="/dashboard/logout"><button type="submit" class="link">Sign out</button></form></div></header>
<main id="panels">${dashboardPanels(data)}</main>
<script src="/dashboard/dashboard.js" defer></script>`,
  );
}

export function loginPage(error: string | undefined): string {
  return layout(
    'Tripwire · Sign in',
    `<main class="login"><form method="post" action="/dashboard/login" class="card">
<div class="brand"><span class="mark" aria-hidden="true"></span>Tripwire</div>
<h1>Sign in to the dashboard</h1>
<p class="muted">Use the admin token: <code>admin.token</code> in the config, <code>TW_ADMIN_TOKEN</code>, or the one printed when the engine started.</p>
<label for="token">Admin token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<button type="submit">Sign in</button>
</form></main>`,
  );
}
