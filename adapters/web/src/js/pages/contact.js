// One contact, for front door staff and managers: where it stands, why it
// is urgent and its deadlines; the child, the concerns and "What worries
// you?" before any form; then the form for the step it is at: the decision
// (triage, with a preview of the referrer's letter), the manager's
// authorise-or-return (AWAITING_AUTHORISATION), and in MASH the agencies'
// checks (answer taken by phone, or not needed), the RAG re-rating and the
// outcome (with its letter preview). Then linked contacts, identity
// reviews, the recommendation with the rules' explanation, what was known
// before, the rest of the submitted facts, the history and the letters
// with their delivery state.
// The letter preview is the server's own (POST /v1/contacts/{id}/letter-
// preview), from the partnership's templates: what recording would send.

import {
  h, clear, heading, para, link, tag, summaryList, summaryCard, table, button, details, backLink,
  notificationBanner, warningText, put,
} from '../dom.js';
import { radios, textarea, textInput, FieldRegistry, showErrors, checkedValue } from '../fields.js';
import { get, post } from '../api.js';
import {
  cap, STATES, OUTCOMES, ROUTES, MASH_OUTCOMES, RAGS, RAG_COLOURS, LEVELS, CHANNELS, CONSENT, CONCERNS, SEX,
  CHECK_STATES, AUTH_OUTCOMES, eventLabel, sourceLabel, timescaleLabel, agencyLabel, ordinal,
} from '../codes.js';
import { dateTime, shortDateTime, calendarDate, ageText, londonDay } from '../format.js';
import { now } from '../session.js';
import { actorLabel } from '../actors.js';
import { deadlineTag, startTicker } from '../deadline-tag.js';
import { letterStateTag, letterStandsText } from '../deliveries.js';
import { navigate } from '../nav.js';
import { ErrorSummary } from '/vendor/govuk/govuk-frontend.min.js';

const STATE_COLOURS = { AWAITING_DECISION: 'blue', IN_MASH: 'purple', CLOSED: 'grey', AWAITING_AUTHORISATION: 'pink' };
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
      cond.held ? 'Yes' : 'No']), { stack: true }) : null);
}

const childName = (child) => [child.given_name, child.family_name].filter(Boolean).join(' ') || 'Unborn baby';

// "Jamie Testcase, born 4 May 2019 (aged 7)"; "Unborn baby, due 1 March 2027".
function childLine(child, today) {
  if (child.date_of_birth) {
    const age = ageText(child.date_of_birth, today);
    return `${childName(child)}, born ${calendarDate(child.date_of_birth)}${age ? ` (aged ${age})` : ''}`;
  }
  if (child.expected_date_of_birth) return `${childName(child)}, due ${calendarDate(child.expected_date_of_birth)}`;
  return childName(child);
}

// The child, the concerns and the worry: what a decision is about, first.
function aboutSection(c) {
  const today = londonDay(now());
  return section('about-child', 'The child and the worry',
    h('ul', { class: 'govuk-list', id: 'children-list' }, (c.children || []).map((child) =>
      h('li', {}, h('strong', {}, childLine(child, today)), child.postcode ? ` – ${child.postcode}` : ''))),
    summaryList([
      ['Concerns', h('ul', { class: 'govuk-list govuk-list--bullet', id: 'concerns-list' },
        (c.concerns || []).map((code) => h('li', {}, cap(CONCERNS[code] || code))))],
      ['Immediate risk of significant harm', c.immediate_risk ? tag('Yes', 'red') : 'No'],
      ['From', `${sourceLabel(c.source)}${(c.referrer || {}).organisation ? `: ${c.referrer.organisation}` : ''}`],
    ]),
    h('h3', { class: 'govuk-heading-m' }, 'What worries you?'),
    h('div', { class: 'govuk-body fd-pre', id: 'narrative' }, c.narrative || 'Nothing written.'));
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
    ]),
    h('h3', { class: 'govuk-heading-m' }, 'Referrer'),
    summaryList([['Name', ref.name || 'Not given (anonymous)'], ['Organisation', ref.organisation], ['Role', ref.role],
      ['Email', ref.email], ['Phone', ref.phone]]),
    h('h3', { class: 'govuk-heading-m' }, 'Consent'),
    summaryList([['Consent', cap(CONSENT[c.consent && c.consent.status] || 'Not recorded')],
      ['Reason', c.consent && c.consent.reason]]),
    h('h3', { class: 'govuk-heading-m' }, 'Children'),
    (c.children || []).map((child, i) => summaryCard(`Child ${i + 1}: ${childName(child)}`,
      summaryList([
        ['Date of birth', child.date_of_birth ? `${calendarDate(child.date_of_birth)} (aged ${ageText(child.date_of_birth, today)})` : null],
        ['Expected date of birth', child.expected_date_of_birth ? calendarDate(child.expected_date_of_birth) : null],
        ['NHS number', child.nhs_number], ['Postcode', child.postcode], ['Sex', SEX[child.sex]],
      ]))),
    h('h3', { class: 'govuk-heading-m' }, 'What can we do about it?'),
    h('div', { class: 'govuk-body fd-pre', id: 'what-would-help' }, c.what_would_help || 'Nothing written.'));
}

