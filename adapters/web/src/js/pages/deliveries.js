// The administrator's deliveries page: each receiver the front door
// delivers events to (GET /v1/admin/subscriptions: the webhook
// subscriptions of the config and the email channel) with its state,
// whether a 410 Gone disabled it and why, and its figures (delivered,
// queued, retrying, dead, latency); then the dead letters
// (GET /v1/admin/deliveries?state=DEAD&channel=&page_token=), each with its
// last error and a Replay button (POST /v1/admin/deliveries/{id}/replay),
// which sends it again (and takes a disabled subscription back into use).
// Only ids, types, counts and errors are shown: never an event's body.

import { h, heading, para, link, tag, table, tableBox, button, notificationBanner, put } from '../dom.js';
import { select, showErrors, FieldRegistry } from '../fields.js';
import { get, post, query } from '../api.js';
import { shortDateTime } from '../format.js';
import { deliveryStateTag } from '../deliveries.js';
import { navigate } from '../nav.js';
import { ErrorSummary } from '/vendor/govuk/govuk-frontend.min.js';

const PAGE_SIZE = 50;

// "org.frontdoor.contact.decided" -> "Contact decided".
export function eventTypeLabel(type) {
  const words = String(type || '').replace(/^org\.frontdoor\./, '').split('.').join(' ');
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : 'Event';
}

const ms = (v) => (v === undefined || v === null ? '' : Number(v) < 1 ? 'under 1 ms' : `${Math.round(Number(v))} ms`);
const count = (v) => String(Number(v || 0));

function subscriptionState(s) {
  if (!s.disabled) return tag('Active', 'green');
  return h('span', {}, tag('Disabled', 'red'),
    h('span', { class: 'govuk-body-s fd-urgent-why', 'data-disabled-reason': 'true' },
      `${s.disabled_reason || 'Disabled'}${s.disabled_at ? ` (since ${shortDateTime(s.disabled_at)})` : ''}`));
}

function subscriptionsSection(list) {
  const subs = list.subscriptions || [];
  const rows = subs.map((s) => ({ attrs: { 'data-subscription': s.name }, cells: [
    h('span', {}, h('strong', {}, s.name), s.url ? [h('br'), h('span', { class: 'govuk-body-s fd-url' }, s.url)] : null),
    (s.events || []).length ? h('ul', { class: 'govuk-list govuk-body-s govuk-!-margin-bottom-0' },
      s.events.map((e) => h('li', {}, eventTypeLabel(e)))) : s.url ? 'All events' : 'Letters issued',
    s.organisation || (s.url ? 'Every organisation' : 'Each letter\u2019s referrer'),
    subscriptionState(s),
    count(s.delivered), count(s.queued), count(s.retrying), count(s.dead),
    s.latency_p50_ms || s.latency_p99_ms ? `${ms(s.latency_p50_ms)} / ${ms(s.latency_p99_ms)}` : 'Not measured yet',
  ] }));
  return h('section', { class: 'fd-section', 'aria-labelledby': 'subscriptions-title', id: 'subscriptions' },
    h('h2', { class: 'govuk-heading-l', id: 'subscriptions-title' }, 'Receivers'),
    para('Where events go: the webhook subscriptions in the config, and letters by email. Figures are counted since the server started, except dead letters, which are kept.'),
    subs.length ? tableBox('Receivers and their figures', table(null, [
      { label: 'Name' }, { label: 'Events' }, { label: 'Whose events' }, { label: 'State' },
      { label: 'Delivered', numeric: true }, { label: 'Queued', numeric: true }, { label: 'Retrying', numeric: true },
      { label: 'Dead', numeric: true }, { label: 'Time taken (median / 99%)' },
    ], rows, { id: 'subscriptions-table', stack: true })) : para('No receivers are set up: events go only to the server\u2019s letter folder.'));
}

