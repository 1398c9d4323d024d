/** The dashboard's stylesheet and script, served from the engine: no CDN, no inline code under its CSP. */

export const DASHBOARD_CSS = `:root {
  --bg: #f4f5fb; --card: #ffffff; --ink: #141a2e; --muted: #6b7289; --line: #e4e7f0;
  --indigo: #4f46e5; --teal: #0d9488; --amber: #f59e0b; --slate: #94a3b8; --rose: #e11d48; --green: #059669;
  font-family: Inter, "Segoe UI", system-ui, -apple-system, sans-serif; color: var(--ink); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
.top { display: flex; align-items: center; gap: 24px; padding: 14px 28px; background: #111733; color: #fff; }
.brand { display: flex; align-items: center; gap: 10px; font-weight: 700; font-size: 18px; letter-spacing: .2px; }
.brand .muted { color: #9aa3c7; font-weight: 500; }
.mark { width: 22px; height: 22px; border-radius: 6px; background: linear-gradient(135deg, #818cf8, #2dd4bf); display: inline-block; }
.periods { display: flex; gap: 4px; background: rgba(255,255,255,.08); padding: 4px; border-radius: 10px; }
.periods a { color: #c7cbe3; text-decoration: none; padding: 6px 12px; border-radius: 7px; font-size: 13px; }
.periods a[aria-current] { background: #fff; color: #111733; font-weight: 600; }
.meta { margin-left: auto; display: flex; align-items: center; gap: 10px; font-size: 12px; color: #9aa3c7; }
.meta form { display: inline; }
button.link { background: none; border: 0; color: #c7cbe3; cursor: pointer; font: inherit; text-decoration: underline; padding: 0; }
main#panels { padding: 22px 28px 40px; max-width: 1480px; margin: 0 auto; }
.tiles { display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)); gap: 14px; margin-bottom: 18px; }
.tile { background: var(--card); border: 1px solid var(--line); border-radius: 14px; padding: 14px 16px; }
.tile-label { font-size: 12px; text-transform: uppercase; letter-spacing: .6px; color: var(--muted); font-weight: 600; }
.tile-value { font-size: 28px; font-weight: 700; margin: 6px 0 2px; font-variant-numeric: tabular-nums; }
.tile-hint { font-size: 12px; color: var(--muted); }
.grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 14px; padding: 16px 18px 14px; min-width: 0; }
.card.wide { grid-column: 1 / -1; }
.card header h2 { font-size: 15px; margin: 0; }
.card header p { font-size: 12px; color: var(--muted); margin: 3px 0 10px; }
.chart { width: 100%; height: auto; display: block; font-size: 12px; }
.chart .grid { stroke: var(--line); stroke-width: 1; }
.chart .axis { fill: var(--muted); font-size: 11px; }
.chart .line { fill: none; stroke: var(--indigo); stroke-width: 2.2; stroke-linejoin: round; }
.chart .fill-start { stop-color: var(--indigo); stop-opacity: .28; }
.chart .fill-end { stop-color: var(--indigo); stop-opacity: 0; }
.chart .dot { fill: #fff; stroke: var(--indigo); stroke-width: 2.5; }
.chart .track { fill: #f1f3f9; }
.chart .group-label { fill: var(--ink); font-weight: 600; font-size: 12.5px; }
.chart .value { fill: var(--muted); font-size: 11.5px; }
.chart .note.up { fill: var(--green); font-weight: 600; }
.chart .note.down { fill: var(--rose); font-weight: 600; }
.chart .muted { fill: var(--muted); font-size: 14px; }
.tone-fired { fill: var(--indigo); } .tone-suppressed { fill: var(--amber); } .tone-control { fill: var(--slate); }
.tone-delivered { fill: var(--teal); } .tone-conversion { fill: var(--green); }
.funnel-0 { fill: #6366f1; } .funnel-1 { fill: #8b5cf6; } .funnel-2 { fill: #14b8a6; } .funnel-3 { fill: #059669; }
.chart .funnel-value { fill: #fff; font-weight: 700; font-size: 13px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13px; font-variant-numeric: tabular-nums; }
th { text-align: left; font-size: 11px; text-transform: uppercase; letter-spacing: .5px; color: var(--muted); border-bottom: 1px solid var(--line); padding: 8px 10px; white-space: nowrap; }
td { padding: 8px 10px; border-bottom: 1px solid #f0f2f7; white-space: nowrap; }
tbody tr:hover { background: #f8f9fd; }
td.strong { font-weight: 600; }
td.up { color: var(--green); font-weight: 600; } td.down { color: var(--rose); font-weight: 600; }
.muted { color: var(--muted); }
.login { min-height: 100vh; display: grid; place-items: center; padding: 24px; }
.login form { width: min(420px, 100%); padding: 28px; display: grid; gap: 10px; box-shadow: 0 10px 40px rgba(17,23,51,.08); }
.login h1 { font-size: 20px; margin: 8px 0 0; }
.login .brand { color: var(--ink); }
.login input { font: inherit; padding: 10px 12px; border: 1px solid var(--line); border-radius: 9px; }
.login button { font: inherit; font-weight: 600; padding: 10px 14px; border: 0; border-radius: 9px; background: var(--indigo); color: #fff; cursor: pointer; }
.error { color: var(--rose); margin: 0; font-size: 13px; }
code { background: #eef0f7; padding: 1px 5px; border-radius: 5px; font-size: 12px; }
@media (max-width: 1000px) { .grid { grid-template-columns: 1fr; } .tiles { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
`;

/** Refreshes the panels in place, so the live event rate stays live without reloading the page. */
export const DASHBOARD_JS = `(function () {
  var updated = document.getElementById('updated');
  var panels = document.getElementById('panels');
  if (!updated || !panels) return;
  var days = updated.getAttribute('data-days');
  function refresh() {
    fetch('/dashboard/panels?days=' + encodeURIComponent(days), { credentials: 'same-origin' })
      .then(function (response) {
        if (response.status === 401) { location.reload(); return null; }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html === null) return;
        panels.innerHTML = html;
        updated.textContent = 'Updated ' + new Date().toISOString().slice(11, 19) + ' UTC';
      })
      .catch(function () { updated.textContent = 'Offline: retrying'; });
  }
  setInterval(refresh, 10000);
})();
`;
