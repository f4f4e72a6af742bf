// The pages for MASH checks and re-rating: a phone answer and a not-needed check recorded in the
// browser, the RAG re-rated, then the outcome with a reason for the checks still open. Set up
// through the real API, done in the browser, checked in what the server stores.
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
