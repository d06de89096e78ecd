// SPDX-License-Identifier: Apache-2.0
// The dashboard's first load: bytes transferred (compressed, as on the wire: headers + bodies of
// every request but the live stream) and the time until the fleet view is usable (a target tile
// shown), in Chromium with the cache disabled; median of RUNS loads. Fails (exit 1) over 300 KB
// or over 1 s.
//
// Usage: scripts/pg-sandbox.sh start build/bench-sandbox
//        node bench/dashboard-load.mjs build/pgvigil build/bench-sandbox/env [RUNS]
//        scripts/pg-sandbox.sh stop build/bench-sandbox
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readEnv, startDaemon, launchBrowser, TOKENS } from '../tests/dashboard/harness.mjs';

const [binary, envFile, runsArg] = process.argv.slice(2);
if (!binary || !envFile) {
  console.error('usage: node bench/dashboard-load.mjs PGVIGIL_BINARY SANDBOX_ENV [RUNS]');
  process.exit(2);
}
const RUNS = Number(runsArg || 5);
const SOURCE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LIMIT_BYTES = 300 * 1024;
const LIMIT_MS = 1000;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pgvigil-dashboard-load-'));
const daemon = await startDaemon({ binary, dsn: readEnv(envFile).PGVIGIL_TEST_DSN, dir: tmp });
const browser = await launchBrowser(SOURCE);
await browser.context.addInitScript((t) => sessionStorage.setItem('pgvigil.token', t), TOKENS.viewer);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const page = await browser.context.newPage();
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const urls = new Map();
    const sizes = new Map();
    cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
    cdp.on('Network.loadingFinished', (e) => sizes.set(e.requestId, e.encodedDataLength));
    const t0 = Date.now();
    await page.goto(`${daemon.base}/#/fleet`);
    await page.locator('.tile[data-target="alpha"]').waitFor({ timeout: 10000 });
    const usableMs = Date.now() - t0;
    await page.waitForLoadState('networkidle').catch(() => {});
    let total = 0;
    let assets = 0;
    for (const [id, bytes] of sizes) {
      const url = urls.get(id) || '';
      if (url.includes('/api/v1/stream')) continue;
      total += bytes;
      if (!url.includes('/api/')) assets += bytes;
    }
    results.push({ usableMs, total, assets, requests: sizes.size });
    await page.close();
  }
} finally {
  await browser.close();
  await daemon.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
const summary = {
  runs: RUNS,
  transferred_bytes: median(results.map((r) => r.total)),
  assets_bytes: median(results.map((r) => r.assets)),
  requests: median(results.map((r) => r.requests)),
  usable_ms_median: median(results.map((r) => r.usableMs)),
  usable_ms_max: Math.max(...results.map((r) => r.usableMs)),
};
console.log(JSON.stringify(summary));
if (summary.transferred_bytes > LIMIT_BYTES || summary.usable_ms_median > LIMIT_MS) {
  console.error(`dashboard-load: over the budget (${LIMIT_BYTES} bytes, ${LIMIT_MS} ms)`);
  process.exit(1);
}
