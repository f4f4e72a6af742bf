// One contact, for front door staff and managers: where it stands and its
// deadlines, the decision or MASH outcome form (triage only, when the
// contact is at that step), the recommendation with the rules' explanation,
// what was known before, the submitted facts, the history and the letters.

import {
  h, heading, para, link, tag, summaryList, summaryCard, table, button, details, backLink, notificationBanner, put,
} from '../dom.js';
import { radios, textarea, textInput, FieldRegistry, showErrors } from '../fields.js';
import { get, post } from '../api.js';
import {
  cap, STATES, OUTCOMES, ROUTES, MASH_OUTCOMES, RAGS, RAG_COLOURS, LEVELS, CHANNELS, CONSENT, CONCERNS, SEX,
  EVENT_TYPES, sourceLabel, timescaleLabel,
} from '../codes.js';
import { dateTime, shortDateTime, calendarDate, ageOn, londonDay } from '../format.js';
import { now } from '../session.js';
import { actorLabel } from '../actors.js';
import { deadlineTag, startTicker } from '../deadline-tag.js';
import { navigate } from '../nav.js';
import { ErrorSummary } from '/vendor/govuk/govuk-frontend.min.js';

const STATE_COLOURS = { AWAITING_DECISION: 'blue', IN_MASH: 'purple', CLOSED: 'grey' };
const ragTag = (rag) => (rag ? tag(cap(RAGS[rag]), RAG_COLOURS[rag]) : null);

function section(id, title, ...children) {
  return h('section', { class: 'fd-section', id, 'aria-labelledby': `${id}-title` },
    h('h2', { class: 'govuk-heading-l', id: `${id}-title` }, title), children);
}

function recommendationSection(c) {
  const r = c.recommendation || {};
  const rules = (c.explanation && c.explanation.rules) || [];
  return section('recommendation', 'Recommendation',
    summaryList([
      ['Route', cap(ROUTES[r.route] || r.route || 'None')],
      ['Level of need', r.level ? `${r.level} – ${LEVELS[r.level] || ''}` : null],
      ['RAG rating', ragTag(r.rag)],
      ['Rule', r.rule_id],
      ['Taken automatically', r.automatic ? 'Yes' : null],
      ['Rules', r.policy_label ? `${r.policy_label} (${r.rules_version || ''})` : r.rules_version],
    ]),
    (r.reasons || []).length ? h('ul', { class: 'govuk-list govuk-list--bullet', id: 'recommendation-reasons' },
      r.reasons.map((reason) => h('li', {}, reason))) : null,
    (r.signposts || []).length ? details('Services the family could be signposted to',
      h('ul', { class: 'govuk-list' }, r.signposts.map((s) => h('li', {}, h('strong', {}, s.service),
        s.what_for ? ` – ${s.what_for}` : '', s.how_to_reach ? ` (${s.how_to_reach})` : '')))) : null,
    rules.length ? details('How the rules reached this recommendation',
      para(`The rules looked at ${rules.length} rules in order; ${rules.filter((rule) => rule.matched).length} matched. Each shows what it looked for and what the contact said.`),
      rules.filter((rule) => rule.matched).map(ruleCheck),
      rules.some((rule) => !rule.matched) ? details(`The ${rules.filter((rule) => !rule.matched).length} rules that did not match`,
        rules.filter((rule) => !rule.matched).map(ruleCheck)) : null) : null);
}

function ruleCheck(rule) {
  return h('div', { class: 'fd-rule' },
    h('h3', { class: 'govuk-heading-s' }, rule.description || rule.rule_id, ' ',
      rule.chosen ? tag('Chosen', 'green') : rule.matched ? tag('Matched', 'blue') : tag('Did not match', 'grey')),
    h('p', { class: 'govuk-body-s fd-secondary-text' }, `Rule ${rule.rule_id} in ${rule.table}`),
    (rule.conditions || []).length ? table(null, [{ label: 'Condition' }, { label: 'Looked for' }, { label: 'Seen' },
      { label: 'Held' }], rule.conditions.map((cond) => [cond.condition, cond.expected || '', cond.seen || '',
      cond.held ? 'Yes' : 'No'])) : null);
}

