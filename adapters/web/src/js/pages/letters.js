// Letters to send by post, for front door staff: the referrers' letters
// that could not go by email (no address, or the email failed for good),
// oldest first from GET /v1/letters?state=TO_POST, each with a "Mark as
// posted" button (POST /v1/letters/{id}/posted); a printable version of the
// whole list (#/letters/print) and of one letter (#/letters/{id}), one
// letter per sheet with the partnership's letter text as it was issued
// (GET /v1/letters/{id}), the screen's furniture left off by the print
// styles (css/app.css, @media print). Reading a letter is audited by the
// server like any read of a contact's records.

import { h, heading, para, link, tag, table, button, backLink, notificationBanner, insetText, put } from '../dom.js';
import { textInput, showErrors, FieldRegistry } from '../fields.js';
import { get, post, query } from '../api.js';
import { shortDateTime, dateTime, calendarDate, londonDay } from '../format.js';
import { letterStateTag, letterStandsText, whyByPost } from '../deliveries.js';
import { navigate } from '../nav.js';
import { ErrorSummary } from '/vendor/govuk/govuk-frontend.min.js';

const PAGE_SIZE = 50;
const KIND = { ACKNOWLEDGEMENT: 'Acknowledgement', OUTCOME: 'Outcome letter' };
const kindLabel = (kind) => KIND[kind] || 'Letter';
const canPost = (d) => d.state === 'TO_POST' || d.state === 'FAILED';
const recipient = (l) => [l.recipient_name, l.recipient_organisation].filter(Boolean).join(', ') || 'The referrer';

// One letter as it goes in the envelope: the letterhead, the recipient, the
// date and our reference, then the letter as issued. One per printed page.
export function printableLetter(d) {
  const l = d.letter || {};
  const issued = l.issued_at || d.issued_at;
  const titleId = `letter-${d.letter_id}-subject`;
  return h('article', { class: 'fd-print-letter', 'data-letter': d.letter_id, 'aria-labelledby': titleId },
    h('div', { class: 'fd-letterhead' },
      h('p', { class: 'govuk-body govuk-!-font-weight-bold govuk-!-margin-bottom-0' }, 'Northfield Children\u2019s Services'),
      h('p', { class: 'govuk-body govuk-!-margin-bottom-0' }, 'Integrated Front Door'),
      h('p', { class: 'govuk-body' }, 'Telephone 01632 960000')),
    h('div', { class: 'fd-letter-to', 'data-recipient': 'true' },
      h('p', { class: 'govuk-body govuk-!-margin-bottom-0' }, l.recipient_name || 'The referrer'),
      l.recipient_organisation ? h('p', { class: 'govuk-body govuk-!-margin-bottom-0' }, l.recipient_organisation) : null),
    h('p', { class: 'govuk-body fd-letter-meta' },
      `Our reference: ${d.contact_id || l.contact_id}`, h('br'), issued ? `Date: ${calendarDate(londonDay(Date.parse(issued)))}` : null),
    h('h2', { class: 'govuk-heading-m', id: titleId }, l.subject || kindLabel(d.kind)),
    h('div', { class: 'govuk-body fd-pre fd-letter-body' }, l.body || ''));
}

// The full letters of a page of the list: the list may leave their text out.
async function withText(deliveries) {
  return Promise.all(deliveries.map(async (d) => ((d.letter && d.letter.body) ? d
    : get(`/v1/letters/${encodeURIComponent(d.letter_id)}`))));
}

async function markPosted(id, note) {
  return post(`/v1/letters/${encodeURIComponent(id)}/posted`, note ? { note } : {});
}

function problemText(e) {
  if (e.status === 409) return e.problem.detail || 'This letter is no longer waiting to be posted: reload the page to see where it stands';
  if (e.status === 404) return 'There is no such letter';
  if (e.status === 403) return e.problem.detail || 'You are not allowed to do this';
  return e.message;
}

