// SPDX-License-Identifier: Apache-2.0
// Small DOM helpers: h() builds elements (text is always set as text, never as HTML, so nothing a
// database returns can inject markup), and the status badge that shows a status in words, with an
// icon and a colour (never by colour alone).

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

const STATUS = {
  healthy: ['✓', 'Healthy'],
  degraded: ['▲', 'Degraded'],
  unhealthy: ['✖', 'Unhealthy'],
  unreachable: ['⊘', 'Unreachable'],
  unknown: ['?', 'Unknown'],
  critical: ['✖', 'Critical'],
  warning: ['▲', 'Warning'],
  info: ['i', 'Info'],
  firing: ['●', 'Firing'],
  acknowledged: ['◐', 'Acknowledged'],
  resolved: ['✓', 'Resolved'],
};

export function badge(status) {
  const [icon, word] = STATUS[status] || ['?', status || 'unknown'];
  return h('span', { class: `badge s-${status}` }, h('span', { 'aria-hidden': 'true' }, icon), ' ', word);
}

export function table(headers, rows, caption) {
  return h('table', {},
    caption ? h('caption', { text: caption }) : null,
    h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows.length ? rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c))))
      : h('tr', {}, h('td', { colspan: headers.length, class: 'empty' }, 'none'))));
}

export function section(title, ...children) {
  return h('section', { class: 'card' }, h('h2', { text: title }), ...children);
}

export function errorBox(err) {
  return h('p', { class: 'error', role: 'alert' }, `⚠ ${err.message || err}`);
}

export function fmt(value, unit = '', digits = 1) {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (unit === 'bytes') return fmtBytes(value);
  if (unit === 's') return fmtSeconds(value);
  const n = Math.abs(value) >= 100 ? Math.round(value) : Number(value.toFixed(digits));
  return `${n.toLocaleString('en')}${unit ? ' ' + unit : ''}`;
}

export function fmtBytes(b) {
  if (b === null || b === undefined) return '—';
  const u = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (Math.abs(b) >= 1024 && i < u.length - 1) { b /= 1024; i++; }
  return `${b.toFixed(i ? 1 : 0)} ${u[i]}`;
}

export function fmtSeconds(s) {
  if (s === null || s === undefined) return '—';
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 120) return `${s.toFixed(1)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

export function replace(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
}