function factsSection(c) {
  const ref = c.referrer || {};
  const today = londonDay(now());
  return section('facts', 'What the referrer told us',
    h('h3', { class: 'govuk-heading-m' }, 'The contact'),
    summaryList([
      ['Channel', cap(CHANNELS[c.channel] || c.channel)],
      ['Source', sourceLabel(c.source)],
      ['Their reference', c.external_ref],
      ['Sent by', c.submitted_by],
      ['Immediate risk of significant harm', c.immediate_risk ? tag('Yes', 'red') : 'No'],
    ]),
    h('h3', { class: 'govuk-heading-m' }, 'Referrer'),
    summaryList([['Name', ref.name || 'Not given (anonymous)'], ['Organisation', ref.organisation], ['Role', ref.role],
      ['Email', ref.email], ['Phone', ref.phone]]),
    h('h3', { class: 'govuk-heading-m' }, 'Consent'),
    summaryList([['Consent', cap(CONSENT[c.consent && c.consent.status] || 'Not recorded')],
      ['Reason', c.consent && c.consent.reason]]),
    h('h3', { class: 'govuk-heading-m' }, 'Children'),
    (c.children || []).map((child, i) => summaryCard(`Child ${i + 1}: ${[child.given_name, child.family_name].filter(Boolean).join(' ') || 'unborn baby'}`,
      summaryList([
        ['Date of birth', child.date_of_birth ? `${calendarDate(child.date_of_birth)} (${ageOn(child.date_of_birth, today)} years)` : null],
        ['Expected date of birth', child.expected_date_of_birth ? calendarDate(child.expected_date_of_birth) : null],
        ['NHS number', child.nhs_number], ['Postcode', child.postcode], ['Sex', SEX[child.sex]],
      ]))),
    h('h3', { class: 'govuk-heading-m' }, 'Concerns'),
    h('ul', { class: 'govuk-list govuk-list--bullet', id: 'concerns-list' },
      (c.concerns || []).map((code) => h('li', {}, cap(CONCERNS[code] || code)))),
    h('h3', { class: 'govuk-heading-m' }, 'What worries you?'),
    h('div', { class: 'govuk-body fd-pre', id: 'narrative' }, c.narrative || 'Nothing written.'),
    h('h3', { class: 'govuk-heading-m' }, 'What can we do about it?'),
    h('div', { class: 'govuk-body fd-pre', id: 'what-would-help' }, c.what_would_help || 'Nothing written.'));
}

function describeEvent(e) {
  const b = e.contact_received || e.timescale_started || e.timescale_stopped || e.timescale_breached
    || e.decision_recorded || e.mash_outcome_recorded || e.contact_closed || e.letter_issued || e.edt_alert || {};
  switch (e.type) {
    case 'CONTACT_RECEIVED': {
      const r = b.recommendation || {};
      return `Recommended ${ROUTES[r.route] || r.route || 'no route'}${r.level ? ` (level ${r.level})` : ''}${b.out_of_hours ? '; arrived out of hours' : ''}.`;
    }
    case 'TIMESCALE_STARTED': return `${timescaleLabel(b.name)} due by ${dateTime(b.due_at)}.`;
    case 'TIMESCALE_STOPPED': return `${timescaleLabel(b.name)} done ${b.met ? 'in time' : 'late'} (due ${dateTime(b.due_at)}).`;
    case 'TIMESCALE_BREACHED': return `${timescaleLabel(b.name)} was due by ${dateTime(b.due_at)} and is late.`;
    case 'DECISION_RECORDED': {
      const d = b.decision || {};
      return `${cap(ROUTES[d.route] || d.route)}${d.rag ? ` (${RAGS[d.rag]})` : ''}${d.automatic ? ', by the rules' : ''}. Reason: ${d.reason || 'none given'}`;
    }
    case 'MASH_OUTCOME_RECORDED':
      return `${cap(MASH_OUTCOMES[b.outcome] || b.outcome)}${b.team ? ` (team: ${b.team})` : ''}. Reason: ${b.reason || 'none given'}`;
    case 'CONTACT_CLOSED': return `${cap(OUTCOMES[b.outcome] || b.outcome)}.`;
    case 'LETTER_ISSUED': {
      const l = b.letter || {};
      return `${l.kind === 'OUTCOME' ? 'Outcome' : 'Acknowledgement'} letter to ${l.recipient_name || 'the referrer'}${l.undeliverable ? ' (no email or phone: kept on record)' : ''}.`;
    }
    case 'EDT_ALERT': return b.reason || 'Urgent contact out of hours.';
    default: return '';
  }
}

// "Decided by Sam Patel (triage), Tue 24 Nov, 10:02"
function decidedBy(d) {
  const who = d.automatic ? 'the rules' : actorLabel(d.decided_by_actor, d.decided_by) || 'someone not recorded';
  return `Decided by ${who}${d.decided_at ? `, ${shortDateTime(d.decided_at)}` : ''}`;
}

