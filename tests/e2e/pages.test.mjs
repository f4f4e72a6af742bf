// The pages' fixes of issue 9, in the browser against the real server: the
// threshold helper stays in view (beside the form; on a phone a summary at
// the foot of the screen, before the buttons); every error in one round,
// in plain words naming the child; partners see only their questions;
// "Check your answers" before sending, with the server's refusals in the
// same summary; an urgent contact's confirmation; the contact page's order
// and letter preview; "Page not found"; back links; ages in months; the
// history in words; no sideways scrolling at 375 px, tags inside their
// cells and a mobile menu; the live view's figures updating themselves and
// a near-breach kept after a clock jump; "Error:" in the titles.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, syntheticContact } from './lib/server.mjs';
import { launch, openPage } from './lib/browser.mjs';
import { fillContactForm, sendContact } from './lib/form.mjs';

let server; let browser;
let baby; let older;
before(async () => {
  server = await startServer();
  browser = await launch();
  // Born 20 July 2026: 4 months old on 24 November 2026 (the server's clock).
  const b = await server.api('partner', 'POST', '/v1/contacts', syntheticContact({
    external_ref: 'E2E-BABY', children: [{ given_name: 'Rowan', family_name: 'Infant', date_of_birth: '2026-07-20', sex: 'M' }] }));
  assert.equal(b.status, 201, b.text);
  baby = b.json.id;
  const o = await server.api('partner', 'POST', '/v1/contacts', syntheticContact({ external_ref: 'E2E-OLDER' }));
  assert.equal(o.status, 201, o.text);
  older = o.json.id;
});
after(async () => { await browser?.close(); await server?.stop(); });

// Words a person should never see in an error: codes and formats.
const CODES = /\b[A-Z]{2,}_[A-Z_]+\b|YYYY|e\.g\.|SCHOOLS or POLICE|SIGNPOST, EARLY_HELP/;

const inView = (page, sel) => page.locator(sel).evaluate((el) => {
  const r = el.getBoundingClientRect();
  return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight + 1;
});

test('the threshold helper stays in view beside the form while it is filled', async () => {
  const t = await openPage(browser, server, { prefix: 'pages' });
  await t.signIn('triage');
  await t.page.goto('/#/contacts/new');
  await fillContactForm(t.page, { channel: 'PHONE' });
  await t.page.locator('#helper-status', { hasText: 'Recommended:' }).waitFor();
  for (const sel of ['#concern-1', '#narrative', '#continue']) {
    await t.page.locator(sel).scrollIntoViewIfNeeded();
    await t.page.evaluate(() => new Promise((r) => requestAnimationFrame(r)));
    assert.ok(await inView(t.page, '#helper-title'), `the helper is in view at ${sel}`);
  }
  // At the concerns the page has scrolled far down, and the helper with it.
  assert.ok(await t.page.evaluate(() => window.scrollY) > 1500);
  assert.equal(await t.page.locator('#helper-compact').isVisible(), false, 'no compact summary on a wide screen');
  await t.shot('helper-sticky');
  assert.deepEqual(t.problems, []);
  await t.context.close();
});

test('on a phone the helper summary stays at the foot of the screen, before the buttons', async () => {
  const t = await openPage(browser, server, { prefix: 'pages-phone', phone: true });
  await t.signIn('partner');
  await fillContactForm(t.page);
  await t.page.locator('#helper-compact-text', { hasText: 'Recommended:' }).waitFor();
  for (const sel of ['#source', '#concern-1', '#narrative']) {
    await t.page.locator(sel).scrollIntoViewIfNeeded();
    assert.ok(await inView(t.page, '#helper-compact'), `the helper summary is in view at ${sel}`);
  }
  const before = await t.page.evaluate(() => {
    const compact = document.querySelector('#helper-compact');
    return !!(compact.compareDocumentPosition(document.querySelector('#continue')) & Node.DOCUMENT_POSITION_FOLLOWING);
  });
  assert.ok(before, 'the summary comes before the Continue button');
  assert.equal(await t.overflow(), 0, 'no sideways scrolling');
  await t.page.locator('#helper-compact-link').click();
  assert.ok(await inView(t.page, '#helper-title'));
  await t.shot('helper-phone');
  assert.deepEqual(await t.axe('helper-phone'), []);
  await t.context.close();
});

