// SPDX-License-Identifier: Apache-2.0
// The dashboard in a real browser: Debian's Chromium (headless, driven by playwright-core)
// against `pgvigil serve` watching the "pg" fixture's sandbox, where the tests create what the
// views must show (a blocking lock, an alert, a table for VACUUM).
//
//   - the fleet view shows the target and its status in words;
//   - a wrong token is an error in words; a viewer sees no action button (an operator does);
//   - a blocking lock appears in the blocking tree within 2 s, without a reload;
//   - acknowledging the lock's alert changes its state in the page and in the API;
//   - a VACUUM started from the page (dry run, confirmation) completes and shows in the history.
// Screenshots of each view go to ARTIFACTS_DIR.
//
// Usage: node --test-reporter=spec dashboard_test.mjs  (with PGVIGIL_BINARY, PGVIGIL_SOURCE_DIR,
// PGVIGIL_SANDBOX_ENV and PGVIGIL_ARTIFACTS set; tests/dashboard/CMakeLists.txt does that)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { readEnv, psql, startDaemon, launchBrowser, signIn, sleep, waitFor, Lock, TOKENS } from './harness.mjs';

const { PGVIGIL_BINARY: BINARY, PGVIGIL_SOURCE_DIR: SOURCE, PGVIGIL_SANDBOX_ENV: ENV_FILE,
  PGVIGIL_ARTIFACTS: ARTIFACTS } = process.env;

let daemon;
let browser;
let pg;
let tmp;
let lock;

const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

before(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pgvigil-dashboard-'));
  pg = readEnv(ENV_FILE);
  psql(pg.PGVIGIL_TEST_ADMIN_DSN, `
    DROP TABLE IF EXISTS dash_lock, dash_vac;
    CREATE TABLE dash_lock (i int);
    CREATE TABLE dash_vac (id int PRIMARY KEY, v text);
    INSERT INTO dash_vac SELECT g, repeat('x', 50) FROM generate_series(1, 20000) g;
    DELETE FROM dash_vac WHERE id % 2 = 0;`);
  daemon = await startDaemon({ binary: BINARY, dsn: pg.PGVIGIL_TEST_DSN, dir: tmp,
    maintenanceDsn: pg.PGVIGIL_TEST_ADMIN_DSN });
  browser = await launchBrowser(SOURCE);
});

after(async () => {
  if (lock) await lock.release().catch(() => {});
  if (browser) await browser.close();
  if (daemon) await daemon.stop();
  if (!process.env.PGVIGIL_KEEP_E2E) fs.rmSync(tmp, { recursive: true, force: true });
});

test('the page is public, gzip-compressed and under a strict CSP; its data is not public', async () => {
  const index = await fetch(`${daemon.base}/`, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(index.status, 200);
  assert.equal(index.headers.get('content-encoding'), 'gzip');
  assert.match(index.headers.get('content-security-policy'), /script-src 'self';.*connect-src 'self'/);
  assert.match(await index.text(), /<script type="module" src="\/assets\/app.js">/);
  const uplot = await fetch(`${daemon.base}/assets/uPlot.esm.js`);
  assert.equal(uplot.status, 200);
  assert.match(uplot.headers.get('content-type'), /^text\/javascript/);
  assert.equal((await fetch(`${daemon.base}/assets/..%2F..%2Fpgvigil.yaml`)).status, 404);
  assert.equal((await fetch(`${daemon.base}/api/v1/whoami`)).status, 401);
});

test('the fleet view shows the target and its status in words', async () => {
  const page = await browser.context.newPage();
  // Console errors (a CSP violation is one) and uncaught exceptions; not the 401 of whoami
  // before the token is entered, which Chromium logs as "Failed to load resource".
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await signIn(page, daemon.base, TOKENS.viewer);
  const tile = page.locator('.tile[data-target="alpha"]');
  await tile.waitFor({ timeout: 10000 });
  assert.match(await tile.locator('.badge').first().innerText(), /Healthy|Degraded|Unhealthy/);
  assert.match(await tile.innerText(), /test-region/);
  assert.equal(await page.locator('#whoami').innerText(), 'dash-view (viewer)');
  await shot(page, 'fleet');
  assert.deepEqual(problems, []);
  // The filters: a status it does not have hides the tile, its label shows it again.
  await page.selectOption('#f-status', 'unreachable');
  assert.equal(await page.locator('.tile').count(), 0);
  await page.selectOption('#f-status', '');
  await page.fill('#f-label', 'env=test');
  assert.equal(await page.locator('.tile').count(), 1);
  await page.fill('#f-label', 'env=prod');
  assert.equal(await page.locator('.tile').count(), 0);
  await page.fill('#f-label', '');
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, 'fleet-phone');
  await page.close();
});

