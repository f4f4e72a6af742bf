// The contact form in the browser: sign-in, the consent rule (nothing is
// sent or stored without an answer and, when consent was not given, a
// reason), the server's validation errors in the GOV.UK error summary
// linked to their fields, the live threshold helper, and a whole contact
// sent by keyboard alone (Tab, Space, arrows and Enter).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launch, openPage } from './lib/browser.mjs';
import { fillContactForm } from './lib/form.mjs';

let server; let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

async function storedContacts() {
  const res = await server.api('triage', 'GET', '/v1/worklist?queue=triage');
  assert.equal(res.status, 200);
  return res.json.contacts || [];
}

test('sign-in refuses a wrong token and lets a partner in', async () => {
  const t = await openPage(browser, server, { prefix: 'form' });
  await t.page.goto('/');
  await t.page.locator('#token').waitFor();
  await t.shot('sign-in');
  assert.deepEqual(await t.axe('sign-in'), []);
  await t.page.locator('#token').fill('not-a-real-token');
  await t.page.locator('#sign-in').click();
  await t.page.locator('.govuk-error-summary').waitFor();
  assert.match(await t.page.locator('.govuk-error-summary').innerText(), /not recognised/);
  await t.shot('sign-in-error');
  await t.signIn('partner');
  await t.page.locator('#contact-form').waitFor();
  assert.equal(await t.page.evaluate(() => sessionStorage.length), 1);
  assert.equal(await t.page.evaluate(() => localStorage.length + document.cookie.length), 0);
  assert.deepEqual(t.problems, []);
  await t.context.close();
});

test('the form refuses to send without consent, and nothing is stored', async () => {
  const t = await openPage(browser, server, { prefix: 'form' });
  const posts = [];
  t.page.on('request', (req) => { if (req.method() === 'POST' && req.url().endsWith('/v1/contacts')) posts.push(req.url()); });
  await t.signIn('partner');
  await fillContactForm(t.page, { consent: null });
  await t.shot('contact-form');
  assert.deepEqual(await t.axe('contact-form'), []);

  await t.page.locator('#continue').click();
  const summary = t.page.locator('.govuk-error-summary');
  await summary.waitFor();
  const link = summary.locator('a', { hasText: 'Select whether the family agreed' });
  assert.equal(await link.getAttribute('href'), '#consent-status');
  assert.ok(await t.page.evaluate(() => document.activeElement.classList.contains('govuk-error-summary')));
  assert.match(await t.page.title(), /^Error: /);
  await t.shot('contact-form-no-consent');
  assert.deepEqual(await t.axe('contact-form-errors'), []);
  await link.click();
  assert.equal(await t.page.evaluate(() => document.activeElement.id), 'consent-status');

  // Refused, with no reason: still not sent.
  await t.page.locator('input[name="consent-status"][value="REFUSED"]').check();
  await t.page.locator('#consent-reason-refused').waitFor({ state: 'visible' });
  await t.page.locator('#continue').click();
  await summary.locator('a', { hasText: 'Say why consent was refused' }).waitFor();
  assert.equal(await summary.locator('a').first().getAttribute('href'), '#consent-reason-refused');

  assert.equal(posts.length, 0, 'the browser must not send the contact');
  assert.equal((await storedContacts()).length, 0, 'nothing may be stored');
  assert.deepEqual(t.problems, []);
  await t.context.close();
});

test('wrong answers appear together in the error summary, linked to their fields', async () => {
  const t = await openPage(browser, server, { prefix: 'form' });
  await t.signIn('partner');
  await fillContactForm(t.page, { consent: 'NOT_SOUGHT', reason: 'Synthetic: parents could not be reached',
    child: { nhs_number: '9434765910', year: '2099' }, concerns: [] });
  await t.page.locator('#continue').click();
  const summary = t.page.locator('.govuk-error-summary');
  await summary.waitFor();
  const links = await summary.locator('a').evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.textContent]));
  const hrefs = links.map(([href]) => href);
  assert.ok(hrefs.includes('#child-0-nhs-number'), JSON.stringify(links));
  assert.ok(hrefs.includes('#child-0-dob-day'), JSON.stringify(links));
  assert.ok(hrefs.includes('#concern-1'), JSON.stringify(links));
  assert.ok(links.some(([, text]) => /NHS number/.test(text)));
  // The field itself carries the message too.
  assert.match(await t.page.locator('[data-field="children[0].nhs_number"] .govuk-error-message').innerText(), /NHS number/);
  await summary.locator('a[href="#child-0-nhs-number"]').click();
  assert.equal(await t.page.evaluate(() => document.activeElement.id), 'child-0-nhs-number');
  await t.shot('contact-form-server-errors');
  assert.deepEqual(await t.axe('contact-form-server-errors'), []);
  assert.equal((await storedContacts()).length, 0);
  await t.context.close();
});

