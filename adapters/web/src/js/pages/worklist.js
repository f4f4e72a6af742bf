// The triage and MASH worklists (GET /v1/worklist): open contacts, soonest
// deadline first, each with its time left coloured as it runs out and
// breaches marked; filters by referral source and RAG rating. The list is
// fetched again when the live stream says a contact changed.

import { h, clear, heading, para, link, tag, table, button, put } from '../dom.js';
import { select } from '../fields.js';
import { get, query } from '../api.js';
import { SOURCES, RAGS, RAG_COLOURS, ROUTES, cap, sourceLabel, timescaleLabel } from '../codes.js';
import { shortDateTime, soonestDeadline, ageOn, londonDay } from '../format.js';
import { now } from '../session.js';
import { deadlineTag, startTicker } from '../deadline-tag.js';
import { openStream } from '../stream.js';
import { navigate } from '../nav.js';

const QUEUES = {
  triage: { title: 'Triage worklist', intro: 'Contacts awaiting a front door decision.' },
  mash: { title: 'MASH worklist', intro: 'Contacts in the Multi-Agency Safeguarding Hub awaiting an outcome.' },
};
const PAGE_SIZE = 50;

function childrenText(contact) {
  const today = londonDay(now());
  return (contact.children || []).map((c) => {
    const name = [c.given_name, c.family_name].filter(Boolean).join(' ') || 'Unborn baby';
    const age = c.date_of_birth ? ageOn(c.date_of_birth, today) : null;
    return `${name}${age !== null ? ` (${age})` : c.expected_date_of_birth ? ' (unborn)' : ''}`;
  }).join(', ');
}

function ragOf(contact, queue) {
  if (queue === 'mash') return (contact.mash && contact.mash.rag) || (contact.decision && contact.decision.rag);
  return contact.recommendation && contact.recommendation.rag;
}

export async function worklistPage(ctx) {
  const [queue] = ctx.params;
  const info = QUEUES[queue];
  const source = ctx.query.get('source') || '';
  const rag = ctx.query.get('rag') || '';
  const pageToken = ctx.query.get('page_token') || '';
  ctx.setTitle(info.title);

  const filters = h('form', { class: 'fd-filters', id: 'worklist-filters', novalidate: true },
    h('div', { class: 'govuk-grid-row' },
      h('div', { class: 'govuk-grid-column-one-half' }, select({ id: 'filter-source', label: 'Referral source',
        placeholder: 'All sources', value: source,
        options: Object.entries(SOURCES).map(([value, [census, text]]) => ({ value, text: `${cap(text)} (${census})` })) })),
      h('div', { class: 'govuk-grid-column-one-quarter' }, select({ id: 'filter-rag', label: 'RAG rating',
        placeholder: 'All ratings', value: rag,
        options: Object.entries(RAGS).map(([value, text]) => ({ value, text: cap(text) })) }))),
    h('div', { class: 'govuk-button-group' }, button('Apply filters', { secondary: true, id: 'apply-filters' }),
      source || rag ? link(`#/worklist/${queue}`, 'Clear filters') : null));
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    navigate(`#/worklist/${queue}${query({ source: filters.querySelector('#filter-source').value,
      rag: filters.querySelector('#filter-rag').value })}`);
  });

  const status = h('p', { class: 'govuk-body', 'aria-live': 'polite', id: 'worklist-status' });
  const results = h('div', { id: 'worklist-results' });
  put(ctx.main, heading(info.title, { caption: ctx.who.role === 'manager' ? 'Read only' : undefined }),
    para(info.intro), filters, status, results);

  async function load(announce) {
    const list = await get(`/v1/worklist${query({ queue, source, rag, limit: PAGE_SIZE, page_token: pageToken })}`);
    if (!ctx.isCurrent()) return;
    const contacts = list.contacts || [];
    const breached = contacts.filter((c) => (c.deadlines || []).some((d) => d.breached)).length;
    status.textContent = `${contacts.length} open contact${contacts.length === 1 ? '' : 's'}${
      breached ? `, ${breached} breached` : ''}${source || rag ? ' matching the filters' : ''}.${announce ? ' The list has just been updated.' : ''}`;
    clear(results);
    if (!contacts.length) { results.append(para('There are no contacts in this list.')); return; }
    const rows = contacts.map((c) => {
      const deadline = soonestDeadline(c);
      const r = ragOf(c, queue);
      const route = c.recommendation && c.recommendation.route;
      return [
        link(`#/contacts/${encodeURIComponent(c.id)}`, c.id, { 'data-contact': c.id, class: 'govuk-link fd-nowrap' }),
        shortDateTime(c.received_at),
        sourceLabel(c.source),
        childrenText(c),
        h('span', {}, route ? cap(ROUTES[route]) : '', r ? [' ', tag(cap(RAGS[r]), RAG_COLOURS[r])] : ''),
        deadline ? `${timescaleLabel(deadline.name)}: ${shortDateTime(deadline.due_at)}` : '',
        deadline ? deadlineTag(deadline) : '',
      ];
    });
    results.append(table(null, [
      { label: 'Contact' }, { label: 'Received' }, { label: 'From' }, { label: 'Children' },
      { label: queue === 'mash' ? 'Recommended / RAG' : 'Recommended' }, { label: 'Due by' }, { label: 'Time left' },
    ], rows, { id: 'worklist-table' }));
    if (list.next_page_token) {
      results.append(para(link(`#/worklist/${queue}${query({ source, rag, page_token: list.next_page_token })}`, 'Next page')));
    }
    if (pageToken) results.append(para(link(`#/worklist/${queue}${query({ source, rag })}`, 'First page')));
  }

  await load(false);
  startTicker(results, ctx.onLeave);
  let pending = null;
  const stream = openStream({
    onEvent: (type) => {
      if (type !== 'contact' && type !== 'breach') return;
      clearTimeout(pending);
      pending = setTimeout(() => load(true).catch(() => {}), 300);
    },
  });
  ctx.onLeave(() => { stream.stop(); clearTimeout(pending); });
}
