// The front door's code lists for the pages. Labels and census codes come
// from proto/frontdoor/v1/codes.proto through schema-codes.js, which
// build.mjs generates when the pages are built; what is here is only what
// the pages add: the groups the contact form shows concerns in, colours,
// level names and the words for timescales and history entries.
import { LABELS, CENSUS } from './schema-codes.js';

export const cap = (s) => (s ? s.charAt(0).toUpperCase() + s.slice(1) : '');

export const CHANNELS = LABELS.Channel;

// value -> [census code, label], as the source filters and exports show them.
export const SOURCES = Object.fromEntries(
  Object.entries(LABELS.Source).map(([value, label]) => [value, [CENSUS.Source[value], label]]));

export const sourceLabel = (code) => (SOURCES[code] ? cap(SOURCES[code][1]) : code || 'Not given');

export const CONCERNS = LABELS.Concern;

export const CONCERN_GROUPS = [
  ['Abuse and neglect', ['NEGLECT', 'EMOTIONAL_ABUSE', 'PHYSICAL_ABUSE', 'SEXUAL_ABUSE', 'DOMESTIC_ABUSE',
    'FGM', 'FAITH_OR_BELIEF_ABUSE']],
  ['Exploitation and harm outside the home', ['CHILD_SEXUAL_EXPLOITATION', 'CHILD_CRIMINAL_EXPLOITATION',
    'MISSING', 'TRAFFICKING', 'GANGS']],
  ["The child's health and wellbeing", ['SELF_HARM', 'CHILD_MENTAL_HEALTH', 'CHILD_SUBSTANCE_MISUSE',
    'CHILD_DISABILITY', 'BEHAVIOUR', 'SCHOOL_ATTENDANCE', 'YOUNG_CARER']],
  ['Parents, family and home', ['PARENTAL_MENTAL_HEALTH', 'PARENTAL_SUBSTANCE_MISUSE', 'PARENTAL_DISABILITY',
    'HOUSING', 'FINANCIAL_HARDSHIP', 'PARENTING_SUPPORT', 'PRIVATE_FOSTERING']],
  ['Other', ['UNACCOMPANIED_ASYLUM_SEEKING', 'OTHER']],
];

export const CONSENT = LABELS.ConsentStatus;
export const SEX = Object.fromEntries(Object.entries(LABELS.Sex).map(([v, label]) => [v, cap(label)]));

export const STATES = LABELS.ContactState;
export const ROUTES = LABELS.Route;
export const OUTCOMES = LABELS.Outcome;
export const MASH_OUTCOMES = LABELS.MashOutcome;
export const RAGS = LABELS.Rag;
export const RAG_COLOURS = { RED: 'red', AMBER: 'orange', GREEN: 'green' };

export const LEVELS = { 1: 'universal', 2: 'early help', 3: 'targeted', 4: 'statutory' };

export const CHECK_STATES = LABELS.CheckState || {};
export const AUTH_OUTCOMES = LABELS.AuthorisationOutcome || {};

export const TIMESCALES = { decision: 'Decision', mash: 'MASH work', authorisation: 'Manager\u2019s authorisation' };

// An agency asked for a MASH check, by its referral source code: "the police".
export const agencyLabel = (code) => (SOURCES[code] ? cap(SOURCES[code][1]) : cap(String(code || 'an agency').toLowerCase()));

// "First", "Second" ... for saying which child an error or a review is about.
const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth',
  'eleventh', 'twelfth', 'thirteenth', 'fourteenth', 'fifteenth', 'sixteenth', 'seventeenth', 'eighteenth',
  'nineteenth', 'twentieth'];
export const ordinal = (i) => ORDINALS[i] || `number ${i + 1}`;
export const timescaleLabel = (name) => TIMESCALES[name] || cap(String(name || '').replace(/_/g, ' '));

export const EVENT_TYPES = {
  CONTACT_RECEIVED: 'Contact received',
  TIMESCALE_STARTED: 'Timescale started',
  TIMESCALE_STOPPED: 'Timescale stopped',
  TIMESCALE_BREACHED: 'Timescale breached',
  DECISION_RECORDED: 'Decision recorded',
  MASH_OUTCOME_RECORDED: 'MASH outcome recorded',
  CONTACT_CLOSED: 'Contact closed',
  LETTER_ISSUED: 'Letter issued',
  EDT_ALERT: 'Emergency duty team alerted',
  TIMESCALE_DUE_SOON: 'Close to its deadline',
  AUTHORISATION_REQUESTED: 'Sent for a manager\u2019s authorisation',
  AUTHORISATION_RECORDED: 'Manager answered',
  CHECK_REQUESTED: 'Agency check requested',
  CHECK_ANSWERED: 'Agency check answered',
  CHECK_OVERDUE: 'Agency check overdue',
  RAG_CHANGED: 'RAG rating changed',
  CONTACT_LINKED: 'Linked to a later contact',
};
// A plain label for any event type, including ones this page does not know yet.
export const eventLabel = (type) => EVENT_TYPES[type] || cap(String(type || 'Event').toLowerCase().replace(/_/g, ' '));

export const options = (map, fmt = (v) => cap(v)) =>
  Object.entries(map).map(([value, text]) => ({ value, text: fmt(Array.isArray(text) ? text[1] : text, value) }));