test('a wrong token shows an error in words', async () => {
  const page = await browser.context.newPage();
  await signIn(page, daemon.base, 'not-a-token');
  const banner = page.locator('#banner');
  await banner.waitFor({ state: 'visible', timeout: 5000 });
  assert.match(await banner.innerText(), /not known to this daemon.*unknown bearer token/);
  assert.equal(await page.locator('.tile').count(), 0);
  await shot(page, 'wrong-token');
  await page.close();
});

test('a blocking lock appears in the blocking tree within 2 s without a reload', async () => {
  const page = await browser.context.newPage();
  await signIn(page, daemon.base, TOKENS.operator, 'target/alpha');
  await page.locator('#blocking-tree', { hasText: 'No backend waits' }).waitFor({ timeout: 10000 });
  await page.evaluate(() => { window.pgvigilNoReload = true; });
  lock = new Lock(pg.PGVIGIL_TEST_ADMIN_DSN, 'dash_lock');
  await lock.held();
  const started = lock.block();
  await page.locator('#blocking-tree li li').first().waitFor({ timeout: 5000 });
  const elapsed = Date.now() - started;
  console.log(`blocking tree latency: ${elapsed} ms`);
  assert.ok(elapsed < 2000, `the lock took ${elapsed} ms to appear`);
  assert.equal(await page.evaluate(() => window.pgvigilNoReload), true, 'the page was reloaded');
  const tree = await page.locator('#blocking-tree').innerText();
  assert.match(tree, /root blocker/);
  assert.match(tree, /AccessShareLock on .*dash_lock/);
  assert.match(tree, /SELECT count\(\*\) FROM dash_lock/);
  await shot(page, 'target');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(1500);  // the charts redraw at the new width
  await shot(page, 'target-phone');
  await page.close();
});

test('acknowledging an alert changes its state in the page and in the API', async () => {
  const page = await browser.context.newPage();
  await signIn(page, daemon.base, TOKENS.operator, 'alerts');
  const ack = page.locator('button[data-action="acknowledge"]').first();
  await ack.waitFor({ timeout: 10000 });
  await shot(page, 'alerts');
  await ack.click();
  await page.locator('#alerts-list .badge', { hasText: 'Acknowledged' }).first().waitFor({ timeout: 5000 });
  const { body } = await daemon.get('/api/v1/alerts?state=acknowledged');
  assert.equal(body.alerts.length, 1);
  assert.equal(body.alerts[0].check_id, 'locks.blocking');
  assert.equal(body.alerts[0].acked_by, 'dash-ops');
  await lock.release();
  lock = null;
  await page.close();
});