export async function lettersPage(ctx) {
  ctx.setTitle('Letters to send by post');
  const pageToken = ctx.query.get('page_token') || '';
  const posted = ctx.query.get('posted');
  const list = await get(`/v1/letters${query({ state: 'TO_POST', page_token: pageToken, limit: PAGE_SIZE })}`);
  if (!ctx.isCurrent()) return;
  const letters = list.letters || [];
  const wrap = h('div', { class: 'govuk-grid-row' });
  const column = h('div', { class: 'govuk-grid-column-full' });
  wrap.append(column);

  const rows = letters.map((d) => {
    const l = d.letter || {};
    const form = h('form', { class: 'fd-posted-form', novalidate: true, 'data-letter': d.letter_id },
      button(['Mark as posted', h('span', { class: 'govuk-visually-hidden' }, ` – ${kindLabel(d.kind).toLowerCase()} about ${d.contact_id}`)],
        { secondary: true, class: 'govuk-button govuk-button--secondary govuk-!-margin-bottom-0', 'data-posted': d.letter_id }));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const btn = form.querySelector('button');
      btn.disabled = true;
      try {
        await markPosted(d.letter_id);
        navigate(`#/letters${query({ posted: d.letter_id, page_token: pageToken, at: Date.now() })}`);
      } catch (e) {
        btn.disabled = false;
        ctx.setTitle('Letters to send by post', { error: true });
        new ErrorSummary(showErrors(column, form, [{ field: '', message: problemText(e) }], new FieldRegistry()));
      }
    });
    return { attrs: { 'data-row': d.letter_id, 'data-state': d.state }, cells: [
      shortDateTime(d.issued_at || l.issued_at),
      link(`#/contacts/${encodeURIComponent(d.contact_id)}`, d.contact_id, { 'data-contact': d.contact_id, class: 'govuk-link fd-nowrap' }),
      h('span', {}, h('strong', {}, kindLabel(d.kind)), l.subject ? [h('br'), l.subject] : null),
      h('span', {}, recipient(l), l.phone ? [h('br'), `Phone ${l.phone}`] : null),
      h('span', {}, d.state === 'FAILED' ? tag('Email failed', 'red') : tag('No email address', 'orange'),
        d.state === 'FAILED' && d.last_error ? h('span', { class: 'govuk-body-s fd-urgent-why' }, d.last_error) : null),
      h('span', {}, h('p', { class: 'govuk-body-s govuk-!-margin-bottom-2' },
        link(`#/letters/${encodeURIComponent(d.letter_id)}`, ['Printable version', h('span', { class: 'govuk-visually-hidden' }, ` of the letter about ${d.contact_id}`)],
          { 'data-print': d.letter_id })), form),
    ] };
  });

  put(column,
    posted ? notificationBanner('The letter has been marked as posted.',
      para(`It is off the list. The contact\u2019s page shows who posted it and when.`), { success: true }) : null,
    heading('Letters to send by post'),
    para('Letters to referrers that could not go by email: there was no email address, or the email failed. Oldest first. Print each one, post it, then mark it as posted.'),
    letters.length ? h('div', { class: 'govuk-button-group' },
      h('a', { class: 'govuk-button', href: `#/letters/print${query({ page_token: pageToken })}`, role: 'button', draggable: 'false',
        id: 'print-all', 'data-module': 'govuk-button' }, `Print ${letters.length === 1 ? 'this letter' : `these ${letters.length} letters`}`)) : null,
    h('p', { class: 'govuk-body', id: 'letters-status', 'aria-live': 'polite' },
      letters.length ? `${letters.length} letter${letters.length === 1 ? '' : 's'} to post${list.next_page_token ? ' on this page' : ''}.`
        : 'There are no letters to post.'),
    letters.length ? table(null, [{ label: 'Issued' }, { label: 'Contact' }, { label: 'Letter' }, { label: 'To' },
      { label: 'Why by post' }, { label: 'Action' }], rows, { id: 'letters-table', stack: true }) : null,
    list.next_page_token ? para(link(`#/letters${query({ page_token: list.next_page_token })}`, 'Next page', { id: 'next-page' })) : null,
    pageToken ? para(link('#/letters', 'First page')) : null);
  put(ctx.main, wrap);
}

