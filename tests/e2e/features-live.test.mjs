// The new-feature pages against a server that has the features (issue 9:
// urgency, management oversight, MASH checks, the RAG re-rating, who the
// child is): everything set up through the real API, done in the browser,
// and checked in what the server then stores. features.test.mjs checks the
// same pages against the protos alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, syntheticContact } from './lib/server.mjs';
import { launch, openPage } from './lib/browser.mjs';

let server; let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

async function contact(body) {
  const res = await server.api('partner', 'POST', '/v1/contacts', syntheticContact(body));
  assert.equal(res.status, 201, res.text);
  return res.json.id;
}
const read = async (id) => (await server.api('triage', 'GET', `/v1/contacts/${id}`)).json;
const events = async (id) => (await server.api('triage', 'GET', `/v1/contacts/${id}/events`)).json.events.map((e) => e.type);

test('an urgent contact comes first on the triage worklist, with why', async () => {
  const calm = await contact({ external_ref: 'LIVE-CALM' });
  const urgent = await contact({ external_ref: 'LIVE-URGENT', immediate_risk: true });
  const t = await openPage(browser, server, { prefix: 'live-features' });
  await t.signIn('triage');
  await t.page.locator('#worklist-table').waitFor();
  const rows = await t.page.locator('#worklist-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.row));
  assert.equal(rows[0], urgent, JSON.stringify(rows));
  assert.ok(rows.includes(calm));
  const why = (await read(urgent)).urgency.why;
  assert.ok(why, 'the server says why');
  assert.match(await t.page.locator(`tr[data-row="${urgent}"] [data-urgency]`).innerText(), new RegExp(`Urgent\\s+${why.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  assert.equal(await t.page.locator(`tr[data-row="${calm}"] [data-urgency]`).count(), 0);
  await t.shot('urgent-first');
  assert.deepEqual(await t.axe('urgent-first'), []);
  await t.context.close();
});

test('a contact with no answer about immediate risk is refused, and the form says so first', async () => {
  const body = syntheticContact();
  delete body.immediate_risk;
  const res = await server.api('partner', 'POST', '/v1/contacts', body);
  assert.equal(res.status, 400);
  assert.ok(res.json.errors.some((e) => e.field === 'immediate_risk'));
});

test('MASH checks: a phone answer and a not-needed recorded in the browser, the RAG re-rated, then the outcome', async () => {
  const id = await contact({ external_ref: 'LIVE-CHECKS' });
  const d = await server.api('triage', 'POST', `/v1/contacts/${id}/decision`,
    { route: 'MASH', rag: 'GREEN', reason: 'Synthetic: partner checks needed.' });
  assert.equal(d.status, 200, d.text);
  const checks = (await read(id)).checks;
  assert.ok(checks.length >= 2, JSON.stringify(checks));
  const [first, second] = checks.map((k) => k.agency);

  const t = await openPage(browser, server, { prefix: 'live-features' });
  const { page } = t;
  await t.signIn('triage');
  await page.goto(`/#/contacts/${id}`);
  await page.locator(`#check-${first}-form`).waitFor();
  await page.locator(`input[name="check-${first}-kind"][value="ANSWERED"]`).check();
  await page.locator(`#check-${first}-summary`).fill('Synthetic: known to the agency, no current concerns.');
  await page.locator(`input[name="check-${first}-risk"][value="no"]`).check();
  await page.locator(`#check-${first}-from`).fill('Synthetic: duty officer by phone');
  await page.locator(`#check-${first}-record`).click();
  await page.locator('.govuk-notification-banner--success', { hasText: 'The check has been recorded' }).waitFor();
  let stored = (await read(id)).checks.find((k) => k.agency === first);
  assert.equal(stored.state, 'ANSWERED');
  assert.equal(stored.summary, 'Synthetic: known to the agency, no current concerns.');
  assert.equal(await page.locator(`#check-${first} form`).count(), 0);

  await page.locator(`input[name="check-${second}-kind"][value="NOT_NEEDED"]`).check();
  await page.locator(`#check-${second}-why`).fill('Synthetic: the family has no contact with this agency.');
  await page.locator(`#check-${second}-record`).click();
  await page.locator(`#check-${second}[data-state="NOT_NEEDED"]`).waitFor();
  stored = (await read(id)).checks.find((k) => k.agency === second);
  assert.equal(stored.state, 'NOT_NEEDED');

  const dueBefore = (await read(id)).deadlines.find((dl) => dl.name === 'mash').due_at;
  await page.locator('input[name="new-rag"][value="RED"]').check();
  await page.locator('#rag-reason').fill('Synthetic: the answers raise the risk.');
  await page.locator('#change-rag').click();
  await page.locator('.govuk-notification-banner--success', { hasText: 'The RAG rating has been changed' }).waitFor();
  const after = await read(id);
  assert.equal(after.mash.rag, 'RED');
  assert.ok(Date.parse(after.deadlines.find((dl) => dl.name === 'mash').due_at) < Date.parse(dueBefore));
  assert.ok((await events(id)).includes('RAG_CHANGED'));
  assert.match(await page.locator('#history-table').innerText(), /RAG rating changed[\s\S]*From green to red/i);
  await t.shot('checks-recorded');
  assert.deepEqual(await t.axe('checks-recorded'), []);

  // The outcome while a check is still unanswered needs a reason for that too.
  const open = after.checks.filter((k) => k.state === 'REQUESTED').length;
  await page.locator('input[name="mash-outcome"][value="EARLY_HELP"]').check();
  await page.locator('#mash-reason').fill('Synthetic: early help fits.');
  if (open) {
    await page.locator('#record-mash-outcome').click();
    await page.locator('.govuk-error-summary a[href="#mash-unanswered"]').waitFor();
    await page.locator('#mash-unanswered').fill('Synthetic: the family agreed to early help.');
  }
  await page.locator('#record-mash-outcome').click();
  await page.locator('.govuk-notification-banner--success', { hasText: 'The MASH outcome has been recorded' }).waitFor();
  assert.equal((await read(id)).state, 'CLOSED');
  assert.deepEqual(t.problems, []);
  await t.context.close();
});

test("a decision below the recommendation waits on the manager's list; authorised it closes, returned it goes back to triage", async () => {
  const ids = [];
  for (const ref of ['LIVE-AUTH-1', 'LIVE-AUTH-2']) {
    const id = await contact({ external_ref: ref });
    assert.equal((await read(id)).recommendation.route, 'MASH');
    const d = await server.api('triage', 'POST', `/v1/contacts/${id}/decision`,
      { route: 'NFA', reason: 'Synthetic: no role for children’s services.' });
    assert.equal(d.status, 200, d.text);
    assert.equal((await read(id)).state, 'AWAITING_AUTHORISATION');
    ids.push(id);
  }
  const t = await openPage(browser, server, { prefix: 'live-features' });
  const { page } = t;
  await t.signIn('manager');
  await page.locator('.govuk-service-navigation__link', { hasText: 'Waiting for authorisation' }).click();
  for (const id of ids) await page.locator(`#worklist-table tr[data-row="${id}"]`).waitFor();
  assert.match(await page.locator(`#worklist-table tr[data-row="${ids[0]}"]`).innerText(), /No further action[\s\S]*Manager’s authorisation: /);
  await t.shot('authorisation-list');
  assert.deepEqual(await t.axe('authorisation-list'), []);

  await page.locator(`a[data-contact="${ids[0]}"]`).click();
  await page.locator('#authorisation-form').waitFor();
  await page.locator('input[name="authorisation-outcome"][value="AUTHORISED"]').check();
  await page.locator('#record-authorisation').click();
  await page.locator('.govuk-notification-banner--success', { hasText: 'Your answer has been recorded' }).waitFor();
  await page.locator('#letters [data-letter-kind="OUTCOME"]').waitFor();
  assert.equal((await read(ids[0])).state, 'CLOSED');
  await page.locator('.govuk-back-link').click();
  await page.locator(`#worklist-table tr[data-row="${ids[1]}"]`).waitFor();
  assert.equal(await page.locator(`#worklist-table tr[data-row="${ids[0]}"]`).count(), 0);

  await page.locator(`a[data-contact="${ids[1]}"]`).click();
  await page.locator('input[name="authorisation-outcome"][value="RETURNED"]').check();
  await page.locator('#authorisation-note').fill('Synthetic: ask the school what it knows first.');
  await page.locator('#record-authorisation').click();
  await page.locator('.govuk-notification-banner--success').waitFor();
  assert.equal((await read(ids[1])).state, 'AWAITING_DECISION');
  await t.context.close();

  // The triage worker sees the note, and decides again.
  const s = await openPage(browser, server, { prefix: 'live-features' });
  await s.signIn('triage');
  await s.page.goto(`/#/contacts/${ids[1]}`);
  await s.page.locator('#decision-form').waitFor();
  assert.match(await s.page.locator('#authorisation').innerText(), /Returned to the triage worker[\s\S]*ask the school what it knows first/);
  assert.match(await s.page.locator('#history-table').innerText(), /Manager answered\s[\s\S]*Note: Synthetic: ask the school/);
  assert.deepEqual(await s.axe('returned'), []);
  await s.context.close();
});

test('a later contact about the same child is linked and shown with the first; a different date of birth asks for an identity check', async () => {
  const child = { given_name: 'Morgan', family_name: 'Linked', date_of_birth: '2015-05-05', nhs_number: '9434765919', sex: 'F' };
  const firstId = await contact({ external_ref: 'LIVE-LINK-1', children: [child] });
  const secondId = await contact({ external_ref: 'LIVE-LINK-2', children: [child] });
  const otherId = await contact({ external_ref: 'LIVE-ID', children: [{ ...child, given_name: 'Morgana', date_of_birth: '2016-06-06' }] });
  const second = await read(secondId);
  assert.ok((second.linked_contacts || []).includes(firstId), JSON.stringify(second.linked_contacts));
  assert.ok(((await read(firstId)).linked_contacts || []).includes(secondId));
  assert.ok(((await read(otherId)).identity_reviews || []).length >= 1);

  const t = await openPage(browser, server, { prefix: 'live-features' });
  const { page } = t;
  await t.signIn('triage');
  await page.locator(`#worklist-table tr[data-row="${secondId}"]`).waitFor();
  const rows = await page.locator('#worklist-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.row));
  const a = rows.indexOf(firstId); const b = rows.indexOf(secondId);
  assert.equal(Math.abs(a - b), 1, `linked contacts next to each other: ${JSON.stringify(rows)}`);
  assert.match(await page.locator(`tr[data-row="${otherId}"] [data-identity]`).innerText(), /Check identity/);
  await t.shot('linked-rows');
  assert.deepEqual(await t.axe('linked-rows'), []);

  await page.goto(`/#/contacts/${secondId}`);
  await page.locator(`#linked-list a[data-linked="${firstId}"]`).waitFor();
  await page.goto(`/#/contacts/${firstId}`);
  assert.match(await page.locator('#history-table').innerText(), new RegExp(`Linked to a later contact[\\s\\S]*${secondId}`));
  await page.goto(`/#/contacts/${otherId}`);
  await page.locator('#identity-list').waitFor();
  assert.match(await page.locator('#identity-list').innerText(), /First child \(Morgana Linked\)/);
  assert.deepEqual(t.problems, []);
  await t.context.close();
});