test('a viewer sees no action buttons; an operator does', async () => {
  const viewer = await browser.context.newPage();
  await signIn(viewer, daemon.base, TOKENS.viewer, 'alerts');
  await viewer.locator('#alerts-list table').waitFor({ timeout: 10000 });
  assert.equal(await viewer.locator('[data-action]').count(), 0);
  await viewer.goto(`${daemon.base}/#/maintenance`);
  await viewer.locator('h1', { hasText: 'Maintenance' }).waitFor();
  assert.equal(await viewer.locator('#m-dry-run, #r-dry-run, #m-confirm').count(), 0);
  await viewer.goto(`${daemon.base}/#/target/alpha`);
  await viewer.locator('#blocking-tree').waitFor({ timeout: 10000 });
  assert.equal(await viewer.locator('a.button').count(), 0);
  await viewer.close();
  const operator = await browser.context.newPage();
  await signIn(operator, daemon.base, TOKENS.operator, 'maintenance');
  await operator.locator('#m-dry-run').waitFor({ timeout: 10000 });
  // Reachable by keyboard: Tab from the top of the page gets to the dry-run button.
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await operator.keyboard.press('Tab');
    reached = await operator.evaluate(() => document.activeElement?.id === 'm-dry-run');
  }
  assert.ok(reached, 'Tab never reached the dry-run button');
  await operator.close();
});

test('a VACUUM started from the page completes and shows in the history', async () => {
  const page = await browser.context.newPage();
  await signIn(page, daemon.base, TOKENS.operator,
    'maintenance?target=alpha&operation=vacuum&schema=public&table=dash_vac&finding=table.vacuum_overdue');
  await page.click('#m-dry-run');
  const preview = page.locator('#maint-preview');
  await preview.locator('pre, .error').first().waitFor({ timeout: 10000 });
  await shot(page, 'maintenance-dry-run');
  assert.equal(await preview.locator('.error').count(), 0, await preview.innerText());
  assert.match(await preview.innerText(), /VACUUM .*dash_vac/);
  // A dry run is final ('planned'): it never shows among the running operations.
  await page.waitForTimeout(500);
  assert.match(await page.locator('#maint-running').innerText(), /Nothing is running/);
  await page.click('#m-confirm');
  const row = page.locator('#maint-history tr', { hasText: 'dash_vac' }).first();
  await row.locator('[data-op-state="completed"]').waitFor({ timeout: 60000 });
  await shot(page, 'maintenance');
  const { body } = await daemon.get('/api/v1/maintenance?type=history&target=alpha');
  const op = body.operations.find((o) => /dash_vac/.test(o.object) && o.state !== 'planned');
  assert.equal(op.state, 'completed');
  assert.equal(op.initiator, 'dash-ops');
  // Where it was started, the operation's state follows the stream to "completed" as well.
  await page.locator(`#maint-preview [data-op="${op.id}"] [data-op-state="completed"]`).waitFor({ timeout: 5000 });
  await page.close();
});

test('a recovery dry run lists the backends it would act on', async () => {
  // An idle-in-transaction session of an ordinary role (superuser sessions are never listed).
  const idle = spawn('psql', [pg.PGVIGIL_TEST_NOPRIV_DSN, '-Xq'], { stdio: ['pipe', 'ignore', 'ignore'] });
  idle.stdin.write("BEGIN; SELECT 'dash-idle';\n");
  await waitFor(() => psql(pg.PGVIGIL_TEST_ADMIN_DSN, "select count(*) from pg_stat_activity where state = 'idle in transaction' and query like '%dash-idle%'") === '1', 10000, 'the idle transaction');
  await sleep(1500);
  try {
    const page = await browser.context.newPage();
    await signIn(page, daemon.base, TOKENS.admin, 'maintenance');
    await page.fill('#r-idle-tx', '1');
    await page.click('#r-dry-run');
    const result = page.locator('#recovery-result');
    await result.locator('p').first().waitFor({ timeout: 10000 });
    const text = await result.innerText();
    assert.match(text, /Dry run: [1-9]\d* backend\(s\) would be acted on/, text);
    assert.match(text, /dash-idle/);
    assert.equal(await page.locator('#r-confirm').count(), 1);  // admin may execute
    await shot(page, 'recovery-dry-run');
    await page.close();
  } finally {
    idle.stdin.end('ROLLBACK;\n');
  }
});
