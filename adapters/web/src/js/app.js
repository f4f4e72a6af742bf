// The app's entry point: marks the page as run by JavaScript (the GOV.UK
// `js-enabled` classes, set here because the Content-Security-Policy allows
// no inline script), finishes a sign-in or sign-out the identity provider
// redirected back from (oidc.js), signs the user in again from this tab's
// session, and routes the URL's hash (#/worklist/triage?source=POLICE) to a page for the
// signed-in role, with the service navigation that role sees (behind a
// "Menu" button on a phone: govuk-frontend's ServiceNavigation). A page
// that is not there (an unknown contact: 404) says "Page not found"; each
// page knows the page the user came from (ctx.cameFrom) for its back link.

import { initAll, ServiceNavigation } from '/vendor/govuk/govuk-frontend.min.js';
import { h, clear, put } from './dom.js';
import { get } from './api.js';
import * as session from './session.js';
import * as oidc from './oidc.js';
import { signInPage } from './pages/sign-in.js';
import { contactFormPage } from './pages/contact-form.js';
import { confirmationPage } from './pages/confirmation.js';
import { worklistPage } from './pages/worklist.js';
import { contactPage } from './pages/contact.js';
import { liveViewPage } from './pages/live-view.js';
import { adminPage } from './pages/admin.js';
import { deliveriesPage } from './pages/deliveries.js';
import { lettersPage, printLettersPage, letterPage } from './pages/letters.js';
import { messagePage } from './pages/message.js';

document.body.classList.add('js-enabled', 'govuk-frontend-supported');

const SERVICE = 'Integrated Front Door';

const HOME = {
  partner: '#/contacts/new', triage: '#/worklist/triage', manager: '#/live', admin: '#/admin',
};

const NAV = {
  partner: [['#/contacts/new', 'Send a contact']],
  triage: [['#/worklist/triage', 'Triage worklist'], ['#/worklist/mash', 'MASH worklist'],
    ['#/letters', 'Letters to post'], ['#/contacts/new', 'New contact']],
  manager: [['#/live', 'Live view'], ['#/worklist/authorisation', 'Waiting for authorisation'],
    ['#/worklist/triage', 'Triage worklist'], ['#/worklist/mash', 'MASH worklist'], ['#/letters', 'Letters to post']],
  admin: [['#/admin', 'Server clock'], ['#/admin/deliveries', 'Deliveries']],
};

const ID = '([A-Za-z0-9_-]+)';
const ROUTES = [
  { path: /^\/sign-in$/, page: signInPage, public: true },
  { path: /^\/contacts\/new$/, page: contactFormPage, roles: ['partner', 'triage'] },
  { path: new RegExp(`^/contacts/${ID}/sent$`), page: confirmationPage, roles: ['partner', 'triage'] },
  { path: /^\/worklist\/(triage|mash)$/, page: worklistPage, roles: ['triage', 'manager'] },
  { path: /^\/worklist\/(authorisation)$/, page: worklistPage, roles: ['manager'] },
  { path: new RegExp(`^/contacts/${ID}$`), page: contactPage, roles: ['triage', 'manager'] },
  { path: /^\/live$/, page: liveViewPage, roles: ['manager'] },
  { path: /^\/letters$/, page: lettersPage, roles: ['triage', 'manager'] },
  { path: /^\/letters\/print$/, page: printLettersPage, roles: ['triage', 'manager'] },
  { path: new RegExp(`^/letters/${ID}$`), page: letterPage, roles: ['triage', 'manager'] },
  { path: /^\/admin$/, page: adminPage, roles: ['admin'] },
  { path: /^\/admin\/deliveries$/, page: deliveriesPage, roles: ['admin'] },
];

let leaving = [];
// Why the last sign-in through the provider did not work, for the sign-in page.
let signInProblem = null;
// The refusal when the provider signed a person in whom frontdoor gives no role.
let noRole = null;
let renderSeq = 0;
// The route shown before this one ("#/worklist/mash?rag=RED"), for back links.
let lastRoute = null;
let currentRoute = null;

