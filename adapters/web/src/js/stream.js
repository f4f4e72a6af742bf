// GET /v1/stream read with fetch() rather than EventSource, because
// EventSource cannot send the Authorization header. The text/event-stream
// body is parsed here (event, data, id fields; comment lines ignored; a
// blank line ends an event) and each event handed to onEvent(type, data).
// A dropped stream is opened again after 1, 2, 4 ... up to 30 seconds,
// sending Last-Event-ID so the server may replay what was missed.

import { token, signOut } from './session.js';

export function openStream({ onEvent, onStatus = () => {} }) {
  let controller = null;
  let stopped = false;
  let lastId = '';
  let delay = 1000;
  let retryTimer = null;

  function dispatch(type, data, id) {
    if (id) lastId = id;
    let parsed = data;
    try { parsed = JSON.parse(data); } catch { /* keep the text */ }
    onEvent(type || 'message', parsed);
  }

  async function connect() {
    if (stopped) return;
    controller = new AbortController();
    const headers = { Accept: 'text/event-stream', Authorization: `Bearer ${token()}` };
    if (lastId) headers['Last-Event-ID'] = lastId;
    onStatus('connecting');
    try {
      const res = await fetch('/v1/stream', { headers, signal: controller.signal, cache: 'no-store' });
      if (res.status === 401) { signOut(); window.location.hash = '#/sign-in'; return; }
      if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
      onStatus('open');
      delay = 1000;
      await read(res.body.getReader());
      if (!stopped) throw new Error('stream ended');
    } catch (e) {
      if (stopped) return;
      onStatus('reconnecting');
      retryTimer = setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    }
  }

  async function read(reader) {
    const decoder = new TextDecoder();
    let buffer = '';
    let type = ''; let data = []; let id = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let nl;
      while ((nl = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1));
        if (line === '') {
          if (data.length) dispatch(type, data.join('\n'), id);
          type = ''; data = []; id = '';
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let val = colon < 0 ? '' : line.slice(colon + 1);
        if (val.startsWith(' ')) val = val.slice(1);
        if (field === 'event') type = val;
        else if (field === 'data') data.push(val);
        else if (field === 'id') id = val;
        else if (field === 'retry' && /^\d+$/.test(val)) delay = Number(val);
      }
    }
  }

  connect();
  return {
    stop() {
      stopped = true;
      clearTimeout(retryTimer);
      if (controller) controller.abort();
      onStatus('closed');
    },
  };
}
