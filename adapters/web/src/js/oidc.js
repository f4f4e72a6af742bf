// Signing in through the council's OpenID provider, when the server has one
// (GET /v1/signin): oidc-client-ts (vendor/oidc-client-ts.min.js, the global
// `oidc`) runs the authorization code flow with PKCE (S256), the provider
// redirects back to / with ?code&state, and the tokens are kept in this
// tab's sessionStorage by the library, like a pasted token (session.js).
// Before the access token expires the library trades the refresh token for
// a new one; signing out revokes the refresh token and ends the session at
// the provider (its end_session_endpoint, with id_token_hint), which sends
// the browser back to / with ?state.

import { get, ApiError } from './api.js';
import * as session from './session.js';

let optionsPromise = null;
let userManager = null;

// The provider's issuer, client_id, audience and scope; null when the
// server signs in with pasted tokens only.
export function signInOptions() {
  if (!optionsPromise) {
    optionsPromise = get('/v1/signin', { anonymous: true }).catch((e) => {
      if (e instanceof ApiError && e.status === 404) return null;
      optionsPromise = null;
      throw e;
    });
  }
  return optionsPromise;
}

function home() {
  return `${window.location.origin}/`;
}

async function manager() {
  if (userManager) return userManager;
  const options = await signInOptions();
  if (!options || !window.oidc) return null;
  const { UserManager, WebStorageStateStore } = window.oidc;
  const store = new WebStorageStateStore({ store: window.sessionStorage, prefix: 'frontdoor.oidc.' });
  userManager = new UserManager({
    authority: options.issuer,
    client_id: options.client_id,
    redirect_uri: home(),
    post_logout_redirect_uri: home(),
    response_type: 'code',
    response_mode: 'query',
    scope: options.scope || 'openid profile offline_access',
    userStore: store,
    stateStore: store,
    // Renew a minute before the access token expires, with the refresh token.
    automaticSilentRenew: true,
    accessTokenExpiringNotificationTimeInSeconds: 60,
    loadUserInfo: false,
    monitorSession: false,
    revokeTokenTypes: ['refresh_token'],
  });
  userManager.events.addUserLoaded((user) => session.setProviderToken(user.access_token));
  userManager.events.addUserUnloaded(() => session.setProviderToken(null));
  userManager.events.addAccessTokenExpired(() => session.setProviderToken(null));
  return userManager;
}

// Called once when the app starts: finishes a sign-in or a sign-out the
// provider has just redirected back from, or takes up the tab's session.
// Returns 'signed-in', 'signed-out', {error} or null (nothing to do).
export async function resume() {
  const params = new URLSearchParams(window.location.search);
  const returning = params.has('state') && (params.has('code') || params.has('error'));
  const signedOut = params.has('state') && !returning;
  if (!returning && !signedOut && session.via() !== 'provider') return null;
  let mgr;
  try {
    mgr = await manager();
  } catch {
    mgr = null;
  }
  const clean = (hash) => window.history.replaceState(null, '', `/${hash}`);
  if (!mgr) {
    if (returning || signedOut) clean('#/sign-in');
    return null;
  }
  if (returning) {
    try {
      const user = await mgr.signinRedirectCallback();
      session.signedInVia('provider');
      session.setProviderToken(user.access_token);
      clean('#/');
      return 'signed-in';
    } catch (e) {
      clean('#/sign-in');
      return { error: (e && e.error_description) || (e && e.message) || 'the provider did not sign you in' };
    }
  }
  if (signedOut) {
    try { await mgr.signoutRedirectCallback(); } catch { /* the state may be gone: signed out all the same */ }
    clean('#/sign-in?signed-out=1');
    return 'signed-out';
  }
  const user = await mgr.getUser();
  if (user && !user.expired) {
    session.setProviderToken(user.access_token);
  } else if (user && user.refresh_token) {
    try {
      const renewed = await mgr.signinSilent();
      session.setProviderToken(renewed && renewed.access_token);
    } catch {
      session.setProviderToken(null);
    }
  }
  return null;
}

// Sends the browser to the provider's sign-in page.
export async function signIn() {
  const mgr = await manager();
  if (!mgr) throw new Error('This service has no identity provider to sign in with.');
  await mgr.signinRedirect();
}

// Forgets the tab's session, revokes the refresh token and ends the session
// at the provider. Returns false when there was no provider session (the
// caller then shows the signed-out page itself).
export async function signOut() {
  const signedInThere = session.via() === 'provider';
  session.signOut();
  if (!signedInThere) return false;
  let mgr = null;
  try { mgr = await manager(); } catch { mgr = null; }
  if (!mgr) return false;
  const user = await mgr.getUser();
  if (!user) return false;
  try { await mgr.revokeTokens(); } catch { /* ending the session below still signs out */ }
  // A state, so that the provider's redirect back is known for a sign-out.
  await mgr.signoutRedirect({ id_token_hint: user.id_token, state: 'signed-out' });
  return true;
}
