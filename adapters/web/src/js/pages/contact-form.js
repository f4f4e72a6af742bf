// The contact form for partner professionals and front door staff: every
// field of a contact (POST /v1/contacts), repeatable children, concerns as
// grouped checkboxes, and the live threshold helper beside it (sticky; on a
// phone a one-line summary at the foot of the screen). Partners see only
// their questions: no channel (theirs is the online form), no received date
// and no census codes. The form checks every field at once with the
// server's rules (validation.js), then shows "Check your answers" before
// anything is sent; what the server still refuses comes back in the same
// GOV.UK error summary, in plain words, each linked to its field.

import { h, clear, heading, para, button, warningText, put, summaryList } from '../dom.js';
import {
  textInput, textarea, select, radios, checkboxes, dateInput, readDate, checkedValue, FieldRegistry,
  showErrors, clearErrors, formGroup,
} from '../fields.js';
import { post } from '../api.js';
import { CHANNELS, SOURCES, CONCERNS, CONCERN_GROUPS, SEX, CONSENT, cap, options } from '../codes.js';
import { londonToIso, londonDay, calendarDate } from '../format.js';
import { now } from '../session.js';
import { validateContact, whichChild } from '../validation.js';
import { thresholdHelper } from '../threshold-helper.js';
import { navigate } from '../nav.js';
import { rememberSent } from './confirmation.js';
import { ErrorSummary } from '/vendor/govuk/govuk-frontend.min.js';

const MAX_CHILDREN = 20;

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function childFieldset(i, child, count) {
  const p = `child-${i}`;
  const legend = `Child ${i + 1}`;
  return h('fieldset', { class: 'govuk-fieldset fd-child', 'data-child': i },
    h('legend', { class: 'govuk-fieldset__legend govuk-fieldset__legend--m' },
      h('h3', { class: 'govuk-fieldset__heading' }, legend)),
    textInput({ id: `${p}-given-name`, label: 'First name', value: child.given_name, autocomplete: 'off', spellcheck: false,
      hint: 'Leave blank for an unborn baby', width: 20, path: `children[${i}].given_name` }),
    textInput({ id: `${p}-family-name`, label: 'Last name', value: child.family_name, autocomplete: 'off', spellcheck: false,
      width: 20, path: `children[${i}].family_name` }),
    dateInput({ id: `${p}-dob`, legend: 'Date of birth', value: child.date_of_birth || child.expected_date_of_birth || '',
      hint: 'For example, 27 3 2019. For an unborn baby, give the expected date of birth.', path: `children[${i}].date_of_birth` }),
    checkboxes({ name: `${p}-unborn`, legend: 'Unborn baby', legendSize: 's', small: true, path: `children[${i}].expected_date_of_birth`,
      items: [{ value: 'yes', text: 'This baby is not born yet: the date above is the expected date of birth' }],
      value: child.expected_date_of_birth ? ['yes'] : [] }),
    textInput({ id: `${p}-nhs-number`, label: 'NHS number (if known)', value: child.nhs_number, inputmode: 'numeric',
      hint: '10 digits, for example 943 476 5919', width: 10, spellcheck: false, path: `children[${i}].nhs_number` }),
    textInput({ id: `${p}-postcode`, label: 'Postcode where the child lives', value: child.postcode, autocomplete: 'off',
      width: 10, spellcheck: false, path: `children[${i}].postcode` }),
    radios({ name: `${p}-sex`, legend: 'Sex', legendSize: 's', inline: true, small: true, value: child.sex || '',
      path: `children[${i}].sex`, items: Object.entries(SEX).map(([value, text]) => ({ value, text })) }),
    count > 1 ? h('button', { type: 'button', class: 'govuk-button govuk-button--warning fd-remove-child',
      'data-remove': i }, `Remove child ${i + 1}`) : null);
}

function readChild(form, i) {
  const p = `child-${i}`;
  const val = (id) => (form.querySelector(`#${id}`)?.value || '').trim();
  const child = {};
  const set = (key, value) => { if (value) child[key] = value; };
  set('given_name', val(`${p}-given-name`));
  set('family_name', val(`${p}-family-name`));
  const date = readDate(form, `${p}-dob`);
  const unborn = form.querySelector(`input[name="${p}-unborn"]:checked`);
  set(unborn ? 'expected_date_of_birth' : 'date_of_birth', date);
  set('nhs_number', val(`${p}-nhs-number`));
  set('postcode', val(`${p}-postcode`));
  set('sex', checkedValue(form, `${p}-sex`));
  return child;
}