function parseHash() {
  const raw = window.location.hash.replace(/^#/, '') || '/';
  const [path, qs = ''] = raw.split('?');
  return { path, query: new URLSearchParams(qs) };
}

function setTitle(text, { error = false } = {}) {
  document.title = `${error ? 'Error: ' : ''}${text} – ${SERVICE} – Northfield Children's Services`;
}

function renderNav(who, path) {
  const nav = document.getElementById('service-nav');
  const list = clear(document.getElementById('navigation'));
  if (!who) { nav.hidden = true; return; }
  const items = [...(NAV[who.role] || []), ['#/sign-out', `Sign out (${who.name})`]];
  for (const [href, text] of items) {
    const current = `#${path}` === href;
    list.append(h('li', { class: `govuk-service-navigation__item${current ? ' govuk-service-navigation__item--active' : ''}` },
      h('a', { class: 'govuk-service-navigation__link', href, 'aria-current': current ? 'page' : undefined },
        current ? h('strong', { class: 'govuk-service-navigation__active-fallback' }, text) : text)));
  }
  nav.hidden = false;
}

async function ensureSignedIn() {
  if (session.whoami()) return session.whoami();
  if (!session.token()) return null;
  try {
    session.setWho(await get('/v1/whoami'));
  } catch (e) {
    // Signed in at the provider, but with no frontdoor role: say so, and
    // keep the provider session so that signing out ends it.
    if (e.status === 403 && session.via() === 'provider') noRole = e.problem.detail || e.message;
    else session.signOut();
  }
  return session.whoami();
}

function signedInAs(who) {
  const text = who.role ? `${who.name} (${who.role})` : who.name;
  return h('p', { class: 'govuk-body-s fd-signed-in-as', id: 'signed-in-as' }, `Signed in as ${text}`);
}

async function route() {
  const seq = ++renderSeq;
  const here = window.location.hash || '#/';
  if (here.split('?')[0] !== (currentRoute || '').split('?')[0]) lastRoute = currentRoute;
  currentRoute = here;
  for (const fn of leaving) { try { fn(); } catch { /* a page's cleanup must not stop the next page */ } }
  leaving = [];
  const { path, query } = parseHash();
  const main = document.getElementById('main-content');

  if (path === '/sign-out') {
    noRole = null;
    // Through the provider: it ends its session and sends the browser back.
    try {
      if (await oidc.signOut()) return;
    } catch { /* the tab's session is gone already */ }
    window.location.replace('#/sign-in?signed-out=1');
    return;
  }
  const who = await ensureSignedIn();
  if (seq !== renderSeq) return;
  renderNav(who, path);
  if (!who && noRole) {
    setTitle('Your account has no frontdoor role');
    put(clear(main), h('h1', { class: 'govuk-heading-l' }, 'Your account has no frontdoor role'),
      h('p', { class: 'govuk-body', id: 'no-role' }, 'You signed in, but frontdoor does not know what you may do.'),
      h('p', { class: 'govuk-body', id: 'no-role-reason' }, `The service said: ${noRole}.`),
      h('p', { class: 'govuk-body' }, 'Ask your administrator to give you a role, then sign in again.'),
      h('p', { class: 'govuk-body' }, h('a', { class: 'govuk-link', href: '#/sign-out', id: 'sign-out-no-role' }, 'Sign out')));
    return;
  }
  if (!who && path !== '/sign-in') {
    window.location.replace('#/sign-in');
    return;
  }
  if (who && (path === '/' || path === '/sign-in')) {
    const home = HOME[who.role];
    if (home) { window.location.replace(home); return; }
  }
  const match = ROUTES.map((r) => ({ r, m: path.match(r.path) })).find((x) => x.m);
  clear(main);
  const before = h('div', { class: 'fd-before-content' });
  main.append(before);
  if (who) before.append(signedInAs(who));
  const ctx = {
    main: h('div', { class: 'fd-page' }), before, query, who, setTitle, params: match ? match.m.slice(1) : [],
    signInProblem: () => { const p = signInProblem; signInProblem = null; return p; },
    onLeave: (fn) => leaving.push(fn), isCurrent: () => seq === renderSeq, home: who ? HOME[who.role] : '#/sign-in',
    cameFrom: lastRoute,
  };
  main.append(ctx.main);
  try {
    if (!match) await messagePage(ctx, 'Page not found', 'If you typed the web address, check it is correct.');
    else if (!match.r.public && !match.r.roles.includes(who.role)) {
      await messagePage(ctx, 'You cannot see this page', `Signed in as ${who.name}, you do not have access to it.`);
    } else await match.r.page(ctx);
  } catch (e) {
    if (seq !== renderSeq) return;
    clear(ctx.main);
    if (e && e.status === 404) {
      await messagePage(ctx, 'Page not found', 'There is nothing at this address: if you typed it or followed a link, check the reference is correct.');
    } else {
      await messagePage(ctx, 'Sorry, there is a problem with the service', e && e.message ? e.message : 'Try again later.');
    }
  }
  if (seq !== renderSeq) return;
  initAll({ scope: main, onError: () => {} });
  const h1 = main.querySelector('h1');
  if (h1 && !main.querySelector('.govuk-error-summary') && routed) {
    h1.setAttribute('tabindex', '-1');
    h1.focus({ preventScroll: false });
  }
  routed = true;
}

let routed = false;

// The skip link would replace the route in the hash: move focus instead.
document.querySelector('.govuk-skip-link').addEventListener('click', (event) => {
  event.preventDefault();
  const main = document.getElementById('main-content');
  main.setAttribute('tabindex', '-1');
  main.focus();
});

// Only "#/..." is a route; other hashes are links within the page.
window.addEventListener('hashchange', () => {
  if (window.location.hash.startsWith('#/') || window.location.hash === '') route();
});

// The service navigation's "Menu" button on a phone.
try { new ServiceNavigation(document.querySelector('.govuk-service-navigation')); } catch { /* no menu button */ }

async function start() {
  try {
    const resumed = await oidc.resume();
    if (resumed && resumed.error) signInProblem = resumed.error;
  } catch { /* the provider cannot be reached: pasted tokens still work */ }
  route();
}

start();