test('an empty form shows every error at once, in plain words that say which child', async () => {
  const t = await openPage(browser, server, { prefix: 'pages' });
  const posts = [];
  t.page.on('request', (req) => { if (req.method() === 'POST' && req.url().endsWith('/v1/contacts')) posts.push(req.url()); });
  await t.signIn('partner');
  await t.page.locator('#add-child').click();
  await t.page.locator('#child-1-dob-day').fill('31');
  await t.page.locator('#child-1-dob-month').fill('2');
  await t.page.locator('#child-1-dob-year').fill('2020');
  await t.page.locator('#continue').click();
  const summary = t.page.locator('.govuk-error-summary');
  await summary.waitFor();
  const items = await summary.locator('li').allInnerTexts();
  const text = items.join('\n');
  for (const want of [/who you are making this contact as/, /Enter your full name/, /Select whether the family agreed/,
    /Enter the first child’s first name or last name/, /Second child’s date of birth must be a real date/,
    /Select at least one concern/, /Say whether a child is at immediate risk/]) {
    assert.match(text, want);
  }
  assert.doesNotMatch(text, CODES);
  assert.ok(items.length >= 8, text);
  assert.match(await t.page.title(), /^Error: /);
  assert.equal(posts.length, 0);
  await t.shot('all-errors');
  assert.deepEqual(await t.axe('all-errors'), []);

  // The staff form's questions the partner does not have, in plain words too.
  const s = await openPage(browser, server, { prefix: 'pages' });
  await s.signIn('triage');
  await s.page.goto('/#/contacts/new');
  await s.page.locator('#received-at-day').fill('40');
  await s.page.locator('#received-at-month').fill('1');
  await s.page.locator('#received-at-year').fill('2026');
  await s.page.locator('#continue').click();
  const staff = (await s.page.locator('.govuk-error-summary li').allInnerTexts()).join('\n');
  assert.match(staff, /Select how the contact reached the front door/);
  assert.match(staff, /date the contact was received must be a real date/);
  assert.match(staff, /referrer’s full name/);
  assert.doesNotMatch(staff, CODES);
  await s.context.close();
  await t.context.close();
});

test('partners see only their questions; staff also see channel, received date and census codes', async () => {
  const t = await openPage(browser, server, { prefix: 'pages' });
  await t.signIn('partner');
  await t.page.locator('#contact-form').waitFor();
  assert.equal(await t.page.locator('input[name="channel"]').count(), 0);
  assert.equal(await t.page.locator('#received-at-day, #received-at-time').count(), 0);
  const options = await t.page.locator('#source option').allInnerTexts();
  assert.ok(options.includes('The police'), options.join('|'));
  assert.ok(options.every((o) => !/\(\w{1,2}\)$/.test(o)), 'no census codes');
  await t.context.close();

  const s = await openPage(browser, server, { prefix: 'pages' });
  await s.signIn('triage');
  await s.page.goto('/#/contacts/new');
  await s.page.locator('#contact-form').waitFor();
  assert.ok(await s.page.locator('input[name="channel"]').count() > 1);
  assert.equal(await s.page.locator('#received-at-day').count(), 1);
  assert.ok((await s.page.locator('#source option').allInnerTexts()).some((o) => /\(1A\)|\(\d\w?\)$/.test(o)));
  await s.context.close();
});

