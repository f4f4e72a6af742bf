// Staff sign in as themselves through the real OpenID provider of the tests
// (tests/oidc/provider.mjs): the sign-in page sends Sam to the provider's
// login form (authorization code with PKCE), Sam comes back signed in as
// "Sam Patel (triage)", works the triage worklist and decides a contact; the
// access token is renewed with the refresh token before it expires; signing
// out ends the provider's session too, so signing in again asks for the
// password. A person with no frontdoor role is told so, and a pasted API
// token still signs in beside the provider.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, syntheticContact } from './lib/server.mjs';
import { startProvider } from './lib/provider.mjs';
import { launch, openPage } from './lib/browser.mjs';

// Short-lived access tokens, so that the renewal a minute before expiry comes
// within the test.
const ACCESS_TOKEN_TTL = 75;

let provider; let server; let browser;
before(async () => {
  provider = await startProvider({ accessTokenTtl: ACCESS_TOKEN_TTL });
  server = await startServer({ extraConfig: provider.config });
  await provider.registerPages(server.base);
  browser = await launch();
});
after(async () => { await browser?.close(); await server?.stop(); await provider?.stop(); });

// The user oidc-client-ts keeps in this tab's sessionStorage.
const storedUser = (page) => page.evaluate(() => {
  const key = Object.keys(sessionStorage).find((k) => k.startsWith('frontdoor.oidc.user:'));
  return key ? JSON.parse(sessionStorage.getItem(key)) : null;
});

// What went wrong on the console, less the provider's own logout page asking
// for a web font from the internet (oidc-provider's built-in page; no
// network here).
const ourProblems = (problems) => problems.filter((p) => !/ERR_NAME_NOT_RESOLVED/.test(p));

async function signInAtProvider(page, user, password) {
  await page.goto('/#/sign-in');
  await page.locator('#sign-in-provider').click();
  await page.locator('#username').waitFor();
  assert.ok(page.url().startsWith(provider.issuer), `the login form is the provider's: ${page.url()}`);
  await page.locator('#username').fill(user);
  await page.locator('#password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('GET /v1/signin names the provider, and only its origin is added to the CSP', async () => {
  const res = await fetch(`${server.base}/v1/signin`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), {
    issuer: provider.issuer, client_id: 'frontdoor-web', audience: 'frontdoor',
    scope: 'openid profile offline_access frontdoor',
  });
  const page = await fetch(`${server.base}/`);
  const csp = page.headers.get('content-security-policy');
  assert.match(csp, new RegExp(`connect-src 'self' ${provider.issuer};`));
  assert.match(csp, /script-src 'self';/);
  assert.match(csp, /frame-ancestors 'none'/);
});

