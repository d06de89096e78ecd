// SPDX-License-Identifier: Apache-2.0
// The API client: the token lives in sessionStorage (this tab only, gone when it closes) and is
// sent as "Authorization: Bearer"; every failure becomes an Error whose message is in words
// (the API's own message when it sent one).
const KEY = 'pgvigil.token';

export const token = {
  get: () => sessionStorage.getItem(KEY) || '',
  set: (t) => (t ? sessionStorage.setItem(KEY, t) : sessionStorage.removeItem(KEY)),
};

export function headers(extra = {}) {
  const t = token.get();
  return t ? { ...extra, Authorization: `Bearer ${t}` } : extra;
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function api(path, { method = 'GET', body } = {}) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: headers(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch (e) {
    throw new ApiError(0, 'network', `cannot reach the pgvigil daemon (${e.message})`);
  }
  let data = null;
  const text = await res.text();
  try { data = text ? JSON.parse(text) : null; } catch { /* not JSON: described below */ }
  if (!res.ok && !(data && data.operations)) {
    const e = data && data.error;
    const what = {
      401: 'the token is missing or not known to this daemon — enter a valid token above',
      403: 'your token\'s role may not do this',
      404: 'not found',
      503: 'the daemon cannot answer this right now',
    }[res.status] || `the daemon answered HTTP ${res.status}`;
    throw new ApiError(res.status, e ? e.code : 'http', e ? `${what}: ${e.message}` : what);
  }
  if (data && data.operations && !res.ok) data.httpStatus = res.status;
  return data;
}

export const q = (params) => new URLSearchParams(
  Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '')).toString();