const yesNo = (v) => (v === undefined || v === null ? '' : v ? 'risk indicated' : 'no risk indicated');

function describeEvent(e) {
  const b = e.contact_received || e.timescale_started || e.timescale_stopped || e.timescale_breached
    || e.decision_recorded || e.mash_outcome_recorded || e.contact_closed || e.letter_issued || e.edt_alert
    || e.timescale_due_soon || e.authorisation_requested || e.authorisation_recorded || e.check_requested
    || e.check_answered || e.check_overdue || e.rag_changed || e.contact_linked || {};
  switch (e.type) {
    case 'CONTACT_RECEIVED': {
      const r = b.recommendation || {};
      const links = b.linked_contacts || [];
      const reviews = b.identity_reviews || [];
      return `Recommended ${ROUTES[r.route] || r.route || 'no route'}${r.level ? ` (level ${r.level})` : ''}${b.out_of_hours ? '; arrived out of hours' : ''}.${
        links.length ? ` Linked to ${links.join(', ')}.` : ''}${reviews.length ? ` ${reviews.length === 1 ? 'A child needs' : `${reviews.length} children need`} an identity check.` : ''}`;
    }
    case 'TIMESCALE_STARTED': return `${timescaleLabel(b.name)} due by ${dateTime(b.due_at)}.`;
    case 'TIMESCALE_DUE_SOON': return `${timescaleLabel(b.name)} is close to its deadline: due by ${dateTime(b.due_at)}.`;
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
    case 'AUTHORISATION_REQUESTED': {
      const d = b.decision || {};
      return `${cap(ROUTES[d.route] || d.route || 'The decision')} waits for a manager${b.why ? `: ${b.why}` : ''}.${d.reason ? ` Reason given: ${d.reason}` : ''}`;
    }
    case 'AUTHORISATION_RECORDED':
      return `${cap(AUTH_OUTCOMES[b.outcome] || 'answered')}.${b.note ? ` Note: ${b.note}` : ''}`;
    case 'CHECK_REQUESTED': return `${agencyLabel(b.agency)} asked what they know, due by ${dateTime(b.due_at)}.`;
    case 'CHECK_ANSWERED':
      return b.state === 'NOT_NEEDED'
        ? `${agencyLabel(b.agency)}: check not needed.${b.reason ? ` Why: ${b.reason}` : ''}`
        : `${agencyLabel(b.agency)} answered${b.risk_indicated !== undefined ? `, ${yesNo(b.risk_indicated)}` : ''}.${b.summary ? ` ${b.summary}` : ''}${b.reason ? ` (${b.reason})` : ''}`;
    case 'CHECK_OVERDUE': return `${agencyLabel(b.agency)} had not answered by ${dateTime(b.due_at)}: they have been chased.`;
    case 'RAG_CHANGED':
      return `From ${RAGS[b.from] || 'none'} to ${RAGS[b.to] || 'none'}${b.mash_due_at ? `; MASH work now due by ${dateTime(b.mash_due_at)}` : ''}.${b.reason ? ` Reason: ${b.reason}` : ''}`;
    case 'CONTACT_LINKED': return `A later contact about the same child arrived: ${b.linked_contact_id || 'not recorded'}.`;
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
    events.map((e) => [shortDateTime(e.at), eventLabel(e.type), actorLabel(e.caused_by, e.actor) || 'The system', describeEvent(e)]),
    { id: 'history-table', stack: true }) : para('No history.'));
}

