// The managers' live view: open breaches and contacts close to breach, kept
// up to date from GET /v1/stream as things happen (no polling, no reload),
// and the indicators for a date range (GET /v1/indicators) as charts, each
// with its numbers in a table beside it, plus the CSV exports (indicators,
// and the Ofsted Annex A List 1 of contacts). The figures and charts are
// read again a moment after the stream says something changed, so they do
// not go stale either. A close-to-breach the server announces is kept until
// the contact changes or breaches, whatever this page's idea of the clock
// (after the server's clock jumps, that idea lags until the next reading).

import { h, clear, heading, para, link, tag, table, button, summaryList, put } from '../dom.js';
import { dateInput, readDate, showErrors, FieldRegistry } from '../fields.js';
import { get, query } from '../api.js';
import { cap, RAGS, RAG_COLOURS, OUTCOMES, sourceLabel, timescaleLabel } from '../codes.js';
import { shortDateTime, londonDay, percent, hours, calendarDate } from '../format.js';
import { now, observeTime } from '../session.js';
import { actorLabel } from '../actors.js';
import { deadlineTag, startTicker, refreshDeadlineTags } from '../deadline-tag.js';
import { openStream } from '../stream.js';
import { chartWithTable } from '../charts.js';
import { download } from '../download.js';
import { navigate } from '../nav.js';
import { ErrorSummary } from '/vendor/govuk/govuk-frontend.min.js';

const NEAR_WINDOW_MS = 2 * 3600e3;
const STATUS_TEXT = {
  connecting: 'Connecting to live updates…', open: 'Live: this page updates by itself as contacts change.',
  reconnecting: 'Live updates were interrupted: reconnecting…', closed: 'Live updates stopped.',
};

function defaultRange() {
  const today = londonDay(now());
  const [y, m, d] = today.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  const monday = new Date(date.getTime() - ((date.getUTCDay() + 6) % 7) * 86400e3 - 7 * 7 * 86400e3);
  return { from: monday.toISOString().slice(0, 10), to: today };
}

const weekLabel = (ymd) => `w/c ${calendarDate(ymd).replace(/ \d{4}$/, '')}`;
const n = (v) => (v === undefined || v === null ? 0 : v);

// --- open breaches and near breaches, live ---------------------------------

