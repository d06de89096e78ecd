// SPDX-License-Identifier: Apache-2.0
// Target: status, score and reasons; charts over a chosen range; the blocking tree and the
// connections (refetched on every fast-tier `sample` event of this target, so a new lock shows
// within a collection and a request); slow statements, tables and indexes with their findings.
import { api, q } from './api.js';
import { h, badge, fmt, fmtBytes, fmtSeconds, replace, section, table, errorBox } from './dom.js';
import { chart } from './charts.js';
import * as stream from './stream.js';

const RANGES = ['1h', '6h', '24h', '7d'];
const CHARTS = [
  ['pgvigil_connections', 'Connections by state'],
  ['pgvigil_database_xact_per_second', 'Transactions per second'],
  ['pgvigil_statements_calls_per_second', 'Statements per second (QPS)'],
  ['pgvigil_statements_mean_exec_time_seconds', 'Mean statement time (ms)', 1000, 'ms'],
  ['pgvigil_database_cache_hit_ratio', 'Cache hit ratio (%)', 100, '%'],
  ['pgvigil_database_size_bytes', 'Database size (MB)', 1 / 1048576, 'MB'],
  ['pgvigil_replication_lag_seconds', 'Replication lag (s)', 1, 's'],
  ['pgvigil_tables_dead_tuples', 'Dead tuples'],
];

const view = (target, type) => api(`/api/v1/health?${q({ target, type })}`);

// "app.public.orders" → {database, schema, table}
export function splitObject(object) {
  const parts = String(object || '').split('.');
  if (parts.length < 3) return { table: parts.at(-1) };
  return { database: parts[0], schema: parts[1], table: parts.slice(2).join('.') };
}

function maintenanceLink(target, finding, operation, ctx) {
  if (!ctx.can('operator')) return null;
  const o = splitObject(finding.object);
  const params = { target, operation, finding: finding.id, database: o.database, schema: o.schema };
  if (operation.startsWith('reindex_index')) params.index = o.table; else params.table = o.table;
  return h('a', { class: 'button', href: `#/maintenance?${q(params)}` }, `${operation.replace('_', ' ')}…`);
}

// Root blockers first, each waiter nested under the backend it waits for.
export function blockingTree(lockWaits, activity) {
  const byPid = new Map((activity || []).map((b) => [b.pid, b]));
  const waits = new Map((lockWaits || []).map((w) => [w.pid, w]));
  const children = new Map();
  for (const w of lockWaits || []) {
    for (const b of w.blocking_pids || []) {
      if (!children.has(b)) children.set(b, []);
      children.get(b).push(w.pid);
    }
  }
  let roots = [...children.keys()].filter((p) => !waits.has(p));
  if (!roots.length && children.size) roots = [[...children.keys()][0]];  // a cycle: start anywhere
  const seen = new Set();
  const node = (pid) => {
    if (seen.has(pid)) return h('li', {}, `pid ${pid} (already shown above: a cycle)`);
    seen.add(pid);
    const b = byPid.get(pid) || {};
    const w = waits.get(pid);
    const kids = children.get(pid) || [];
    return h('li', { 'data-pid': pid },
      h('div', { class: 'backend' },
        h('strong', {}, `pid ${pid}`), ' ',
        w ? h('span', { class: 'badge s-warning' }, `▲ waits ${fmtSeconds(w.wait_seconds)} for ${w.mode} on ${w.relation || w.locktype}`)
          : h('span', { class: 'badge s-critical' }, '✖ root blocker'),
        ` · ${b.usename || '?'} · ${b.application_name || 'no application name'} · ${b.state || '?'}`,
        b.xact_age_seconds != null ? ` · transaction open ${fmtSeconds(b.xact_age_seconds)}` : '',
        h('code', { class: 'query' }, b.query || '(query not visible)')),
      kids.length ? h('ul', {}, kids.map(node)) : null);
  };
  return roots.length ? h('ul', { class: 'tree', id: 'blocking-tree' }, roots.map(node))
    : h('p', { class: 'empty', id: 'blocking-tree' }, 'No backend waits for a lock.');
}

