// SPDX-License-Identifier: Apache-2.0
// What the dashboard's browser tests and benchmarks share: the sandbox's env file, psql,
// `pgvigil serve` as a child process with its own config, and Debian's Chromium driven by
// playwright-core (from web/node_modules, pinned by web/package-lock.json).
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export function readEnv(file) {
  const env = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = line.match(/^export (\w+)='?(.*?)'?$/);
    if (m) env[m[1]] = m[2];
  }
  return env;
}

export function psql(dsn, sql) {
  const r = spawnSync('psql', [dsn, '-XAtq', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
  return r.stdout.trim();
}

export function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(fn, timeoutMs, what) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try { last = await fn(); if (last) return last; } catch (e) { last = e; }
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last})`);
}

export const TOKENS = { admin: 'dash-admin-secret', operator: 'dash-operator-secret', viewer: 'dash-viewer-secret' };

// Starts `pgvigil serve` on a free port watching the sandbox at `dsn`; resolves when the first
// sample is in. Alerts fire on blocking locks at once (for: 0s), so a test can acknowledge one.
// `maintenanceDsn` (the sandbox's superuser) is the target's maintenance_dsn when this binary
// knows the field (issue 6; `serve --check-config` says), so VACUUM from the page can run.
export async function startDaemon({ binary, dsn, dir, maintenanceDsn }) {
  const port = await freePort();
  fs.mkdirSync(path.join(dir, 'var'), { recursive: true });
  const config = path.join(dir, 'pgvigil.yaml');
  const write = (maintenance) => fs.writeFileSync(config, `
listen: "127.0.0.1:${port}"
store: { path: "${dir}/var/pgvigil.db" }
schedule: { fast: 1s, standard: 5s, slow: 30s }
auth:
  tokens:
    - { name: dash-admin, token: "${TOKENS.admin}", role: admin }
    - { name: dash-ops, token: "${TOKENS.operator}", role: operator }
    - { name: dash-view, token: "${TOKENS.viewer}", role: viewer }
targets:
  - { name: alpha, dsn: "${dsn}", region: test-region, labels: { env: test }${maintenance ? `, maintenance_dsn: "${maintenance}"` : ''} }
thresholds:
  locks.blocking: { warning: 0s, critical: 1h }
alerts:
  defaults: { for: 0s, resolve_after: 2s }
  rules:
    - { check: "*", enabled: false }
    - { check: locks.blocking, enabled: true }
`);
  write(maintenanceDsn);
  if (maintenanceDsn && spawnSync(binary, ['serve', '-c', config, '--check-config']).status !== 0) write(null);
  const log = fs.openSync(path.join(dir, 'daemon.log'), 'a');
  const proc = spawn(binary, ['serve', '-c', config], { stdio: ['ignore', log, log] });
  const base = `http://127.0.0.1:${port}`;
  const get = async (p, token = TOKENS.viewer) => {
    const r = await fetch(base + p, { headers: { Authorization: `Bearer ${token}` } });
    return { status: r.status, body: r.headers.get('content-type')?.includes('json') ? await r.json() : await r.text() };
  };
  await waitFor(async () => (await get('/healthz')).status === 200, 15000, 'the daemon to listen');
  await waitFor(async () => (await get('/api/v1/targets')).body.targets[0].status !== 'unknown', 20000, 'the first sample');
  return {
    base, get, port,
    stop: () => new Promise((resolve) => { proc.once('exit', resolve); proc.kill('SIGTERM'); }),
  };
}

// Chromium headless with the flags of the brief, a fresh profile each time.
export async function launchBrowser(sourceDir) {
  const require = createRequire(path.join(sourceDir, 'web', 'package.json'));
  const { chromium } = require('playwright-core');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'pgvigil-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.PGVIGIL_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
  });
  return {
    context,
    close: async () => { await context.close(); fs.rmSync(profile, { recursive: true, force: true }); },
  };
}

// Opens the dashboard and enters `token` in the form, as a person would.
export async function signIn(page, base, token, view = 'fleet') {
  await page.goto(`${base}/#/${view}`);
  await page.fill('#token-input', token);
  await page.click('#token-form button[type=submit]');
}

// A table locked by one psql session and, after block(), waited for by another.
export class Lock {
  constructor(dsn, table) {
    this.dsn = dsn;
    this.table = table;
    this.holder = spawn('psql', [dsn, '-Xq'], { stdio: ['pipe', 'ignore', 'ignore'] });
    this.holder.stdin.write(`BEGIN; LOCK TABLE ${table};\n`);
  }

  async held() {
    const sql = `select count(*) from pg_locks l join pg_class c on c.oid = l.relation where c.relname = '${this.table}' and l.mode = 'AccessExclusiveLock' and l.granted`;
    await waitFor(() => psql(this.dsn, sql) === '1', 10000, 'the holder to take its lock');
  }

  block() {
    this.waiter = spawn('psql', [this.dsn, '-Xqc', `SELECT count(*) FROM ${this.table}`], { stdio: 'ignore' });
    return Date.now();
  }

  // Ends the holder's transaction; the waiter then gets the table and exits.
  async release() {
    const exited = (p) => new Promise((r) => (p.exitCode !== null ? r() : p.once('exit', r)));
    this.holder.stdin.end('COMMIT;\n');
    await exited(this.holder);
    if (this.waiter) await exited(this.waiter);
  }
}
