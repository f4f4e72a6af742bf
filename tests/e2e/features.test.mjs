// The pages for issue 9's new features, built against the protos on main
// (contact.proto's Check, Authorisation, IdentityReview, Urgency,
// linked_contacts; events.proto's new event types; api.proto's requests):
// the urgency marker and why on worklist rows, linked contacts shown
// together, identity reviews, the managers' "Waiting for authorisation"
// list and the authorise-or-return form, MASH checks with the phone-answer
// and not-needed forms, the RAG re-rating, and the history of the new
// events. The contacts are real (the real server, real decisions); the
// server on main does not fill the new fields yet, so the page's reads are
// answered with the real answer plus those fields (page.route), and the
// new POSTs are caught and their bodies checked against the protos.
// features-urgent, -auth, -checks and -people.test.mjs run the same pages
// against a server that has each feature.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, syntheticContact } from './lib/server.mjs';
import { launch, openPage } from './lib/browser.mjs';

let server; let browser;
const ids = {};
before(async () => {
  server = await startServer();
  browser = await launch();
  for (const [key, body] of Object.entries({
    urgent: syntheticContact({ immediate_risk: true, external_ref: 'E2E-URGENT' }),
    earlier: syntheticContact({ external_ref: 'E2E-EARLIER' }),
    later: syntheticContact({ external_ref: 'E2E-LATER' }),
    review: syntheticContact({ external_ref: 'E2E-REVIEW' }),
    mash: syntheticContact({ external_ref: 'E2E-MASH' }),
    waiting: syntheticContact({ external_ref: 'E2E-WAITING' }),
  })) {
    const res = await server.api('partner', 'POST', '/v1/contacts', body);
    assert.equal(res.status, 201, res.text);
    ids[key] = res.json.id;
  }
  const d = await server.api('triage', 'POST', `/v1/contacts/${ids.mash}/decision`,
    { route: 'MASH', rag: 'AMBER', reason: 'Synthetic: partner checks needed.' });
  assert.equal(d.status, 200, d.text);
});
after(async () => { await browser?.close(); await server?.stop(); });

const CODES = /\b[A-Z]{2,}_[A-Z_]+\b/;
const later = (iso, hours) => new Date(Date.parse(iso) + hours * 3600e3).toISOString().replace('.000Z', 'Z');

// Answers GET `pathname` with the real answer changed by `change`.
async function overlay(page, pathname, change) {
  await page.route((url) => url.pathname === pathname, async (route) => {
    if (route.request().method() !== 'GET') { await route.fallback(); return; }
    const res = await route.fetch();
    const json = await res.json();
    await route.fulfill({ response: res, json: change(json, new URL(route.request().url())) });
  });
}

// Catches POSTs to `pathname`: records each body, answers with `reply`.
async function catchPosts(page, pathname, reply = () => ({ status: 200, json: {} })) {
  const bodies = [];
  await page.route((url) => url.pathname === pathname, async (route) => {
    if (route.request().method() !== 'POST') { await route.fallback(); return; }
    const body = route.request().postDataJSON();
    bodies.push(body);
    const { status, json } = reply(body);
    await route.fulfill({ status, contentType: status >= 400 ? 'application/problem+json' : 'application/json', body: JSON.stringify(json) });
  });
  return bodies;
}