test('check your answers before sending: change goes back, and what the server refuses joins the summary', async () => {
  const t = await openPage(browser, server, { prefix: 'pages' });
  await t.signIn('partner');
  await fillContactForm(t.page);
  await t.page.locator('#continue').click();
  const answers = t.page.locator('#check-answers');
  await answers.locator('h2', { hasText: 'Check your answers' }).waitFor();
  assert.match(await t.page.title(), /^Check your answers/);
  const text = await answers.innerText();
  for (const want of [/PC Test Example/, /Jamie Testcase/, /Born 4 May 2019/, /Domestic abuse/i, /Immediate risk of significant harm\s+No/]) {
    assert.match(text, want);
  }
  assert.equal(await t.page.locator('#contact-form').isVisible(), false);
  await t.page.locator('#check-answers-helper', { hasText: 'Recommended:' }).waitFor();
  await t.shot('check-answers');
  assert.deepEqual(await t.axe('check-answers'), []);

  // Change the child's name: back on the form, at that field.
  await answers.locator('a[data-change="child-0-given-name"]').click();
  assert.equal(await t.page.evaluate(() => document.activeElement.id), 'child-0-given-name');
  await t.page.locator('#child-0-given-name').fill('Jordan');
  // A reference longer than the server takes: only the server says so.
  await t.page.locator('#external-ref').fill('R'.repeat(130));
  await t.page.locator('#continue').click();
  await answers.locator('h2').waitFor();
  assert.match(await answers.innerText(), /Jordan Testcase/);
  await t.page.locator('#send-contact').click();
  const summary = t.page.locator('.govuk-error-summary');
  await summary.waitFor();
  assert.equal(await t.page.locator('#contact-form').isVisible(), true);
  const link = summary.locator('a[href="#external-ref"]');
  assert.match(await link.innerText(), /Your reference must be at most 128 characters/);
  assert.match(await t.page.title(), /^Error: /);

  await t.page.locator('#external-ref').fill('E2E-CYA');
  const id = await sendContact(t.page);
  const stored = await server.api('triage', 'GET', `/v1/contacts/${id}`);
  assert.equal(stored.json.children[0].given_name, 'Jordan');
  assert.equal(stored.json.external_ref, 'E2E-CYA');
  assert.deepEqual(t.problems, []);
  await t.context.close();
});

test("an urgent contact's confirmation says what happens now and to call 999", async () => {
  const t = await openPage(browser, server, { prefix: 'pages' });
  await t.signIn('partner');
  await fillContactForm(t.page, { risk: 'yes' });
  await t.page.locator('#continue').click();
  await t.page.locator('#check-answers .govuk-warning-text', { hasText: 'call 999' }).waitFor();
  await t.page.locator('#send-contact').click();
  await t.page.locator('#contact-id').waitFor();
  const next = await t.page.locator('#urgent-next').innerText();
  assert.match(next, /call 999/);
  assert.match(next, /looks at this contact now/);
  assert.match(await t.page.locator('h2', { hasText: 'What happens now' }).innerText(), /What happens now/);
  await t.shot('urgent-confirmation');
  assert.deepEqual(await t.axe('urgent-confirmation'), []);
  await t.context.close();

  // A contact without immediate risk keeps "What happens next".
  const n = await openPage(browser, server, { prefix: 'pages' });
  await n.signIn('partner');
  await fillContactForm(n.page);
  await sendContact(n.page);
  assert.equal(await n.page.locator('#urgent-next').count(), 0);
  await n.page.locator('h2', { hasText: 'What happens next' }).waitFor();
  await n.context.close();
});

