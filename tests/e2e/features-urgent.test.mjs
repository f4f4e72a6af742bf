// The pages for urgent contacts: an urgent contact first on the worklist, with why, and
// immediate_risk required by the server. Set up through the real API, done in the browser, checked
// in what the server stores.
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

test('the server refuses a contact with no answer about immediate risk, naming the field', async () => {
  const body = syntheticContact();
  delete body.immediate_risk;
  const res = await server.api('partner', 'POST', '/v1/contacts', body);
  assert.equal(res.status, 400);
  assert.ok(res.json.errors.some((e) => e.field === 'immediate_risk'));
});
