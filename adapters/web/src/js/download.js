// Downloads a file the API serves behind the token (CSV exports): fetched
// with the Authorization header, turned into a Blob, and saved through a
// temporary object URL and an <a download> link, so the token never goes
// into a URL.

import { request } from './api.js';

export async function download(path, fallbackName) {
  const res = await request('GET', path, undefined, { raw: true, headers: { Accept: 'text/csv' } });
  const blob = await res.blob();
  const disposition = res.headers.get('Content-Disposition') || '';
  const match = disposition.match(/filename\*?=(?:UTF-8'')?"?([^";]+)"?/i);
  const name = match ? decodeURIComponent(match[1]) : fallbackName;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  return name;
}
