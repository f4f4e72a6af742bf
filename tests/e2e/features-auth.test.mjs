// The pages for management oversight: a decision below the recommendation on the managers'
// "Waiting for authorisation" list, authorised (it closes) or returned (back to triage, with the
// note). Set up through the real API, done in the browser, checked in what the server stores.
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