test('the contact page shows the child and the worry before the decision form, and previews the letter', async () => {
  const t = await openPage(browser, server, { prefix: 'pages' });
  await t.signIn('triage');
  await t.page.goto(`/#/contacts/${older}`);
  await t.page.locator('#decision-form').waitFor();
  const order = await t.page.evaluate(() => ['#about-child', '#narrative', '#concerns-list', '#decide']
    .map((sel) => document.querySelector(sel).getBoundingClientRect().top + window.scrollY));
  assert.ok(order[0] < order[3] && order[1] < order[3] && order[2] < order[3], JSON.stringify(order));
  assert.ok(order[1] < 1400, `"What worries you?" is near the top (${order[1]} px)`);
  assert.match(await t.page.locator('#about-child').innerText(), /Alex Sample, born 1 June 2017 \(aged 9\)/);

  const events = (await server.api('triage', 'GET', `/v1/contacts/${older}/events`)).json.events.length;
  await t.page.locator('input[name="decision-route"][value="SIGNPOST"]').check();
  await t.page.locator('#decision-reason').fill('Synthetic: the school nurse can help the family.');
  await t.page.locator('#decide summary', { hasText: 'Preview the letter' }).click();
  const preview = t.page.locator('#decision-letter-preview [data-preview="letter"]');
  await preview.waitFor();
  const letter = await preview.innerText();
  // The server's own letter, from the partnership's template.
  assert.match(letter, /Dear PC Test Example/);
  assert.match(letter, /The outcome is: signposted to services that can help/);
  assert.match(letter, /Synthetic: the school nurse can help the family\./);
  // Letters name children by their initials only.
  assert.match(letter, /about A\.S\. \(aged 9\)/);
  // Typing more changes the preview; nothing is recorded.
  await t.page.locator('#decision-reason').fill('Synthetic: a different reason.');
  await t.page.locator('#decision-letter-preview', { hasText: 'a different reason' }).waitFor();
  await t.page.locator('input[name="decision-route"][value="MASH"]').check();
  await t.page.locator('#decision-letter-preview', { hasText: 'No letter goes now' }).waitFor();
  assert.equal((await server.api('triage', 'GET', `/v1/contacts/${older}/events`)).json.events.length, events);
  await t.shot('contact-letter-preview');
  assert.deepEqual(await t.axe('contact-letter-preview'), []);

  // The decision form's own errors in plain words, all at once.
  await t.page.locator('#decision-reason').fill('');
  await t.page.locator('input[name="decision-route"][value="MASH"]').uncheck().catch(() => {});
  await t.page.goto(`/#/contacts/${older}?again=1`);
  await t.page.locator('#record-decision').click();
  const errors = (await t.page.locator('.govuk-error-summary li').allInnerTexts()).join('\n');
  assert.match(errors, /Select where this contact should go/);
  assert.match(errors, /Enter the reason for the decision/);
  assert.doesNotMatch(errors, CODES);
  assert.deepEqual(t.problems, []);
  await t.context.close();
});

test('a contact that is not there says Page not found', async () => {
  const t = await openPage(browser, server, { prefix: 'pages' });
  await t.signIn('triage');
  await t.page.goto('/#/contacts/FD-99999999');
  await t.page.locator('h1', { hasText: 'Page not found' }).waitFor();
  assert.doesNotMatch(await t.page.locator('main').innerText(), /problem with the service/);
  assert.match(await t.page.title(), /^Page not found/);
  assert.deepEqual(await t.axe('not-found'), []);
  await t.context.close();
});