function connectionsPart(conn) {
  const client = (conn.activity || []).filter((b) => b.backend_type === 'client backend');
  const byApp = new Map();
  for (const b of client) byApp.set(b.application_name || '(none)', (byApp.get(b.application_name || '(none)') || 0) + 1);
  const parts = [
    table(['State', 'Backends'], Object.entries(conn.connections || {}).map(([s, n]) => [s, String(n)]), 'By state'),
    table(['Application', 'Backends'], [...byApp].sort((a, b) => b[1] - a[1]).map(([a, n]) => [a, String(n)]), 'By application'),
  ];
  if ((conn.pgbouncer_pools || []).length) {
    parts.push(table(['Database', 'User', 'Mode', 'Clients active', 'Clients waiting', 'Servers active', 'Servers idle', 'Longest wait'],
      conn.pgbouncer_pools.map((p) => [p.database, p.user, p.pool_mode, String(p.cl_active), String(p.cl_waiting),
        String(p.sv_active), String(p.sv_idle), fmtSeconds(p.maxwait_seconds)]), 'PgBouncer pools'));
  }
  return h('div', { class: 'cols' }, parts);
}

function findingRow(f, actions) {
  return [badge(f.severity), f.object || '', h('span', {}, f.message,
    f.recommendation ? h('div', { class: 'fix' }, f.recommendation.why || '',
      f.recommendation.sql ? h('pre', {}, h('code', {}, f.recommendation.sql)) : null) : null), actions || ''];
}