// The referrer's letters with how each went out (GET /v1/contacts/{id}/letters:
// LetterDelivery, the letter as issued inside): queued, sent, failed, to
// post, or posted by hand (who and when).
function lettersSection(letters) {
  return section('letters', 'Letters to the referrer', letters.length ? letters.map((d) => {
    const l = d.letter || {};
    return summaryCard(
      [`${d.kind === 'OUTCOME' ? 'Outcome letter' : 'Acknowledgement'}: ${l.subject || ''} `, letterStateTag(d.state)],
      h('div', { 'data-letter-kind': d.kind, 'data-letter': d.letter_id, 'data-letter-state': d.state },
        summaryList([['Issued', dateTime(d.issued_at || l.issued_at)],
          ['To', [l.recipient_name, l.recipient_organisation].filter(Boolean).join(', ')],
          ['Email', l.email], ['Phone', l.phone],
          ['Delivery', h('span', { class: 'fd-letter-delivery' }, letterStandsText(d))],
          ['Their reference for it', d.reference],
          ['Printable version', ['TO_POST', 'FAILED', 'POSTED'].includes(d.state)
            ? link(`#/letters/${encodeURIComponent(d.letter_id)}`, 'Print this letter', { 'data-print': d.letter_id }) : null]]),
        h('div', { class: 'govuk-body fd-pre fd-letter' }, l.body || '')));
  }) : para('No letters yet.'));
}

// The letters the referrer would get, as the server would write them from
// the partnership's templates (POST /v1/contacts/{id}/letter-preview):
// nothing is recorded. `body` is the decision or MASH outcome as the form
// stands; null until a route is chosen.
async function letterPreview(c, body) {
  if (!body) return para('Choose where the contact goes to see the letter.', 'govuk-body fd-secondary-text');
  const list = await post(`/v1/contacts/${encodeURIComponent(c.id)}/letter-preview`, body);
  const letters = (list && list.letters) || [];
  if (!letters.length) {
    return para('No letter goes now: the referrer hears from us when MASH has finished its work.', 'govuk-body fd-secondary-text');
  }
  return h('div', {}, ...letters.map((l) => h('div', {},
    para(`To ${[l.recipient_name, l.recipient_organisation].filter(Boolean).join(', ') || 'the referrer'}${l.email ? ` (${l.email})` : ''}`, 'govuk-body-s'),
    h('p', { class: 'govuk-body govuk-!-font-weight-bold' }, l.subject || ''),
    h('div', { class: 'govuk-body fd-pre fd-letter', 'data-preview': 'letter' }, l.body || ''))),
  para('Nothing is sent until you record it.', 'govuk-body-s fd-secondary-text'));
}

// A live preview under a form: asked of the server again as the form
// changes (after a pause in typing); the latest answer wins.
function previewBox(id, form, draw) {
  const box = h('div', { id, 'aria-live': 'off' });
  let asked = 0; let timer;
  const redraw = async () => {
    const mine = ++asked;
    let shown;
    try {
      shown = await draw();
    } catch (e) {
      shown = para(e.status === 400 && e.errors.length ? e.errors.map((x) => x.message).join('. ')
        : 'The letter cannot be previewed just now.', 'govuk-body fd-secondary-text');
    }
    if (mine === asked) put(clear(box), shown);
  };
  const later = () => { clearTimeout(timer); timer = setTimeout(redraw, 300); };
  form.addEventListener('input', later);
  form.addEventListener('change', later);
  redraw();
  return details('Preview the letter to the referrer', box);
}

// Sends a form, reloads the page on success, or shows what was refused.
function wireForm(ctx, c, { wrap, form, registry, submit, check, done }) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const local = check ? check() : [];
    if (local.length) {
      ctx.setTitle(`Contact ${c.id}`, { error: true });
      new ErrorSummary(showErrors(wrap, form, local, registry));
      return;
    }
    const btn = form.querySelector('button[type="submit"]');
    btn.disabled = true;
    try {
      await submit();
      done();
    } catch (e) {
      btn.disabled = false;
      ctx.setTitle(`Contact ${c.id}`, { error: true });
      const errors = e.status === 400 && e.errors.length ? e.errors
        : [{ field: '', message: e.status === 409 ? (e.problem.detail || 'This contact has moved on since the page was opened: reload the page to see where it stands')
          : e.status === 403 ? (e.problem.detail || 'You are not allowed to do this') : e.message }];
      new ErrorSummary(showErrors(wrap, form, errors, registry));
    }
  });
}

