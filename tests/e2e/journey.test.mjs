// The whole path of one contact through the pages: a partner sends it with
// the form; triage finds it on the triage worklist (and filters the list),
// opens it, sees the recommendation and decides MASH; it moves to the MASH
// worklist; MASH records the outcome; the contact closes and the outcome
// letter shows on the contact page. A manager sees the same page read-only,
// and sees who decided a contact when a key (a machine client) did.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, syntheticContact } from './lib/server.mjs';
import { launch, openPage } from './lib/browser.mjs';
import { fillContactForm } from './lib/form.mjs';

let server; let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

test('from the form through triage and MASH to the outcome letter', async () => {
  // Another contact from a school, so that the worklist filter has something to hide.
  const other = await server.api('partner', 'POST', '/v1/contacts', syntheticContact({ source: 'SCHOOLS' }));
  assert.equal(other.status, 201);

  const partner = await openPage(browser, server, { prefix: 'journey' });
  await partner.signIn('partner');
  await fillContactForm(partner.page, { consent: 'GIVEN', concerns: ['DOMESTIC_ABUSE'] });
  await partner.page.locator('#send-contact').click();
  await partner.page.locator('#contact-id').waitFor();
  const id = await partner.page.locator('#contact-id').innerText();
  await partner.context.close();

  const t = await openPage(browser, server, { prefix: 'journey' });
  const { page } = t;
  await t.signIn('triage');
  await page.locator('#worklist-table').waitFor();
  const row = page.locator('#worklist-table tr', { has: page.locator(`a[data-contact="${id}"]`) });
  await row.waitFor();
  assert.match(await row.innerText(), /23 hours \d+ minutes left|1 day left|24 hours left/);
  assert.equal(await row.locator('.fd-time-left').getAttribute('data-breached'), 'false');
  await t.shot('triage-worklist');
  assert.deepEqual(await t.axe('triage-worklist'), []);

  // Filters: by source, then clear.
  await page.locator('#filter-source').selectOption('SCHOOLS');
  await page.locator('#apply-filters').click();
  await page.locator(`a[data-contact="${other.json.id}"]`).waitFor();
  assert.equal(await page.locator(`a[data-contact="${id}"]`).count(), 0);
  assert.match(page.url(), /source=SCHOOLS/);
  await page.goto('/#/worklist/triage');
  await page.locator(`a[data-contact="${id}"]`).click();

  await page.locator('#decision-form').waitFor();
  assert.match(await page.locator('h1').innerText(), new RegExp(id));
  assert.match(await page.locator('#recommendation').innerText(), /Multi-Agency Safeguarding Hub/);
  assert.match(await page.locator('#facts').innerText(), /Jamie Testcase/);
  assert.match(await page.locator('#history').innerText(), /Contact received/);
  assert.match(await page.locator('#letters').innerText(), /Acknowledgement/);
  await page.locator('#recommendation summary', { hasText: 'How the rules reached' }).click();
  await t.shot('contact-awaiting-decision');
  assert.deepEqual(await t.axe('contact-awaiting-decision'), []);

  // A decision without a reason is refused by the server, shown in the summary.
  await page.locator('input[name="decision-route"][value="MASH"]').check();
  await page.locator('#record-decision').click();
  await page.locator('.govuk-error-summary a[href="#decision-reason"]').waitFor();
  await page.locator('input[name="decision-rag"][value="AMBER"]').check();
  await page.locator('#decision-reason').fill('Synthetic: partner checks needed before deciding the level of need.');
  await page.locator('#record-decision').click();
  await page.locator('.govuk-notification-banner--success').waitFor();
  await page.locator('#mash-form').waitFor();
  assert.match(await page.locator('#decision').innerText(), /Amber/);
  await t.shot('contact-in-mash');

  await page.goto('/#/worklist/mash');
  await page.locator(`a[data-contact="${id}"]`).waitFor();
  assert.match(await page.locator('#worklist-table').innerText(), /Amber/);
  await t.shot('mash-worklist');
  assert.deepEqual(await t.axe('mash-worklist'), []);
  await page.locator(`a[data-contact="${id}"]`).click();

  await page.locator('#mash-form').waitFor();
  await page.locator('input[name="mash-outcome"][value="EARLY_HELP"]').check();
  await page.locator('#mash-reason').fill('Synthetic: needs are best met by a family support worker.');
  await page.locator('#mash-team').fill('Early Help North');
  await page.locator('#record-mash-outcome').click();
  await page.locator('.govuk-notification-banner--success').waitFor();
  await page.locator('#letters [data-letter-kind="OUTCOME"]').waitFor();
  assert.match(await page.locator('#contact-outcome').innerText(), /early help/i);
  assert.equal(await page.locator('#mash-form').count(), 0);
  await t.shot('contact-closed-with-letter');
  assert.deepEqual(await t.axe('contact-closed'), []);
  assert.deepEqual(t.problems, []);
  await t.context.close();

  const api = await server.api('triage', 'GET', `/v1/contacts/${id}`);
  assert.equal(api.json.state, 'CLOSED');
  assert.equal(api.json.outcome, 'EARLY_HELP');

  // A manager reads the same contact, with no forms.
  const m = await openPage(browser, server, { prefix: 'journey' });
  await m.signIn('manager');
  await m.page.goto(`/#/contacts/${id}`);
  await m.page.locator('#letters').waitFor();
  assert.equal(await m.page.locator('#decision-form, #mash-form').count(), 0);
  await m.page.goto('/#/worklist/triage');
  await m.page.locator('#worklist-status').filter({ hasText: 'open contact' }).waitFor();
  await m.shot('manager-triage-worklist');
  assert.deepEqual(m.problems, []);
  await m.context.close();
});

test('a partner cannot open staff pages', async () => {
  const t = await openPage(browser, server, { prefix: 'journey' });
  await t.signIn('partner');
  await t.page.goto('/#/worklist/triage');
  await t.page.locator('h1', { hasText: 'You cannot see this page' }).waitFor();
  await t.shot('partner-no-access');
  assert.deepEqual(await t.axe('no-access'), []);
  await t.context.close();
});

test('the contact page says which key decided, with its organisation', async () => {
  const created = await server.api('partner', 'POST', '/v1/contacts', syntheticContact({ external_ref: 'E2E-KEY-DECIDED' }));
  assert.equal(created.status, 201);
  const { id } = created.json;
  const decided = await server.api('triage', 'POST', `/v1/contacts/${id}/decision`,
    // As recommended (MASH), so that it takes effect without a manager.
    { route: 'MASH', rag: 'AMBER', reason: 'Synthetic: checks needed with partner agencies.' });
  assert.equal(decided.status, 200);

  const m = await openPage(browser, server, { prefix: 'journey' });
  await m.signIn('manager');
  await m.page.goto(`/#/contacts/${id}`);
  await m.page.locator('#decided-by').waitFor();
  assert.match(await m.page.locator('#decided-by').innerText(),
    /^Decided by ifd-triage \(Wirral front door\), [A-Z][a-z]{2} 24 Nov, \d\d:\d\d$/);
  const history = await m.page.locator('#history-table').innerText();
  assert.match(history, /Decision recorded\s+ifd-triage \(Wirral front door\)/);
  // The partner's key has no organisation of its own: its name alone.
  assert.match(history, /Contact received\s+merseyside-police\s/);
  await m.shot('contact-decided-by-key');
  assert.deepEqual(m.problems, []);
  await m.context.close();
});
