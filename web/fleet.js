// SPDX-License-Identifier: Apache-2.0
// Fleet: one tile per target with its status in words, score, region, open alerts and key
// figures. Status, score, connections and lag follow the stream's `sample` events; TPS and the
// mean statement time are the latest points of their history series (the standard tier, ≈ 15 s).
import { api, q } from './api.js';
import { h, badge, fmt, replace } from './dom.js';
import * as stream from './stream.js';

async function lastPoint(target, metric) {
  const r = await api(`/api/v1/history?${q({ target, metric, from: 'now-5m', agg: 'last', step: '60s' })}`);
  let sum = null;
  for (const s of r.series || []) {
    const p = s.points.filter((x) => x[1] !== null).at(-1);
    if (p) sum = (sum || 0) + p[1];
  }
  return sum;
}

export async function render(root) {
  const filters = h('form', { class: 'filters', role: 'search', onsubmit: (e) => e.preventDefault() });
  const grid = h('div', { class: 'tiles', id: 'tiles' });
  const note = h('p', { class: 'hint', 'aria-live': 'polite' });
  replace(root, h('h1', { text: 'Fleet' }), filters, note, grid);

  // The targets, their latest sample (what the stream sends; /api/health/metrics) and the alerts.
  const [{ targets }, samples, alertList] = await Promise.all([
    api('/api/v1/targets'),
    api('/api/health/metrics').catch(() => ({ targets: [] })),
    api('/api/v1/alerts').catch(() => ({ alerts: [] })),
  ]);
  const state = new Map(targets.map((t) => [t.name, { ...t, figures: {}, openAlerts: 0 }]));
  const applySample = (s) => {
    const t = state.get(s.target);
    if (!t) return false;
    Object.assign(t, { status: s.status, score: s.score, connections: s.connections,
      replay_lag_seconds: s.replay_lag_seconds });
    return true;
  };
  samples.targets.forEach(applySample);
  const countAlerts = (list) => {
    for (const t of state.values()) t.openAlerts = 0;
    for (const a of list) if (a.state !== 'resolved' && state.has(a.target)) state.get(a.target).openAlerts++;
  };
  countAlerts(alertList.alerts);

  const regions = [...new Set(targets.map((t) => t.region).filter(Boolean))].sort();
  const region = h('select', { id: 'f-region' }, h('option', { value: '' }, 'every region'),
    regions.map((r) => h('option', { value: r }, r)));
  const status = h('select', { id: 'f-status' }, h('option', { value: '' }, 'every status'),
    ['healthy', 'degraded', 'unhealthy', 'unreachable', 'unknown'].map((s) => h('option', { value: s }, s)));
  const label = h('input', { id: 'f-label', type: 'search', placeholder: 'env=prod' });
  replace(filters,
    h('label', { for: 'f-region' }, 'Region '), region,
    h('label', { for: 'f-status' }, 'Status '), status,
    h('label', { for: 'f-label' }, 'Label '), label);

  const matches = (t) => {
    if (region.value && t.region !== region.value) return false;
    if (status.value && t.status !== status.value) return false;
    const want = label.value.trim();
    if (want) {
      const [k, v] = want.split('=');
      if (!(k in (t.labels || {})) || (v !== undefined && t.labels[k] !== v)) return false;
    }
    return true;
  };

  const tile = (t) => {
    const c = t.connections || {};
    const used = Object.values(c).reduce((a, b) => a + b, 0);
    return h('article', { class: `tile s-${t.status}`, 'data-target': t.name },
      h('h2', {}, h('a', { href: `#/target/${encodeURIComponent(t.name)}` }, t.name)),
      h('p', {}, badge(t.status), ' ', h('span', { class: 'score' }, `score ${t.score ?? '—'}`)),
      h('dl', {},
        h('dt', {}, 'Region'), h('dd', {}, t.region || '—'),
        h('dt', {}, 'Open alerts'), h('dd', { class: 'alerts-count' }, String(t.openAlerts)),
        h('dt', {}, 'Connections'), h('dd', {}, t.connections ? String(used) : '—'),
        h('dt', {}, 'TPS'), h('dd', {}, fmt(t.figures.tps)),
        h('dt', {}, 'Mean statement'), h('dd', {}, t.figures.mean == null ? '—' : fmt(t.figures.mean, 's')),
        h('dt', {}, 'Replication lag'), h('dd', {}, t.replay_lag_seconds == null ? 'none' : fmt(t.replay_lag_seconds, 's'))),
      t.last_error ? h('p', { class: 'error' }, `⚠ ${t.last_error}`) : null);
  };

  const draw = () => {
    const shown = [...state.values()].filter(matches);
    replace(grid, shown.map(tile));
    note.textContent = `${shown.length} of ${state.size} targets shown${figuresError}`;
  };
  for (const el of [region, status, label]) el.addEventListener('input', draw);

  let figuresError = '';
  const refreshFigures = async () => {
    figuresError = '';
    await Promise.all([...state.values()].map(async (t) => {
      try {
        const [tps, mean] = await Promise.all([
          lastPoint(t.name, 'pgvigil_database_xact_per_second'),
          lastPoint(t.name, 'pgvigil_statements_mean_exec_time_seconds')]);
        t.figures = { tps, mean };
      } catch (e) {
        t.figures = {};
        figuresError = ` — TPS and mean statement time unavailable: ${e.message}`;
      }
    }));
    draw();
  };
  draw();
  refreshFigures();
  const timer = setInterval(refreshFigures, 15000);

  let pending = false;  // redraw at most once per animation frame however many events arrive
  const later = () => { if (!pending) { pending = true; requestAnimationFrame(() => { pending = false; draw(); }); } };
  const offs = [
    stream.on('sample', (s) => { if (applySample(s)) later(); }),
    stream.on('status', (s) => { if (state.has(s.name)) { Object.assign(state.get(s.name), s); later(); } }),
    stream.on('alert', () => api('/api/v1/alerts').then((r) => { countAlerts(r.alerts); later(); }).catch(() => {})),
  ];
  return () => { clearInterval(timer); offs.forEach((f) => f()); };
}