const val = (form, sel) => (form.querySelector(sel)?.value || '').trim();

function decisionForm(ctx, c, done) {
  const registry = new FieldRegistry();
  const recommended = c.recommendation && c.recommendation.route;
  const rag = radios({ name: 'decision-rag', legend: 'MASH RAG rating', legendSize: 's', small: true, path: 'rag',
    hint: 'Red: 4 working hours; amber: 24 working hours; green: 72 hours',
    items: Object.entries(RAGS).map(([value, text]) => ({ value, text: cap(text) })) });
  const form = h('form', { id: 'decision-form', novalidate: true },
    radios({ name: 'decision-route', legend: 'Where should this contact go?', legendSize: 'm', path: 'route',
      items: Object.entries(ROUTES).map(([value, text]) => ({ value, text: cap(text),
        hint: value === recommended ? 'Recommended by the rules' : undefined,
        conditional: value === 'MASH' ? rag : undefined })) }),
    textarea({ id: 'decision-reason', label: 'Reason for the decision', rows: 4, path: 'reason',
      hint: 'This goes into the history and, in plain words, into the letter to the referrer' }));
  registry.add('route', 'decision-route', 'Route');
  registry.add('rag', 'decision-rag', 'RAG rating');
  registry.add('reason', 'decision-reason', 'Reason');
  const route = () => checkedValue(form, 'decision-route');
  form.append(previewBox('decision-letter-preview', form, () => letterPreview(c, route() ? {
    decision: { route: route(), reason: val(form, '#decision-reason') || '[The reason you write appears here.]',
      ...(route() === 'MASH' && checkedValue(form, 'decision-rag') ? { rag: checkedValue(form, 'decision-rag') } : {}) } } : null)),
  button('Record decision', { id: 'record-decision' }));
  const wrap = section('decide', 'Record the front door decision', form);
  wireForm(ctx, c, { wrap, form, registry, done: () => done('decision'),
    check: () => [
      ...(route() ? [] : [{ field: 'route', message: 'Select where this contact should go' }]),
      ...(val(form, '#decision-reason') ? [] : [{ field: 'reason', message: 'Enter the reason for the decision: it goes into the history and the referrer\u2019s letter' }]),
    ],
    submit: () => {
      const body = { route: route() || undefined, reason: val(form, '#decision-reason') || undefined };
      const r = checkedValue(form, 'decision-rag');
      if (body.route === 'MASH' && r) body.rag = r;
      return post(`/v1/contacts/${encodeURIComponent(c.id)}/decision`, body);
    } });
  return wrap;
}

function mashOutcomeForm(ctx, c, done) {
  const registry = new FieldRegistry();
  const open = (c.checks || []).filter((k) => k.state === 'REQUESTED').length;
  const form = h('form', { id: 'mash-form', novalidate: true },
    open ? warningText(`${open} agency check${open === 1 ? ' is' : 's are'} not answered yet.`) : null,
    radios({ name: 'mash-outcome', legend: 'Where does MASH hand this case on to?', legendSize: 'm', path: 'outcome',
      items: Object.entries(MASH_OUTCOMES).map(([value, text]) => ({ value, text: cap(text) })) }),
    textarea({ id: 'mash-reason', label: 'Reason for the outcome', rows: 4, path: 'reason',
      hint: 'This goes into the history and, in plain words, into the letter to the referrer' }),
    textInput({ id: 'mash-team', label: 'Team taking the case on (optional)', width: 20, path: 'team' }),
    open ? textarea({ id: 'mash-unanswered', label: 'Why decide without the answers still to come?', rows: 3,
      path: 'unanswered_checks_reason', hint: 'The checks not answered yet are then marked not needed, with this reason' }) : null);
  registry.add('outcome', 'mash-outcome', 'Outcome');
  registry.add('unanswered_checks_reason', 'mash-unanswered', 'Why decide without the answers');
  registry.add('reason', 'mash-reason', 'Reason');
  registry.add('team', 'mash-team', 'Team');
  const outcome = () => checkedValue(form, 'mash-outcome');
  form.append(previewBox('mash-letter-preview', form, () => letterPreview(c, outcome() ? {
    mash_outcome: { outcome: outcome(), reason: val(form, '#mash-reason') || '[The reason you write appears here.]',
      team: val(form, '#mash-team') || undefined,
      unanswered_checks_reason: open ? (val(form, '#mash-unanswered') || 'Not given yet.') : undefined } } : null)),
  button('Record MASH outcome', { id: 'record-mash-outcome' }));
  const wrap = section('mash-outcome-section', 'Record the MASH outcome', form);
  wireForm(ctx, c, { wrap, form, registry, done: () => done('mash'),
    check: () => [
      ...(outcome() ? [] : [{ field: 'outcome', message: 'Select where MASH hands this case on to' }]),
      ...(val(form, '#mash-reason') ? [] : [{ field: 'reason', message: 'Enter the reason for the outcome: it goes into the history and the referrer\u2019s letter' }]),
      ...(!open || val(form, '#mash-unanswered') ? [] : [{ field: 'unanswered_checks_reason', message: 'Say why MASH decides without the answers still to come' }]),
    ],
    submit: () => {
      const body = { outcome: outcome() || undefined, reason: val(form, '#mash-reason') || undefined };
      if (val(form, '#mash-team')) body.team = val(form, '#mash-team');
      if (open && val(form, '#mash-unanswered')) body.unanswered_checks_reason = val(form, '#mash-unanswered');
      return post(`/v1/contacts/${encodeURIComponent(c.id)}/mash-outcome`, body);
    } });
  return wrap;
}