function liveSections(ctx, onChange = () => {}) {
  const breaches = new Map(); // key contact_id/timescale -> breach
  const near = new Map(); // key contact_id/timescale -> {contact_id, timescale, due_at}
  const breachBox = h('div', { id: 'open-breaches-list' });
  const nearBox = h('div', { id: 'near-breaches-list' });
  const breachCount = h('span', { id: 'open-breaches-count' }, '0');
  const nearCount = h('span', { id: 'near-breaches-count' }, '0');
  const announcer = h('p', { class: 'govuk-visually-hidden', 'aria-live': 'assertive', id: 'live-announcer' });
  const status = h('p', { class: 'govuk-body-s fd-live-status', 'aria-live': 'polite', id: 'live-status' }, STATUS_TEXT.connecting);

  function drawBreaches() {
    const list = [...breaches.values()].sort((a, b) => Date.parse(a.due_at) - Date.parse(b.due_at));
    breachCount.textContent = String(list.length);
    put(clear(breachBox), list.length ? table(null,
      [{ label: 'Contact' }, { label: 'Timescale' }, { label: 'Was due' }, { label: 'How late' }, { label: 'Source' }, { label: 'RAG' }],
      list.map((b) => [
        link(`#/contacts/${encodeURIComponent(b.contact_id)}`, b.contact_id, { 'data-contact': b.contact_id, class: 'govuk-link fd-nowrap' }),
        timescaleLabel(b.timescale), shortDateTime(b.due_at), deadlineTag({ due_at: b.due_at, breached: true }),
        b.source ? sourceLabel(b.source) : '', b.rag ? tag(cap(RAGS[b.rag]), RAG_COLOURS[b.rag]) : '']),
      { id: 'open-breaches-table', stack: true }) : para('No open breaches.'));
  }

  function drawNear() {
    const cutoff = now() + NEAR_WINDOW_MS;
    for (const [key, item] of near) {
      if (breaches.has(key) || (!item.announced && Date.parse(item.due_at) > cutoff + 60e3)) near.delete(key);
    }
    const list = [...near.values()].sort((a, b) => Date.parse(a.due_at) - Date.parse(b.due_at));
    nearCount.textContent = String(list.length);
    put(clear(nearBox), list.length ? table(null,
      [{ label: 'Contact' }, { label: 'Timescale' }, { label: 'Due by' }, { label: 'Time left' }],
      list.map((item) => [link(`#/contacts/${encodeURIComponent(item.contact_id)}`, item.contact_id),
        timescaleLabel(item.timescale), shortDateTime(item.due_at), deadlineTag({ due_at: item.due_at })]),
      { id: 'near-breaches-table', stack: true }) : para('No contacts are within 2 hours of a deadline.'));
  }

  async function loadBreaches() {
    const answer = await get('/v1/breaches?status=open');
    breaches.clear();
    for (const b of answer.breaches || []) breaches.set(`${b.contact_id}/${b.timescale}`, b);
    drawBreaches();
    drawNear();
  }

  async function loadNear() {
    const cutoff = now() + NEAR_WINDOW_MS;
    for (const queue of ['triage', 'mash', 'authorisation']) {
      if (queue === 'authorisation' && ctx.who.role !== 'manager') continue;
      let list;
      try {
        list = await get(`/v1/worklist${query({ queue, limit: 100 })}`);
      } catch (e) {
        if (queue === 'authorisation') continue; // a server without that list yet
        throw e;
      }
      for (const c of list.contacts || []) {
        for (const d of c.deadlines || []) {
          if (!d.breached && (d.due_soon || Date.parse(d.due_at) <= cutoff)) {
            near.set(`${c.id}/${d.name}`, { contact_id: c.id, timescale: d.name, due_at: d.due_at, announced: !!d.due_soon });
          }
        }
      }
    }
    drawNear();
  }

  // The server's clock, read again (a manual clock may have jumped).
  let clockTimer = null;
  const resyncClock = () => {
    clearTimeout(clockTimer);
    clockTimer = setTimeout(() => get('/v1/whoami').then((w) => { if (w && w.now) observeTime(w.now, true); drawNear(); })
      .catch(() => {}), 300);
  };

  let refetch = null;
  const refetchBreaches = () => {
    clearTimeout(refetch);
    refetch = setTimeout(() => loadBreaches().catch(() => {}), 200);
  };

  function onEvent(type, data) {
    if (!data || typeof data !== 'object') return;
    onChange();
    if (type === 'breach') {
      if (data.raised_at) observeTime(data.raised_at);
      resyncClock();
      const key = `${data.contact_id}/${data.timescale}`;
      breaches.set(key, { ...(breaches.get(key) || {}), ...data });
      near.delete(key);
      drawBreaches();
      drawNear();
      announcer.textContent = `New breach: contact ${data.contact_id}, ${timescaleLabel(data.timescale).toLowerCase()} timescale.`;
      refetchBreaches();
    } else if (type === 'near-breach') {
      // The server says it is close now, whatever this page thinks the time is.
      near.set(`${data.contact_id}/${data.timescale}`, { contact_id: data.contact_id, timescale: data.timescale, due_at: data.due_at, announced: true });
      resyncClock();
      drawNear();
      announcer.textContent = `Close to breach: contact ${data.contact_id}, due ${shortDateTime(data.due_at)}.`;
    } else if (type === 'contact') {
      const open = new Set((data.deadlines || []).map((d) => d.name));
      let changed = false;
      for (const key of [...near.keys()]) {
        const [id, name] = key.split('/');
        if (id === data.id && !open.has(name)) { near.delete(key); changed = true; }
      }
      if (changed) drawNear();
      if ([...breaches.values()].some((b) => b.contact_id === data.id)) refetchBreaches();
    }
  }

  const el = h('div', { class: 'govuk-grid-row' },
    h('div', { class: 'govuk-grid-column-full' }, status, announcer),
    h('section', { class: 'govuk-grid-column-full', 'aria-labelledby': 'open-breaches-title', id: 'open-breaches' },
      h('h2', { class: 'govuk-heading-m', id: 'open-breaches-title' }, 'Open breaches (', breachCount, ')'), breachBox),
    h('section', { class: 'govuk-grid-column-full', 'aria-labelledby': 'near-breaches-title', id: 'near-breaches' },
      h('h2', { class: 'govuk-heading-m', id: 'near-breaches-title' }, 'Close to breach (', nearCount, ')'), nearBox));

  async function start() {
    await Promise.all([loadBreaches(), loadNear()]);
    let dropped = false;
    const onStatus = (s) => {
      status.textContent = STATUS_TEXT[s] || '';
      status.dataset.state = s;
      // Events sent while the stream was down are not replayed: read again.
      if (s === 'reconnecting') dropped = true;
      if (s === 'open' && dropped) { dropped = false; Promise.all([loadBreaches(), loadNear()]).catch(() => {}); }
    };
    const stream = openStream({ onEvent, onStatus });
    ctx.onLeave(() => { stream.stop(); clearTimeout(refetch); clearTimeout(clockTimer); });
    const tick = setInterval(() => { drawNear(); refreshDeadlineTags(el); }, 30000);
    ctx.onLeave(() => clearInterval(tick));
  }
  return { el, start };
}

