// Headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core,
// with helpers every test file shares: a page that records console errors,
// failed scripts and CSP violations; signing in as a role; a screenshot of
// each page into the output folder; and an axe-core check that fails on any
// serious or critical violation. FRONTDOOR_E2E_WEB_ROOT (development only)
// serves the pages from a folder through Playwright when the server does not
// serve them itself yet.
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve, extname } from 'node:path';
import { createRequire } from 'node:module';
import { SOURCE_DIR, TOKENS } from './server.mjs';

const require = createRequire(import.meta.url);
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const OUTPUT = resolve(process.env.FRONTDOOR_E2E_OUTPUT || join(SOURCE_DIR, 'build/e2e-output'));
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.ico': 'image/x-icon', '.woff': 'font/woff', '.woff2': 'font/woff2', '.json': 'application/json' };

export async function launch() {
  mkdirSync(OUTPUT, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

const shotCounts = new Map();

// `phone`: a 375 by 740 px viewport, as a small phone shows the pages.
export async function openPage(browser, server, { prefix, phone = false }) {
  const viewport = phone ? { width: 375, height: 740 } : { width: 1280, height: 900 };
  const context = await browser.newContext({ baseURL: server.base, viewport, acceptDownloads: true, isMobile: phone, hasTouch: phone });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  const problems = [];
  page.on('console', (msg) => {
    // Answers like 400 from the threshold helper are expected; scripts that
    // fail, and anything the Content-Security-Policy blocks, are not.
    if (msg.type() === 'error' && !/^Failed to load resource: the server responded with a status of (400|401|404|409)/.test(msg.text())) {
      problems.push(`console: ${msg.text()}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  const webRoot = process.env.FRONTDOOR_E2E_WEB_ROOT;
  if (webRoot) await serveFromFolder(page, webRoot);
  return {
    page, context, problems,
    async signIn(role) {
      await page.goto('/#/sign-in');
      await page.locator('#token').fill(TOKENS[role]);
      await page.locator('#sign-in').click();
      // Attached, not visible: on a phone the link is behind the Menu button.
      await page.locator('.govuk-service-navigation__link', { hasText: 'Sign out' }).waitFor({ state: 'attached' });
    },
    // How many px the page is wider than the screen (0: no sideways scrolling).
    async overflow() {
      return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    },
    async shot(name) {
      const shots = (shotCounts.get(prefix) || 0) + 1;
      shotCounts.set(prefix, shots);
      const file = join(OUTPUT, `${prefix}-${String(shots).padStart(2, '0')}-${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async axe(name) {
      await page.evaluate(AXE_SOURCE);
      const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
      writeFileSync(join(OUTPUT, `${prefix}-axe-${name}.json`), JSON.stringify(result.violations, null, 2));
      const found = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((nd) => nd.target.join(' ')).join(', ')}`);
      // Words a page shows only when it printed a value it did not have.
      const text = await page.evaluate(() => document.body.innerText);
      const slip = text.match(/\b(null|undefined|NaN|\[object Object\])\b/);
      if (slip) found.push(`the page shows "${slip[0]}"`);
      return found;
    },
  };
}

// Development only: the pages from a folder, the API from the server.
async function serveFromFolder(page, root) {
  await page.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname.startsWith('/v1/') || url.pathname === '/healthz') {
      if (url.pathname === '/v1/whoami') {
        const res = await route.fetch();
        if (res.status() !== 404) { await route.fulfill({ response: res }); return; }
        const token = (route.request().headers().authorization || '').replace(/^Bearer /, '');
        const role = Object.keys(TOKENS).find((r) => TOKENS[r] === token);
        if (!role) { await route.fulfill({ status: 401, body: '{}' }); return; }
        const names = { partner: 'merseyside-police', triage: 'ifd-triage', manager: 'ifd-manager', admin: 'ops' };
        const clock = await fetch(new URL('/v1/admin/clock', url), { method: 'POST', headers: {
          Authorization: `Bearer ${TOKENS.admin}`, 'Content-Type': 'application/json' }, body: '{"advance":"PT0S"}' });
        const now = (await clock.json()).now;
        await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ name: names[role], role, now }) });
        return;
      }
      await route.continue();
      return;
    }
    const file = join(root, url.pathname === '/' ? 'index.html' : url.pathname);
    if (!existsSync(file)) { await route.fulfill({ status: 404, body: 'not found' }); return; }
    await route.fulfill({ status: 200, body: readFileSync(file),
      headers: { 'Content-Type': TYPES[extname(file)] || 'application/octet-stream', 'Content-Security-Policy': CSP } });
  });
}

// RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines.
export function parseCsv(text) {
  const rows = [];
  let row = []; let field = ''; let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i += 1; } else if (ch === '"') quoted = false; else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i += 1;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += ch;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

