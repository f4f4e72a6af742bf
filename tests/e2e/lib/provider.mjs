// Starts the real OpenID provider of the tests (tests/oidc/provider.mjs, the
// npm package oidc-provider on loopback, with its synthetic users sam,
// morgan, alex, nobody...) for a test file: reads its "issuer URL" line,
// registers the pages' redirect URIs with its test-only route, and gives the
// `oidc:` config lines that point frontdoor at it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SOURCE_DIR } from './server.mjs';

export const PROVIDER_SCRIPT = join(SOURCE_DIR, 'tests/oidc/provider.mjs');
export const AUDIENCE = 'frontdoor';

export async function startProvider({ accessTokenTtl = 600 } = {}) {
  if (!existsSync(join(SOURCE_DIR, 'tests/oidc/node_modules/oidc-provider'))) {
    throw new Error('tests/oidc/node_modules is missing: run tests/oidc/run.sh install');
  }
  const child = spawn(process.execPath, [PROVIDER_SCRIPT, '--port', '0', '--audience', AUDIENCE,
    '--access-token-ttl', String(accessTokenTtl)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-4000); });
  const exited = new Promise((res) => child.once('exit', () => res()));
  const issuer = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`the provider did not start within 30 s\n${stderr}`)), 30000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = line.match(/^issuer (\S+)$/);
      if (m) { clearTimeout(timer); res(m[1]); }
    });
    child.once('exit', () => { clearTimeout(timer); rej(new Error(`the provider exited:\n${stderr}`)); });
  });

  // The pages come back to / after signing in and after signing out.
  async function registerPages(base) {
    const res = await fetch(`${issuer}/_test/clients`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [`${base}/`], post_logout_redirect_uris: [`${base}/`] }),
    });
    if (!res.ok) throw new Error(`registering ${base}/ with the provider: HTTP ${res.status}`);
  }

  const config = [
    'oidc:',
    `  issuer: ${issuer}`,
    `  audience: ${AUDIENCE}`,
    '  client_id: frontdoor-web',
    '  roles_claim: roles',
    '  name_claim: name',
    '  scopes: openid profile offline_access frontdoor',
  ];

  async function stop() {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    await exited;
    clearTimeout(timer);
  }
  return { issuer, config, registerPages, stop };
}