// --- indicators -------------------------------------------------------------

function headline(ind) {
  const dec = ind.decided_within_timescale || {};
  const mash = ind.mash_within_timescale || {};
  const t = ind.time_to_decision_hours || {};
  const consent = ind.consent || {};
  const targets = ind.targets || {};
  return summaryList([
    ['Contacts received', String(n(ind.contacts_received))],
    ['Decided within timescale', `${percent(dec.share)} (${n(dec.within)} of ${n(dec.total)})${targets.decided_within_timescale ? `; target ${percent(targets.decided_within_timescale)}` : ''}`],
    ['MASH work within timescale', `${percent(mash.share)} (${n(mash.within)} of ${n(mash.total)})${targets.mash_within_timescale ? `; target ${percent(targets.mash_within_timescale)}` : ''}`],
    ['Referrals (conversion)', `${n(ind.referrals)} (${percent(ind.conversion_to_referral)} of contacts)`],
    ['Re-referrals within 12 months', `${n(ind.re_referrals_12m)} (${percent(ind.re_referral_rate)} of referrals)`],
    ['Time to decision', `median ${hours(t.median)}, 90th percentile ${hours(t.p90)} (${n(t.count)} decisions)`],
    ['Breaches raised', String(n(ind.breaches_raised))],
    ['Consent', `given ${n(consent.given)}, refused ${n(consent.refused)}, not sought ${n(consent.not_sought)}`],
  ]);
}

// Decisions per worker (people and keys; not the rules' own), most first.
function workers(ind) {
  const rows = ind.decisions_by_worker || [];
  return rows.length ? table(null,
    [{ label: 'Who', rowHeader: true }, { label: 'Decisions', numeric: true }, { label: 'In time', numeric: true }, { label: 'Share', numeric: true }],
    rows.map((w) => [actorLabel(w.actor, (w.actor || {}).id), n(w.decisions), n(w.in_time), percent(w.in_time_share)]),
    { id: 'decisions-by-worker' }) : para('No decisions made by people or keys in this range.');
}

// Every day and every week of the range, with the server's rows where it
// has them: a day without contacts is a 0, a week without decisions has no
// share (a gap in the chart, a dash in the table) rather than 0%.
function everyDay(from, to, rows, key, blank) {
  const byKey = new Map(rows.map((r) => [r[key], r]));
  const out = [];
  const step = key === 'week_start' ? 7 : 1;
  let ms = Date.parse(`${from}T12:00:00Z`);
  if (step === 7) ms -= ((new Date(ms).getUTCDay() + 6) % 7) * 86400e3;
  for (const end = Date.parse(`${to}T12:00:00Z`); ms <= end && out.length < 800; ms += step * 86400e3) {
    const day = new Date(ms).toISOString().slice(0, 10);
    out.push(byKey.get(day) || { [key]: day, ...blank });
  }
  return out;
}

const share = (part, whole, value) => (n(whole) ? n(value) : null);
const pct = (v) => (v === null ? '–' : percent(v));

