// The signed-in key and calls to the API with it. The key lives in sessionStorage: it goes
// when the tab closes, and no other site can read it (the daemon's Content-Security-Policy
// lets only these files run on the page).
const STORE = 'steward.key';
export const KEY_REFUSED = 'steward:key-refused';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const session = {
  key: () => sessionStorage.getItem(STORE),
  set: (key) => sessionStorage.setItem(STORE, key),
  clear: () => sessionStorage.removeItem(STORE),
};

// Calls the API; the answer's JSON, or throws ApiError with the API's own error message.
export async function api(method, path, body, key = session.key()) {
  const headers = { Authorization: `Bearer ${key}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let data = null;
  try { data = await res.json(); } catch { /* an empty or non-JSON answer */ }
  if (!res.ok) {
    // The signed-in key refused (revoked or expired meanwhile), whichever page or timer
    // asked: app.js signs out once, saying why.
    if (res.status === 401 && key && key === session.key()) window.dispatchEvent(new Event(KEY_REFUSED));
    const err = data && data.error ? data.error : { code: 'http_error', message: `HTTP ${res.status}` };
    throw new ApiError(res.status, err.code, err.message);
  }
  return data;
}

// What the signed-in key may do (GET /api/keys/self), fetched once per sign-in.
let self = null;
export async function loadSelf(key) {
  self = await api('GET', '/api/keys/self', undefined, key);
  return self;
}
export const me = () => self;
export const forget = () => { self = null; };
export const can = (permission) => !!self && self.permissions.includes(permission);
// May this key run automation `id`? (run: any; scenario:run: a single-task key's own one.)
export const canRun = (id) => can('run') || (can('scenario:run') && (!self.automation_id || self.automation_id === id));
export const canReadRuns = () => can('history');
