// A page that only says something: not found, no access, or a failure.

import { heading, para, link } from '../dom.js';

export async function messagePage(ctx, title, body) {
  ctx.setTitle(title);
  ctx.main.append(heading(title), para(body), para(link(ctx.home, 'Go to your start page')));
}