export async function render(root, ctx) {
  const name = ctx.arg;
  const head = h('div', { class: 'head' });
  const rangeBar = h('div', { class: 'ranges', role: 'group', 'aria-label': 'Chart range' });
  const charts = h('div', { class: 'charts' });
  const forecast = h('p', { class: 'hint', id: 'forecast' });
  const blocking = h('div', { id: 'blocking', 'aria-live': 'polite' });
  const conns = h('div', { id: 'connections' });
  const statements = h('div');
  const tables = h('div');
  const indexes = h('div');
  replace(root, h('p', {}, h('a', { href: '#/fleet' }, '← Fleet')), head,
    section('Charts', rangeBar, charts, forecast),
    section('Blocking tree', blocking), section('Connections', conns),
    section('Slow statements', statements), section('Tables needing VACUUM / ANALYZE', tables),
    section('Index findings', indexes));

  const drawHead = (t) => replace(head, h('h1', {}, name, ' ', badge(t.status)),
    h('p', {}, `Score ${t.score ?? '—'} · region ${t.region || '—'} · PostgreSQL ${t.server_version || '?'}`,
      t.last_error ? h('span', { class: 'error' }, ` ⚠ ${t.last_error}`) : ''),
    (t.reasons || []).length ? h('ul', { class: 'reasons' }, t.reasons.map((r) => h('li', {}, r)))
      : h('p', { class: 'hint' }, 'No reasons: every check passed.'));

  let live = [];
  let range = '1h';
  const drawCharts = async () => {
    live.forEach((c) => c.destroy());
    live = [];
    for (const b of rangeBar.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.range === range));
    // As many 300 px+ columns as fit (the grid in style.css makes the same choice).
    const full = charts.clientWidth || 900;
    const columns = Math.max(1, Math.floor((full + 12) / 312));
    const width = Math.floor((full - 12 * (columns - 1)) / columns) - 4;
    const made = await Promise.all(CHARTS.map(([metric, title, scale, unit]) => chart({ target: name, metric, title, range, width, scale, unit })));
    live = made;
    replace(charts, made.map((c) => c.el));
    // Growth of the database size over the range, and the days-to-full of storage.size_limit.
    const size = made[5].data || [];
    let total = 0;
    let perDay = null;
    for (const s of size) {
      const p = s.points.filter((x) => x[1] !== null);
      if (p.length >= 2) {
        perDay = perDay || 0;
        total += p.at(-1)[1];
        perDay += ((p.at(-1)[1] - p[0][1]) / (p.at(-1)[0] - p[0][0])) * 86400;
      }
    }
    const limit = (await view(name, 'storage').catch(() => ({ findings: [] }))).findings?.find((f) => f.id === 'storage.size_limit');
    forecast.textContent = limit ? `Days to full: ${fmt(limit.value)} — ${limit.message}`
      : `${perDay === null ? 'Not enough history in this range for a growth rate' : `Size ${fmt(total, 'MB')}, growing ${fmt(perDay, 'MB')} per day over ${range}`}; days to full: no size limit is configured (storage.size_limit).`;
  };
  replace(rangeBar, h('span', {}, 'Range: '), RANGES.map((r) => h('button', { type: 'button', 'data-range': r,
    onclick: () => { range = r; drawCharts(); } }, r)));

  const refreshLive = async () => {
    try {
      const [locks, conn] = await Promise.all([view(name, 'locks'), view(name, 'connections')]);
      drawHead(conn);
      replace(blocking, blockingTree(locks.lock_waits, conn.activity));
      replace(conns, connectionsPart(conn));
    } catch (e) {
      replace(blocking, errorBox(e));
    }
  };
  const refreshSlow = async () => {
    const [qv, tv, iv] = await Promise.all([view(name, 'queries'), view(name, 'tables'), view(name, 'indexes')]
      .map((p) => p.catch((e) => ({ error: e }))));
    if (qv.error) replace(statements, errorBox(qv.error));
    else {
      // query.* findings name their statement as "queryid N": the trend is query.regression's
      // verdict, the advice every other finding's message.
      const byQuery = new Map();
      for (const f of qv.findings || []) {
        const id = String(f.object).replace(/^queryid /, '');
        if (!byQuery.has(id)) byQuery.set(id, []);
        byQuery.get(id).push(f);
      }
      const top = [...(qv.statements || [])].sort((a, b) => b.total_exec_time - a.total_exec_time).slice(0, 10);
      replace(statements, table(['Statement', 'Calls', 'Mean', 'Total', 'Trend', 'Advice'], top.map((s) => {
        const found = byQuery.get(String(s.queryid)) || [];
        const regression = found.find((f) => f.id === 'query.regression');
        return [h('code', { class: 'query' }, s.query || ''), String(s.calls), `${fmt(s.mean_exec_time)} ms`,
          `${fmt(s.total_exec_time / 1000)} s`,
          regression ? h('span', {}, badge('warning'), ` slower: ${regression.message}`) : 'no regression found',
          found.filter((f) => f.id !== 'query.regression').map((f) => h('div', {}, f.message))];
      }), 'Top 10 by total time (pg_stat_statements)'));
    }
    if (tv.error) replace(tables, errorBox(tv.error));
    else {
      const rows = (tv.findings || []).filter((f) => /vacuum|analyze|bloat|dead/.test(f.id)).map((f) => findingRow(f,
        h('span', { class: 'actions' }, maintenanceLink(name, f, 'vacuum', ctx), ' ', maintenanceLink(name, f, 'analyze', ctx))));
      replace(tables, table(['Severity', 'Table', 'Finding', ''], rows));
    }
    if (iv.error) replace(indexes, errorBox(iv.error));
    else {
      replace(indexes, table(['Severity', 'Object', 'Finding and fix', ''], (iv.findings || []).map((f) =>
        findingRow(f, /bloat|invalid|corrupt/.test(f.id) ? maintenanceLink(name, f, 'reindex_index', ctx) : null))));
    }
  };

  drawHead((await api('/api/v1/targets')).targets.find((t) => t.name === name) || (() => { throw new Error(`there is no target "${name}"`); })());
  await Promise.all([refreshLive(), refreshSlow()]);
  drawCharts();

  let busy = false;
  let again = false;
  const onSample = async (s) => {
    if (s.target !== name) return;
    if (busy) { again = true; return; }
    busy = true;
    do { again = false; await refreshLive(); } while (again);
    busy = false;
  };
  const offs = [stream.on('sample', onSample), stream.on('status', (s) => { if (s.name === name) refreshSlow(); })];
  const timer = setInterval(refreshSlow, 30000);
  // Charts are sized in pixels: redraw them when the window's width settles on a new value.
  let resizeTimer = 0;
  let drawnWidth = charts.clientWidth;
  const onResize = () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => { if (charts.clientWidth !== drawnWidth) { drawnWidth = charts.clientWidth; drawCharts(); } }, 300);
  };
  window.addEventListener('resize', onResize);
  return () => {
    offs.forEach((f) => f());
    clearInterval(timer);
    clearTimeout(resizeTimer);
    window.removeEventListener('resize', onResize);
    live.forEach((c) => c.destroy());
  };
}
