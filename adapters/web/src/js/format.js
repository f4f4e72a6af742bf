// Dates, durations and time left, in the words and the time zone
// (Europe/London) the front door works in.

import { now } from './session.js';

const TZ = 'Europe/London';
const dateTimeFmt = new Intl.DateTimeFormat('en-GB', {
  timeZone: TZ, day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false,
});
const shortFmt = new Intl.DateTimeFormat('en-GB', {
  timeZone: TZ, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hour12: false,
});
const dateFmt = new Intl.DateTimeFormat('en-GB', { timeZone: TZ, day: 'numeric', month: 'long', year: 'numeric' });
const isoDayFmt = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' });

function parts(fmt, ms) {
  return Object.fromEntries(fmt.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
}

// "10:00 on 25 November 2026"
export function dateTime(iso) {
  if (!iso) return '';
  const p = parts(dateTimeFmt, Date.parse(iso));
  return `${p.hour}:${p.minute} on ${p.day} ${p.month} ${p.year}`;
}

// "Wed 25 Nov, 10:00"
export function shortDateTime(iso) {
  if (!iso) return '';
  const p = parts(shortFmt, Date.parse(iso));
  return `${p.weekday} ${p.day} ${p.month}, ${p.hour}:${p.minute}`;
}

// "4 May 2019" from YYYY-MM-DD (a calendar date, no time zone).
export function calendarDate(ymd) {
  if (!ymd) return '';
  const [y, m, d] = ymd.split('-').map(Number);
  return dateFmt.format(new Date(Date.UTC(y, m - 1, d, 12)));
}

// YYYY-MM-DD of an instant in London.
export function londonDay(ms) {
  return isoDayFmt.format(new Date(ms));
}

// "3 hours 20 minutes"; "45 minutes"; "2 days 4 hours".
export function duration(ms) {
  const mins = Math.max(0, Math.round(Math.abs(ms) / 60000));
  const days = Math.floor(mins / 1440);
  const hours = Math.floor((mins % 1440) / 60);
  const minutes = mins % 60;
  const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (days > 0) return hours ? `${plural(days, 'day')} ${plural(hours, 'hour')}` : plural(days, 'day');
  if (hours > 0) return minutes ? `${plural(hours, 'hour')} ${plural(minutes, 'minute')}` : plural(hours, 'hour');
  return plural(minutes, 'minute');
}

// How a deadline stands now: text for a tag, its colour, and whether it has
// passed. The colour moves from green to yellow, orange and red as the time
// left runs out (as a share of the whole timescale when its start is known).
export function timeLeft(deadline, at = now()) {
  const due = Date.parse(deadline.due_at);
  const left = due - at;
  if (deadline.breached || left <= 0) {
    return { text: `Breached ${duration(-left)} ago`, colour: 'red', breached: true, left };
  }
  const start = deadline.started_at ? Date.parse(deadline.started_at) : null;
  const share = start && due > start ? left / (due - start) : null;
  let colour = 'green';
  if (left <= 2 * 3600e3 || (share !== null && share <= 0.1)) colour = 'red';
  else if (left <= 6 * 3600e3 || (share !== null && share <= 0.25)) colour = 'orange';
  else if (left <= 12 * 3600e3 || (share !== null && share <= 0.5)) colour = 'yellow';
  return { text: `${duration(left)} left`, colour, breached: false, left };
}

// The soonest open deadline of a contact, or null.
export function soonestDeadline(contact) {
  const list = (contact.deadlines || []).slice().sort((a, b) => Date.parse(a.due_at) - Date.parse(b.due_at));
  return list[0] || null;
}

// Age in whole years on a day (YYYY-MM-DD), from a date of birth.
export function ageOn(dob, day) {
  if (!dob) return null;
  const [y, m, d] = dob.split('-').map(Number);
  const [ty, tm, td] = day.split('-').map(Number);
  let age = ty - y;
  if (tm < m || (tm === m && td < d)) age -= 1;
  return age;
}

// Whole months from a date of birth to a day, as calendar/age.h counts them.
export function monthsOn(dob, day) {
  const [y, m, d] = dob.split('-').map(Number);
  const [ty, tm, td] = day.split('-').map(Number);
  let months = (ty - y) * 12 + (tm - m);
  if (td < d) months -= 1;
  return Math.max(0, months);
}

// A child's age as the letters say it: "4 months" under 2, else "7".
export function ageText(dob, day) {
  if (!dob || !/^\d{4}-\d{2}-\d{2}$/.test(dob)) return '';
  const months = monthsOn(dob, day);
  if (months < 24) return `${months} month${months === 1 ? '' : 's'}`;
  return `${Math.floor(months / 12)}`;
}

// Europe/London wall-clock date and time (YYYY-MM-DD, HH:MM) to an RFC 3339
// instant, through the zone's offset at that moment.
export function londonToIso(ymd, hm) {
  const [y, mo, d] = ymd.split('-').map(Number);
  const [hh, mm] = hm.split(':').map(Number);
  const guess = Date.UTC(y, mo - 1, d, hh, mm);
  const p = parts(new Intl.DateTimeFormat('en-GB', {
    timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
  }), guess);
  const asLondon = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour % 24, +p.minute);
  return new Date(guess - (asLondon - guess)).toISOString().replace('.000Z', 'Z');
}

export const percent = (share) => (share === undefined || share === null ? '0%' : `${Math.round(share * 1000) / 10}%`);
export const hours = (h) => (h === undefined || h === null ? '0 hours' : `${Math.round(h * 10) / 10} hours`);
