// A page that only says something: not found, no access, or a failure.

import { heading, para, link, put } from '../dom.js';

export async function messagePage(ctx, title, body) {
  ctx.setTitle(title);
  put(ctx.main, heading(title), para(body), para(link(ctx.home, 'Go to your start page')));
}