function deadSection(ctx, list, channels, channel, pageToken, column) {
  const dead = list.deliveries || [];
  const filter = h('form', { class: 'fd-filters', id: 'dead-filters', novalidate: true },
    select({ id: 'filter-channel', label: 'Receiver', placeholder: 'All receivers', value: channel,
      options: channels.map((c) => ({ value: c, text: c })) }),
    button('Show', { secondary: true, id: 'apply-channel' }));
  filter.addEventListener('submit', (event) => {
    event.preventDefault();
    navigate(`#/admin/deliveries${query({ channel: filter.querySelector('#filter-channel').value })}`);
  });
  const rows = dead.map((d) => {
    const form = h('form', { class: 'fd-replay-form', novalidate: true, 'data-replay': d.id },
      button(['Replay', h('span', { class: 'govuk-visually-hidden' }, ` delivery ${d.id}`)],
        { secondary: true, class: 'govuk-button govuk-button--secondary govuk-!-margin-bottom-0' }));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const btn = form.querySelector('button');
      btn.disabled = true;
      try {
        await post(`/v1/admin/deliveries/${encodeURIComponent(d.id)}/replay`);
        navigate(`#/admin/deliveries${query({ channel, replayed: d.id, at: Date.now() })}`);
      } catch (e) {
        btn.disabled = false;
        ctx.setTitle('Deliveries', { error: true });
        const message = e.status === 404 ? `There is no delivery ${d.id}: it may have been replayed already`
          : e.status === 409 ? (e.problem.detail || `Delivery ${d.id} is not dead any more: reload the page`) : e.message;
        new ErrorSummary(showErrors(column, form, [{ field: '', message }], new FieldRegistry()));
      }
    });
    return { attrs: { 'data-delivery': d.id }, cells: [
      h('span', { class: 'fd-nowrap' }, d.id),
      d.channel,
      h('span', {}, eventTypeLabel(d.type), h('br'), h('span', { class: 'govuk-body-s fd-secondary-text' }, `Contact ${d.contact_id}`)),
      h('span', {}, deliveryStateTag(d.state), ' ', `${d.attempts || 0} attempt${d.attempts === 1 ? '' : 's'}`),
      d.finished_at ? shortDateTime(d.finished_at) : '',
      h('span', { class: 'fd-last-error' }, d.last_error || 'Not recorded'),
      form,
    ] };
  });
  return h('section', { class: 'fd-section', 'aria-labelledby': 'dead-title', id: 'dead-letters' },
    h('h2', { class: 'govuk-heading-l', id: 'dead-title' }, 'Dead letters'),
    para('Deliveries that were retried for as long as their receiver allows, or refused for good. Replay sends one again from the start; a later event about the same contact waits for it.'),
    filter,
    h('p', { class: 'govuk-body', id: 'dead-status', 'aria-live': 'polite' },
      dead.length ? `${dead.length} dead letter${dead.length === 1 ? '' : 's'}${channel ? ` for ${channel}` : ''}${list.next_page_token ? ' on this page' : ''}.`
        : `There are no dead letters${channel ? ` for ${channel}` : ''}.`),
    dead.length ? tableBox('Dead letters', table(null, [
      { label: 'Delivery' }, { label: 'Receiver' }, { label: 'Event' }, { label: 'State' }, { label: 'Died' },
      { label: 'Last error' }, { label: 'Action' },
    ], rows, { id: 'dead-table', stack: true })) : null,
    list.next_page_token ? para(link(`#/admin/deliveries${query({ channel, page_token: list.next_page_token })}`, 'Next page', { id: 'next-page' })) : null,
    pageToken ? para(link(`#/admin/deliveries${query({ channel })}`, 'First page')) : null);
}

export async function deliveriesPage(ctx) {
  ctx.setTitle('Deliveries');
  const channel = ctx.query.get('channel') || '';
  const pageToken = ctx.query.get('page_token') || '';
  const replayed = ctx.query.get('replayed');
  const [subs, dead] = await Promise.all([
    get('/v1/admin/subscriptions'),
    get(`/v1/admin/deliveries${query({ state: 'DEAD', channel, page_token: pageToken, limit: PAGE_SIZE })}`),
  ]);
  if (!ctx.isCurrent()) return;
  const channels = [...new Set([...(subs.subscriptions || []).map((s) => s.name), ...(channel ? [channel] : [])])];
  const column = h('div', { class: 'govuk-grid-column-full' });
  put(column,
    replayed ? notificationBanner(`Delivery ${replayed} is being sent again.`,
      para('It is queued for its receiver; its figures show under Receivers.'), { success: true }) : null,
    heading('Deliveries'),
    subscriptionsSection(subs),
    deadSection(ctx, dead, channels, channel, pageToken, column));
  put(ctx.main, h('div', { class: 'govuk-grid-row' }, column));
}