// Every letter of a page of the list, ready to print: one per sheet.
export async function printLettersPage(ctx) {
  ctx.setTitle('Print the letters to post');
  const pageToken = ctx.query.get('page_token') || '';
  const list = await get(`/v1/letters${query({ state: 'TO_POST', page_token: pageToken, limit: PAGE_SIZE })}`);
  const letters = await withText(list.letters || []);
  if (!ctx.isCurrent()) return;
  ctx.before.append(backLink(`#/letters${query({ page_token: pageToken })}`, 'Back to the letters to post'));
  const print = button('Print the letters', { id: 'print-letters', type: 'button' });
  print.addEventListener('click', () => window.print());
  put(ctx.main,
    h('div', { class: 'fd-no-print' },
      heading('Print the letters to post'),
      para(letters.length ? `${letters.length} letter${letters.length === 1 ? '' : 's'}, each on its own page. After posting, mark each one as posted on the list.`
        : 'There are no letters to post.'),
      letters.length ? print : null),
    h('div', { class: 'fd-print-letters', id: 'print-letters-list' }, letters.map(printableLetter)));
}

// One letter: where it stands, its printable version and "Mark as posted"
// with a note of how it went.
export async function letterPage(ctx) {
  const [id] = ctx.params;
  const d = await get(`/v1/letters/${encodeURIComponent(id)}`);
  if (!ctx.isCurrent()) return;
  const l = d.letter || {};
  const title = `${kindLabel(d.kind)} about ${d.contact_id}`;
  ctx.setTitle(title);
  ctx.before.append(backLink(ctx.cameFrom && /^#\/contacts\//.test(ctx.cameFrom) ? ctx.cameFrom : '#/letters',
    ctx.cameFrom && /^#\/contacts\//.test(ctx.cameFrom) ? 'Back to the contact' : 'Back to the letters to post'));
  const print = button('Print this letter', { id: 'print-letter', type: 'button', secondary: true });
  print.addEventListener('click', () => window.print());

  const column = h('div', { class: 'govuk-grid-column-two-thirds' });
  let form = null;
  if (canPost(d)) {
    const registry = new FieldRegistry();
    registry.add('note', 'posted-note', 'How it was sent');
    form = h('form', { id: 'posted-form', novalidate: true },
      h('h2', { class: 'govuk-heading-m' }, 'Mark as posted'),
      textInput({ id: 'posted-note', label: 'How it was sent (optional)', hint: 'For example, second class or hand delivered', path: 'note', width: 20 }),
      button('Mark as posted', { id: 'mark-posted' }));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const btn = form.querySelector('#mark-posted');
      btn.disabled = true;
      try {
        await markPosted(d.letter_id, form.querySelector('#posted-note').value.trim());
        navigate(`#/letters${query({ posted: d.letter_id, at: Date.now() })}`);
      } catch (e) {
        btn.disabled = false;
        ctx.setTitle(title, { error: true });
        const errors = e.status === 400 && e.errors.length ? e.errors : [{ field: '', message: problemText(e) }];
        new ErrorSummary(showErrors(column, form, errors, registry));
      }
    });
  }
  put(column,
    h('div', { class: 'fd-no-print' },
      heading(title, { caption: `Issued ${dateTime(d.issued_at || l.issued_at)}` }),
      h('p', { class: 'govuk-body', id: 'letter-state' }, letterStateTag(d.state), ' ', letterStandsText(d)),
      canPost(d) ? insetText(`${whyByPost(d)}. Print it and post it to ${recipient(l)}${l.phone ? ` (phone ${l.phone})` : ''}, then mark it as posted.`) : null,
      h('div', { class: 'govuk-button-group' }, print,
        link(`#/contacts/${encodeURIComponent(d.contact_id)}`, 'Open the contact', { id: 'open-contact' }))),
    h('div', { class: 'fd-print-letters' }, printableLetter(d)),
    form ? h('div', { class: 'fd-no-print' }, form) : null);
  put(ctx.main, h('div', { class: 'govuk-grid-row' }, column));
}
