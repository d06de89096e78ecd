// SPDX-License-Identifier: Apache-2.0
// The dashboard's entry: the token form, who the token is (GET /api/v1/whoami: its role decides
// which controls show), hash routing between the views, and the one live stream.
import { api, token } from './api.js';
import { h, replace, errorBox } from './dom.js';
import * as stream from './stream.js';
import * as fleet from './fleet.js';
import * as target from './target.js';
import * as alerts from './alerts.js';
import * as maintenance from './maintenance.js';

const ROLES = { viewer: 0, operator: 1, admin: 2 };
const ctx = {
  who: null,  // {name, role} once known
  can(role) { return this.who !== null && ROLES[this.who.role] >= ROLES[role]; },
};
let cleanup = () => {};

const $ = (id) => document.getElementById(id);

function banner(message) {
  const b = $('banner');
  b.hidden = !message;
  b.textContent = message ? `⚠ ${message}` : '';
}

async function identify() {
  try {
    ctx.who = await api('/api/v1/whoami');
    replace($('whoami'), `${ctx.who.name} (${ctx.who.role})`);
    banner('');
  } catch (e) {
    ctx.who = null;
    replace($('whoami'), 'not signed in');
    banner(e.message);
  }
}

function parseHash() {
  const [path, query] = (location.hash.replace(/^#\/?/, '') || 'fleet').split('?');
  const [view, ...rest] = path.split('/');
  return { view, arg: rest.map(decodeURIComponent).join('/'), params: new URLSearchParams(query || '') };
}

async function route() {
  cleanup();
  cleanup = () => {};
  const { view, arg, params } = parseHash();
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === view) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const main = $('main');
  const views = { fleet, target, alerts, maintenance };
  const mod = views[view];
  if (!mod) {
    replace(main, errorBox(new Error(`there is no view "${view}"`)), h('a', { href: '#/fleet' }, 'Go to the fleet'));
    return;
  }
  replace(main);
  if (!ctx.who) {
    main.append(h('p', { class: 'hint' },
      'Enter an API token above to see the data (the page itself holds none).'));
    if (!token.get()) return;
  }
  try {
    cleanup = (await mod.render(main, { ...ctx, can: ctx.can.bind(ctx), arg, params })) || (() => {});
  } catch (e) {
    replace(main, errorBox(e));
  }
}

async function start() {
  $('token-input').value = '';
  $('token-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    token.set($('token-input').value.trim());
    $('token-input').value = '';
    await identify();
    stream.connect();
    route();
  });
  $('token-clear').addEventListener('click', async () => {
    token.set('');
    await identify();
    stream.connect();
    route();
  });
  stream.onConnection((ok, text) => {
    $('live').textContent = ok ? '● live' : `○ ${text}`;
    $('live').className = ok ? 'live on' : 'live off';
  });
  window.addEventListener('hashchange', route);
  await identify();
  stream.connect();
  route();
}

start();
