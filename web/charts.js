// SPDX-License-Identifier: Apache-2.0
// A chart of one history metric (GET /api/v1/history) with uPlot: one line per label set.
// Charts are rebuilt (the old uPlot destroyed) when the range changes, never appended to.
import uPlot from './uPlot.esm.js';
import { api, q } from './api.js';
import { h, replace, errorBox } from './dom.js';

const COLORS = ['#2563eb', '#d97706', '#059669', '#dc2626', '#7c3aed', '#0891b2', '#4b5563'];

// Aligns the series' points on one time axis, as uPlot wants: [[t…], [v…], …].
function align(series) {
  const times = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  return [times, ...series.map((s) => {
    const col = new Array(times.length).fill(null);
    for (const [t, v] of s.points) col[index.get(t)] = v;
    return col;
  })];
}

const labelText = (labels) => Object.values(labels || {}).join(' ') || 'value';

const SECONDS = { h: 3600, d: 86400 };

// Draws `metric` of `target` over the last `range` ("1h", "7d") into a new element `width`
// pixels wide; returns {el, destroy, data}.
export async function chart({ target, metric, title, range, width, scale = 1, unit = '' }) {
  const box = h('figure', { class: 'chart' }, h('figcaption', { text: title }));
  let plot = null;
  let data = null;
  try {
    const r = await api(`/api/v1/history?${q({ target, metric, from: `now-${range}` })}`);
    const series = (r.series || []).map((s) => ({ ...s, points: s.points.map(([t, v]) => [t, v === null ? null : v * scale]) }));
    data = series;
    if (!series.length || !series.some((s) => s.points.length)) {
      box.append(h('p', { class: 'empty' }, 'no data in this range yet'));
    } else {
      const to = Date.now() / 1000;
      const from = to - parseInt(range, 10) * SECONDS[range.at(-1)];
      plot = new uPlot({
        width, height: 180,
        scales: { x: { time: true, range: () => [from, to] } },
        series: [{}, ...series.map((s, i) => ({ label: labelText(s.labels), stroke: COLORS[i % COLORS.length], width: 1.5,
          value: (u, v) => (v === null ? '—' : `${v.toFixed(2)} ${unit}`) }))],
        axes: [{}, { size: 60 }],
        legend: { live: true },
      }, align(series), box);
    }
  } catch (e) {
    replace(box, h('figcaption', { text: title }), errorBox(e));
  }
  return { el: box, destroy: () => plot && plot.destroy(), data };
}
