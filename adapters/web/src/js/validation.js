// The contact form's own checks, the same rules as the server's
// (engine/contact_validation.cc) so that an empty or wrong form shows every
// problem in one round, in plain words that say which child an error is
// about; and plainWords(), which turns what the server says (codes, formats,
// field names) into the same kind of sentence when it finds something the
// form did not.

import { ordinal, cap } from './codes.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function realDate(ymd) {
  if (!DATE.test(ymd)) return null;
  const [y, m, d] = ymd.split('-').map(Number);
  const t = Date.UTC(y, m - 1, d);
  const back = new Date(t);
  if (y < 1900 || back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) return null;
  return t;
}

export function isValidNhsNumber(text) {
  const digits = String(text).replace(/ /g, '');
  if (!/^\d{10}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += Number(digits[i]) * (10 - i);
  let check = 11 - (sum % 11);
  if (check === 11) check = 0;
  return check !== 10 && check === Number(digits[9]);
}

export function isPlaceholderNhsNumber(text) {
  const digits = String(text).replace(/ /g, '');
  return /^(\d)\1{9}$/.test(digits) || digits === '0123456789' || digits === '1234567890';
}

export function isValidPostcode(text) {
  const pc = String(text).replace(/ /g, '').toUpperCase();
  if (pc === 'GIR0AA') return true;
  return /^[A-Z]([0-9]{1,2}|[A-Z][0-9]{1,2}|[0-9][A-Z]|[A-Z][0-9][A-Z])[0-9][ABD-HJLNP-UW-Z]{2}$/.test(pc);
}

export function isValidEmail(s) {
  return /^[^\s@]+@[^\s@.][^\s@]*\.[^\s@]*[^\s@.]$/.test(s) && s.length <= 254;
}

export function isValidPhone(s) {
  if (/[^0-9 +\-()]/.test(s)) return false;
  const digits = s.replace(/\D/g, '').length;
  return digits >= 7 && digits <= 15;
}

// "First child's" for children[0]; capitalised at the start of a sentence.
export const whichChild = (i) => `${cap(ordinal(i))} child\u2019s`;

// Every problem with a contact as the form would send it, in the order the
// form asks. `today` is the London day (YYYY-MM-DD), `nowMs` the server's
// clock, `form` what the form read but does not send as is: {receivedDay,
// receivedTime, unborn: [bool per child], dates: [as typed per child]}.
export function validateContact(body, { partner, today, nowMs, form = {} }) {
  const errors = [];
  const fail = (field, message) => errors.push({ field, message });
  if (!body.channel) fail('channel', 'Select how the contact reached the front door');
  if (!body.source) fail('source', partner ? 'Select who you are making this contact as' : 'Select who is making this contact');
  if (form.receivedDay) {
    const t = realDate(form.receivedDay);
    if (t === null) fail('received_at', 'The date the contact was received must be a real date');
    else if (form.receivedTime && !/^([01]?\d|2[0-3]):[0-5]\d$/.test(form.receivedTime)) {
      fail('received_at', 'Enter the time the contact was received as hours and minutes, for example 14:30');
    } else if (body.received_at && Date.parse(body.received_at) > nowMs + 5 * 60e3) {
      fail('received_at', 'The date the contact was received must be today or in the past');
    } else if (t < Date.UTC(2000, 0, 1)) {
      fail('received_at', 'The date the contact was received must be in the year 2000 or later');
    }
  } else if (form.receivedTime) {
    fail('received_at', 'Enter the date the contact was received, or leave the time blank');
  }
  const ref = body.referrer || {};
  if (body.source !== 'ANONYMOUS' && !ref.name) {
    fail('referrer.name', partner ? 'Enter your full name' : 'Enter the referrer\u2019s full name, or choose \u201can anonymous person\u201d as who is making the contact');
  }
  if (ref.email && !isValidEmail(ref.email)) {
    fail('referrer.email', 'Enter an email address in the correct format, like name@example.org');
  }
  if (ref.phone && !isValidPhone(ref.phone)) {
    fail('referrer.phone', 'Enter a phone number with 7 to 15 digits, like 01632 960001');
  }
  const consent = body.consent || {};
  if (!consent.status) fail('consent.status', 'Select whether the family agreed to this contact');
  else if (consent.status !== 'GIVEN' && !consent.reason) {
    fail('consent.reason', consent.status === 'REFUSED' ? 'Say why consent was refused' : 'Say why consent was not asked for');
  }
  const children = body.children || [];
  if (!children.length) fail('children', 'Tell us about at least one child');
  const todayMs = realDate(today);
  children.forEach((child, i) => {
    const p = `children[${i}]`;
    const who = whichChild(i);
    const unborn = (form.unborn || [])[i];
    const typed = (form.dates || [])[i] || '';
    if (!unborn && !child.given_name && !child.family_name) {
      fail(`${p}.given_name`, `Enter the ${ordinal(i)} child\u2019s first name or last name (leave both blank only for an unborn baby)`);
    }
    if (unborn) {
      const t = realDate(typed);
      if (!typed) fail(`${p}.expected_date_of_birth`, `Enter the ${ordinal(i)} child\u2019s expected date of birth`);
      else if (t === null) fail(`${p}.expected_date_of_birth`, `${who} expected date of birth must be a real date`);
      else if (t > todayMs + 300 * 86400e3) fail(`${p}.expected_date_of_birth`, `${who} expected date of birth must be within the next 10 months`);
      else if (t < todayMs - 31 * 86400e3) {
        fail(`${p}.expected_date_of_birth`, `${who} expected date of birth is more than a month ago: if the baby is born, give their date of birth and untick \u201cnot born yet\u201d`);
      }
    } else if (typed) {
      const t = realDate(typed);
      if (t === null) fail(`${p}.date_of_birth`, `${who} date of birth must be a real date, for example 27 3 2019`);
      else if (t > todayMs) fail(`${p}.date_of_birth`, `${who} date of birth must be today or in the past`);
      else {
        const [y, m, d] = typed.split('-').map(Number);
        const [ty, tm, td] = today.split('-').map(Number);
        const age = ty - y - (tm < m || (tm === m && td < d) ? 1 : 0);
        if (age > 25) fail(`${p}.date_of_birth`, `${who} date of birth is 26 or more years ago: a contact is about a child or young person up to 25`);
      }
    }
    if (child.nhs_number) {
      if (isPlaceholderNhsNumber(child.nhs_number)) {
        fail(`${p}.nhs_number`, `${who} NHS number looks like a placeholder, not a real number: leave it blank if you do not know it`);
      } else if (!isValidNhsNumber(child.nhs_number)) {
        fail(`${p}.nhs_number`, `${who} NHS number is not a real NHS number: check the 10 digits, or leave it blank`);
      }
    }
    if (child.postcode && !isValidPostcode(child.postcode)) {
      fail(`${p}.postcode`, `${who} postcode must be a UK postcode, like CH41 5LH`);
    }
  });
  if (!(body.concerns || []).length) fail('concerns', 'Select at least one concern');
  if (body.immediate_risk === undefined) fail('immediate_risk', 'Say whether a child is at immediate risk of significant harm');
  return errors;
}

// Words the server uses that are codes or formats, not sentences for people.
const CODEY = /YYYY|e\.g\.|\b[A-Z]+_[A-Z_]+\b|\b[A-Z]{3,}(?:, | or )[A-Z]{3,}|\b[a-z]+_[a-z_]+\b|\bmust be (?:a |an )?(?:bool|string|number|integer|enum)/;

// Fixed sentences for the fields whose server messages list codes.
const PLAIN = [
  [/^channel$/, () => 'Select how the contact reached the front door'],
  [/^source$/, () => 'Select who is making this contact'],
  [/^consent(\.status)?$/, () => 'Select whether the family agreed to this contact'],
  [/^consent\.reason$/, () => 'Say why consent was not given'],
  [/^referrer(\.name)?$/, () => 'Enter the referrer\u2019s full name, or choose \u201can anonymous person\u201d as who is making the contact'],
  [/^concerns/, () => 'Select at least one concern'],
  [/^immediate_risk$/, () => 'Say whether a child is at immediate risk of significant harm'],
  [/^route$/, () => 'Select where this contact should go'],
  [/^outcome$/, () => 'Select an outcome'],
  [/^rag$/, (msg) => (/only/.test(msg) ? 'Give a RAG rating only when the contact goes to MASH' : 'Select a RAG rating')],
  [/^children\[(\d+)\]\.(date_of_birth|expected_date_of_birth)$/, (msg, m) => {
    const what = m[2] === 'date_of_birth' ? 'date of birth' : 'expected date of birth';
    if (/YYYY/.test(msg)) return `${whichChild(Number(m[1]))} ${what} must be a real date`;
    return null;
  }],
];

// The server's message for a field, as a sentence naming the field with
// `label` ("First child's NHS number") and without codes or formats.
export function plainWords(field, message, label) {
  const msg = String(message || '').trim();
  for (const [re, fn] of PLAIN) {
    const m = String(field || '').match(re);
    if (m && (CODEY.test(msg) || re.source.startsWith('^children') || /required/.test(msg))) {
      const text = fn(msg, m);
      if (text) return text;
    }
  }
  let text = msg;
  if (CODEY.test(text)) {
    // Keep what comes before the codes: "is required: GIVEN, REFUSED" -> "is required".
    const cut = text.split(/[:;(]/)[0].trim();
    text = CODEY.test(cut) || !cut ? 'is not right: check it' : cut;
    text = text.replace(/\b([a-z]+)_([a-z_]+)\b/g, (w) => w.replace(/_/g, ' '));
  }
  if (/^(is|are|must|should|needs?|has|have|cannot|can't|was|does|do|may|looks?)\b/.test(text) && label) {
    return `${label} ${text}`;
  }
  return text.charAt(0).toUpperCase() + text.slice(1);
}