test('the threshold helper follows the form', async () => {
  const t = await openPage(browser, server, { prefix: 'form' });
  await t.signIn('triage');
  await t.page.goto('/#/contacts/new');
  await t.page.locator('#contact-form').waitFor();
  await t.page.locator('#helper-status', { hasText: 'Complete the form' }).waitFor();
  await fillContactForm(t.page, { channel: 'PHONE', concerns: ['DOMESTIC_ABUSE'] });
  await t.page.locator('#helper-status', { hasText: 'Recommended:' }).waitFor();
  const first = await t.page.locator('#helper-status').innerText();
  assert.match(first, /MASH/);
  await t.page.locator('input[name="concerns"][value="SEXUAL_ABUSE"]').check();
  await t.page.waitForFunction((before) => document.querySelector('#helper-status').textContent !== before, first);
  assert.match(await t.page.locator('#helper-reasons').innerText(), /./);
  assert.equal(await t.page.locator('#helper-live').getAttribute('aria-live'), 'polite');
  await t.shot('contact-form-helper');
  assert.deepEqual(t.problems, []);
  await t.context.close();
});

// Presses Tab until the focused element matches, as a keyboard user would.
async function tabTo(page, selector, max = 80) {
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((sel) => document.activeElement && document.activeElement.matches(sel), selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

test('a contact can be sent with the keyboard alone', async () => {
  const t = await openPage(browser, server, { prefix: 'form' });
  const { page } = t;
  await page.goto('/#/sign-in');
  await tabTo(page, '#token');
  await page.keyboard.type((await import('./lib/server.mjs')).TOKENS.partner);
  await page.keyboard.press('Enter');
  await page.locator('#contact-form').waitFor();

  assert.equal(await page.locator('input[name="channel"]').count(), 0, 'a partner is not asked the channel');
  await tabTo(page, '#source');
  await page.keyboard.type('The police');
  await tabTo(page, '#referrer-name'); await page.keyboard.type('Keyboard Referrer');
  await tabTo(page, '#referrer-email'); await page.keyboard.type('keyboard@police.example.org');
  await tabTo(page, 'input[name="consent-status"]');
  await page.keyboard.press('ArrowDown'); // moves to and selects REFUSED
  assert.equal(await page.evaluate(() => document.activeElement.value), 'REFUSED');
  await tabTo(page, '#consent-reason-refused'); await page.keyboard.type('Synthetic: telling the family could put the child at risk');
  await tabTo(page, '#child-0-given-name'); await page.keyboard.type('Robin');
  await tabTo(page, '#child-0-family-name'); await page.keyboard.type('Keys');
  await tabTo(page, '#child-0-dob-day'); await page.keyboard.type('12');
  await tabTo(page, '#child-0-dob-month'); await page.keyboard.type('3');
  await tabTo(page, '#child-0-dob-year'); await page.keyboard.type('2016');
  await tabTo(page, '#child-0-postcode'); await page.keyboard.type('CH41 5LH');
  await tabTo(page, 'input[name="child-0-sex"]'); await page.keyboard.press('Space');
  await tabTo(page, '#add-child'); await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'child-1-given-name');
  await page.keyboard.type('Sky');
  await tabTo(page, '#child-1-family-name'); await page.keyboard.type('Keys');
  await tabTo(page, '#child-1-dob-day'); await page.keyboard.type('1');
  await tabTo(page, '#child-1-dob-month'); await page.keyboard.type('9');
  await tabTo(page, '#child-1-dob-year'); await page.keyboard.type('2020');
  await tabTo(page, 'input[name="concerns"][value="NEGLECT"]'); await page.keyboard.press('Space');
  await tabTo(page, 'input[name="concerns"][value="PARENTAL_SUBSTANCE_MISUSE"]'); await page.keyboard.press('Space');
  await tabTo(page, 'input[name="immediate-risk"]');
  await page.keyboard.press('ArrowRight'); await page.keyboard.press('ArrowLeft'); // Yes, then back: No is second
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement.value), 'no');
  await tabTo(page, '#narrative'); await page.keyboard.type('Synthetic: keyboard-only test narrative.');
  await tabTo(page, '#what-would-help'); await page.keyboard.type('Synthetic: parenting support.');
  await tabTo(page, '#continue');
  await page.keyboard.press('Enter');
  await page.locator('#check-answers h2', { hasText: 'Check your answers' }).waitFor();
  await tabTo(page, '#send-contact');
  await page.keyboard.press('Enter');
  await page.locator('#contact-id').waitFor();
  const id = await page.locator('#contact-id').innerText();
  assert.match(id, /^FD-\d+$/);
  assert.match(await page.locator('[data-deadline="decision"]').innerText(), /25 November 2026/);
  await t.shot('confirmation');
  assert.deepEqual(await t.axe('confirmation'), []);

  const stored = await server.api('triage', 'GET', `/v1/contacts/${id}`);
  assert.equal(stored.status, 200);
  assert.equal(stored.json.children.length, 2);
  assert.equal(stored.json.consent.status, 'REFUSED');
  assert.deepEqual(stored.json.concerns.sort(), ['NEGLECT', 'PARENTAL_SUBSTANCE_MISUSE']);
  assert.equal(stored.json.channel, 'PORTAL');
  assert.deepEqual(t.problems, []);
  await t.context.close();
});
