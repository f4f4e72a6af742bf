// A real OpenID provider (the certified npm package oidc-provider) on loopback, for frontdoor's
// integration and e2e tests. Synthetic test users only; keys are generated at start and never
// written to disk. Not for any other use.
//
//   node tests/oidc/provider.mjs [--port N] [--audience frontdoor] [--access-token-ttl SECONDS]
//        [--redirect-uri URI]... [--post-logout-redirect-uri URI]...
//
// Listens on 127.0.0.1 (--port 0, the default, picks a free port) and prints one line
//   issuer http://127.0.0.1:NNNN
// on stdout when ready. Stop it with SIGTERM.
//
// Users (username / password), with the `roles` claim their tokens carry:
//   sam    / sam-pw     "Sam Patel"    ["triage"]
//   robin  / robin-pw   "Robin Shah"   ["triage"]      (a second triage worker)
//   morgan / morgan-pw  "Morgan Lee"   ["manager"]
//   alex   / alex-pw    "Alex Khan"    ["admin"]
//   casey  / casey-pw   "Casey Jones"  ["FrontDoor.Manager"]  (an Entra-style app role: needs
//                                       role_map {FrontDoor.Manager: manager})
//   nobody / nobody-pw  "No Role"      []
// The subject (`sub`) of each is "user-<username>", e.g. "user-sam".
//
// Access tokens are JWTs (RFC 9068, but with the header's typ "JWT" as Entra ID writes it) for the
// resource "urn:frontdoor" with `aud` = the audience (default "frontdoor"), signed RS256 (kid "rsa-1"; ES256 with kid "ec-1" is in the JWKS too), and
// carry `sub`, `name` and `roles`. ID tokens carry `name` and `roles` as well. Lifetime
// --access-token-ttl (default 600 s). Consent is granted automatically.
//
// Clients:
//   frontdoor-web   public (no secret), authorization code + PKCE S256, refresh tokens (always
//                   issued, rotated on use), RP-initiated logout (end_session_endpoint; the
//                   provider's page asks "Yes, sign me out"). CORS from the origins of its
//                   redirect URIs. Redirect URIs from --redirect-uri / --post-logout-redirect-uri
//                   or registered after start:
//                     POST /_test/clients  {"redirect_uris": [...], "post_logout_redirect_uris": [...]}
//                   (added to the ones already registered) → 200 {"redirect_uris": [...], ...}.
//                   The client exists from its first redirect URI on. Pages asking for the API's
//                   token need nothing special: every token is for frontdoor (the default
//                   resource); scope "openid profile offline_access" is enough.
//   frontdoor-test  used only by /_test/token below.
//
// The login page (GET /interaction/UID) is a form with the fields "username" and "password" (labels
// "Username", "Password") and a "Sign in" button; a wrong password shows "Wrong username or
// password." and the form again.
//
// Test-only routes (the provider answers them on loopback only; none exists in a real provider):
//   GET  /_test/token?user=sam[&alg=ES256][&ttl=SECONDS][&issued_ago=SECONDS][&scope=...]
//        Runs the real authorization code + PKCE flow against this provider (login form
//        included) and answers {access_token, expires_in, refresh_token, id_token, token_type}.
//        issued_ago runs that flow with the provider's clock set back, so the token's iat and exp
//        are in the past (an expired token when issued_ago > ttl). 404 for an unknown user.
//   POST /_test/rotate   A new RS256 and ES256 signing key with new kids (rsa-2, ec-2, ...), put
//        first in the JWKS (the old keys stay published); new tokens are signed with the new key.
//        Answers {"kids": [...]} (the JWKS's kids, newest first).
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    audience: { type: 'string', default: 'frontdoor' },
    'access-token-ttl': { type: 'string', default: '600' },
    'redirect-uri': { type: 'string', multiple: true, default: [] },
    'post-logout-redirect-uri': { type: 'string', multiple: true, default: [] },
  },
});