test('back links go where the user came from, also after recording', async () => {
  const created = await server.api('partner', 'POST', '/v1/contacts', syntheticContact({ external_ref: 'E2E-BACK' }));
  const { id } = created.json;
  const t = await openPage(browser, server, { prefix: 'pages' });
  await t.signIn('triage');
  // From the MASH worklist's filter page to a contact still awaiting a decision.
  await t.page.goto('/#/worklist/mash?rag=RED');
  await t.page.locator('#worklist-status').waitFor();
  await t.page.goto(`/#/contacts/${id}`);
  const back = t.page.locator('.govuk-back-link');
  await back.waitFor();
  assert.equal(await back.getAttribute('href'), '#/worklist/mash?rag=RED');
  assert.equal(await back.innerText(), 'Back to the MASH worklist');
  // Recording the decision keeps it.
  await t.page.locator('input[name="decision-route"][value="NFA"]').check();
  await t.page.locator('#decision-reason').fill('Synthetic: no role for children’s services.');
  await t.page.locator('#record-decision').click();
  await t.page.locator('.govuk-notification-banner--success').waitFor();
  assert.equal(await t.page.locator('.govuk-back-link').getAttribute('href'), '#/worklist/mash?rag=RED');
  await t.page.locator('.govuk-back-link').click();
  await t.page.waitForURL(/#\/worklist\/mash\?rag=RED$/);

  // Opened straight from an address: the list it belongs on.
  const u = await openPage(browser, server, { prefix: 'pages' });
  await u.signIn('triage');
  await u.page.goto(`/#/contacts/${baby}`);
  assert.equal(await u.page.locator('.govuk-back-link').getAttribute('href'), '#/worklist/triage');
  await u.context.close();
  await t.context.close();
});

test("babies' ages read as months on the worklist and the contact page", async () => {
  const t = await openPage(browser, server, { prefix: 'pages' });
  await t.signIn('triage');
  const row = t.page.locator(`#worklist-table tr[data-row="${baby}"]`);
  await row.waitFor();
  assert.match(await row.innerText(), /Rowan Infant \(aged 4 months\)/);
  assert.doesNotMatch(await row.innerText(), /\(0\)/);
  assert.match(await t.page.locator(`#worklist-table tr[data-row="${older}"]`).innerText(), /Alex Sample \(aged 9\)/);
  await t.page.goto(`/#/contacts/${baby}`);
  assert.match(await t.page.locator('#about-child').innerText(), /Rowan Infant, born 20 July 2026 \(aged 4 months\)/);
  await t.context.close();
});

test('at 375 px nothing scrolls sideways, tags stay inside their cells and the menu opens', async () => {
  const t = await openPage(browser, server, { prefix: 'pages-phone', phone: true });
  await t.signIn('triage');
  await t.page.locator('#worklist-table').waitFor();
  // The menu: a button, the links behind it.
  const toggle = t.page.locator('#menu-toggle');
  await toggle.waitFor();
  assert.equal(await t.page.locator('#navigation').isVisible(), false);
  await toggle.click();
  await t.page.locator('#navigation a', { hasText: 'MASH worklist' }).waitFor();
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  await t.shot('menu-open');
  assert.deepEqual(await t.axe('menu-open'), []);
  await toggle.click();

  for (const [where, ready] of [['/#/worklist/triage', '#worklist-table'], [`/#/contacts/${baby}`, '#history-table'],
    ['/#/contacts/new', '#contact-form']]) {
    await t.page.goto(where);
    await t.page.locator(ready).waitFor();
    assert.equal(await t.overflow(), 0, `no sideways scrolling on ${where}`);
    const outside = await t.page.evaluate(() => [...document.querySelectorAll('td .govuk-tag, .fd-time-left')].filter((tagEl) => {
      const cell = tagEl.closest('td, dd') || tagEl.parentElement;
      const a = tagEl.getBoundingClientRect(); const b = cell.getBoundingClientRect();
      return a.left < b.left - 1 || a.right > b.right + 1 || a.right > window.innerWidth;
    }).length);
    assert.equal(outside, 0, `tags inside their box on ${where}`);
    await t.shot(where.replace(/[^a-z]+/g, '-'));
    assert.deepEqual(await t.axe(`phone${where.replace(/[^a-z]+/g, '-')}`), []);
  }
  await t.context.close();

  const m = await openPage(browser, server, { prefix: 'pages-phone', phone: true });
  await m.signIn('manager');
  await m.page.locator('#chart-decided-table').waitFor();
  assert.equal(await m.overflow(), 0, 'no sideways scrolling on the live view');
  await m.shot('live-view');
  await m.context.close();
});

test('on a wide screen the time-left tags do not overlap the next column', async () => {
  const t = await openPage(browser, server, { prefix: 'pages' });
  await t.signIn('triage');
  await t.page.locator('#worklist-table .fd-time-left').first().waitFor();
  const overlaps = await t.page.evaluate(() => [...document.querySelectorAll('#worklist-table td .govuk-tag')].filter((tagEl) => {
    const a = tagEl.getBoundingClientRect(); const b = tagEl.closest('td').getBoundingClientRect();
    return a.right > b.right + 1 || a.left < b.left - 1;
  }).length);
  assert.equal(overlaps, 0);
  assert.equal(await t.overflow(), 0);
  await t.context.close();
});

test('the indicators range error and the admin clock error put Error: in the title', async () => {
  const m = await openPage(browser, server, { prefix: 'pages' });
  await m.signIn('manager');
  await m.page.locator('#range-form').waitFor();
  await m.page.locator('#range-from-day').fill('45');
  await m.page.locator('#show-range').click();
  await m.page.locator('.govuk-error-summary').waitFor();
  assert.match(await m.page.title(), /^Error: Live view/);
  await m.context.close();

  const a = await openPage(browser, server, { prefix: 'pages' });
  await a.signIn('admin');
  await a.page.locator('#advance').fill('soon');
  await a.page.locator('#advance-clock').click();
  await a.page.locator('.govuk-error-summary').waitFor();
  assert.match(await a.page.title(), /^Error: Server clock/);
  assert.doesNotMatch(await a.page.locator('.govuk-error-summary').innerText(), /must be|ISO|bool/);
  await a.context.close();
});

// These move the server's clock, so they come last.
test('the live view: the figures update themselves, and a near-breach right after a clock jump is kept', async () => {
  const t = await openPage(browser, server, { prefix: 'pages' });
  const { page } = t;
  await t.signIn('manager');
  await page.locator('#live-status[data-state="open"]').waitFor();
  await page.locator('#key-figures').waitFor();
  const received = async () => Number((await page.locator('#key-figures .govuk-summary-list__row', { hasText: 'Contacts received' })
    .locator('dd').innerText()).trim());
  const first = await received();
  const created = await server.api('partner', 'POST', '/v1/contacts', syntheticContact({ external_ref: 'E2E-LIVE' }));
  assert.equal(created.status, 201);
  await page.waitForFunction((n) => {
    const row = [...document.querySelectorAll('#key-figures .govuk-summary-list__row')].find((r) => /Contacts received/.test(r.textContent));
    return row && Number(row.querySelector('dd').textContent.trim()) === n + 1;
  }, first, { timeout: 15000 });

  // 22 hours 30 minutes on, every decision due at 10:00 tomorrow is within its warning window.
  const moved = await server.api('admin', 'POST', '/v1/admin/clock', { advance: 'PT22H30M' });
  assert.equal(moved.status, 200, moved.text);
  await page.locator(`#near-breaches-table a[href="#/contacts/${created.json.id}"]`).waitFor({ timeout: 15000 });
  // It stays after the page's next redraw.
  await page.evaluate(() => new Promise((r) => setTimeout(r, 1500)));
  assert.equal(await page.locator(`#near-breaches-table a[href="#/contacts/${created.json.id}"]`).count(), 1);
  await t.shot('live-near-breach-after-jump');
  assert.deepEqual(await t.axe('live-near-breach'), []);
  assert.deepEqual(t.problems, []);
  await t.context.close();
});

test('the history names every event in words, with its details', async () => {
  const t = await openPage(browser, server, { prefix: 'pages' });
  await t.signIn('triage');
  await t.page.goto(`/#/contacts/${baby}`);
  const history = t.page.locator('#history-table');
  await history.waitFor();
  const rows = await history.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  const soon = rows.find((r) => r[1] === 'Close to its deadline');
  assert.ok(soon, JSON.stringify(rows));
  assert.match(soon[3], /Decision is close to its deadline: due by 10:00 on 25 November 2026/);
  for (const r of rows) assert.ok(r[3].trim().length > 0, `details for ${r[1]}`);
  assert.doesNotMatch(await history.innerText(), /\b[A-Z]{2,}_[A-Z_]+\b/);
  await t.context.close();
});
