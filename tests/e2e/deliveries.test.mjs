// The delivery pages of issue 10 in the browser against the real server:
// "Letters to send by post" (oldest first, a printable version with one
// letter per printed page and nothing of the screen around it, "Mark as
// posted"), the contact page's letters with their delivery state, and the
// administrator's deliveries page (receivers with their figures, dead
// letters and Replay). Email goes to a mail server that is down (a loopback
// port nobody listens on), so a letter with an email address waits, is
// retried on the manual clock and dies after 25 hours; letters without
// one go straight to the post list. Every page is checked with axe, also
// on a phone's width.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { startServer, syntheticContact } from './lib/server.mjs';
import { launch, openPage } from './lib/browser.mjs';

// A loopback port that nothing listens on: the mail server is down.
async function closedPort() {
  const probe = createServer();
  await new Promise((res) => probe.listen(0, '127.0.0.1', res));
  const { port } = probe.address();
  await new Promise((res) => probe.close(res));
  return port;
}

// Polls fn until it returns something truthy: the queue delivers on its
// own thread, after the clock has moved.
async function eventually(fn, what, ms = 15000) {
  const until = Date.now() + ms;
  for (;;) {
    const got = await fn();
    if (got) return got;
    if (Date.now() > until) throw new Error(`not within ${ms / 1000} s: ${what}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

const NARRATIVE = 'Synthetic e2e narrative that must never be printed.';
let server; let browser;
const ids = {};

const byPhone = (ref) => syntheticContact({ external_ref: ref, narrative: NARRATIVE,
  referrer: { name: `Referrer ${ref}`, organisation: 'Example School', role: 'Teacher', phone: '01632 960123' } });

async function lettersOf(id) {
  const r = await server.api('triage', 'GET', `/v1/contacts/${id}/letters`);
  assert.equal(r.status, 200, r.text);
  return r.json.letters || [];
}

before(async () => {
  const port = await closedPort();
  server = await startServer({ extraConfig: [
    'email:',
    `  smtp: {host: 127.0.0.1, port: ${port}, starttls: false, from: "Front Door <frontdoor@council.example>"}`,
  ] });
  browser = await launch();
  // Two contacts whose referrers gave only a phone number, a minute apart,
  // and one whose referrer gave an email address.
  for (const ref of ['POST-1', 'POST-2']) {
    const r = await server.api('triage', 'POST', '/v1/contacts', byPhone(ref));
    assert.equal(r.status, 201, r.text);
    ids[ref] = r.json.id;
    assert.equal((await server.api('admin', 'POST', '/v1/admin/clock', { advance: 'PT1M' })).status, 200);
  }
  const e = await server.api('partner', 'POST', '/v1/contacts', syntheticContact({ external_ref: 'EMAIL-1', narrative: NARRATIVE }));
  assert.equal(e.status, 201, e.text);
  ids.email = e.json.id;
  // The email channel puts a letter with no address on the post list on its
  // own thread, just after the letter is recorded.
  await eventually(async () => {
    const list = await server.api('triage', 'GET', '/v1/letters?state=TO_POST');
    const on = (list.json.letters || []).map((l) => l.contact_id);
    return on.includes(ids['POST-1']) && on.includes(ids['POST-2']);
  }, 'both letters without an email address are on the post list');
});
after(async () => { await browser?.close(); await server?.stop(); });

test('letters to send by post: the ones without an email address, oldest first', async () => {
  const t = await openPage(browser, server, { prefix: 'deliveries' });
  await t.signIn('triage');
  await t.page.locator('.govuk-service-navigation__link', { hasText: 'Letters to post' }).click();
  await t.page.locator('#letters-table').waitFor();
  const rows = await t.page.locator('#letters-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.querySelector('[data-contact]').dataset.contact));
  assert.ok(rows.indexOf(ids['POST-1']) >= 0 && rows.indexOf(ids['POST-2']) > rows.indexOf(ids['POST-1']), rows.join(' '));
  assert.ok(!rows.includes(ids.email), 'a letter with an email address is not on the post list while it is being emailed');
  const first = t.page.locator('#letters-table tbody tr').first();
  assert.match(await first.innerText(), /No email address/);
  assert.match(await first.innerText(), /Referrer POST-1/);
  await t.shot('letters-to-post');
  assert.deepEqual(await t.axe('letters-to-post'), []);
  assert.deepEqual(t.problems, []);
  await t.context.close();

  const p = await openPage(browser, server, { prefix: 'deliveries-phone', phone: true });
  await p.signIn('triage');
  await p.page.goto('/#/letters');
  await p.page.locator('#letters-table').waitFor();
  assert.equal(await p.overflow(), 0, 'no sideways scrolling on a phone');
  await p.shot('letters-to-post-phone');
  assert.deepEqual(await p.axe('letters-to-post-phone'), []);
  await p.context.close();
});

test('the printable version prints one letter per page, the letter text only', async () => {
  const t = await openPage(browser, server, { prefix: 'deliveries' });
  await t.signIn('triage');
  await t.page.goto('/#/letters');
  await t.page.locator('#print-all').click();
  await t.page.locator('#print-letters-list .fd-print-letter').first().waitFor();
  const count = await t.page.locator('.fd-print-letter').count();
  assert.ok(count >= 2, `${count} letters`);
  assert.deepEqual(await t.axe('print-letters'), []);
  await t.shot('print-letters-screen');

  await t.page.emulateMedia({ media: 'print' });
  for (const sel of ['.govuk-template__header', '.govuk-footer', '#print-letters', '#signed-in-as', '.govuk-back-link', 'h1']) {
    assert.equal(await t.page.locator(sel).first().isVisible(), false, `${sel} is not printed`);
  }
  const breaks = await t.page.locator('.fd-print-letter').evaluateAll((els) => els.map((el) => getComputedStyle(el).breakAfter));
  assert.deepEqual(breaks, [...Array(count - 1).fill('page'), 'auto']);
  const text = await t.page.locator('#print-letters-list').innerText();
  assert.match(text, /Dear Referrer POST-1/);
  assert.match(text, /Our reference: /);
  assert.doesNotMatch(text, /must never be printed/, 'no narrative in a letter');
  await t.shot('print-letters-print');
  // Chromium's own print to PDF: as many A4 pages as letters.
  const pdf = (await t.page.pdf({ format: 'A4' })).toString('latin1');
  const pages = (pdf.match(/\/Type\s*\/Page\b(?!s)/g) || []).length;
  assert.equal(pages, count, 'one printed page per letter');

  // One letter on its own prints on one page.
  await t.page.emulateMedia({ media: 'screen' });
  const [one] = (await lettersOf(ids['POST-2'])).filter((l) => l.state === 'TO_POST');
  await t.page.goto(`/#/letters/${one.letter_id}`);
  await t.page.locator('#print-letter').waitFor();
  assert.deepEqual(await t.axe('letter'), []);
  await t.page.emulateMedia({ media: 'print' });
  assert.equal(await t.page.locator('#posted-form').isVisible(), false);
  const single = (await t.page.pdf({ format: 'A4' })).toString('latin1');
  assert.equal((single.match(/\/Type\s*\/Page\b(?!s)/g) || []).length, 1);
  assert.deepEqual(t.problems, []);
  await t.context.close();
});

test('mark as posted takes a letter off the list, and the contact page says who posted it and when', async () => {
  const t = await openPage(browser, server, { prefix: 'deliveries' });
  await t.signIn('triage');
  await t.page.goto('/#/letters');
  const [letter] = (await lettersOf(ids['POST-1'])).filter((l) => l.state === 'TO_POST');
  await t.page.locator(`[data-posted="${letter.letter_id}"]`).click();
  await t.page.locator('.govuk-notification-banner--success').waitFor();
  assert.equal(await t.page.locator(`tr[data-row="${letter.letter_id}"]`).count(), 0, 'off the list');
  assert.deepEqual(await t.axe('marked-posted'), []);

  // The other one with a note, from its own page.
  const [other] = (await lettersOf(ids['POST-2'])).filter((l) => l.state === 'TO_POST');
  await t.page.goto(`/#/letters/${other.letter_id}`);
  await t.page.locator('#posted-note').fill('Second class');
  await t.page.locator('#mark-posted').click();
  await t.page.locator('.govuk-notification-banner--success').waitFor();

  await t.page.goto(`/#/contacts/${ids['POST-1']}`);
  const card = t.page.locator(`#letters [data-letter="${letter.letter_id}"]`);
  await card.waitFor();
  assert.equal(await card.getAttribute('data-letter-state'), 'POSTED');
  assert.match(await card.innerText(), /Posted by hand by ifd-triage \(Wirral front door\) at 10:02 on 24 November 2026/);
  await t.shot('contact-letter-posted');
  assert.deepEqual(await t.axe('contact-letter-posted'), []);

  await t.page.goto(`/#/contacts/${ids['POST-2']}`);
  const noted = t.page.locator(`#letters [data-letter="${other.letter_id}"]`);
  await noted.waitFor();
  assert.match(await noted.innerText(), /Posted by hand by ifd-triage \(Wirral front door\) at .* \(Second class\)/);

  // Posted once only.
  const again = await server.api('triage', 'POST', `/v1/letters/${letter.letter_id}/posted`, {});
  assert.equal(again.status, 409, again.text);
  assert.deepEqual(t.problems, []);
  await t.context.close();
});

test('an email that cannot be sent is retried, dies after 25 hours, joins the post list, and the admin can replay it', async () => {
  const t = await openPage(browser, server, { prefix: 'deliveries' });
  await t.signIn('triage');
  await t.page.goto(`/#/contacts/${ids.email}`);
  const card = t.page.locator('#letters [data-letter-kind="ACKNOWLEDGEMENT"]');
  await card.waitFor();
  assert.equal(await card.getAttribute('data-letter-state'), 'QUEUED');
  assert.match(await card.innerText(), /Waiting to be sent by email/);

  assert.equal((await server.api('admin', 'POST', '/v1/admin/clock', { advance: 'PT25H' })).status, 200);
  const [failed] = await eventually(async () => {
    const list = (await lettersOf(ids.email)).filter((l) => l.state === 'FAILED');
    return list.length ? list : null;
  }, 'the emailed letter is FAILED');

  await t.page.goto('/#/letters');
  const row = t.page.locator(`tr[data-row="${failed.letter_id}"]`);
  await row.waitFor();
  assert.match(await row.innerText(), /Email failed/);
  await t.page.goto(`/#/contacts/${ids.email}`);
  await card.waitFor();
  assert.equal(await card.getAttribute('data-letter-state'), 'FAILED');
  assert.match(await card.innerText(), /on the list of letters to send by post/);
  await t.context.close();

  const a = await openPage(browser, server, { prefix: 'deliveries' });
  await a.signIn('admin');
  await a.page.locator('.govuk-service-navigation__link', { hasText: 'Deliveries' }).click();
  const email = a.page.locator('#subscriptions-table tr[data-subscription="email"]');
  await email.waitFor();
  const dead = a.page.locator('#dead-table tbody tr', { hasText: ids.email });
  await dead.first().waitFor();
  const deliveryId = await dead.first().getAttribute('data-delivery');
  assert.match(deliveryId, /^email:\d+$/);
  assert.doesNotMatch(await a.page.locator('#dead-letters').innerText(), /must never be printed|Dear /, 'no event body');
  await a.shot('deliveries-admin');
  assert.deepEqual(await a.axe('deliveries-admin'), []);

  await a.page.locator(`[data-replay="${deliveryId}"] button`).click();
  await a.page.locator('.govuk-notification-banner--success').waitFor();
  assert.match(await a.page.locator('.govuk-notification-banner--success').innerText(), new RegExp(deliveryId));
  assert.equal(await a.page.locator(`#dead-table tr[data-delivery="${deliveryId}"]`).count(), 0, 'not dead any more');
  const still = await server.api('admin', 'GET', '/v1/admin/deliveries?state=DEAD&channel=email');
  assert.equal(still.status, 200, still.text);
  assert.ok(!(still.json.deliveries || []).some((d) => d.id === deliveryId));
  assert.deepEqual(await a.axe('deliveries-replayed'), []);

  const p = await openPage(browser, server, { prefix: 'deliveries-phone', phone: true });
  await p.signIn('admin');
  await p.page.goto('/#/admin/deliveries');
  await p.page.locator('#subscriptions-table').waitFor();
  assert.equal(await p.overflow(), 0, 'no sideways scrolling on a phone');
  assert.deepEqual(await p.axe('deliveries-phone'), []);
  assert.deepEqual([...a.problems, ...p.problems], []);
  await p.context.close();
  await a.context.close();
});
