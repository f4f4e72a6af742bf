// The administrator's page: who is signed in and the server's clock. With a
// manual clock (serve --clock manual, for demos and tests) the clock can be
// moved on from here through POST /v1/admin/clock.

import { h, heading, summaryList, button, insetText, put } from '../dom.js';
import { textInput, showErrors, FieldRegistry } from '../fields.js';
import { get, post } from '../api.js';
import { setWho } from '../session.js';
import { dateTime } from '../format.js';
import { navigate } from '../nav.js';
import { ErrorSummary } from '/vendor/govuk/govuk-frontend.min.js';

export async function adminPage(ctx) {
  ctx.setTitle('Server clock');
  const who = await get('/v1/whoami');
  setWho(who);
  const registry = new FieldRegistry();
  registry.add('advance', 'advance', 'How far to move the clock');
  const form = h('form', { id: 'clock-form', novalidate: true },
    textInput({ id: 'advance', label: 'Move the clock on by', width: 10, spellcheck: false, path: 'advance',
      hint: 'An ISO 8601 duration, for example PT1H for one hour or P1D for a day. Only a server started with a manual clock can be moved.' }),
    button('Move the clock', { secondary: true, id: 'advance-clock' }));
  const column = h('div', { class: 'govuk-grid-column-two-thirds' },
    heading('Server clock', { caption: `Signed in as ${who.name} (${who.role})` }),
    summaryList([['Server time', h('span', { id: 'server-now' }, dateTime(who.now))]]),
    insetText('Administrators manage tokens, policies and open cases through the API and the command line; the pages for partners, front door staff and managers are for those roles.'),
    form);
  put(ctx.main, h('div', { class: 'govuk-grid-row' }, column));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const advance = form.querySelector('#advance').value.trim();
    try {
      await post('/v1/admin/clock', { advance });
      navigate(`#/admin?moved=${Date.now()}`);
    } catch (e) {
      const message = e.status === 404 ? 'The clock cannot be moved: this server runs on the system clock'
        : 'Enter how far to move the clock as a duration, for example PT1H for one hour or P1D for a day';
      ctx.setTitle('Server clock', { error: true });
      new ErrorSummary(showErrors(column, form, e.errors.length && e.status !== 404
        ? e.errors.map((x) => ({ field: x.field || 'advance', message }))
        : [{ field: 'advance', message }], registry));
    }
  });
}