const RESOURCE = 'urn:frontdoor';
const RESOURCE_SCOPE = 'frontdoor';
const AUDIENCE = args.audience;
const DEFAULT_TTL = Number(args['access-token-ttl']);

const USERS = new Map(
  [
    ['sam', 'Sam Patel', ['triage']],
    ['robin', 'Robin Shah', ['triage']],
    ['morgan', 'Morgan Lee', ['manager']],
    ['alex', 'Alex Khan', ['admin']],
    ['casey', 'Casey Jones', ['FrontDoor.Manager']],
    ['nobody', 'No Role', []],
  ].map(([user, name, roles]) => [
    user,
    { accountId: `user-${user}`, user, name, roles, password: `${user}-pw` },
  ]),
);
const ACCOUNTS = new Map([...USERS.values()].map((u) => [u.accountId, u]));

// The provider's clock: Date.now shifted by `clockOffsetMs` while a /_test/token flow with
// issued_ago runs (flows are serialised, see `flowQueue`).
const realNow = Date.now;
let clockOffsetMs = 0;
Date.now = () => realNow() + clockOffsetMs;
// Per-flow overrides of the access token's lifetime and algorithm.
let flowOverrides = {};

// Signing keys, newest first. oidc-provider signs with the first key of the wanted alg.
let generation = 0;
let keys = [];
function addKeys() {
  generation += 1;
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  keys = [
    { ...rsa, kid: `rsa-${generation}`, alg: 'RS256', use: 'sig' },
    { ...ec, kid: `ec-${generation}`, alg: 'ES256', use: 'sig' },
    ...keys,
  ];
}
addKeys();

const webClient = {
  redirect_uris: [...args['redirect-uri']],
  post_logout_redirect_uris: [...args['post-logout-redirect-uri']],
};
const cookieKeys = [randomBytes(32).toString('hex')];

let issuer = '';
let provider = null;

