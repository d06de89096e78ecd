// SPDX-License-Identifier: Apache-2.0
// Maintenance: start VACUUM / ANALYZE / REINDEX (often from a finding's link) with a dry-run
// preview — the SQL and each guard's verdict — and a confirmation; live progress from the
// stream's `operation` events; the history; recovery (cancel / terminate backends) with its
// dry-run list. Operators start operations; executing a recovery needs admin; viewers only read.
import { api, q } from './api.js';
import { h, fmtSeconds, replace, section, table, errorBox } from './dom.js';
import * as stream from './stream.js';

const OPERATIONS = ['vacuum', 'analyze', 'reindex_index', 'reindex_table'];
// The options each operation takes (the API refuses the others: request_validation.cc).
const APPLIES = { vacuum: ['analyze', 'full', 'freeze', 'verbose'], analyze: ['verbose'],
  reindex_index: ['concurrently', 'verbose'], reindex_table: ['concurrently', 'verbose'] };
// Every state but queued and running is final (model::IsFinal): a dry run's 'planned' never shows as running.
const FINAL = new Set(['planned', 'completed', 'failed', 'cancelled', 'refused', 'unknown']);

const unavailable = (e) => (e.status === 404 && /no route/.test(e.message)
  ? new Error('the maintenance API is not available on this daemon (it answers 404 for the route)') : e);

function opState(op) {
  const map = { completed: 'healthy', failed: 'unhealthy', refused: 'unhealthy', cancelled: 'unknown',
    running: 'degraded', queued: 'degraded', planned: 'info', unknown: 'unknown' };
  const word = op.state === 'planned' ? 'planned (dry run)' : op.state;
  return h('span', { class: `badge s-${map[op.state] || 'unknown'}`, 'data-op-state': op.state }, word);
}

function guards(op) {
  return table(['Guard', 'Verdict', 'Detail'], (op.guards || []).map((g) => [g.guard,
    h('span', { class: `badge s-${{ pass: 'healthy', warn: 'warning', refuse: 'critical' }[g.outcome] || 'unknown'}` },
      { pass: '✓ pass', warn: '▲ warn', refuse: '✖ refuse' }[g.outcome] || g.outcome), g.detail]));
}

// The statements as sent. Where values were bound ($1, $2 … with op.sql_params: recovery's pid
// and backend_start) each line is followed by a comment naming them, so the page shows both
// what reached the server and what it was run with.
function sqlText(op) {
  const params = op.sql_params || [];
  const lines = (op.sql || '').split('\n');
  return lines.map((line, i) => (params[i] && params[i].length
    ? `${line}\n  -- ${params[i].map((v, k) => `$${k + 1} = ${v}`).join(', ')}`
    : line)).join('\n');
}

function opSummary(op) {
  const p = op.progress;
  return h('div', { class: 'op', 'data-op': op.id },
    h('p', {}, h('strong', {}, `#${op.id} ${op.operation} ${op.object}`), ' on ', `${op.target}/${op.database || ''}`, ' ', opState(op),
      op.duration_s != null ? ` in ${fmtSeconds(op.duration_s)}` : '',
      op.message ? h('span', { class: op.state === 'failed' ? 'error' : 'hint' }, ` ${op.sqlstate ? op.sqlstate + ' ' : ''}${op.message}`) : ''),
    h('pre', {}, h('code', {}, sqlText(op))),
    p ? h('p', {}, `phase: ${p.phase || '—'} `, p.percent != null ? h('progress', { max: 100, value: p.percent }, `${p.percent}%`) : '') : null);
}

