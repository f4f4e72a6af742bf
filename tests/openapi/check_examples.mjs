// Validates every example in frontdoor's OpenAPI document (docs/openapi.json) against its schema
// with ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1): media type examples of request and
// response bodies, and parameter examples. Also requires an example for every JSON request body,
// so a new operation cannot go undocumented by example. Prints each failure with its location and
// exits 1 on any; prints how many examples held otherwise.
//   node check_examples.mjs [path/to/openapi.json]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const file = process.argv[2] ?? fileURLToPath(new URL('../../docs/openapi.json', import.meta.url));
const doc = JSON.parse(readFileSync(file, 'utf8'));

// strict: false, because OpenAPI adds keywords of its own (x-proto, x-roles, discriminator...).
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(doc, 'openapi.json');

const failures = [];
let checked = 0;

function resolve(node) {
  while (node && typeof node.$ref === 'string' && node.$ref.startsWith('#/')) {
    node = node.$ref.slice(2).split('/').reduce((n, key) => n?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  }
  return node;
}

// A schema as ajv sees it from inside the document: local references stay local.
function validatorFor(schema) {
  if (typeof schema.$ref === 'string' && schema.$ref.startsWith('#/')) {
    return ajv.getSchema('openapi.json' + schema.$ref);
  }
  return ajv.compile({ $id: `inline-${checked}-${failures.length}-${Math.random()}`, ...rebase(schema) });
}

// Inline schemas may hold local references: point them at the document.
function rebase(node) {
  if (Array.isArray(node)) return node.map(rebase);
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) =>
      [k, k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? 'openapi.json' + v : rebase(v)]));
  }
  return node;
}

function check(where, schema, value) {
  const validate = validatorFor(schema);
  if (!validate) {
    failures.push(`${where}: the schema could not be resolved`);
    return;
  }
  checked += 1;
  if (!validate(value)) {
    for (const e of validate.errors) failures.push(`${where}${e.instancePath}: ${e.message} ${JSON.stringify(e.params)}`);
  }
}

function checkMedia(where, media) {
  if (!media.schema) return 0;
  let n = 0;
  if ('example' in media) { check(`${where} example`, media.schema, media.example); n += 1; }
  for (const [name, example] of Object.entries(media.examples ?? {})) {
    const resolved = resolve(example);
    if (!('value' in resolved)) { failures.push(`${where} examples.${name}: no value`); continue; }
    check(`${where} examples.${name}`, media.schema, resolved.value);
    n += 1;
  }
  return n;
}

function checkParameters(where, parameters) {
  for (const p of (parameters ?? []).map(resolve)) {
    if ('example' in p && p.schema) check(`${where} parameter ${p.name}`, p.schema, p.example);
  }
}

for (const [path, item] of Object.entries(doc.paths)) {
  checkParameters(path, item.parameters);
  for (const [method, op] of Object.entries(item)) {
    if (!['get', 'put', 'post', 'delete', 'patch'].includes(method)) continue;
    const where = `${method.toUpperCase()} ${path}`;
    checkParameters(where, op.parameters);
    const body = resolve(op.requestBody);
    for (const [type, media] of Object.entries(body?.content ?? {})) {
      const n = checkMedia(`${where} request ${type}`, media);
      if (type === 'application/json' && n === 0) failures.push(`${where}: the JSON request body has no example`);
    }
    for (const [status, response] of Object.entries(op.responses ?? {})) {
      if (response.$ref) continue;  // components.responses are checked once, below
      for (const [type, media] of Object.entries(response.content ?? {})) {
        checkMedia(`${where} ${status} ${type}`, media);
      }
    }
  }
}
for (const [name, response] of Object.entries(doc.components?.responses ?? {})) {
  for (const [type, media] of Object.entries(response.content ?? {})) checkMedia(`responses.${name} ${type}`, media);
}
for (const [name, p] of Object.entries(doc.components?.parameters ?? {})) {
  if ('example' in p && p.schema) check(`parameters.${name}`, p.schema, p.example);
}

if (failures.length > 0) {
  console.error(`${failures.length} example problem(s) in ${file}:`);
  for (const f of failures) console.error('  ' + f);
  process.exit(1);
}
if (checked === 0) {
  console.error(`no examples found in ${file}`);
  process.exit(1);
}
console.log(`${checked} examples in ${file} validate against their schemas`);
