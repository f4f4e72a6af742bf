// The page after a contact is sent: its reference (the contact id) in a
// GOV.UK panel, its deadlines, and what happens next. The contact comes from
// the POST's answer when we have it, else from GET /v1/contacts/{id} (which
// a partner may read for its own contacts: id, state and deadlines).

import { h, heading, para, link, summaryList, put } from '../dom.js';
import { get } from '../api.js';
import { STATES, OUTCOMES, cap, timescaleLabel } from '../codes.js';
import { dateTime } from '../format.js';

const sent = new Map();
export const rememberSent = (contact) => sent.set(contact.id, contact);

export async function confirmationPage(ctx) {
  const [id] = ctx.params;
  const contact = sent.get(id) || await get(`/v1/contacts/${encodeURIComponent(id)}`);
  ctx.setTitle('Contact sent');
  const deadlines = contact.deadlines || [];
  put(ctx.main, h('div', { class: 'govuk-grid-row' }, h('div', { class: 'govuk-grid-column-two-thirds' },
    h('div', { class: 'govuk-panel govuk-panel--confirmation' },
      h('h1', { class: 'govuk-panel__title' }, 'Contact sent'),
      h('div', { class: 'govuk-panel__body' }, 'Your reference is', h('br'), h('strong', { id: 'contact-id' }, contact.id))),
    para('We have sent a letter to the referrer to say we have the contact. Quote the reference if you get in touch about this family again.'),
    heading('Deadlines', { level: 2, size: 'm' }),
    summaryList([
      ['State', cap(STATES[contact.state] || contact.state)],
      ['Outcome', contact.outcome ? cap(OUTCOMES[contact.outcome]) : null],
      ['Received', dateTime(contact.received_at)],
      ...deadlines.map((d) => [`${timescaleLabel(d.name)} due by`, h('span', { 'data-deadline': d.name }, dateTime(d.due_at))]),
    ]),
    deadlines.length ? null : para('No timescale is running: the contact has already been dealt with.'),
    heading('What happens next', { level: 2, size: 'm' }),
    para(`The front door decides what happens next${deadlines[0] ? ` by ${dateTime(deadlines[0].due_at)}` : ''}, and writes to the referrer when it has.`),
    para('If you think a child is in immediate danger, call 999.'),
    para(link('#/contacts/new', 'Send another contact', { id: 'send-another' })),
    ctx.who.role === 'triage' ? para(link(`#/contacts/${encodeURIComponent(contact.id)}`, 'Open this contact')) : null)));
}