export async function contactFormPage(ctx) {
  const partner = ctx.who.role === 'partner';
  const title = partner ? 'Tell us about a child you are worried about' : 'Record a new contact';
  ctx.setTitle(title);
  const registry = new FieldRegistry();
  let key = newKey();

  // --- about the contact ---
  const channelItems = options(CHANNELS);
  const sourceOptions = Object.entries(SOURCES).map(([value, [census, text]]) => ({
    value, text: partner ? cap(text) : `${cap(text)} (${census})` }));
  const about = [
    h('h2', { class: 'govuk-heading-l' }, 'About this contact'),
    partner ? null : radios({ name: 'channel', legend: 'How did this contact reach the front door?', path: 'channel',
      value: '', items: channelItems }),
    select({ id: 'source', label: partner ? 'Who are you making this contact as?' : 'Who is making this contact?', path: 'source',
      hint: partner ? 'For example, the police, a school or a GP' : 'The referral source, as the Children in Need census counts it',
      options: sourceOptions }),
    textInput({ id: 'external-ref', label: 'Your reference (optional)', width: 20, path: 'external_ref',
      hint: 'Your own case or incident number, so you can match our letters to your records' }),
    partner ? null : h('div', { class: 'fd-received' },
      dateInput({ id: 'received-at', legend: 'When was the contact received? (optional)', path: 'received_at',
        hint: 'Leave blank if it is being made now. For example, 24 11 2026.' }),
      textInput({ id: 'received-at-time', label: 'Time (optional)', width: 5, path: 'received_at.time',
        hint: '24-hour clock, for example 14:30' })),
  ];
  registry.add('channel', partner ? 'source' : 'channel', 'How the contact reached the front door');
  registry.add('source', 'source', 'Who is making this contact');
  registry.add('external_ref', 'external-ref', 'Your reference');
  registry.add('received_at', partner ? 'source' : 'received-at-day', 'When the contact was received');

  // --- the referrer ---
  const referrerFields = [
    ['name', 'Full name', 'name', {}], ['organisation', 'Organisation', 'organization', {}],
    ['role', 'Job title or role', 'organization-title', {}],
    ['email', 'Email address', 'email', { type: 'email', spellcheck: false, hint: 'We send our letters here' }],
    ['phone', 'Phone number', 'tel', { type: 'tel', width: 20 }],
  ];
  const referrer = [
    h('h2', { class: 'govuk-heading-l' }, partner ? 'About you' : 'About the referrer'),
    para('We write to this person when we have received the contact and again when we have decided what happens next. Leave these blank only for an anonymous contact.', 'govuk-hint'),
    referrerFields.map(([field, label, autocomplete, extra]) => {
      registry.add(`referrer.${field}`, `referrer-${field}`, label);
      return textInput({ id: `referrer-${field}`, label, autocomplete: partner ? autocomplete : 'off',
        path: `referrer.${field}`, ...extra });
    }),
  ];

  // --- consent ---
  const reasonBox = (id, label) => textarea({ id, label, rows: 3, path: 'consent.reason',
    hint: 'For example, the parents could not be reached, or telling them could put the child at risk' });
  const consent = radios({
    name: 'consent-status', legend: 'Does the family know about this contact and agree to it?', asHeading: true,
    legendSize: 'l', path: 'consent.status',
    hint: 'You must answer this before you can send the form.',
    items: [
      { value: 'GIVEN', text: 'Yes, they agreed to it' },
      { value: 'REFUSED', text: 'No, they refused', conditional: reasonBox('consent-reason-refused', 'Why was consent refused?') },
      { value: 'NOT_SOUGHT', text: 'No, consent was not asked for',
        conditional: reasonBox('consent-reason-not-sought', 'Why was consent not asked for?') },
    ],
  });
  registry.add('consent.status', 'consent-status', 'Whether the family agreed');
  registry.add('consent.reason', 'consent-reason-refused', 'The reason about consent');

  // --- children ---
  const childList = h('div', { id: 'children' });
  const addChild = h('button', { type: 'button', class: 'govuk-button govuk-button--secondary', id: 'add-child' },
    'Add another child');
  const children = [h('h2', { class: 'govuk-heading-l' }, 'The children'),
    para('Tell us about each child the worry is about, including unborn babies.', 'govuk-hint'),
    childList, addChild];

  // --- concerns ---
  const concernGroups = CONCERN_GROUPS.map(([groupLegend, codes], g) => checkboxes({
    name: 'concerns', idPrefix: `concern-${g + 1}`, legend: groupLegend, legendSize: 's', small: true,
    path: g === 0 ? 'concerns' : `concerns.group${g}`,
    items: codes.map((code) => ({ value: code, text: cap(CONCERNS[code]) })),
  }));
  const concerns = formGroup('concerns-outer', h('fieldset', { class: 'govuk-fieldset', 'aria-describedby': 'concerns-hint' },
    h('legend', { class: 'govuk-fieldset__legend govuk-fieldset__legend--l' },
      h('h2', { class: 'govuk-fieldset__heading' }, 'What are the concerns?')),
    h('div', { class: 'govuk-hint', id: 'concerns-hint' }, 'Select all that apply'),
    concernGroups));
  concerns.setAttribute('data-error-host', '');
  registry.add('concerns', 'concern-1', 'Concerns');

  const risk = radios({
    name: 'immediate-risk', legend: 'Is a child at immediate risk of significant harm?', legendSize: 'm', inline: true,
    path: 'immediate_risk', hint: 'You must answer this. If a child is in immediate danger, call 999 now as well.',
    items: [{ value: 'yes', text: 'Yes' }, { value: 'no', text: 'No' }],
  });
  registry.add('immediate_risk', 'immediate-risk', 'Immediate risk');

  const narrative = textarea({ id: 'narrative', label: 'What worries you?', labelSize: 'l', asHeading: true, rows: 8,
    path: 'narrative', hint: 'What has happened or what you have seen or been told, and how it affects the child. Include dates where you can.' });
  const help = textarea({ id: 'what-would-help', label: 'What can we do about it?', labelSize: 'l', asHeading: true, rows: 5,
    path: 'what_would_help', hint: 'What you think would help the child and family, and what is already in place.' });
  registry.add('narrative', 'narrative', 'What worries you');
  registry.add('what_would_help', 'what-would-help', 'What we can do about it');

  let answersHelper = null; // the helper's sentence on "Check your answers"
  const helper = thresholdHelper({ readBody: () => readBody(), registry,
    onSay: (sentence) => { if (answersHelper) answersHelper.textContent = sentence; } });
  const next = button('Continue', { id: 'continue' });
  const form = h('form', { novalidate: true, id: 'contact-form' }, about, referrer, consent, children, concerns, risk,
    narrative, help, helper.compact, next);
  const answers = h('div', { id: 'check-answers', hidden: true });

  const formColumn = h('div', { class: 'govuk-grid-column-two-thirds' },
    heading(title, { caption: partner ? `Signed in as ${ctx.who.name}` : 'Front door' }),
    warningText('If a child is in immediate danger, call 999.'),
    form, answers);

  // Children are kept as values and drawn again on every add or remove.
  let childValues = [{}];
  const drawChildren = () => {
    clear(childList);
    registry.clearPrefix('children[');
    childValues.forEach((child, i) => {
      childList.append(childFieldset(i, child, childValues.length));
      const n = whichChild(i);
      registry.add(`children[${i}].given_name`, `child-${i}-given-name`, `${n} first name`);
      registry.add(`children[${i}].family_name`, `child-${i}-family-name`, `${n} last name`);
      registry.add(`children[${i}].date_of_birth`, `child-${i}-dob-day`, `${n} date of birth`);
      registry.add(`children[${i}].expected_date_of_birth`, `child-${i}-dob-day`, `${n} expected date of birth`);
      registry.add(`children[${i}].nhs_number`, `child-${i}-nhs-number`, `${n} NHS number`);
      registry.add(`children[${i}].postcode`, `child-${i}-postcode`, `${n} postcode`);
      registry.add(`children[${i}].sex`, `child-${i}-sex`, `${n} sex`);
    });
    registry.add('children', 'child-0-given-name', 'Children');
    addChild.hidden = childValues.length >= MAX_CHILDREN;
  };
  const readChildren = () => childValues.map((_, i) => readChild(form, i));
  drawChildren();

  addChild.addEventListener('click', () => {
    childValues = readChildren();
    childValues.push({});
    drawChildren();
    form.querySelector(`#child-${childValues.length - 1}-given-name`).focus();
    helper.changed();
  });
  childList.addEventListener('click', (event) => {
    const remove = event.target.closest('[data-remove]');
    if (!remove) return;
    childValues = readChildren();
    childValues.splice(Number(remove.dataset.remove), 1);
    drawChildren();
    addChild.focus();
    helper.changed();
  });

  const consentReasonId = () => (checkedValue(form, 'consent-status') === 'NOT_SOUGHT'
    ? 'consent-reason-not-sought' : 'consent-reason-refused');

  function readBody() {
    const val = (id) => (form.querySelector(`#${id}`)?.value || '').trim();
    const body = {};
    if (val('external-ref')) body.external_ref = val('external-ref');
    const day = partner ? '' : readDate(form, 'received-at');
    if (day) body.received_at = /^\d{4}-\d{2}-\d{2}$/.test(day) && /^\d{1,2}:\d{2}$/.test(val('received-at-time') || '00:00')
      ? londonToIso(day, val('received-at-time') || '00:00') : `${day}T${val('received-at-time') || '00:00'}`;
    const channel = partner ? 'PORTAL' : checkedValue(form, 'channel');
    if (channel) body.channel = channel;
    if (val('source')) body.source = val('source');
    const ref = {};
    for (const [field] of referrerFields) if (val(`referrer-${field}`)) ref[field] = val(`referrer-${field}`);
    if (Object.keys(ref).length) body.referrer = ref;
    const status = checkedValue(form, 'consent-status');
    if (status) {
      body.consent = { status };
      if (status !== 'GIVEN' && val(consentReasonId())) body.consent.reason = val(consentReasonId());
    }
    body.children = readChildren();
    body.concerns = [...form.querySelectorAll('input[name="concerns"]:checked')].map((i) => i.value);
    const riskAnswer = checkedValue(form, 'immediate-risk');
    if (riskAnswer) body.immediate_risk = riskAnswer === 'yes';
    if (val('narrative')) body.narrative = val('narrative');
    if (val('what-would-help')) body.what_would_help = val('what-would-help');
    return body;
  }

  // What the form read but does not send as typed, for validateContact.
  function formFacts() {
    const val = (id) => (form.querySelector(`#${id}`)?.value || '').trim();
    return {
      receivedDay: partner ? '' : readDate(form, 'received-at'),
      receivedTime: partner ? '' : val('received-at-time'),
      unborn: childValues.map((_, i) => !!form.querySelector(`input[name="child-${i}-unborn"]:checked`)),
      dates: childValues.map((_, i) => readDate(form, `child-${i}-dob`)),
    };
  }

  function localErrors(body) {
    return validateContact(body, { partner, today: londonDay(now()), nowMs: now(), form: formFacts() });
  }
  function fail(errors) {
    registry.add('consent.reason', consentReasonId(), 'The reason about consent');
    ctx.setTitle(title, { error: true });
    new ErrorSummary(showErrors(formColumn, form, errors, registry));
  }

  ctx.onLeave(() => helper.stop());
  form.addEventListener('input', () => helper.changed());
  form.addEventListener('change', () => helper.changed());

  function showForm(errors) {
    answers.hidden = true;
    form.hidden = false;
    ctx.setTitle(title);
    if (errors) fail(errors);
  }

  // "Check your answers": every answer, each with a Change link back to
  // its question, then the button that sends.
  function checkAnswers(body) {
    clearErrors(formColumn);
    form.hidden = true;
    answers.hidden = false;
    ctx.setTitle(`Check your answers – ${title}`);
    const change = (inputId, what) => h('a', { class: 'govuk-link', href: `#${inputId}`, 'data-change': inputId },
      'Change', h('span', { class: 'govuk-visually-hidden' }, ` ${what}`));
    const row = (key, value, inputId) => h('div', { class: 'govuk-summary-list__row' },
      h('dt', { class: 'govuk-summary-list__key' }, key),
      h('dd', { class: 'govuk-summary-list__value' }, value || 'Not given'),
      h('dd', { class: 'govuk-summary-list__actions' }, change(inputId, key.toLowerCase())));
    const list = (...rows) => h('dl', { class: 'govuk-summary-list govuk-!-margin-bottom-9' }, rows.filter(Boolean));
    const ref = body.referrer || {};
    const lines = (...xs) => xs.filter(Boolean).map((x, i) => [i ? h('br') : null, x]);
    const f = formFacts();
    const send = button('Send contact', { id: 'send-contact' });
    put(clear(answers),
      h('h2', { class: 'govuk-heading-l', id: 'check-answers-title' }, 'Check your answers before sending the contact'),
      h('h3', { class: 'govuk-heading-m' }, 'About this contact'),
      list(
        partner ? null : row('How it reached us', cap(CHANNELS[body.channel]), 'channel'),
        row(partner ? 'Making this contact as' : 'Who is making it', cap((SOURCES[body.source] || [])[1]), 'source'),
        row('Your reference', body.external_ref, 'external-ref'),
        partner || !f.receivedDay ? null : row('Received', `${calendarDate(f.receivedDay)}${f.receivedTime ? ` at ${f.receivedTime}` : ''}`, 'received-at-day')),
      h('h3', { class: 'govuk-heading-m' }, partner ? 'About you' : 'About the referrer'),
      list(row('Name', ref.name, 'referrer-name'),
        row('Organisation and role', lines(ref.organisation, ref.role), 'referrer-organisation'),
        row('Email and phone', lines(ref.email, ref.phone), 'referrer-email')),
      h('h3', { class: 'govuk-heading-m' }, 'Consent'),
      list(row('Does the family agree?', lines(cap(CONSENT[body.consent.status]), body.consent.reason), 'consent-status')),
      h('h3', { class: 'govuk-heading-m' }, 'The children'),
      list(...body.children.map((c, i) => row(`${cap(whichChild(i).replace(/\u2019s$/, ''))}`, lines(
        [c.given_name, c.family_name].filter(Boolean).join(' ') || 'Unborn baby',
        c.date_of_birth ? `Born ${calendarDate(c.date_of_birth)}` : c.expected_date_of_birth ? `Due ${calendarDate(c.expected_date_of_birth)}` : null,
        c.nhs_number ? `NHS number ${c.nhs_number}` : null, c.postcode, SEX[c.sex]), `child-${i}-given-name`))),
      h('h3', { class: 'govuk-heading-m' }, 'The worry'),
      list(row('Concerns', lines(...body.concerns.map((code) => cap(CONCERNS[code]))), 'concern-1'),
        row('Immediate risk of significant harm', body.immediate_risk ? 'Yes' : 'No', 'immediate-risk'),
        row('What worries you?', h('span', { class: 'fd-pre' }, body.narrative || ''), 'narrative'),
        row('What can we do about it?', h('span', { class: 'fd-pre' }, body.what_would_help || ''), 'what-would-help')),
      h('p', { class: 'govuk-body', id: 'check-answers-helper' }, h('strong', {}, 'Threshold helper: '),
        answersHelper = h('span', {}, helper.sentence())),
      h('h3', { class: 'govuk-heading-m' }, 'Now send the contact'),
      para('By sending it you confirm that what you have told us is correct to the best of your knowledge.'),
      body.immediate_risk ? warningText('You said a child is at immediate risk. If a child is in immediate danger, call 999 now.') : null,
      h('div', { class: 'govuk-button-group' }, send,
        h('a', { class: 'govuk-link', href: '#contact-form', id: 'back-to-form' }, 'Go back to the form')));
    answers.querySelectorAll('[data-change]').forEach((a) => a.addEventListener('click', (event) => {
      event.preventDefault();
      showForm();
      const target = form.querySelector(`#${CSS.escape(a.dataset.change)}`);
      if (target) { target.scrollIntoView({ block: 'center' }); target.focus({ preventScroll: true }); }
    }));
    answers.querySelector('#back-to-form').addEventListener('click', (event) => {
      event.preventDefault();
      showForm();
      next.focus();
    });
    send.addEventListener('click', () => sendContact(body, send));
    helper.now();
    const heading2 = answers.querySelector('#check-answers-title');
    heading2.setAttribute('tabindex', '-1');
    heading2.focus();
    window.scrollTo(0, 0);
  }

  let sending = false;
  async function sendContact(body, send) {
    if (sending) return;
    sending = true;
    send.disabled = true;
    send.setAttribute('aria-disabled', 'true');
    try {
      const contact = await post('/v1/contacts', body, { headers: { 'Idempotency-Key': key } });
      clearErrors(formColumn);
      rememberSent(contact, body);
      navigate(`#/contacts/${encodeURIComponent(contact.id)}/sent`);
    } catch (e) {
      key = newKey();
      // What the server refuses joins anything the form found, in one summary.
      const server = e.status === 400 && e.errors.length ? e.errors
        : [{ field: '', message: e.status === 403 ? 'You are not allowed to send contacts with this sign-in'
          : `The contact was not sent: ${e.message}` }];
      const local = localErrors(readBody());
      const seen = new Set(local.map((x) => x.field));
      showForm([...local, ...server.filter((x) => !seen.has(x.field))]);
    } finally {
      sending = false;
      send.disabled = false;
      send.removeAttribute('aria-disabled');
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = readBody();
    const local = localErrors(body);
    if (local.length) { fail(local); return; }
    checkAnswers(body);
  });

  put(ctx.main, h('div', { class: 'govuk-grid-row fd-form-row' }, formColumn,
    h('div', { class: 'govuk-grid-column-one-third fd-helper-column' }, helper.el)));
  helper.changed();
}
