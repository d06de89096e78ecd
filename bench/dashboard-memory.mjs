// SPDX-License-Identifier: Apache-2.0
// The dashboard's memory under live updates: the target view (which refetches the blocking tree
// and connections on every fast-tier event, ≈ 1 s) and the fleet view open side by side for
// MINUTES; the JS heap (after a forced GC) and the DOM node count are read after a 30 s warm-up
// and at the end. Fails (exit 1) when the heap grew by more than 1 MB plus 10 %.
//
// Usage: scripts/pg-sandbox.sh start build/bench-sandbox
//        node bench/dashboard-memory.mjs build/pgvigil build/bench-sandbox/env MINUTES
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readEnv, startDaemon, launchBrowser, sleep, TOKENS } from '../tests/dashboard/harness.mjs';

const [binary, envFile, minutesArg] = process.argv.slice(2);
if (!binary || !envFile) {
  console.error('usage: node bench/dashboard-memory.mjs PGVIGIL_BINARY SANDBOX_ENV [MINUTES]');
  process.exit(2);
}
const MINUTES = Number(minutesArg || 10);
const SOURCE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pgvigil-dashboard-memory-'));
const daemon = await startDaemon({ binary, dsn: readEnv(envFile).PGVIGIL_TEST_DSN, dir: tmp });
const browser = await launchBrowser(SOURCE);
await browser.context.addInitScript((t) => sessionStorage.setItem('pgvigil.token', t), TOKENS.operator);

async function measure(page, cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  const nodes = await page.evaluate(() => document.getElementsByTagName('*').length);
  return { heap_bytes: usedSize, dom_nodes: nodes };
}

const out = { minutes: MINUTES, views: {} };
try {
  const pages = {};
  for (const view of ['target/alpha', 'fleet']) {
    const page = await browser.context.newPage();
    await page.goto(`${daemon.base}/#/${view}`);
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('HeapProfiler.enable');
    pages[view] = { page, cdp };
  }
  await sleep(30000);
  for (const [view, { page, cdp }] of Object.entries(pages)) out.views[view] = { before: await measure(page, cdp) };
  await sleep(MINUTES * 60000);
  for (const [view, { page, cdp }] of Object.entries(pages)) {
    out.views[view].after = await measure(page, cdp);
    out.views[view].live = await page.locator('#live').innerText();
  }
} finally {
  await browser.close();
  await daemon.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
console.log(JSON.stringify(out));
for (const [view, { before, after }] of Object.entries(out.views)) {
  if (after.heap_bytes > before.heap_bytes * 1.1 + 1048576) {
    console.error(`dashboard-memory: the heap of ${view} grew from ${before.heap_bytes} to ${after.heap_bytes}`);
    process.exitCode = 1;
  }
}
