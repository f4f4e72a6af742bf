// Moving between pages: set the hash, or render the same page again when
// the hash is already there (app.js routes on every hashchange).

export function navigate(hash) {
  if (window.location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else window.location.hash = hash;
}
