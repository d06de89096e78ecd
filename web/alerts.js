// SPDX-License-Identifier: Apache-2.0
// Alerts: the list with filters (state, severity, target), refetched on each `alert` event;
// acknowledge / resolve / silence through PATCH /api/v1/alerts/{id} for operators.
import { api, q } from './api.js';
import { h, badge, replace, table, errorBox } from './dom.js';
import * as stream from './stream.js';

export async function render(root, ctx) {
  const state = h('select', { id: 'a-state' }, h('option', { value: '' }, 'any state'),
    ['firing', 'acknowledged', 'resolved'].map((s) => h('option', { value: s }, s)));
  const severity = h('select', { id: 'a-severity' }, h('option', { value: '' }, 'any severity'),
    ['warning', 'critical'].map((s) => h('option', { value: s }, s)));
  const target = h('input', { id: 'a-target', type: 'search', placeholder: 'target name' });
  const message = h('p', { 'aria-live': 'polite', id: 'alerts-message' });
  const list = h('div', { id: 'alerts-list' });
  replace(root, h('h1', { text: 'Alerts' }),
    h('form', { class: 'filters', role: 'search', onsubmit: (e) => { e.preventDefault(); load(); } },
      h('label', { for: 'a-state' }, 'State '), state, h('label', { for: 'a-severity' }, 'Severity '), severity,
      h('label', { for: 'a-target' }, 'Target '), target, h('button', { type: 'submit' }, 'Filter')),
    message, list);

  const act = async (alert, action) => {
    const body = { action, note: `from the dashboard by ${ctx.who?.name || 'unknown'}` };
    if (action === 'silence') body.until = 'now+1h';
    try {
      await api(`/api/v1/alerts/${alert.id}`, { method: 'PATCH', body });
      message.textContent = `Alert ${alert.id}: ${action} done.`;
      message.className = 'ok';
    } catch (e) {
      message.textContent = `⚠ Alert ${alert.id}: ${action} failed: ${e.message}`;
      message.className = 'error';
    }
    load();
  };

  async function load() {
    try {
      const { alerts } = await api(`/api/v1/alerts?${q({ state: state.value, severity: severity.value, target: target.value.trim() })}`);
      replace(list, table(['State', 'Severity', 'Target', 'Check', 'Object', 'Message', 'Since', ctx.can('operator') ? 'Actions' : ''],
        alerts.map((a) => [
          h('span', { 'data-alert-state': a.id }, badge(a.state)), badge(a.severity), a.target, a.check_id, a.object,
          h('span', {}, a.message, a.acked_by ? h('div', { class: 'hint' }, `acknowledged by ${a.acked_by}${a.ack_note ? ': ' + a.ack_note : ''}`) : ''),
          new Date(a.first_fired_at).toLocaleString(),
          ctx.can('operator') && a.state !== 'resolved' ? h('span', { class: 'actions' },
            a.state === 'firing' ? h('button', { type: 'button', 'data-action': 'acknowledge', onclick: () => act(a, 'acknowledge') }, 'Acknowledge') : '',
            h('button', { type: 'button', 'data-action': 'resolve', onclick: () => act(a, 'resolve') }, 'Resolve'),
            h('button', { type: 'button', 'data-action': 'silence', onclick: () => act(a, 'silence') }, 'Silence 1 h')) : '',
        ]), `${alerts.length} alert(s)${alerts.length >= 500 ? ' (the newest 500)' : ''}`));
    } catch (e) {
      replace(list, errorBox(e));
    }
  }
  await load();
  const off = stream.on('alert', () => load());
  return off;
}

