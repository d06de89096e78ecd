// SPDX-License-Identifier: Apache-2.0
// The one live connection of the page: GET /api/v1/stream read through fetch() (EventSource
// cannot send an Authorization header). Views subscribe by event name and unsubscribe when they
// are replaced, so listeners never pile up. Reconnects after the server's retry hint.
import { headers } from './api.js';

const listeners = new Map();  // event name -> Set of callbacks
let controller = null;
let retryMs = 3000;
let onState = () => {};

export function on(event, fn) {
  if (!listeners.has(event)) listeners.set(event, new Set());
  listeners.get(event).add(fn);
  return () => listeners.get(event).delete(fn);
}

export function onConnection(fn) { onState = fn; }

function dispatch(block) {
  let event = 'message';
  let data = '';
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data += line.slice(5).trimStart();
    else if (line.startsWith('retry:')) retryMs = Number(line.slice(6)) || retryMs;
  }
  if (!data) return;
  let payload;
  try { payload = JSON.parse(data); } catch { return; }
  for (const fn of listeners.get(event) || []) {
    try { fn(payload); } catch (e) { console.error(e); }
  }
}

async function run(signal) {
  while (!signal.aborted) {
    try {
      const res = await fetch('/api/v1/stream', { headers: headers(), signal });
      if (res.status === 401 || res.status === 403) {
        // Retrying cannot help until the token changes, and connect() runs again then.
        onState(false, 'live updates: the token is not accepted');
        return;
      }
      if (!res.ok) {
        onState(false, `live updates: HTTP ${res.status}`);
      } else {
        onState(true, 'live');
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            dispatch(buf.slice(0, i));
            buf = buf.slice(i + 2);
          }
        }
        onState(false, 'live updates: reconnecting');
      }
    } catch (e) {
      if (signal.aborted) return;
      onState(false, `live updates: reconnecting (${e.message})`);
    }
    await new Promise((r) => setTimeout(r, retryMs));
  }
}

// (Re)starts the stream, e.g. after the token changed.
export function connect() {
  if (controller) controller.abort();
  controller = new AbortController();
  run(controller.signal);
}
