// The pages for who the child is: a later contact about the same child linked and shown with the
// first, and an identity check when the dates of birth differ. Set up through the real API, done
// in the browser, checked in what the server stores.
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
