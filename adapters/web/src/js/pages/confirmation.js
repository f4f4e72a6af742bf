// The page after a contact is sent: its reference (the contact id) in a
// GOV.UK panel, its deadlines, and what happens next. The contact comes from
// the POST's answer when we have it, else from GET /v1/contacts/{id} (which
// a partner may read for its own contacts: id, state and deadlines). For an
// urgent contact (a child at immediate risk) it says what happens now and
// to call 999 if a child is in immediate danger.

import { h, heading, para, link, summaryList, warningText, put } from '../dom.js';
import { get } from '../api.js';
import { STATES, OUTCOMES, cap, timescaleLabel } from '../codes.js';
import { dateTime } from '../format.js';

const sent = new Map();
const urgent = new Set();
export const rememberSent = (contact, body = {}) => {
  sent.set(contact.id, contact);
  if (contact.immediate_risk || body.immediate_risk) urgent.add(contact.id);
};

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
    urgent.has(contact.id) || contact.immediate_risk ? [
      heading('What happens now', { level: 2, size: 'm' }),
      h('div', { id: 'urgent-next' },
        warningText('If a child is in immediate danger, call 999 now. Do not wait for us.'),
        para(`You told us a child is at immediate risk of significant harm. A front door social worker looks at this contact now, ahead of others, and decides what happens${deadlines[0] ? ` by ${dateTime(deadlines[0].due_at)}` : ' within 2 hours'}.`),
        para('They may phone you straight away: keep your phone with you. Out of office hours the emergency duty team is told at once (01632 960999).')),
    ] : [
      heading('What happens next', { level: 2, size: 'm' }),
      para(`The front door decides what happens next${deadlines[0] ? ` by ${dateTime(deadlines[0].due_at)}` : ''}, and writes to the referrer when it has.`),
      para('If you think a child is in immediate danger, call 999.'),
    ],
    para(link('#/contacts/new', 'Send another contact', { id: 'send-another' })),
    ctx.who.role === 'triage' ? para(link(`#/contacts/${encodeURIComponent(contact.id)}`, 'Open this contact')) : null)));
}