export async function render(root, ctx) {
  const p = ctx.params;
  const canRun = ctx.can('operator');
  const form = h('form', { class: 'grid-form', id: 'maint-form', onsubmit: (e) => e.preventDefault() });
  const preview = h('div', { id: 'maint-preview', 'aria-live': 'polite' });
  const running = h('div', { id: 'maint-running' });
  const history = h('div', { id: 'maint-history' });
  const recovery = h('div', { id: 'recovery' });
  replace(root, h('h1', { text: 'Maintenance' }),
    canRun ? section('Start an operation', form, preview)
      : h('p', { class: 'hint' }, `Your role (${ctx.who?.role || 'none'}) may look at operations but not start them.`),
    section('Running', running), section('History', history),
    canRun ? section('Recovery: cancel or terminate backends', recovery) : null);

  const targets = (await api('/api/v1/targets')).targets.map((t) => t.name);
  const field = (id, label, input) => h('div', {}, h('label', { for: id }, label), input);
  const target = h('select', { id: 'm-target' }, targets.map((t) => h('option', { value: t, selected: t === p.get('target') }, t)));
  const operation = h('select', { id: 'm-operation' }, OPERATIONS.map((o) => h('option', { value: o, selected: o === p.get('operation') }, o)));
  const text = (id, key) => h('input', { id, value: p.get(key) || '' });
  const database = text('m-database', 'database');
  const schema = text('m-schema', 'schema');
  const object = text('m-object', p.get('index') ? 'index' : 'table');
  const checks = ['analyze', 'full', 'freeze', 'verbose', 'concurrently'].map((o) =>
    h('label', { class: 'check', 'data-option': o }, h('input', { type: 'checkbox', id: `m-opt-${o}`,
      checked: o === 'concurrently' || (o === 'analyze' && Boolean(p.get('finding'))) }), ` ${o}`));
  const showOptions = () => { for (const c of checks) c.hidden = !APPLIES[operation.value].includes(c.dataset.option); };
  operation.addEventListener('change', showOptions);
  showOptions();
  const force = h('input', { type: 'checkbox', id: 'm-force' });
  const reason = h('input', { id: 'm-reason', placeholder: 'why, when forcing' });

  const body = (dryRun) => {
    const op = operation.value;
    const b = { target: target.value, operation: op, dry_run: dryRun, options: {} };
    if (database.value.trim()) b.database = database.value.trim();
    if (schema.value.trim()) b.schema = schema.value.trim();
    b[op === 'reindex_index' ? 'index' : 'table'] = object.value.trim();
    // The API takes exactly one of table/index or finding (which expands to every object with
    // that finding); a link from one finding row means that one object.
    for (const c of checks) {
      if (APPLIES[op].includes(c.dataset.option)) b.options[c.dataset.option] = c.querySelector('input').checked;
    }
    if (force.checked) { b.force = true; b.reason = reason.value; }
    return b;
  };

  const run = async () => {
    try {
      const r = await api('/api/v1/maintenance', { method: 'POST', body: body(false) });
      replace(preview, h('p', { class: r.httpStatus ? 'error' : 'ok' }, r.httpStatus ? `⚠ refused: ${r.error?.message || 'every operation was refused'}`
        : `Queued ${r.operations.length} operation(s); progress below.`), r.operations.map(opSummary));
      loadLists();
    } catch (e) { replace(preview, errorBox(unavailable(e))); }
  };
  const dryRun = async () => {
    try {
      const r = await api('/api/v1/maintenance', { method: 'POST', body: body(true) });
      const ok = r.operations.some((o) => o.state === 'planned');
      replace(preview, h('h3', {}, 'Dry run: nothing ran yet'),
        r.operations.map((o) => [opSummary(o), guards(o)]),
        ok ? h('p', {}, h('button', { type: 'button', id: 'm-confirm', class: 'danger', onclick: run },
          `Confirm: run ${r.operations.filter((o) => o.state === 'planned').length} operation(s)`))
          : h('p', { class: 'error' }, `⚠ every operation was refused${r.error ? ': ' + r.error.message : ''}; nothing can run.`));
    } catch (e) { replace(preview, errorBox(unavailable(e))); }
  };
  replace(form, p.get('finding') ? h('p', { class: 'hint' }, `From the finding ${p.get('finding')}.`) : null,
    field('m-target', 'Target', target), field('m-operation', 'Operation', operation),
    field('m-database', 'Database (optional)', database), field('m-schema', 'Schema (optional)', schema),
    field('m-object', 'Table or index', object), h('fieldset', {}, h('legend', {}, 'Options'), checks),
    ctx.can('admin') ? h('div', {}, h('label', { class: 'check' }, force, ' force outside the maintenance window'), reason) : null,
    h('div', {}, h('button', { type: 'button', id: 'm-dry-run', onclick: dryRun }, 'Preview (dry run)')));

  // Running operations keyed by id; the stream replaces an entry in place, never appends.
  const live = new Map();
  const drawRunning = () => replace(running, live.size ? [...live.values()].map(opSummary) : h('p', { class: 'empty' }, 'Nothing is running.'));
  async function loadLists() {
    try {
      const [r, hist] = await Promise.all([api(`/api/v1/maintenance?${q({ type: 'running' })}`),
        api(`/api/v1/maintenance?${q({ type: 'history', limit: 50 })}`)]);
      live.clear();
      for (const op of r.operations) live.set(op.id, op);
      drawRunning();
      replace(history, table(['#', 'When', 'Target', 'Operation', 'Object', 'State', 'Duration', 'Dead tuples before → after', 'By'],
        hist.operations.map((o) => [String(o.id), o.created_at ? new Date(o.created_at).toLocaleString() : '', o.target, o.operation, o.object,
          opState(o), fmtSeconds(o.duration_s), `${o.before?.dead_tuples ?? '—'} → ${o.after?.dead_tuples ?? '—'}`,
          `${o.initiator} (${o.initiator_role})`])));
    } catch (e) {
      replace(running, errorBox(unavailable(e)));
      replace(history, errorBox(unavailable(e)));
    }
  }
  await loadLists();
  const off = stream.on('operation', (op) => {
    // The operation just queued from this page shows its state where it was started, too.
    preview.querySelector(`[data-op="${op.id}"]`)?.replaceWith(opSummary(op));
    if (FINAL.has(op.state)) { live.delete(op.id); loadLists(); } else { live.set(op.id, op); drawRunning(); }
  });

  if (canRun) {
    const rt = h('select', { id: 'r-target' }, targets.map((t) => h('option', { value: t }, t)));
    const n = (id, v) => h('input', { id, type: 'number', min: 0, value: v });
    const cancelAfter = n('r-cancel', 300);
    const idleAfter = n('r-idle', 3600);
    const idleTxAfter = n('r-idle-tx', 600);
    const out = h('div', { id: 'recovery-result', 'aria-live': 'polite' });
    const recoveryBody = (dry, confirm) => ({ target: rt.value, dry_run: dry, confirm,
      cancel_running_longer_than_s: Number(cancelAfter.value), terminate_idle_longer_than_s: Number(idleAfter.value),
      terminate_idle_in_transaction_longer_than_s: Number(idleTxAfter.value) });
    const show = (op, dry) => {
      const list = op.backends || [];
      replace(out, h('p', {}, dry ? `Dry run: ${list.length} backend(s) would be acted on. ` : 'Recovery done. ', opState(op),
        op.message ? h('span', { class: op.state === 'refused' || op.state === 'failed' ? 'error' : 'hint' }, ` ${op.message}`) : ''),
        table(['pid', 'Action', 'User', 'Application', 'State', 'Age', 'Query', 'Outcome'], list.map((b) => [String(b.pid), b.action,
          b.usename, b.application_name, b.state, fmtSeconds(b.age_seconds), h('code', { class: 'query' }, b.query || ''), b.outcome || ''])),
        dry && list.length && ctx.can('admin') ? h('button', { type: 'button', class: 'danger', id: 'r-confirm', onclick: async () => {
          try { show(await api('/api/v1/recovery', { method: 'POST', body: recoveryBody(false, list.map((b) => ({ pid: b.pid, backend_start: b.backend_start }))) }), false); } catch (e) { replace(out, errorBox(unavailable(e))); }
        } }, `Confirm: act on these ${list.length} backend(s)`) : null,
        dry && list.length && !ctx.can('admin') ? h('p', { class: 'hint' }, 'Executing a recovery needs the admin role.') : null);
    };
    replace(recovery, h('form', { class: 'grid-form', onsubmit: (e) => e.preventDefault() },
      field('r-target', 'Target', rt), field('r-cancel', 'Cancel statements running longer than (s)', cancelAfter),
      field('r-idle', 'Terminate idle sessions older than (s)', idleAfter),
      field('r-idle-tx', 'Terminate idle-in-transaction sessions older than (s)', idleTxAfter),
      h('div', {}, h('button', { type: 'button', id: 'r-dry-run', onclick: async () => {
        try { show(await api('/api/v1/recovery', { method: 'POST', body: recoveryBody(true, []) }), true); } catch (e) { replace(out, errorBox(unavailable(e))); }
      } }, 'Preview (dry run)'))), out);
  }
  return off;
}

