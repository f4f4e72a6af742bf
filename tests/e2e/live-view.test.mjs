// The managers' live view: open breaches and contacts close to breach, kept
// up to date from GET /v1/stream. The server's manual clock jumps 25 hours
// and the breach appears without the page being reloaded or navigated. The
// indicators show as charts with tables, and both CSV exports (indicators,
// Annex A List 1) download and parse. Also the admin's clock page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, syntheticContact } from './lib/server.mjs';
import { launch, openPage, parseCsv } from './lib/browser.mjs';

let server; let browser;
const seeded = [];
before(async () => {
  server = await startServer();
  browser = await launch();
  const bodies = [
    syntheticContact(),
    syntheticContact({ source: 'SCHOOLS', concerns: ['SCHOOL_ATTENDANCE'], children: [
      { given_name: 'Casey', family_name: 'Sample', date_of_birth: '2012-02-02', sex: 'M' },
      { given_name: 'Drew', family_name: 'Sample', date_of_birth: '2014-03-03', sex: 'F' }] }),
    syntheticContact({ source: 'HEALTH_GP', concerns: ['PARENTAL_MENTAL_HEALTH'] }),
    // Received 23 hours ago: its decision is due within the hour.
    syntheticContact({ source: 'HEALTH_VISITOR', received_at: '2026-11-23T11:00:00Z' }),
  ];
  for (const body of bodies) {
    const res = await server.api('partner', 'POST', '/v1/contacts', body);
    assert.equal(res.status, 201, res.text);
    seeded.push({ id: res.json.id, children: body.children.length });
  }
  // One decided in time, so that the indicators have something to show.
  const decided = await server.api('triage', 'POST', `/v1/contacts/${seeded[2].id}/decision`,
    { route: 'EARLY_HELP', reason: 'Synthetic: early help for the family can help.' });
  assert.equal(decided.status, 200, decided.text);
});
after(async () => { await browser?.close(); await server?.stop(); });

test('a breach appears on the live view when the clock jumps, without a reload', async () => {
  const t = await openPage(browser, server, { prefix: 'live' });
  const { page } = t;
  await t.signIn('manager');
  await page.locator('#live-status[data-state="open"]').waitFor();
  await page.locator('#chart-decided-table').waitFor();
  // Decisions per worker: the triage key's one, in time.
  assert.match(await page.locator('#decisions-by-worker').innerText(), /ifd-triage \(Wirral front door\)\s+1\s+1\s+100%/);
  assert.equal(await page.locator('#open-breaches-count').innerText(), '0');
  await page.locator(`#near-breaches-table a[href="#/contacts/${seeded[3].id}"]`).waitFor();
  assert.equal(await page.locator('#near-breaches-count').innerText(), '1');
  await t.shot('live-view');
  assert.deepEqual(await t.axe('live-view'), []);

  let navigations = 0;
  page.on('framenavigated', (frame) => { if (frame === page.mainFrame()) navigations += 1; });
  await page.evaluate(() => { window.fdNotReloaded = true; });
  const url = page.url();

  const moved = await server.api('admin', 'POST', '/v1/admin/clock', { advance: 'PT25H' });
  assert.equal(moved.status, 200, moved.text);

  for (const { id } of [seeded[0], seeded[1], seeded[3]]) {
    await page.locator(`#open-breaches-table a[data-contact="${id}"]`).waitFor({ timeout: 20000 });
  }
  assert.equal(await page.locator('#open-breaches-count').innerText(), '3');
  await page.locator('#near-breaches-count', { hasText: '0' }).waitFor();
  assert.match(await page.locator('#live-announcer').innerText(), /New breach/);
  assert.equal(await page.evaluate(() => window.fdNotReloaded), true, 'the page must not reload');
  assert.equal(navigations, 0, 'the page must not navigate');
  assert.equal(page.url(), url);
  await t.shot('live-view-after-breach');
  assert.deepEqual(await t.axe('live-view-after-breach'), []);
  assert.deepEqual(t.problems, []);
  await t.context.close();
});

test('both CSV exports download and parse', async () => {
  const t = await openPage(browser, server, { prefix: 'live' });
  const { page } = t;
  await t.signIn('manager');
  await page.locator('#chart-decided-table').waitFor();

  const save = async (button) => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator(button).click()]);
    return { name: download.suggestedFilename(), text: readFileSync(await download.path(), 'utf8') };
  };
  const indicators = await save('#export-indicators');
  const rows = parseCsv(indicators.text.trim());
  assert.deepEqual(rows[0], ['indicator', 'period', 'dimension', 'value']);
  assert.ok(rows.length > 1, 'the indicators CSV has rows');
  assert.ok(rows.slice(1).every((r) => r.length === 4), 'every row has 4 fields');
  const received = rows.find((r) => r[0] === 'contacts_received' && (r[2] === '' || r[2] === 'all'));
  assert.ok(received, 'contacts_received is in the CSV');
  assert.equal(Number(received[3]), seeded.length);

  const annex = await save('#export-annex-a');
  assert.match(annex.name, /^annex-a-list-1-contacts-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  const list = parseCsv(annex.text.trim());
  assert.deepEqual(list[0], ['Child Unique ID', 'Gender', 'Ethnicity', 'Date of Birth', 'Age of Child (Years)',
    'Date of Contact', 'Contact Source']);
  assert.equal(list.length - 1, seeded.reduce((sum, s) => sum + s.children, 0), 'one row per child per contact');
  assert.match(await page.locator('#export-status').innerText(), /Downloaded/);
  await t.shot('live-view-exports');
  assert.deepEqual(t.problems, []);
  await t.context.close();
});

test("the admin's clock page", async () => {
  const t = await openPage(browser, server, { prefix: 'admin' });
  await t.signIn('admin');
  await t.page.locator('#server-now').waitFor();
  assert.match(await t.page.locator('#server-now').innerText(), /2026/);
  await t.shot('clock');
  assert.deepEqual(await t.axe('clock'), []);
  assert.deepEqual(t.problems, []);
  await t.context.close();
});