test('Sam signs in through the provider, decides a contact, stays signed in past expiry and signs out there too', async () => {
  const created = await server.api('partner', 'POST', '/v1/contacts', syntheticContact());
  assert.equal(created.status, 201);
  const { id } = created.json;

  const s = await openPage(browser, server, { prefix: 'signin' });
  const { page } = s;
  await page.goto('/#/sign-in');
  await page.locator('#sign-in-provider').waitFor();
  assert.equal(await page.locator('#token').count(), 1, 'the token paste stays beside the provider');
  await s.shot('sign-in-choice');
  assert.deepEqual(await s.axe('sign-in-choice'), []);

  const authorize = page.waitForRequest((req) => req.url().startsWith(`${provider.issuer}/auth`));
  await signInAtProvider(page, 'sam', 'sam-pw');
  const auth = new URL((await authorize).url());
  assert.equal(auth.searchParams.get('code_challenge_method'), 'S256');
  assert.ok(auth.searchParams.get('code_challenge'));
  assert.equal(auth.searchParams.get('client_id'), 'frontdoor-web');
  assert.equal(auth.searchParams.get('redirect_uri'), `${server.base}/`);

  await page.locator('#signed-in-as', { hasText: 'Sam Patel (triage)' }).waitFor();
  assert.ok(!page.url().includes('code='), `the code is gone from the address: ${page.url()}`);
  assert.match(page.url(), /#\/worklist\/triage$/);
  await page.locator(`a[data-contact="${id}"]`).waitFor();
  await s.shot('signed-in-worklist');
  assert.deepEqual(await s.axe('signed-in-worklist'), []);

  // Kept in this tab's sessionStorage, never localStorage or a cookie of ours.
  const first = await storedUser(page);
  assert.ok(first && first.access_token && first.refresh_token, 'signed in with a refresh token');
  assert.equal(await page.evaluate(() => localStorage.length), 0);
  assert.equal(await page.evaluate(() => document.cookie), '');

  // The worklist asked the API with the provider's access token.
  const listed = page.waitForRequest((req) => new URL(req.url()).pathname === '/v1/worklist');
  await page.reload();
  assert.equal((await listed).headers().authorization, `Bearer ${first.access_token}`);
  await page.locator('#signed-in-as', { hasText: 'Sam Patel (triage)' }).waitFor();

  await page.locator(`a[data-contact="${id}"]`).click();
  await page.locator('#decision-form').waitFor();
  await page.locator('input[name="decision-route"][value="MASH"]').check();
  await page.locator('input[name="decision-rag"][value="AMBER"]').check();
  await page.locator('#decision-reason').fill('Synthetic: partner checks needed before deciding the level of need.');
  await page.locator('#record-decision').click();
  await page.locator('.govuk-notification-banner--success').waitFor();
  const stored = await server.api('triage', 'GET', `/v1/contacts/${id}`);
  assert.equal(stored.json.state, 'IN_MASH');
  const events = await server.api('triage', 'GET', `/v1/contacts/${id}/events`);
  assert.equal(events.status, 200);
  assert.ok(JSON.stringify(events.json).includes('DECISION'), 'the decision is in the history');
  // The decision names the person, on the page and in the history.
  await page.locator('#decided-by').waitFor();
  assert.match(await page.locator('#decided-by').innerText(),
    /^Decided by Sam Patel \(triage\), [A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2}, \d\d:\d\d$/);
  const decided = events.json.events.find((e) => e.type === 'DECISION_RECORDED');
  assert.deepEqual(
    { kind: decided.caused_by.kind, id: decided.caused_by.id, name: decided.caused_by.name, role: decided.caused_by.role },
    { kind: 'PERSON', id: 'user-sam', name: 'Sam Patel', role: 'triage' });
  // And the manager sees that Sam read the contact before deciding it.
  const audit = await server.api('manager', 'GET', `/v1/contacts/${id}/audit`);
  assert.equal(audit.status, 200);
  assert.ok(audit.json.entries.some((e) => e.kind === 'READ' && e.actor && e.actor.id === 'user-sam' &&
    e.actor.name === 'Sam Patel'), 'Sam\'s read is in the contact\'s audit');

  // A minute before the access token expires, the refresh token buys a new one.
  await page.waitForFunction((old) => {
    const key = Object.keys(sessionStorage).find((k) => k.startsWith('frontdoor.oidc.user:'));
    const user = key && JSON.parse(sessionStorage.getItem(key));
    return user && user.access_token && user.access_token !== old;
  }, first.access_token, { timeout: (ACCESS_TOKEN_TTL + 30) * 1000, polling: 500 });
  const renewed = await storedUser(page);
  assert.ok(renewed.expires_at > first.expires_at, 'the new token lasts longer');
  const again = page.waitForRequest((req) => new URL(req.url()).pathname === '/v1/worklist');
  await page.goto('/#/worklist/mash');
  assert.equal((await again).headers().authorization, `Bearer ${renewed.access_token}`);
  await page.locator(`a[data-contact="${id}"]`).waitFor();

  // Signing out ends the session at the provider as well.
  const endSession = page.waitForRequest((req) => req.url().startsWith(`${provider.issuer}/session/end`));
  await page.locator('.govuk-service-navigation__link', { hasText: 'Sign out' }).click();
  const end = new URL((await endSession).url());
  assert.equal(end.searchParams.get('id_token_hint'), renewed.id_token ?? first.id_token);
  assert.equal(end.searchParams.get('post_logout_redirect_uri'), `${server.base}/`);
  await page.getByRole('button', { name: 'Yes, sign me out' }).click();
  await page.locator('.govuk-notification-banner--success', { hasText: 'You have signed out' }).waitFor();
  assert.equal(await storedUser(page), null);
  assert.equal(await page.locator('#signed-in-as').count(), 0);
  await s.shot('signed-out');

  // Signing in again asks for the password: the provider's session is over.
  await page.locator('#sign-in-provider').click();
  await page.locator('#password').waitFor();
  assert.ok(page.url().startsWith(provider.issuer));
  assert.deepEqual(ourProblems(s.problems), []);
  await s.context.close();
});

test('a person with no frontdoor role is told so', async () => {
  const s = await openPage(browser, server, { prefix: 'signin' });
  const { page } = s;
  await signInAtProvider(page, 'nobody', 'nobody-pw');
  await page.locator('h1', { hasText: 'Your account has no frontdoor role' }).waitFor();
  // The server's reason: the token's roles claim names no frontdoor role.
  assert.match(await page.locator('#no-role-reason').innerText(), /roles/);
  assert.equal(await page.locator('#signed-in-as').count(), 0);
  await s.shot('no-role');
  assert.deepEqual(await s.axe('no-role'), []);
  await page.locator('#sign-out-no-role').click();
  await page.getByRole('button', { name: 'Yes, sign me out' }).click();
  await page.locator('.govuk-notification-banner--success', { hasText: 'You have signed out' }).waitFor();
  // whoami's 403 is the one expected failure on the console.
  assert.deepEqual(ourProblems(s.problems).filter((p) => !/status of 403/.test(p)), []);
  await s.context.close();
});

test('a pasted API token still signs in when the provider is configured', async () => {
  const s = await openPage(browser, server, { prefix: 'signin' });
  await s.signIn('triage');
  await s.page.locator('#signed-in-as', { hasText: 'ifd-triage (triage)' }).waitFor();
  assert.deepEqual(s.problems, []);
  await s.context.close();
});
