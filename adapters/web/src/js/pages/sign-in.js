// Sign-in. When the server has an identity provider (GET /v1/signin), staff
// sign in as themselves through it (oidc.js). An API token can be pasted
// too, for API-key roles and the demo: it is checked with GET /v1/whoami
// and, if it is good, kept in this tab's sessionStorage (see session.js)
// until the tab closes or the user signs out.

import { h, heading, para, button, notificationBanner, put } from '../dom.js';
import { textInput, showErrors, FieldRegistry } from '../fields.js';
import { get } from '../api.js';
import * as session from '../session.js';
import { navigate } from '../nav.js';
import * as oidc from '../oidc.js';
import { ErrorSummary } from '/vendor/govuk/govuk-frontend.min.js';

export async function signInPage(ctx) {
  ctx.setTitle('Sign in');
  const registry = new FieldRegistry();
  registry.add('token', 'token', 'Access token');
  const form = h('form', { novalidate: true, id: 'sign-in-form' },
    textInput({
      id: 'token', label: 'Access token', type: 'password', autocomplete: 'off', spellcheck: false,
      hint: 'Paste the token your administrator gave you. It is kept in this browser tab only and forgotten when you close the tab or sign out.',
    }),
    button('Sign in', { id: 'sign-in' }));
  const column = h('div', { class: 'govuk-grid-column-two-thirds' });
  if (ctx.query.get('signed-out')) {
    column.append(notificationBanner('You have signed out.', para('Close this tab if you are on a shared computer.'), { success: true }));
  }
  let provider = null;
  try { provider = await oidc.signInOptions(); } catch { provider = null; }
  const problem = ctx.signInProblem ? ctx.signInProblem() : null;
  column.append(heading('Sign in to the Integrated Front Door'));
  if (problem) {
    column.append(h('div', { class: 'govuk-error-summary', 'data-module': 'govuk-error-summary', id: 'provider-problem' },
      h('div', { role: 'alert' },
        h('h2', { class: 'govuk-error-summary__title' }, 'You were not signed in'),
        h('div', { class: 'govuk-error-summary__body' }, para(`The identity provider said: ${problem}`)))));
  }
  if (provider) {
    const start = button('Sign in with your council account', { id: 'sign-in-provider', type: 'button' });
    start.addEventListener('click', async () => {
      start.disabled = true;
      try {
        await oidc.signIn();
      } catch {
        start.disabled = false;
        column.insertBefore(para('The identity provider cannot be reached just now: try again later.'), start);
      }
    });
    // One main action per page: the token's button steps back.
    form.querySelector('#sign-in').classList.add('govuk-button--secondary');
    column.append(para('Front door staff and managers sign in with the account they use for the council\'s other systems.'),
      start,
      h('h2', { class: 'govuk-heading-m' }, 'Sign in with an access token'),
      para('For partner agencies and systems with an access token, and for the demo.'),
      form);
  } else {
    column.append(
      para('Use the access token for your role: partner agencies send contacts; front door staff triage them and work the MASH; managers watch timescales.'),
      form);
  }
  put(ctx.main, h('div', { class: 'govuk-grid-row' }, column));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = form.querySelector('#token').value.trim();
    const fail = (message) => {
      ctx.setTitle('Sign in', { error: true });
      new ErrorSummary(showErrors(column, form, [{ field: 'token', message }], registry));
    };
    if (!value) { fail('Enter your access token'); return; }
    try {
      const who = await get('/v1/whoami', { tokenOverride: value });
      session.setToken(value);
      session.setWho(who);
      navigate('#/');
    } catch (e) {
      fail(e.status === 401 || e.status === 403 ? 'The access token was not recognised: check you copied all of it'
        : 'The service cannot check your token just now: try again later');
    }
  });
}