function buildProvider() {
  const clients = [
    {
      client_id: 'frontdoor-test',
      token_endpoint_auth_method: 'none',
      application_type: 'web',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [`${issuer}/_test/callback`],
    },
  ];
  if (webClient.redirect_uris.length > 0) {
    clients.push({
      client_id: 'frontdoor-web',
      token_endpoint_auth_method: 'none',
      application_type: 'web',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: webClient.redirect_uris,
      post_logout_redirect_uris: webClient.post_logout_redirect_uris,
    });
  }
  const p = new Provider(issuer, {
    clients,
    jwks: { keys },
    cookies: { keys: cookieKeys },
    claims: { openid: ['sub'], profile: ['name', 'roles'] },
    conformIdTokenClaims: false,
    scopes: ['openid', 'offline_access', 'profile'],
    pkce: { required: () => true },
    ttl: {
      AccessToken: () => flowOverrides.ttl ?? DEFAULT_TTL,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      Grant: 14 * 24 * 3600,
      RefreshToken: 24 * 3600,
      Session: 14 * 24 * 3600,
    },
    // typ "JWT" in the access token's header, as Microsoft Entra ID and Keycloak write it (not
    // RFC 9068's "at+jwt", which libjwt 1.10 refuses; see docs/operations.md).
    formats: {
      customizers: {
        jwt: async (ctx, token, jwt) => {
          jwt.header = { typ: 'JWT' };
        },
      },
    },
    clientBasedCORS: (ctx, origin, client) =>
      origin !== 'null' && client.redirectUris.some((uri) => originOf(uri) === origin),
    issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, resourceIndicator) => {
          if (resourceIndicator !== RESOURCE) throw new Provider.errors.InvalidTarget();
          return {
            scope: RESOURCE_SCOPE,
            audience: AUDIENCE,
            accessTokenTTL: flowOverrides.ttl ?? DEFAULT_TTL,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: flowOverrides.alg ?? 'RS256' } },
          };
        },
      },
    },
    // Consent granted automatically: every grant holds the OIDC scopes and the API's scope.
    async loadExistingGrant(ctx) {
      const grantId =
        ctx.oidc.result?.consent?.grantId ||
        ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      let grant = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      if (!grant) {
        grant = new ctx.oidc.provider.Grant({
          clientId: ctx.oidc.client.clientId,
          accountId: ctx.oidc.session.accountId,
        });
      }
      grant.addOIDCScope('openid offline_access profile');
      grant.addResourceScope(RESOURCE, RESOURCE_SCOPE);
      await grant.save();
      return grant;
    },
    async findAccount(ctx, id) {
      const account = ACCOUNTS.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        claims: async () => ({ sub: id, name: account.name, roles: account.roles }),
      };
    },
    async extraTokenClaims(ctx, token) {
      const account = token.accountId && ACCOUNTS.get(token.accountId);
      if (!account || token.kind !== 'AccessToken') return undefined;
      return { name: account.name, roles: account.roles };
    },
  });
  p.proxy = false;
  // A provider fault is the test's to see: stderr goes to the test's log.
  p.on('server_error', (ctx, err) => console.error('provider server_error:', err));
  return p;
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function loginPage(uid, error) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in: test identity provider</title></head>
<body><main>
<h1>Sign in to the test identity provider</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login" autocomplete="off">
<p><label for="username">Username</label> <input id="username" name="username" required></p>
<p><label for="password">Password</label>
<input id="password" name="password" type="password" required></p>
<p><button type="submit">Sign in</button></p>
</form>
</main></body></html>`;
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res, status, type, body) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}
const sendJson = (res, status, value) =>
  send(res, status, 'application/json', JSON.stringify(value));

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, 'text/plain', 'interaction mismatch');
  if (details.prompt.name !== 'login') {
    // Consent: grant it (loadExistingGrant normally means this prompt never comes).
    const grant = new provider.Grant({
      clientId: details.params.client_id,
      accountId: details.session.accountId,
    });
    grant.addOIDCScope('openid offline_access profile');
    grant.addResourceScope(RESOURCE, RESOURCE_SCOPE);
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } }, {
      mergeWithLastSubmission: true,
    });
  }
  if (action !== 'login') return send(res, 200, 'text/html; charset=utf-8', loginPage(uid));
  const form = new URLSearchParams(await readBody(req));
  const user = USERS.get(form.get('username') ?? '');
  if (!user || form.get('password') !== user.password) {
    return send(res, 200, 'text/html; charset=utf-8',
      loginPage(uid, 'Wrong username or password.'));
  }
  return provider.interactionFinished(req, res, { login: { accountId: user.accountId } }, {
    mergeWithLastSubmission: false,
  });
}

// The real authorization code + PKCE flow, run against ourselves with fetch and a cookie jar.

// The origin of a URI, or undefined when it is not one (URL.parse and
// URL.canParse are not in Node 18, bookworm's own).
function originOf(uri) {
  try {
    return new URL(uri).origin;
  } catch {
    return undefined;
  }
}

// The Set-Cookie headers of a fetch response. Node 18's fetch (Debian
// bookworm's undici) has no Headers.getSetCookie(): there they come joined
// by commas, split where a comma starts a new "name=value".
function setCookies(headers) {
  if (typeof headers.getSetCookie === 'function') return headers.getSetCookie();
  const joined = headers.get('set-cookie');
  return joined ? joined.split(/,(?=\s*[^;,=\s]+=)/) : [];
}

async function codeFlow(user, scope) {
  const jar = new Map();
  const redirectUri = `${issuer}/_test/callback`;
  const call = async (url, init = {}) => {
    const headers = { ...(init.headers ?? {}) };
    if (jar.size > 0) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const cookie of setCookies(response.headers)) {
      const [pair] = cookie.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    return response;
  };
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const auth = new URL(`${issuer}/auth`);
  auth.search = new URLSearchParams({
    client_id: 'frontdoor-test',
    response_type: 'code',
    scope,
    redirect_uri: redirectUri,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: randomBytes(8).toString('hex'),
  }).toString();
  let response = await call(auth.href);
  let code = null;
  for (let hop = 0; hop < 10 && code === null; hop += 1) {
    const location = response.headers.get('location');
    if (!location) throw new Error(`flow stopped with HTTP ${response.status}`);
    const next = new URL(location, issuer);
    if (next.href.startsWith(redirectUri)) {
      code = next.searchParams.get('code');
      if (!code) throw new Error(`no code: ${next.searchParams.get('error')}`);
      break;
    }
    const match = next.pathname.match(/^\/interaction\/([^/]+)$/);
    if (match) {
      const page = await call(next.href);
      if ((page.headers.get('location') ?? '') !== '') {
        response = page;
        continue;
      }
      await page.text();
      response = await call(`${issuer}/interaction/${match[1]}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: user.user, password: user.password }).toString(),
      });
    } else {
      response = await call(next.href);
    }
  }
  if (code === null) throw new Error('too many redirects');
  const token = await call(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: 'frontdoor-test',
      code_verifier: verifier,
    }).toString(),
  });
  const body = await token.json();
  if (!token.ok) throw new Error(`token endpoint: ${body.error}: ${body.error_description}`);
  return body;
}