function historySection(events) {
  return section('history', 'History', events.length ? table(null,
    [{ label: 'When' }, { label: 'What' }, { label: 'Who' }, { label: 'Details' }],
    events.map((e) => [shortDateTime(e.at), EVENT_TYPES[e.type] || e.type, actorLabel(e.caused_by, e.actor) || 'The system', describeEvent(e)]),
    { id: 'history-table' }) : para('No history.'));
}

function lettersSection(letters) {
  return section('letters', 'Letters to the referrer', letters.length ? letters.map((l) => summaryCard(
    `${l.kind === 'OUTCOME' ? 'Outcome letter' : 'Acknowledgement'}: ${l.subject || ''}`,
    h('div', { 'data-letter-kind': l.kind },
      summaryList([['Sent', dateTime(l.issued_at)], ['To', [l.recipient_name, l.recipient_organisation].filter(Boolean).join(', ')],
        ['Email', l.email], ['Phone', l.phone],
        ['Delivery', l.undeliverable ? tag('Not sent: no email or phone', 'orange') : null]]),
      h('div', { class: 'govuk-body fd-pre fd-letter' }, l.body || ''))))
    : para('No letters yet.'));
}

// The decision form (AWAITING_DECISION) or the MASH outcome form (IN_MASH).
function actionForm(ctx, c, reload) {
  const registry = new FieldRegistry();
  const recommended = c.recommendation && c.recommendation.route;
  let form;
  let wrap;
  let submit;
  if (c.state === 'AWAITING_DECISION') {
    const rag = radios({ name: 'decision-rag', legend: 'MASH RAG rating', legendSize: 's', small: true, path: 'rag',
      hint: 'Red: 4 working hours; amber: 24 working hours; green: 72 hours',
      items: Object.entries(RAGS).map(([value, text]) => ({ value, text: cap(text) })) });
    form = h('form', { id: 'decision-form', novalidate: true },
      radios({ name: 'decision-route', legend: 'Where should this contact go?', legendSize: 'm', path: 'route',
        items: Object.entries(ROUTES).map(([value, text]) => ({ value, text: cap(text),
          hint: value === recommended ? 'Recommended by the rules' : undefined,
          conditional: value === 'MASH' ? rag : undefined })) }),
      textarea({ id: 'decision-reason', label: 'Reason for the decision', rows: 4, path: 'reason',
        hint: 'This goes into the history and, in plain words, into the letter to the referrer' }),
      button('Record decision', { id: 'record-decision' }));
    registry.add('route', 'decision-route', 'Route');
    registry.add('rag', 'decision-rag', 'RAG rating');
    registry.add('reason', 'decision-reason', 'Reason');
    wrap = section('decide', 'Record the front door decision', form);
    submit = () => {
      const body = { route: form.querySelector('input[name="decision-route"]:checked')?.value || undefined,
        reason: form.querySelector('#decision-reason').value.trim() || undefined };
      const r = form.querySelector('input[name="decision-rag"]:checked')?.value;
      if (body.route === 'MASH' && r) body.rag = r;
      return post(`/v1/contacts/${encodeURIComponent(c.id)}/decision`, body);
    };
  } else {
    form = h('form', { id: 'mash-form', novalidate: true },
      radios({ name: 'mash-outcome', legend: 'Where does MASH hand this case on to?', legendSize: 'm', path: 'outcome',
        items: Object.entries(MASH_OUTCOMES).map(([value, text]) => ({ value, text: cap(text) })) }),
      textarea({ id: 'mash-reason', label: 'Reason for the outcome', rows: 4, path: 'reason',
        hint: 'This goes into the history and, in plain words, into the letter to the referrer' }),
      textInput({ id: 'mash-team', label: 'Team taking the case on (optional)', width: 20, path: 'team' }),
      button('Record MASH outcome', { id: 'record-mash-outcome' }));
    registry.add('outcome', 'mash-outcome', 'Outcome');
    registry.add('reason', 'mash-reason', 'Reason');
    registry.add('team', 'mash-team', 'Team');
    wrap = section('mash-outcome-section', 'Record the MASH outcome', form);
    submit = () => {
      const body = { outcome: form.querySelector('input[name="mash-outcome"]:checked')?.value || undefined,
        reason: form.querySelector('#mash-reason').value.trim() || undefined };
      const team = form.querySelector('#mash-team').value.trim();
      if (team) body.team = team;
      return post(`/v1/contacts/${encodeURIComponent(c.id)}/mash-outcome`, body);
    };
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const btn = form.querySelector('button[type="submit"]');
    btn.disabled = true;
    try {
      await submit();
      reload(c.state === 'AWAITING_DECISION' ? 'decision' : 'mash');
    } catch (e) {
      btn.disabled = false;
      ctx.setTitle(`Contact ${c.id}`, { error: true });
      const errors = e.status === 400 && e.errors.length ? e.errors
        : [{ field: '', message: e.status === 409 ? 'This contact has moved on since the page was opened: reload the page to see where it stands'
          : e.message }];
      new ErrorSummary(showErrors(wrap, form, errors, registry));
    }
  });
  return wrap;
}

