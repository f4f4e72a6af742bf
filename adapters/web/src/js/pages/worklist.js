// The triage and MASH worklists and the managers' "Waiting for
// authorisation" list (GET /v1/worklist?queue=): open contacts in the
// server's order (most urgent first), each with an urgency marker and why
// (contact.urgency), its time left coloured as it runs out and breaches
// marked, identity reviews, and linked contacts shown together (a later
// contact about the same child right under the earlier one); filters by
// referral source and RAG rating. On a phone the table becomes stacked
// rows. The list is fetched again when the live stream says a contact changed.

import { h, clear, heading, para, link, tag, table, button, put } from '../dom.js';
import { select } from '../fields.js';
import { get, query } from '../api.js';
import { SOURCES, RAGS, RAG_COLOURS, ROUTES, cap, sourceLabel, timescaleLabel } from '../codes.js';
import { shortDateTime, soonestDeadline, ageText, londonDay } from '../format.js';
import { now } from '../session.js';
import { deadlineTag, startTicker } from '../deadline-tag.js';
import { openStream } from '../stream.js';
import { navigate } from '../nav.js';

const QUEUES = {
  triage: { title: 'Triage worklist', intro: 'Contacts awaiting a front door decision.' },
  mash: { title: 'MASH worklist', intro: 'Contacts in the Multi-Agency Safeguarding Hub awaiting an outcome.' },
  authorisation: { title: 'Waiting for authorisation',
    intro: 'Decisions a triage worker has made that need a manager to authorise them, soonest deadline first.' },
};
const PAGE_SIZE = 50;

function childrenText(contact) {
  const today = londonDay(now());
  return (contact.children || []).map((c) => {
    const name = [c.given_name, c.family_name].filter(Boolean).join(' ') || 'Unborn baby';
    const age = c.date_of_birth ? ageText(c.date_of_birth, today) : '';
    return `${name}${age ? ` (aged ${age})` : c.expected_date_of_birth ? ' (unborn)' : ''}`;
  }).join(', ');
}

// The rows in the server's order, except that a contact linked to one
// higher in the list comes straight after it.
function groupLinked(contacts) {
  const byId = new Map(contacts.map((c) => [c.id, c]));
  const placed = new Set();
  const out = [];
  const place = (c, linkedTo) => {
    if (placed.has(c.id)) return;
    placed.add(c.id);
    out.push({ c, linkedTo });
    for (const other of c.linked_contacts || []) if (byId.has(other)) place(byId.get(other), c.id);
  };
  contacts.forEach((c) => place(c, null));
  return out;
}

// Under the contact's id: why it is urgent, who it is linked to, identity checks.
function rowNotes(c, linkedTo) {
  const why = c.urgency && c.urgency.why;
  const links = c.linked_contacts || [];
  const reviews = c.identity_reviews || [];
  return [
    why ? h('span', { class: 'fd-urgent-why', 'data-urgency': 'true' }, tag('Urgent', 'red'), ' ', h('span', { class: 'govuk-body-s' }, why)) : null,
    links.length ? h('p', { class: 'govuk-body-s fd-row-notes', 'data-linked': links.join(' ') },
      linkedTo ? `Linked to ${linkedTo} above` : `Linked: ${links.join(', ')}`) : null,
    reviews.length ? h('p', { class: 'govuk-body-s fd-row-notes', 'data-identity': 'true' },
      tag('Check identity', 'yellow'), ` ${reviews.length === 1 ? 'A child’s NHS number' : `${reviews.length} NHS numbers`} matched a known child with another date of birth`) : null,
  ];
}

function ragOf(contact, queue) {
  if (queue === 'authorisation') return contact.authorisation && contact.authorisation.decision && contact.authorisation.decision.rag;
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
  const queueNoun = queue === 'authorisation' ? 'decision' : 'open contact';

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
  put(ctx.main, heading(info.title, { caption: ctx.who.role === 'manager' && queue !== 'authorisation' ? 'Read only' : undefined }),
    para(info.intro), filters, status, results);

  async function load(announce) {
    const list = await get(`/v1/worklist${query({ queue, source, rag, limit: PAGE_SIZE, page_token: pageToken })}`);
    if (!ctx.isCurrent()) return;
    const contacts = list.contacts || [];
    const breached = contacts.filter((c) => (c.deadlines || []).some((d) => d.breached)).length;
    status.textContent = `${contacts.length} ${queueNoun}${contacts.length === 1 ? '' : 's'}${
      breached ? `, ${breached} breached` : ''}${source || rag ? ' matching the filters' : ''}.${announce ? ' The list has just been updated.' : ''}`;
    clear(results);
    if (!contacts.length) {
      results.append(para(queue === 'authorisation' ? 'No decisions are waiting for authorisation.' : 'There are no contacts in this list.'));
      return;
    }
    const rows = groupLinked(contacts).map(({ c, linkedTo }) => {
      const auth = queue === 'authorisation';
      const deadline = auth ? (c.deadlines || []).find((dl) => dl.name === 'authorisation') || soonestDeadline(c) : soonestDeadline(c);
      const r = ragOf(c, queue);
      const route = auth ? c.authorisation && c.authorisation.decision && c.authorisation.decision.route
        : c.recommendation && c.recommendation.route;
      return { class: linkedTo ? 'fd-linked-row' : undefined, attrs: { 'data-row': c.id }, cells: [
        h('div', {}, link(`#/contacts/${encodeURIComponent(c.id)}`, c.id, { 'data-contact': c.id, class: 'govuk-link fd-nowrap' }),
          rowNotes(c, linkedTo)),
        shortDateTime(c.received_at),
        sourceLabel(c.source),
        childrenText(c),
        h('span', {}, route ? cap(ROUTES[route]) : '', r ? [' ', tag(cap(RAGS[r]), RAG_COLOURS[r])] : '',
          auth && c.authorisation && c.authorisation.why ? h('span', { class: 'govuk-body-s fd-urgent-why' }, c.authorisation.why) : ''),
        deadline ? `${timescaleLabel(deadline.name)}: ${shortDateTime(deadline.due_at)}` : '',
        deadline ? deadlineTag(deadline) : '',
      ] };
    });
    results.append(table(null, [
      { label: 'Contact' }, { label: 'Received' }, { label: 'From' }, { label: 'Children' },
      { label: queue === 'mash' ? 'Recommended / RAG' : queue === 'authorisation' ? 'Decision waiting' : 'Recommended' },
      { label: 'Due by' }, { label: 'Time left' },
    ], rows, { id: 'worklist-table', stack: true }));
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