let flowQueue = Promise.resolve();
function serialised(fn) {
  const run = flowQueue.then(fn, fn);
  flowQueue = run.catch(() => {});
  return run;
}

async function testRoute(req, res, url) {
  if (req.method === 'GET' && url.pathname === '/_test/token') {
    const user = USERS.get(url.searchParams.get('user') ?? '');
    if (!user) return sendJson(res, 404, { error: 'unknown user' });
    const alg = url.searchParams.get('alg') ?? 'RS256';
    if (alg !== 'RS256' && alg !== 'ES256') return sendJson(res, 400, { error: 'alg' });
    const ttl = url.searchParams.has('ttl') ? Number(url.searchParams.get('ttl')) : undefined;
    const ago = Number(url.searchParams.get('issued_ago') ?? '0');
    const scope = url.searchParams.get('scope') ?? `openid profile offline_access ${RESOURCE_SCOPE}`;
    const tokens = await serialised(async () => {
      flowOverrides = { alg, ttl };
      clockOffsetMs = -ago * 1000;
      try {
        return await codeFlow(user, scope);
      } finally {
        flowOverrides = {};
        clockOffsetMs = 0;
      }
    });
    return sendJson(res, 200, tokens);
  }
  if (req.method === 'POST' && url.pathname === '/_test/rotate') {
    await serialised(async () => {
      addKeys();
      provider = buildProvider();
    });
    return sendJson(res, 200, { kids: keys.map((k) => k.kid) });
  }
  if (req.method === 'POST' && url.pathname === '/_test/clients') {
    const body = JSON.parse((await readBody(req)) || '{}');
    const add = (list, more) => {
      for (const uri of more ?? []) {
        if (typeof uri !== 'string' || originOf(uri) === undefined) throw new Error(`bad URI ${uri}`);
        if (!list.includes(uri)) list.push(uri);
      }
    };
    add(webClient.redirect_uris, body.redirect_uris);
    add(webClient.post_logout_redirect_uris, body.post_logout_redirect_uris);
    await serialised(async () => {
      provider = buildProvider();
    });
    return sendJson(res, 200, webClient);
  }
  return sendJson(res, 404, { error: 'no such test route' });
}

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    if (url.pathname.startsWith('/_test/')) return await testRoute(req, res, url);
    const match = url.pathname.match(/^\/interaction\/([^/]+)(?:\/(login))?$/);
    if (match) return await interaction(req, res, match[1], req.method === 'POST' ? match[2] : '');
    return provider.callback()(req, res);
  } catch (error) {
    if (!res.headersSent) sendJson(res, 500, { error: String(error?.message ?? error) });
    else res.end();
  }
});

server.listen(Number(args.port), '127.0.0.1', () => {
  issuer = `http://127.0.0.1:${server.address().port}`;
  provider = buildProvider();
  process.stdout.write(`issuer ${issuer}\n`);
});

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