export async function contactPage(ctx) {
  const [id] = ctx.params;
  const path = `/v1/contacts/${encodeURIComponent(id)}`;
  const [c, history, letterList] = await Promise.all([get(path), get(`${path}/events`), get(`${path}/letters`)]);
  if (!ctx.isCurrent()) return;
  ctx.setTitle(`Contact ${c.id}`);
  const canAct = ctx.who.role === 'triage' && (c.state === 'AWAITING_DECISION' || c.state === 'IN_MASH');
  const recorded = ctx.query.get('recorded');
  const back = c.state === 'IN_MASH' ? '#/worklist/mash' : '#/worklist/triage';
  ctx.before.append(backLink(back, c.state === 'IN_MASH' ? 'Back to the MASH worklist' : 'Back to the triage worklist'));

  const d = c.decision;
  const m = c.mash;
  put(ctx.main, 
    recorded ? notificationBanner(recorded === 'decision' ? 'The decision has been recorded.' : 'The MASH outcome has been recorded.',
      para(c.state === 'CLOSED' ? 'The contact is closed and the outcome letter has been written to the referrer.'
        : 'The contact is now in the MASH worklist.'), { success: true }) : null,
    heading(`Contact ${c.id}`, { caption: `Received ${dateTime(c.received_at)}` }),
    h('p', { class: 'govuk-body' }, tag(cap(STATES[c.state] || c.state), STATE_COLOURS[c.state]),
      c.outcome ? [' ', h('span', { id: 'contact-outcome' }, cap(OUTCOMES[c.outcome]))] : null,
      c.immediate_risk ? [' ', tag('Immediate risk', 'red')] : null),
    summaryList([
      ['State', cap(STATES[c.state] || c.state)],
      ['Outcome', c.outcome ? cap(OUTCOMES[c.outcome]) : null],
      ['Closed', c.closed_at ? dateTime(c.closed_at) : null],
      ...(c.deadlines || []).map((dl) => [`${timescaleLabel(dl.name)} due by`,
        h('span', {}, dateTime(dl.due_at), ' ', deadlineTag(dl))]),
    ]),
    canAct ? actionForm(ctx, c, (which) => navigate(`#/contacts/${encodeURIComponent(c.id)}?recorded=${which}`)) : null,
    d ? section('decision', 'Front door decision',
      h('p', { class: 'govuk-body', id: 'decided-by' }, decidedBy(d)),
      summaryList([
        ['Route', cap(ROUTES[d.route] || d.route)], ['RAG rating', ragTag(d.rag)], ['Reason', d.reason],
      ])) : null,
    m && (m.entered_at || m.outcome) ? section('mash', 'MASH', summaryList([
      ['Entered MASH', dateTime(m.entered_at)], ['RAG rating', ragTag(m.rag)],
      ['Outcome', m.outcome ? cap(MASH_OUTCOMES[m.outcome]) : 'Not yet'], ['Reason', m.reason], ['Team', m.team],
      ['Completed', m.completed_at ? `${dateTime(m.completed_at)}${m.completed_by ? ` by ${actorLabel(m.completed_by_actor, m.completed_by)}` : ''}` : null],
    ])) : null,
    recommendationSection(c),
    section('prior', 'What we knew before', summaryList([
      ['Contacts in the last 12 months', String((c.prior && c.prior.contacts_12m) || 0)],
      ['Referrals in the last 12 months', String((c.prior && c.prior.referrals_12m) || 0)],
      ['Open case', c.prior && c.prior.open_case ? `${c.prior.open_case.case_id} (${c.prior.open_case.team || 'team not known'})` : 'None'],
    ])),
    factsSection(c),
    historySection(history.events || []),
    lettersSection(letterList.letters || []),
    para(link(back, c.state === 'IN_MASH' ? 'Back to the MASH worklist' : 'Back to the triage worklist')));
  startTicker(ctx.main, ctx.onLeave);
}