function indicatorCharts(ind) {
  const weeks = everyDay(ind.from, ind.to, ind.by_week || [], 'week_start', {});
  const wl = weeks.map((w) => weekLabel(w.week_start));
  const targets = ind.targets || {};
  const days = everyDay(ind.from, ind.to, ind.by_day || [], 'date', { total: 0, by_source: [] });
  const sources = [...new Set(days.flatMap((d) => (d.by_source || []).map((s) => s.source)))];
  const outcomes = ind.outcomes || [];
  const outcomeTotal = outcomes.reduce((sum, o) => sum + n(o.count), 0);
  return [
    chartWithTable({ id: 'chart-decided', title: 'Contacts decided within their timescale, by week', type: 'bar', percent: true,
      yTitle: '% decided in time', labels: wl, target: targets.decided_within_timescale,
      series: [{ label: 'Decided in time', data: weeks.map((w) => share(w.decided_in_time, w.decided, w.decided_in_time_share)) }],
      columns: [{ label: 'Week', rowHeader: true }, { label: 'Decided', numeric: true }, { label: 'In time', numeric: true }, { label: 'Share', numeric: true }],
      rows: weeks.map((w, i) => [wl[i], n(w.decided), n(w.decided_in_time), pct(share(0, w.decided, w.decided_in_time_share))]) }),
    chartWithTable({ id: 'chart-mash', title: 'MASH work done within its timescale, by week', type: 'bar', percent: true,
      yTitle: '% done in time', labels: wl, target: targets.mash_within_timescale,
      series: [{ label: 'MASH work in time', data: weeks.map((w) => share(0, w.mash_completed, w.mash_in_time_share)), colour: '#4c2c92' }],
      columns: [{ label: 'Week', rowHeader: true }, { label: 'Completed', numeric: true }, { label: 'In time', numeric: true }, { label: 'Share', numeric: true }],
      rows: weeks.map((w, i) => [wl[i], n(w.mash_completed), n(w.mash_in_time), pct(share(0, w.mash_completed, w.mash_in_time_share))]) }),
    chartWithTable({ id: 'chart-by-day', title: 'Contacts per day by source', type: 'bar', stacked: true, yTitle: 'Contacts',
      labels: days.map((d) => calendarDate(d.date).replace(/ \d{4}$/, '')),
      series: sources.map((s) => ({ label: sourceLabel(s), data: days.map((d) => n(((d.by_source || []).find((x) => x.source === s) || {}).count)) })),
      columns: [{ label: 'Day', rowHeader: true }, { label: 'Total', numeric: true }, ...sources.map((s) => ({ label: sourceLabel(s), numeric: true }))],
      rows: days.map((d) => [calendarDate(d.date), n(d.total), ...sources.map((s) => n(((d.by_source || []).find((x) => x.source === s) || {}).count))]) }),
    chartWithTable({ id: 'chart-outcomes', title: 'Outcome mix of closed contacts', type: 'bar', horizontal: true,
      labels: outcomes.map((o) => cap(o.label || OUTCOMES[o.outcome] || o.outcome)),
      series: [{ label: 'Contacts', data: outcomes.map((o) => n(o.count)), colour: '#28a197' }],
      columns: [{ label: 'Outcome', rowHeader: true }, { label: 'Contacts', numeric: true }, { label: 'Share', numeric: true }],
      rows: outcomes.map((o) => [cap(o.label || OUTCOMES[o.outcome] || o.outcome), n(o.count), percent(outcomeTotal ? n(o.count) / outcomeTotal : 0)]) }),
    chartWithTable({ id: 'chart-re-referrals', title: 'Re-referral rate by week (re-referrals within 12 months as a share of referrals)',
      type: 'line', percent: true, yTitle: '% of referrals', labels: wl,
      series: [{ label: 'Re-referral rate', data: weeks.map((w) => share(0, w.referrals, w.re_referral_rate)), colour: '#d53880' }],
      columns: [{ label: 'Week', rowHeader: true }, { label: 'Referrals', numeric: true }, { label: 'Re-referrals', numeric: true }, { label: 'Rate', numeric: true }],
      rows: weeks.map((w, i) => [wl[i], n(w.referrals), n(w.re_referrals), pct(share(0, w.referrals, w.re_referral_rate))]) }),
    chartWithTable({ id: 'chart-time-to-decision', title: 'Time from contact to decision, by week (hours)', type: 'line', yTitle: 'Hours',
      labels: wl, series: [{ label: 'Median', data: weeks.map((w) => share(0, w.decided, w.median_hours_to_decision)) },
        { label: '90th percentile', data: weeks.map((w) => share(0, w.decided, w.p90_hours_to_decision)), colour: '#f47738' }],
      columns: [{ label: 'Week', rowHeader: true }, { label: 'Median (hours)', numeric: true }, { label: '90th percentile (hours)', numeric: true }, { label: 'Breaches', numeric: true }],
      rows: weeks.map((w, i) => [wl[i], n(w.decided) ? Math.round(n(w.median_hours_to_decision) * 10) / 10 : '–',
        n(w.decided) ? Math.round(n(w.p90_hours_to_decision) * 10) / 10 : '–', n(w.breaches)]) }),
  ];
}

