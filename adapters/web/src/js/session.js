// Who is signed in, and with what. A pasted API token lives in this tab's
// sessionStorage only: never localStorage, a cookie or a URL, so it is gone
// when the tab closes and is never sent anywhere but as the Authorization
// header of our own fetches. A person who signed in through the identity
// provider (oidc.js) has their tokens kept by oidc-client-ts in the same
// sessionStorage; the access token is copied here, in memory only, for the
// Authorization header. The server's clock (GET /v1/whoami's `now`) is kept
// too, since deadlines are counted against it (tests run the server on a
// manual clock).

const TOKEN_KEY = 'frontdoor.token';
const VIA_KEY = 'frontdoor.via';

let who = null; // {name, role, now}
let providerToken = null;
let serverNowMs = null;
let fetchedAtMs = null;

export const token = () => (via() === 'provider' ? providerToken : sessionStorage.getItem(TOKEN_KEY));
export function setToken(value) {
  sessionStorage.removeItem(VIA_KEY);
  sessionStorage.setItem(TOKEN_KEY, value);
}
// 'token' (pasted), 'provider' (the identity provider) or null.
export const via = () => (sessionStorage.getItem(TOKEN_KEY) ? 'token' : sessionStorage.getItem(VIA_KEY));
export function signedInVia(how) {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.setItem(VIA_KEY, how);
}
export function setProviderToken(value) {
  providerToken = value || null;
}
export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(VIA_KEY);
  providerToken = null;
  who = null;
}

export const whoami = () => who;
export function setWho(value) {
  who = value;
  if (value && value.now) observeTime(value.now, true);
}

// The server's "now": its clock when last read, plus the time since then.
export function now() {
  if (serverNowMs === null) return Date.now();
  return serverNowMs + (performance.now() - fetchedAtMs);
}

// A time the server reported (its clock, or an event that just happened)
// moves our idea of its clock forward; `reset` takes it as the clock itself.
export function observeTime(iso, reset = false) {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return;
  if (reset || serverNowMs === null || ms > now()) {
    serverNowMs = ms;
    fetchedAtMs = performance.now();
  }
}
