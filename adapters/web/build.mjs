// Builds the pages frontdoor serves: copies src/ (HTML, JS modules, CSS) and,
// from node_modules, GOV.UK Frontend's compiled CSS, JS, fonts and images and
// Chart.js's browser build into the folder given as the only argument
// (CMake passes <build>/web, the server's default web root). No network:
// run `npm ci` first. Usage: node build.mjs OUT_DIR
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] ? resolve(process.argv[2]) : null;
if (!out) {
  console.error('usage: node build.mjs OUT_DIR');
  process.exit(2);
}

const govuk = join(here, 'node_modules/govuk-frontend/dist/govuk');
const chart = join(here, 'node_modules/chart.js/dist');
const copies = [
  [join(here, 'src'), out],
  [join(govuk, 'govuk-frontend.min.css'), join(out, 'vendor/govuk/govuk-frontend.min.css')],
  [join(govuk, 'govuk-frontend.min.js'), join(out, 'vendor/govuk/govuk-frontend.min.js')],
  // The compiled CSS asks for its fonts and images at /assets/.
  [join(govuk, 'assets/fonts'), join(out, 'assets/fonts')],
  [join(govuk, 'assets/images'), join(out, 'assets/images')],
  [join(chart, 'chart.umd.min.js'), join(out, 'vendor/chart.umd.min.js')],
];

for (const [from] of copies) {
  if (!existsSync(from)) {
    console.error(`build.mjs: ${from} is missing; run npm ci in ${here}`);
    process.exit(1);
  }
}
// Remove only what an earlier build put there: OUT_DIR may hold other things.
mkdirSync(out, { recursive: true });
for (const entry of ['index.html', 'js', 'css', 'vendor', 'assets', 'BUILT_FROM.txt']) {
  rmSync(join(out, entry), { recursive: true, force: true });
}
for (const [from, to] of copies) {
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to, { recursive: true });
}
writeFileSync(join(out, 'BUILT_FROM.txt'),
  'Built by adapters/web/build.mjs from adapters/web/src and node_modules; do not edit.\n');
console.log(`frontdoor web: built ${out}`);