function ragForm(ctx, c, done) {
  const registry = new FieldRegistry();
  const current = (c.mash && c.mash.rag) || (c.decision && c.decision.rag);
  const form = h('form', { id: 'rag-form', novalidate: true },
    radios({ name: 'new-rag', legend: 'New RAG rating', legendSize: 's', small: true, path: 'rag',
      hint: current ? `Now ${RAGS[current]}. The MASH deadline and the checks' due times are worked out again.` : undefined,
      items: Object.entries(RAGS).filter(([value]) => value !== current).map(([value, text]) => ({ value, text: cap(text) })) }),
    textarea({ id: 'rag-reason', label: 'Why the rating changes', rows: 3, path: 'reason' }),
    button('Change the RAG rating', { id: 'change-rag', secondary: true }));
  registry.add('rag', 'new-rag', 'New RAG rating');
  registry.add('reason', 'rag-reason', 'Why the rating changes');
  const wrap = section('rag', 'Change the RAG rating', form);
  wireForm(ctx, c, { wrap, form, registry, done: () => done('rag'),
    check: () => [
      ...(checkedValue(form, 'new-rag') ? [] : [{ field: 'rag', message: 'Select the new RAG rating' }]),
      ...(val(form, '#rag-reason') ? [] : [{ field: 'reason', message: 'Say why the rating changes' }]),
    ],
    submit: () => post(`/v1/contacts/${encodeURIComponent(c.id)}/rag`,
      { rag: checkedValue(form, 'new-rag'), reason: val(form, '#rag-reason') }) });
  return wrap;
}

function checkStateTag(k) {
  if (k.state === 'REQUESTED' && k.overdue) return tag('Overdue', 'red');
  if (k.state === 'REQUESTED') return tag('Waiting', 'blue');
  if (k.state === 'ANSWERED') return tag(k.risk_indicated ? 'Answered: risk indicated' : 'Answered', k.risk_indicated ? 'orange' : 'green');
  return tag(cap(CHECK_STATES[k.state] || 'Not needed'), 'grey');
}

