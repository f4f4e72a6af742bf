// A real webhook receiver on loopback for frontdoor's integration tests
// (tests/integration/webhooks_test.cc). Every POST is checked as a partner
// system would check it: each of the receiver's secrets must verify the
// Standard Webhooks signature (the npm package standardwebhooks, which also
// checks the timestamp against the real time), and the body must parse and
// validate as a structured-mode CloudEvent (the npm package cloudevents).
// What it got is appended to the --record file, one JSON line per request.
// It answers as its mode says: ok (200), fail (500), gone (410), or slow
// (holds each answer until POST /_release, then 200). POST /_mode
// {"mode": "..."} changes the mode while it runs. It prints
// "listening http(s)://127.0.0.1:PORT" once ready.
//   node receiver.mjs --port 0 --record FILE --secret whsec_... [--secret ...]
//                     [--mode ok|fail|gone|slow] [--cert PEM --key PEM]
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { Webhook } = require("standardwebhooks");
const { HTTP } = require("cloudevents");

const args = { port: "0", mode: "ok", secret: [], record: "", cert: "", key: "" };
for (let i = 2; i < process.argv.length; i += 2) {
  const name = process.argv[i].replace(/^--/, "");
  const value = process.argv[i + 1];
  if (!(name in args) || value === undefined) {
    console.error(`usage: receiver.mjs --port N --record FILE --secret S [--mode M] [--cert F --key F]`);
    process.exit(2);
  }
  if (Array.isArray(args[name])) args[name].push(value);
  else args[name] = value;
}
const modes = new Set(["ok", "fail", "gone", "slow"]);
if (!args.record || args.secret.length === 0 || !modes.has(args.mode)) {
  console.error("receiver.mjs: --record, at least one --secret and a known --mode are required");
  process.exit(2);
}
const verifiers = args.secret.map((s) => new Webhook(s));
let mode = args.mode;
let held = [];
let count = 0;

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function check(req, body) {
  const line = {
    n: ++count,
    at: new Date().toISOString(),
    mode,
    path: req.url,
    content_type: req.headers["content-type"] ?? "",
    webhook_id: req.headers["webhook-id"] ?? "",
    webhook_timestamp: req.headers["webhook-timestamp"] ?? "",
    signatures: (req.headers["webhook-signature"] ?? "").split(" ").filter(Boolean).length,
    verified: [],
    valid: false,
    errors: [],
    connection: `${req.socket.remoteAddress}:${req.socket.remotePort}`,
    event: null,
  };
  for (const verifier of verifiers) {
    try {
      verifier.verify(body, req.headers);
      line.verified.push(true);
    } catch (e) {
      line.verified.push(false);
      line.errors.push(`signature: ${e.message}`);
    }
  }
  try {
    const event = HTTP.toEvent({ headers: req.headers, body });
    const one = Array.isArray(event) ? event[0] : event;
    one.validate();
    line.valid = line.content_type === "application/cloudevents+json";
    if (!line.valid) line.errors.push(`content-type ${line.content_type}`);
    line.event = JSON.parse(body);
  } catch (e) {
    line.errors.push(`cloudevent: ${e.message} ${JSON.stringify(e.errors ?? "")}`);
  }
  return line;
}

async function handle(req, res) {
  if (req.method === "POST" && req.url === "/_mode") {
    const wanted = JSON.parse((await readBody(req)) || "{}").mode;
    if (!modes.has(wanted)) return res.writeHead(400).end();
    mode = wanted;
    if (mode !== "slow") release();
    return res.writeHead(204).end();
  }
  if (req.method === "POST" && req.url === "/_release") {
    release();
    return res.writeHead(204).end();
  }
  if (req.method !== "POST") return res.writeHead(405).end();
  const body = await readBody(req);
  const line = check(req, body);
  const verified = line.verified.every(Boolean);
  line.answered = !verified ? 401 : mode === "fail" ? 500 : mode === "gone" ? 410 : 200;
  if (mode === "slow" && verified) line.answered = "held";
  fs.appendFileSync(args.record, JSON.stringify(line) + "\n");
  if (line.answered === "held") {
    held.push(res);
    return;
  }
  res.writeHead(line.answered, { "Content-Type": "text/plain" }).end("thanks\n");
}

function release() {
  for (const res of held) res.writeHead(200, { "Content-Type": "text/plain" }).end("late\n");
  held = [];
}

const onRequest = (req, res) =>
  handle(req, res).catch((e) => {
    console.error(`receiver: ${e.message}`);
    if (!res.headersSent) res.writeHead(500).end();
  });
const tls = Boolean(args.cert && args.key);
const server = tls
  ? https.createServer({ cert: fs.readFileSync(args.cert), key: fs.readFileSync(args.key) }, onRequest)
  : http.createServer(onRequest);
server.keepAliveTimeout = 60_000;
server.listen(Number(args.port), "127.0.0.1", () => {
  console.log(`listening ${tls ? "https" : "http"}://127.0.0.1:${server.address().port}`);
});
const stop = () => {
  release();
  server.close(() => process.exit(0));
  server.closeAllConnections?.();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