test('worklist rows: the urgency marker and why, identity reviews, and linked contacts shown together', async () => {
  const t = await openPage(browser, server, { prefix: 'features' });
  const { page } = t;
  await overlay(page, '/v1/worklist', (list) => {
    const byId = new Map(list.contacts.map((c) => [c.id, c]));
    byId.get(ids.urgent).urgency = { rank: 0, why: 'Immediate risk of significant harm' };
    byId.get(ids.earlier).linked_contacts = [ids.later];
    byId.get(ids.later).linked_contacts = [ids.earlier];
    byId.get(ids.review).identity_reviews = [{ child: 0, matched_person_id: 'P-1', reason: 'The NHS number belongs to a child born on another day' }];
    // The server's order: urgent first; the later linked contact far from the earlier one.
    const order = [ids.urgent, ids.earlier, ids.review, ids.waiting, ids.later];
    return { ...list, contacts: order.map((id) => byId.get(id)).filter(Boolean) };
  });
  await t.signIn('triage');
  await page.locator('#worklist-table').waitFor();
  const rows = await page.locator('#worklist-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.row));
  assert.deepEqual(rows, [ids.urgent, ids.earlier, ids.later, ids.review, ids.waiting]);
  const urgent = page.locator(`tr[data-row="${ids.urgent}"] [data-urgency]`);
  assert.match(await urgent.innerText(), /Urgent\s+Immediate risk of significant harm/);
  assert.equal(await page.locator(`tr[data-row="${ids.earlier}"] [data-urgency]`).count(), 0);
  assert.match(await page.locator(`tr[data-row="${ids.later}"]`).getAttribute('class'), /fd-linked-row/);
  assert.match(await page.locator(`tr[data-row="${ids.later}"]`).innerText(), new RegExp(`Linked to ${ids.earlier} above`));
  assert.match(await page.locator(`tr[data-row="${ids.earlier}"]`).innerText(), new RegExp(`Linked: ${ids.later}`));
  assert.match(await page.locator(`tr[data-row="${ids.review}"] [data-identity]`).innerText(), /Check identity/);
  await t.shot('worklist-urgency-links');
  assert.deepEqual(await t.axe('worklist-urgency-links'), []);
  assert.deepEqual(t.problems, []);
  await t.context.close();
});

function waitingContact(c) {
  const decidedAt = later(c.received_at, 1);
  return {
    ...c, state: 'AWAITING_AUTHORISATION',
    deadlines: [{ name: 'authorisation', started_at: decidedAt, due_at: later(c.received_at, 5) }],
    authorisation: {
      decision: { route: 'NFA', reason: 'Synthetic: no further action needed.', decided_at: decidedAt, decided_by: 'ifd-triage',
        decided_by_actor: { id: 'ifd-triage', name: 'ifd-triage', kind: 'KEY', organisation: 'Wirral front door' } },
      requested_at: decidedAt, why: 'It closes the contact below what the rules recommended: MASH',
    },
  };
}

test("the manager's Waiting for authorisation list and the authorise-or-return form", async () => {
  const t = await openPage(browser, server, { prefix: 'features' });
  const { page } = t;
  const real = (await server.api('triage', 'GET', `/v1/contacts/${ids.waiting}`)).json;
  await page.route((url) => url.pathname === '/v1/worklist' && url.searchParams.get('queue') === 'authorisation', (route) =>
    route.fulfill({ json: { contacts: [waitingContact(real)] } }));
  await overlay(page, `/v1/contacts/${ids.waiting}`, (c) => waitingContact(c));
  let refuse = true;
  const posts = await catchPosts(page, `/v1/contacts/${ids.waiting}/authorisation`, () => (refuse
    ? { status: 403, json: { title: 'Forbidden', status: 403, detail: 'You cannot authorise a decision you made yourself' } }
    : { status: 200, json: {} }));
  await t.signIn('manager');
  await page.locator('.govuk-service-navigation__link', { hasText: 'Waiting for authorisation' }).click();
  await page.locator('h1', { hasText: 'Waiting for authorisation' }).waitFor();
  const row = page.locator(`#worklist-table tr[data-row="${ids.waiting}"]`);
  await row.waitFor();
  const text = await row.innerText();
  assert.match(text, /No further action/);
  assert.match(text, /closes the contact below what the rules recommended/);
  assert.match(text, /Manager’s authorisation: /);
  assert.match(await page.locator('#worklist-status').innerText(), /^1 decision\./);
  await t.shot('authorisation-list');
  assert.deepEqual(await t.axe('authorisation-list'), []);

  await row.locator('a[data-contact]').click();
  const form = page.locator('#authorisation-form');
  await form.waitFor();
  assert.match(await page.locator('#authorisation').innerText(), /Synthetic: no further action needed\./);
  assert.equal(await page.locator('.govuk-back-link').getAttribute('href'), '#/worklist/authorisation');
  // The form's own checks, then the server's refusal, in the summary.
  await page.locator('#record-authorisation').click();
  await page.locator('.govuk-error-summary a[href="#authorisation-outcome"]', { hasText: 'Select whether you authorise' }).waitFor();
  await page.locator('input[name="authorisation-outcome"][value="RETURNED"]').check();
  await page.locator('#record-authorisation').click();
  await page.locator('.govuk-error-summary a[href="#authorisation-note"]', { hasText: 'Write a note' }).waitFor();
  assert.equal(posts.length, 0);
  await page.locator('#authorisation-note').fill('Synthetic: speak to the school first.');
  await page.locator('#record-authorisation').click();
  await page.locator('.govuk-error-summary', { hasText: 'You cannot authorise a decision you made yourself' }).waitFor();
  assert.match(await page.title(), /^Error: /);
  assert.deepEqual(posts[0], { outcome: 'RETURNED', note: 'Synthetic: speak to the school first.' });
  refuse = false;
  await page.locator('#record-authorisation').click();
  await page.locator('.govuk-notification-banner--success', { hasText: 'Your answer has been recorded' }).waitFor();
  assert.equal(posts.length, 2);
  await t.shot('authorisation-form');
  assert.deepEqual(await t.axe('authorisation-form'), []);

  // Triage sees the waiting decision, with no form.
  const s = await openPage(browser, server, { prefix: 'features' });
  await overlay(s.page, `/v1/contacts/${ids.waiting}`, (c) => waitingContact(c));
  await s.signIn('triage');
  await s.page.goto(`/#/contacts/${ids.waiting}`);
  await s.page.locator('#authorisation', { hasText: 'Waiting for a manager’s authorisation' }).waitFor();
  assert.equal(await s.page.locator('#authorisation-form, #decision-form').count(), 0);
  await s.context.close();
  await t.context.close();
});

function withChecks(c) {
  const at = c.mash.entered_at;
  return {
    ...c,
    checks: [
      { agency: 'POLICE', requested_at: at, due_at: later(at, 20), state: 'REQUESTED', overdue: true },
      { agency: 'HEALTH_GP', requested_at: at, due_at: later(at, 20), state: 'REQUESTED' },
      { agency: 'SCHOOLS', requested_at: at, due_at: later(at, 20), state: 'ANSWERED', answered_at: later(at, 2),
        answered_by: 'school-key', summary: 'Synthetic: attendance has fallen this term.', risk_indicated: true,
        answered_by_actor: { id: 'school-key', name: 'school-key', kind: 'KEY', organisation: 'Example School' } },
    ],
  };
}

test('MASH checks on the contact page: a phone answer, not needed, and the RAG re-rating', async () => {
  const t = await openPage(browser, server, { prefix: 'features' });
  const { page } = t;
  await overlay(page, `/v1/contacts/${ids.mash}`, (c) => withChecks(c));
  const police = await catchPosts(page, `/v1/contacts/${ids.mash}/checks/POLICE`);
  const gp = await catchPosts(page, `/v1/contacts/${ids.mash}/checks/HEALTH_GP`);
  const rag = await catchPosts(page, `/v1/contacts/${ids.mash}/rag`);
  await t.signIn('triage');
  await page.goto(`/#/contacts/${ids.mash}`);
  await page.locator('#checks').waitFor();
  assert.match(await page.locator('#checks > p').innerText(), /2 of 3 agencies have not answered yet/);
  assert.match(await page.locator('#check-POLICE').innerText(), /The police\s+Overdue/);
  assert.match(await page.locator('#check-SCHOOLS').innerText(), /Answered: risk indicated[\s\S]*attendance has fallen[\s\S]*Indicated/);
  assert.equal(await page.locator('#check-SCHOOLS form').count(), 0, 'no form for an answered check');
  assert.match(await page.locator('#mash-form').innerText(), /2 agency checks are not answered yet/);
  // Deciding before they answer needs a reason (MashOutcomeRequest.unanswered_checks_reason).
  await page.locator('input[name="mash-outcome"][value="NFA"]').check();
  await page.locator('#mash-reason').fill('Synthetic: no role for children’s services.');
  await page.locator('#record-mash-outcome').click();
  await page.locator('#mash-outcome-section .govuk-error-summary a[href="#mash-unanswered"]', { hasText: 'Say why MASH decides without the answers' }).waitFor();
  await t.shot('checks');
  assert.deepEqual(await t.axe('checks'), []);

  // An answer taken by phone: every missing part at once.
  await page.locator('input[name="check-POLICE-kind"][value="ANSWERED"]').check();
  await page.locator('#check-POLICE-record').click();
  const errors = (await page.locator('#check-POLICE .govuk-error-summary li').allInnerTexts()).join('\n');
  assert.match(errors, /Enter what the agency said it knows/);
  assert.match(errors, /Say whether their answer indicates risk/);
  assert.match(errors, /Enter who gave the answer/);
  await page.locator('#check-POLICE-summary').fill('Synthetic: two call-outs to the address this year.');
  await page.locator('input[name="check-POLICE-risk"][value="yes"]').check();
  await page.locator('#check-POLICE-from').fill('Synthetic: DS Example, public protection unit');
  await page.locator('#check-POLICE-record').click();
  await page.locator('.govuk-notification-banner--success', { hasText: 'The check has been recorded' }).waitFor();
  assert.deepEqual(police, [{ state: 'ANSWERED', summary: 'Synthetic: two call-outs to the address this year.',
    risk_indicated: true, reason: 'Synthetic: DS Example, public protection unit' }]);

  // Not needed, with a reason.
  await page.locator('input[name="check-HEALTH_GP-kind"][value="NOT_NEEDED"]').check();
  await page.locator('#check-HEALTH_GP-record').click();
  await page.locator('#check-HEALTH_GP .govuk-error-summary', { hasText: 'Say why this check is not needed' }).waitFor();
  await page.locator('#check-HEALTH_GP-why').fill('Synthetic: the family is not registered with a GP here.');
  await page.locator('#check-HEALTH_GP-record').click();
  await page.locator('.govuk-notification-banner--success', { hasText: 'The check has been recorded' }).waitFor();
  assert.deepEqual(gp.at(-1), { state: 'NOT_NEEDED', reason: 'Synthetic: the family is not registered with a GP here.' });

  // Re-rating: the current rating is not offered.
  assert.equal(await page.locator('input[name="new-rag"][value="AMBER"]').count(), 0);
  await page.locator('#change-rag').click();
  await page.locator('#rag .govuk-error-summary', { hasText: 'Select the new RAG rating' }).waitFor();
  await page.locator('input[name="new-rag"][value="RED"]').check();
  await page.locator('#rag-reason').fill('Synthetic: the police answer shows risk.');
  await page.locator('#change-rag').click();
  await page.locator('.govuk-notification-banner--success', { hasText: 'The RAG rating has been changed' }).waitFor();
  assert.deepEqual(rag, [{ rag: 'RED', reason: 'Synthetic: the police answer shows risk.' }]);
  assert.deepEqual(t.problems, []);
  await t.context.close();

  // A manager sees the checks, with no forms.
  const m = await openPage(browser, server, { prefix: 'features' });
  await overlay(m.page, `/v1/contacts/${ids.mash}`, (c) => withChecks(c));
  await m.signIn('manager');
  await m.page.goto(`/#/contacts/${ids.mash}`);
  await m.page.locator('#checks').waitFor();
  assert.equal(await m.page.locator('#checks form, #rag-form, #mash-form').count(), 0);
  await m.context.close();
});

test('the contact page shows linked contacts, identity reviews and why it is urgent', async () => {
  const t = await openPage(browser, server, { prefix: 'features' });
  const { page } = t;
  await overlay(page, `/v1/contacts/${ids.earlier}`, (c) => ({
    ...c, linked_contacts: [ids.later], urgency: { rank: 1, why: 'Red' },
    identity_reviews: [{ child: 0, matched_person_id: 'P-9', reason: 'The NHS number belongs to a child born on another day' }],
  }));
  await t.signIn('triage');
  await page.goto(`/#/contacts/${ids.earlier}`);
  await page.locator('#linked').waitFor();
  assert.match(await page.locator('#urgency').innerText(), /Urgent\s+Red/);
  await page.locator(`#linked-list a[href="#/contacts/${ids.later}"]`).click();
  await page.locator('h1', { hasText: ids.later }).waitFor();
  assert.equal(await page.locator('.govuk-back-link').innerText(), 'Back to the contact you came from');
  assert.equal(await page.locator('.govuk-back-link').getAttribute('href'), `#/contacts/${ids.earlier}`);
  await page.locator('.govuk-back-link').click();
  await page.locator('#identity').waitFor();
  assert.match(await page.locator('#identity-list').innerText(), /First child \(Alex Sample\): The NHS number belongs to a child born on another day/);
  await t.shot('linked-identity');
  assert.deepEqual(await t.axe('linked-identity'), []);
  await t.context.close();
});

test('the history names the new events in words, with their details', async () => {
  const t = await openPage(browser, server, { prefix: 'features' });
  const { page } = t;
  const at = '2026-11-24T10:30:00Z';
  const extra = [
    { type: 'TIMESCALE_DUE_SOON', timescale_due_soon: { name: 'decision', due_at: '2026-11-25T10:00:00Z' } },
    { type: 'AUTHORISATION_REQUESTED', authorisation_requested: { decision: { route: 'NFA', reason: 'Synthetic reason.' }, why: 'It closes the contact below what the rules recommended' } },
    { type: 'AUTHORISATION_RECORDED', authorisation_recorded: { outcome: 'RETURNED', note: 'Synthetic: speak to the school.' } },
    { type: 'CHECK_REQUESTED', check_requested: { agency: 'POLICE', due_at: '2026-11-25T10:00:00Z' } },
    { type: 'CHECK_ANSWERED', check_answered: { agency: 'POLICE', state: 'ANSWERED', summary: 'Synthetic: known to police.', risk_indicated: true } },
    { type: 'CHECK_ANSWERED', check_answered: { agency: 'HEALTH_GP', state: 'NOT_NEEDED', reason: 'Synthetic: not registered.' } },
    { type: 'CHECK_OVERDUE', check_overdue: { agency: 'SCHOOLS', due_at: '2026-11-25T10:00:00Z' } },
    { type: 'RAG_CHANGED', rag_changed: { from: 'AMBER', to: 'RED', reason: 'Synthetic: police answer.', mash_due_at: '2026-11-24T14:30:00Z' } },
    { type: 'CONTACT_LINKED', contact_linked: { linked_contact_id: ids.later } },
  ];
  await overlay(page, `/v1/contacts/${ids.mash}/events`, (answer) => ({
    events: [...answer.events, ...extra.map((e, i) => ({ id: `${ids.mash}-x${i}`, contact_id: ids.mash, seq: 100 + i, at, ...e }))],
  }));
  await t.signIn('manager');
  await page.goto(`/#/contacts/${ids.mash}`);
  await page.locator('#history-table').waitFor();
  const rows = await page.locator('#history-table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  const find = (label) => rows.filter((r) => r[1] === label).map((r) => r[3]).join(' | ');
  assert.match(find('Close to its deadline'), /Decision is close to its deadline: due by 10:00 on 25 November 2026/);
  assert.match(find('Sent for a manager’s authorisation'), /No further action waits for a manager: It closes/);
  assert.match(find('Manager answered'), /Returned to the triage worker\. Note: Synthetic: speak to the school\./);
  assert.match(find('Agency check requested'), /The police asked what they know, due by 10:00 on 25 November 2026/);
  assert.match(find('Agency check answered'), /The police answered, risk indicated\. Synthetic: known to police\./);
  assert.match(find('Agency check answered'), /A GP: check not needed\. Why: Synthetic: not registered\./);
  assert.match(find('Agency check overdue'), /had not answered by 10:00 on 25 November 2026: they have been chased/);
  assert.match(find('RAG rating changed'), /From amber to red; MASH work now due by 14:30 on 24 November 2026\. Reason: Synthetic: police answer\./i);
  assert.match(find('Linked to a later contact'), new RegExp(ids.later));
  for (const r of rows) assert.ok(r[3].trim(), `details for ${r[1]}`);
  assert.doesNotMatch(await page.locator('#history-table').innerText(), CODES);
  await t.context.close();
});

test('the new parts of the contact page fit a 375 px screen', async () => {
  const t = await openPage(browser, server, { prefix: 'features-phone', phone: true });
  await overlay(t.page, `/v1/contacts/${ids.mash}`, (c) => ({ ...withChecks(c), linked_contacts: [ids.later],
    identity_reviews: [{ child: 0, reason: 'The NHS number belongs to a child born on another day' }] }));
  await t.signIn('triage');
  await t.page.goto(`/#/contacts/${ids.mash}`);
  await t.page.locator('#checks').waitFor();
  assert.equal(await t.overflow(), 0);
  await t.shot('contact-mash-phone');
  assert.deepEqual(await t.axe('contact-mash-phone'), []);
  await t.context.close();
});