// One form per unanswered check: an answer taken by phone, or not needed.
function checkForm(ctx, c, k, done) {
  const p = `check-${k.agency}`;
  const registry = new FieldRegistry();
  const phone = h('div', {},
    textarea({ id: `${p}-summary`, label: 'What did they say they know?', rows: 3, path: 'summary' }),
    radios({ name: `${p}-risk`, legend: 'Does their answer indicate risk to a child?', legendSize: 's', inline: true, small: true,
      path: 'risk_indicated', items: [{ value: 'yes', text: 'Yes' }, { value: 'no', text: 'No' }] }),
    textInput({ id: `${p}-from`, label: 'Who gave the answer?', hint: 'Name and role of the person you spoke to', path: 'reason' }));
  const notNeeded = textarea({ id: `${p}-why`, label: 'Why is this check not needed?', rows: 2, path: 'reason.not_needed' });
  const form = h('form', { id: `${p}-form`, novalidate: true, 'data-check': k.agency },
    radios({ name: `${p}-kind`, legend: `Record the check with ${agencyLabel(k.agency).toLowerCase()}`, legendSize: 's', small: true,
      path: 'state', items: [
        { value: 'ANSWERED', text: 'An answer taken by phone', conditional: phone },
        { value: 'NOT_NEEDED', text: 'Not needed', conditional: notNeeded }] }),
    button('Record the check', { id: `${p}-record`, secondary: true }));
  registry.add('state', `${p}-kind`, 'What to record');
  registry.add('summary', `${p}-summary`, 'What they know');
  registry.add('risk_indicated', `${p}-risk`, 'Whether there is risk');
  const kind = () => checkedValue(form, `${p}-kind`);
  const fixReason = () => registry.add('reason', kind() === 'NOT_NEEDED' ? `${p}-why` : `${p}-from`,
    kind() === 'NOT_NEEDED' ? 'Why it is not needed' : 'Who gave the answer');
  const wrap = h('div', { class: 'fd-check-form' }, form);
  wireForm(ctx, c, { wrap, form, registry, done: () => done('check'),
    check: () => {
      fixReason();
      const errors = [];
      if (!kind()) errors.push({ field: 'state', message: 'Select an answer taken by phone, or not needed' });
      if (kind() === 'ANSWERED') {
        if (!val(form, `#${p}-summary`)) errors.push({ field: 'summary', message: 'Enter what the agency said it knows' });
        if (!checkedValue(form, `${p}-risk`)) errors.push({ field: 'risk_indicated', message: 'Say whether their answer indicates risk to a child' });
        if (!val(form, `#${p}-from`)) errors.push({ field: 'reason', message: 'Enter who gave the answer' });
      }
      if (kind() === 'NOT_NEEDED' && !val(form, `#${p}-why`)) errors.push({ field: 'reason', message: 'Say why this check is not needed' });
      return errors;
    },
    submit: () => {
      const body = kind() === 'NOT_NEEDED' ? { state: 'NOT_NEEDED', reason: val(form, `#${p}-why`) }
        : { state: 'ANSWERED', summary: val(form, `#${p}-summary`), risk_indicated: checkedValue(form, `${p}-risk`) === 'yes',
          reason: val(form, `#${p}-from`) };
      return post(`/v1/contacts/${encodeURIComponent(c.id)}/checks/${encodeURIComponent(k.agency)}`, body);
    } });
  return wrap;
}

function checksSection(ctx, c, canAct, done) {
  const checks = c.checks || [];
  if (!checks.length) return null;
  const waiting = checks.filter((k) => k.state === 'REQUESTED').length;
  return section('checks', 'Agency checks',
    para(waiting ? `${waiting} of ${checks.length} agencies have not answered yet.` : 'Every agency asked has answered or was not needed.'),
    checks.map((k) => h('div', { class: 'govuk-summary-card fd-check', id: `check-${k.agency}`, 'data-state': k.state },
      h('div', { class: 'govuk-summary-card__title-wrapper' },
        h('h3', { class: 'govuk-summary-card__title' }, agencyLabel(k.agency), ' ', checkStateTag(k))),
      h('div', { class: 'govuk-summary-card__content' },
        summaryList([
          ['Asked', k.requested_at ? dateTime(k.requested_at) : null],
          ['Due by', k.due_at ? h('span', {}, dateTime(k.due_at), k.state === 'REQUESTED' ? [' ', deadlineTag({ due_at: k.due_at, started_at: k.requested_at, breached: !!k.overdue })] : null) : null],
          ['Answered', k.answered_at ? `${dateTime(k.answered_at)}${k.answered_by ? ` by ${actorLabel(k.answered_by_actor, k.answered_by)}` : ''}` : null],
          ['What they know', k.summary ? h('span', { class: 'fd-pre' }, k.summary) : null],
          ['Risk to a child', k.state === 'ANSWERED' && k.risk_indicated !== undefined ? (k.risk_indicated ? tag('Indicated', 'red') : 'Not indicated') : null],
          [k.state === 'NOT_NEEDED' ? 'Why not needed' : 'Taken from', k.reason],
        ]),
        canAct && k.state === 'REQUESTED' ? checkForm(ctx, c, k, done) : null))));
}