function rangeForm(ctx, range) {
  const registry = new FieldRegistry();
  registry.add('from', 'range-from-day', 'Start date');
  registry.add('to', 'range-to-day', 'End date');
  const form = h('form', { id: 'range-form', novalidate: true, class: 'fd-range' },
    h('div', { class: 'fd-range__dates' },
      dateInput({ id: 'range-from', legend: 'From', value: range.from, path: 'from', hint: 'For example, 2 11 2026' }),
      dateInput({ id: 'range-to', legend: 'To', value: range.to, path: 'to', hint: 'Includes this day' })),
    button('Show indicators', { secondary: true, id: 'show-range' }));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const from = readDate(form, 'range-from');
    const to = readDate(form, 'range-to');
    const valid = (d) => /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(Date.parse(d));
    const errors = [];
    if (!valid(from)) errors.push({ field: 'from', message: 'Enter a real start date' });
    if (!valid(to)) errors.push({ field: 'to', message: 'Enter a real end date' });
    if (!errors.length && from > to) errors.push({ field: 'to', message: 'The end date must be the same as or after the start date' });
    if (errors.length) {
      ctx.setTitle('Live view', { error: true });
      new ErrorSummary(showErrors(form.parentElement, form, errors, registry));
      return;
    }
    navigate(`#/live${query({ from, to })}`);
  });
  return form;
}

export async function liveViewPage(ctx) {
  ctx.setTitle('Live view');
  const range = { ...defaultRange() };
  if (/^\d{4}-\d{2}-\d{2}$/.test(ctx.query.get('from') || '')) range.from = ctx.query.get('from');
  if (/^\d{4}-\d{2}-\d{2}$/.test(ctx.query.get('to') || '')) range.to = ctx.query.get('to');

  let refreshFigures = () => {};
  let figuresTimer = null;
  const live = liveSections(ctx, () => {
    clearTimeout(figuresTimer);
    figuresTimer = setTimeout(() => refreshFigures(), 1000);
  });
  ctx.onLeave(() => clearTimeout(figuresTimer));
  const exportStatus = h('p', { class: 'govuk-body-s', 'aria-live': 'polite', id: 'export-status' });
  const exportButton = (id, text, path, name) => {
    const b = h('button', { type: 'button', class: 'govuk-button govuk-button--secondary', id, 'data-module': 'govuk-button' }, text);
    b.addEventListener('click', async () => {
      exportStatus.textContent = 'Preparing the download…';
      try {
        const file = await download(path, name);
        exportStatus.textContent = `Downloaded ${file}.`;
      } catch (e) {
        exportStatus.textContent = `The download failed: ${e.message}`;
      }
    });
    return b;
  };
  const indicators = h('div', { id: 'indicators' }, para('Loading the indicators…'));
  put(ctx.main, 
    heading('Live view', { caption: 'Timescales and indicators' }),
    live.el,
    h('section', { 'aria-labelledby': 'indicators-title', class: 'fd-section' },
      h('h2', { class: 'govuk-heading-l', id: 'indicators-title' }, 'Indicators'),
      para(`From ${calendarDate(range.from)} to ${calendarDate(range.to)} (both days included).`),
      rangeForm(ctx, range),
      h('div', { class: 'govuk-button-group' },
        exportButton('export-indicators', 'Download the indicators (CSV)', `/v1/indicators${query({ ...range, format: 'csv' })}`,
          `indicators-${range.from}-${range.to}.csv`),
        exportButton('export-annex-a', 'Download Annex A List 1: contacts (CSV)',
          `/v1/exports/annex-a/contacts${query(range)}`, `annex-a-list-1-contacts-${range.from}-${range.to}.csv`)),
      exportStatus, indicators));

  await live.start();
  startTicker(ctx.main, ctx.onLeave);
  let charts = [];
  let reads = 0;
  async function showFigures() {
    let ind;
    try {
      ind = await get(`/v1/indicators${query(range)}`);
    } catch (e) {
      if (ctx.isCurrent()) put(clear(indicators), para(`The indicators cannot be shown: ${e.message}`));
      return;
    }
    if (!ctx.isCurrent()) return;
    charts.forEach((c) => c.destroy());
    charts = indicatorCharts({ from: range.from, to: range.to, ...ind });
    reads += 1;
    indicators.dataset.reads = String(reads);
    put(clear(indicators), h('h3', { class: 'govuk-heading-m' }, 'Key figures'), h('div', { id: 'key-figures' }, headline(ind)),
      h('h3', { class: 'govuk-heading-m' }, 'Decisions by worker'), workers(ind),
      h('h3', { class: 'govuk-heading-m' }, 'Charts'), charts.map((c) => c.el));
    charts.forEach((c) => c.draw());
  }
  ctx.onLeave(() => charts.forEach((c) => c.destroy()));
  await showFigures();
  refreshFigures = () => { if (ctx.isCurrent()) showFigures().catch(() => {}); };
}
