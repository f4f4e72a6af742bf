// Starts the real frontdoor server for a test file: a temporary config with
// one token per role, a fresh data dir, port 0 and a manual clock at
// 2026-11-24T10:00:00Z (a Tuesday, in office hours). Reads the "listening on
// HOST:PORT" line, and offers a small API client for setting things up and
// checking what was stored. Only synthetic data is used.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, createWriteStream, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const here = dirname(fileURLToPath(import.meta.url));
export const SOURCE_DIR = resolve(process.env.FRONTDOOR_SOURCE_DIR || join(here, '../../..'));
export const BINARY = resolve(process.env.FRONTDOOR_BINARY || join(SOURCE_DIR, 'build/frontdoor'));
export const START = '2026-11-24T10:00:00Z';

export const TOKENS = {
  partner: 'e2e-partner-token-0001',
  triage: 'e2e-triage-token-0002',
  manager: 'e2e-manager-token-0003',
  admin: 'e2e-admin-token-0004',
};

// `extraConfig`: more lines for the config file (e.g. an `oidc:` block).
export async function startServer({ extraConfig = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'frontdoor-e2e-'));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, [
    'api_keys:',
    `  - {name: merseyside-police, role: partner, token: "${TOKENS.partner}"}`,
    `  - {name: ifd-triage, role: triage, token: "${TOKENS.triage}", organisation: "Wirral front door"}`,
    `  - {name: ifd-manager, role: manager, token: "${TOKENS.manager}"}`,
    `  - {name: ops, role: admin, token: "${TOKENS.admin}"}`,
    `policy: ${join(SOURCE_DIR, 'rules/policies/default.yaml')}`,
    `bank_holidays: ${join(SOURCE_DIR, 'deploy/bank-holidays.json')}`,
    ...extraConfig,
    '',
  ].join('\n'));
  const logPath = join(dir, 'server.log');
  const log = createWriteStream(logPath);
  const child = spawn(BINARY, ['serve', '--config', config, '--data-dir', join(dir, 'data'),
    '--listen', '127.0.0.1:0', '--clock', `manual=${START}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.pipe(log);
  const exited = new Promise((res) => child.once('exit', (code, signal) => res({ code, signal })));

  const address = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error('the server did not say where it listens within 30 s')), 30000);
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const m = line.match(/listening on (\S+):(\d+)/);
      if (m) { clearTimeout(timer); res(`${m[1]}:${m[2]}`); }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      rej(new Error(`the server exited before listening:\n${readFileSync(logPath, 'utf8').slice(-2000)}`));
    });
    child.once('error', (e) => { clearTimeout(timer); rej(e); });
  });
  const base = `http://${address}`;

  async function api(role, method, path, body, headers = {}) {
    const res = await fetch(base + path, {
      method, headers: { Authorization: `Bearer ${TOKENS[role]}`, ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let json = null;
    try { json = JSON.parse(text); } catch { json = null; }
    return { status: res.status, json, text, headers: res.headers };
  }

  async function stop() {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    await exited;
    clearTimeout(timer);
    log.end();
    if (!process.env.FRONTDOOR_E2E_KEEP) rmSync(dir, { recursive: true, force: true });
  }

  return { base, api, stop, dir };
}

// A synthetic contact body for setting up through the API.
export function syntheticContact(overrides = {}) {
  return {
    channel: 'PARTNER_API', source: 'POLICE',
    referrer: { name: 'PC Test Example', organisation: 'Example Police', role: 'Constable', email: 'pc.example@police.example.org' },
    consent: { status: 'GIVEN' },
    children: [{ given_name: 'Alex', family_name: 'Sample', date_of_birth: '2017-06-01', postcode: 'CH41 5LH', sex: 'F' }],
    concerns: ['NEGLECT'], immediate_risk: false,
    narrative: 'Synthetic test narrative.', what_would_help: 'Synthetic test help.',
    ...overrides,
  };
}