function authorisationSection(ctx, c, canAuthorise, done) {
  const a = c.authorisation;
  if (!a) return null;
  const d = a.decision || {};
  const facts = summaryList([
    ['Decision', `${cap(ROUTES[d.route] || d.route || '')}${d.rag ? ` (${RAGS[d.rag]})` : ''}`],
    ['Decided by', d.decided_by ? `${actorLabel(d.decided_by_actor, d.decided_by)}${d.decided_at ? `, ${shortDateTime(d.decided_at)}` : ''}` : null],
    ['Reason', d.reason ? h('span', { class: 'fd-pre' }, d.reason) : null],
    ['Why a manager must authorise it', a.why],
    ['Sent for authorisation', a.requested_at ? dateTime(a.requested_at) : null],
    ['Manager\u2019s answer', a.outcome ? cap(AUTH_OUTCOMES[a.outcome]) : null],
    ['Note', a.note],
    ['Answered', a.answered_at ? `${dateTime(a.answered_at)}${a.answered_by ? ` by ${actorLabel(a.answered_by_actor, a.answered_by)}` : ''}` : null],
  ]);
  if (!canAuthorise) return section('authorisation', a.outcome ? 'Manager\u2019s authorisation' : 'Waiting for a manager\u2019s authorisation', facts);
  const registry = new FieldRegistry();
  const form = h('form', { id: 'authorisation-form', novalidate: true },
    radios({ name: 'authorisation-outcome', legend: 'Do you authorise this decision?', legendSize: 'm', path: 'outcome',
      items: [{ value: 'AUTHORISED', text: 'Yes, authorise it', hint: 'The decision takes effect and the referrer gets its letter' },
        { value: 'RETURNED', text: 'No, return it to the triage worker', hint: 'It goes back on the triage worklist with your note' }] }),
    textarea({ id: 'authorisation-note', label: 'Note to the triage worker', rows: 3, path: 'note',
      hint: 'Needed when you return the decision; it goes into the history' }),
    button('Record your answer', { id: 'record-authorisation' }));
  registry.add('outcome', 'authorisation-outcome', 'Your answer');
  registry.add('note', 'authorisation-note', 'Note');
  const wrap = section('authorisation', 'Authorise or return the decision', facts, form);
  wireForm(ctx, c, { wrap, form, registry, done: () => done('authorisation'),
    check: () => {
      const outcome = checkedValue(form, 'authorisation-outcome');
      if (!outcome) return [{ field: 'outcome', message: 'Select whether you authorise the decision' }];
      if (outcome === 'RETURNED' && !val(form, '#authorisation-note')) return [{ field: 'note', message: 'Write a note saying why you return the decision' }];
      return [];
    },
    submit: () => post(`/v1/contacts/${encodeURIComponent(c.id)}/authorisation`,
      { outcome: checkedValue(form, 'authorisation-outcome'), note: val(form, '#authorisation-note') || undefined }) });
  return wrap;
}

function linkedSection(c) {
  const ids = c.linked_contacts || [];
  if (!ids.length) return null;
  return section('linked', 'Linked contacts',
    para('Other contacts about the same child. A decision on this one says what becomes of them.'),
    h('ul', { class: 'govuk-list', id: 'linked-list' }, ids.map((id) =>
      h('li', {}, link(`#/contacts/${encodeURIComponent(id)}`, id, { 'data-linked': id })))));
}

function identitySection(c) {
  const reviews = c.identity_reviews || [];
  if (!reviews.length) return null;
  return section('identity', 'Check who the child is',
    warningText('An NHS number here belongs to a child we know with a different date of birth: the children have not been joined. Check whether they are the same child.'),
    h('ul', { class: 'govuk-list govuk-list--bullet', id: 'identity-list' }, reviews.map((r) => {
      const child = (c.children || [])[r.child || 0];
      return h('li', {}, `${cap(ordinal(r.child || 0))} child${child ? ` (${childName(child)})` : ''}: ${r.reason || 'the NHS number matches another child'}`);
    })));
}

// Where "Back" goes for each contact: the page the user came from when
// they opened it, kept while they record things on it.
const origins = new Map();
const BACK_TEXT = [
  [/^#\/worklist\/mash/, 'Back to the MASH worklist'], [/^#\/worklist\/triage/, 'Back to the triage worklist'],
  [/^#\/worklist\/authorisation/, 'Back to the authorisation list'], [/^#\/live/, 'Back to the live view'],
  [/^#\/contacts\/[^/]+$/, 'Back to the contact you came from'],
];

function backFor(ctx, c) {
  const from = ctx.cameFrom || '';
  const known = BACK_TEXT.find(([re]) => re.test(from.split('?')[0]) && from.split('?')[0] !== `#/contacts/${c.id}`);
  if (known) origins.set(c.id, [from, known[1]]);
  if (origins.has(c.id)) return origins.get(c.id);
  if (ctx.who.role === 'manager' && c.state === 'AWAITING_AUTHORISATION') return ['#/worklist/authorisation', 'Back to the authorisation list'];
  return c.state === 'IN_MASH' ? ['#/worklist/mash', 'Back to the MASH worklist'] : ['#/worklist/triage', 'Back to the triage worklist'];
}

const RECORDED = {
  decision: 'The decision has been recorded.', mash: 'The MASH outcome has been recorded.',
  authorisation: 'Your answer has been recorded.', check: 'The check has been recorded.', rag: 'The RAG rating has been changed.',
};

export async function contactPage(ctx) {
  const [id] = ctx.params;
  const path = `/v1/contacts/${encodeURIComponent(id)}`;
  const [c, history, letterList] = await Promise.all([get(path), get(`${path}/events`), get(`${path}/letters`)]);
  if (!ctx.isCurrent()) return;
  ctx.setTitle(`Contact ${c.id}`);
  const triage = ctx.who.role === 'triage';
  const recorded = ctx.query.get('recorded');
  const [back, backText] = backFor(ctx, c);
  ctx.before.append(backLink(back, backText));
  const done = (which) => navigate(`#/contacts/${encodeURIComponent(c.id)}?recorded=${which}&at=${Date.now()}`);

  const d = c.decision;
  const m = c.mash;
  const urgentWhy = c.urgency && c.urgency.why;
  const actions = [];
  if (triage && c.state === 'AWAITING_DECISION') actions.push(decisionForm(ctx, c, done));
  if (c.state === 'AWAITING_AUTHORISATION' || c.authorisation) {
    actions.push(authorisationSection(ctx, c, ctx.who.role === 'manager' && c.state === 'AWAITING_AUTHORISATION', done));
  }
  if (c.state === 'IN_MASH' || (c.checks || []).length) actions.push(checksSection(ctx, c, triage && c.state === 'IN_MASH', done));
  if (triage && c.state === 'IN_MASH') actions.push(ragForm(ctx, c, done), mashOutcomeForm(ctx, c, done));

  put(ctx.main,
    recorded && RECORDED[recorded] ? notificationBanner(RECORDED[recorded],
      para(c.state === 'CLOSED' ? 'The contact is closed and the outcome letter has been written to the referrer.'
        : c.state === 'IN_MASH' ? 'The contact is in the MASH worklist.'
          : c.state === 'AWAITING_AUTHORISATION' ? 'The decision waits for a manager to authorise it.'
            : 'The contact is on the triage worklist.'), { success: true }) : null,
    heading(`Contact ${c.id}`, { caption: `Received ${dateTime(c.received_at)}` }),
    h('p', { class: 'govuk-body' }, tag(cap(STATES[c.state] || c.state), STATE_COLOURS[c.state]),
      c.outcome ? [' ', h('span', { id: 'contact-outcome' }, cap(OUTCOMES[c.outcome]))] : null,
      c.immediate_risk ? [' ', tag('Immediate risk', 'red')] : null),
    urgentWhy && c.state !== 'CLOSED' ? h('p', { class: 'govuk-body', id: 'urgency' }, tag('Urgent', 'red'), ` ${urgentWhy}`) : null,
    summaryList([
      ['State', cap(STATES[c.state] || c.state)],
      ['Outcome', c.outcome ? cap(OUTCOMES[c.outcome]) : null],
      ['Closed', c.closed_at ? dateTime(c.closed_at) : null],
      ...(c.deadlines || []).map((dl) => [`${timescaleLabel(dl.name)} due by`,
        h('span', {}, dateTime(dl.due_at), ' ', deadlineTag(dl))]),
    ]),
    identitySection(c),
    aboutSection(c),
    linkedSection(c),
    h('div', { class: 'fd-actions' }, actions),
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
    para(link(back, backText)));
  startTicker(ctx.main, ctx.onLeave);
}
