// The front door's code lists with the plain-English labels of
// proto/frontdoor/v1/codes.proto (kept in step with it by hand: the labels
// are part of the schema there), and the groups the contact form shows
// concerns in.

export const cap = (s) => (s ? s.charAt(0).toUpperCase() + s.slice(1) : '');

export const CHANNELS = {
  PORTAL: 'online form', PHONE: 'phone', EMAIL: 'email', PARTNER_API: 'partner system',
  OUT_OF_HOURS: 'out-of-hours service',
};

export const SOURCES = {
  INDIVIDUAL_FAMILY: ['1A', 'a family member'],
  INDIVIDUAL_ACQUAINTANCE: ['1B', 'an acquaintance'],
  INDIVIDUAL_SELF: ['1C', 'the child themself'],
  INDIVIDUAL_OTHER: ['1D', 'another individual'],
  SCHOOLS: ['2A', 'a school'],
  EDUCATION_SERVICES: ['2B', 'education services'],
  HEALTH_GP: ['3A', 'a GP'],
  HEALTH_VISITOR: ['3B', 'a health visitor'],
  HEALTH_SCHOOL_NURSE: ['3C', 'a school nurse'],
  HEALTH_OTHER_PRIMARY: ['3D', 'other primary health services'],
  HEALTH_AE: ['3E', 'A&E'],
  HEALTH_OTHER: ['3F', 'other health services'],
  HOUSING: ['4', 'housing'],
  LA_SOCIAL_CARE: ['5A', 'local authority social care'],
  LA_INTERNAL: ['5B', 'another local authority service'],
  LA_EXTERNAL: ['5C', 'another local authority'],
  LA_EARLY_HELP: ['5D', 'early help'],
  POLICE: ['6', 'the police'],
  OTHER_LEGAL: ['7', 'another legal agency'],
  OTHER: ['8', 'another source'],
  ANONYMOUS: ['9', 'an anonymous person'],
  UNKNOWN: ['10', 'an unknown source'],
};

export const sourceLabel = (code) => (SOURCES[code] ? cap(SOURCES[code][1]) : code || 'Not given');

export const CONCERNS = {
  NEGLECT: 'neglect', EMOTIONAL_ABUSE: 'emotional abuse', PHYSICAL_ABUSE: 'physical abuse',
  SEXUAL_ABUSE: 'sexual abuse', DOMESTIC_ABUSE: 'domestic abuse',
  CHILD_SEXUAL_EXPLOITATION: 'child sexual exploitation',
  CHILD_CRIMINAL_EXPLOITATION: 'child criminal exploitation', MISSING: 'a child going missing',
  TRAFFICKING: 'trafficking', GANGS: 'gang involvement', FGM: 'female genital mutilation',
  FAITH_OR_BELIEF_ABUSE: 'abuse linked to faith or belief', SELF_HARM: 'self-harm',
  CHILD_MENTAL_HEALTH: "the child's mental health", PARENTAL_MENTAL_HEALTH: "a parent's mental health",
  CHILD_SUBSTANCE_MISUSE: "the child's drug or alcohol use",
  PARENTAL_SUBSTANCE_MISUSE: "a parent's drug or alcohol use",
  CHILD_DISABILITY: "the child's disability or illness", PARENTAL_DISABILITY: "a parent's disability or illness",
  YOUNG_CARER: 'a young carer', PRIVATE_FOSTERING: 'private fostering',
  UNACCOMPANIED_ASYLUM_SEEKING: 'an unaccompanied asylum-seeking child', BEHAVIOUR: "the child's behaviour",
  SCHOOL_ATTENDANCE: 'school attendance', HOUSING: 'housing', FINANCIAL_HARDSHIP: 'financial hardship',
  PARENTING_SUPPORT: 'support with parenting', OTHER: 'another concern',
};

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

export const CONSENT = { GIVEN: 'consent given', REFUSED: 'consent refused', NOT_SOUGHT: 'consent not sought' };
export const SEX = { M: 'Male', F: 'Female', U: 'Not known' };

export const STATES = { AWAITING_DECISION: 'awaiting a decision', IN_MASH: 'in MASH', CLOSED: 'closed' };

export const ROUTES = {
  SIGNPOST: 'signposting to services that can help', EARLY_HELP: 'early help',
  MASH: 'the Multi-Agency Safeguarding Hub (MASH)', SOCIAL_CARE_ASSESSMENT: 'a social care assessment',
  STRATEGY_DISCUSSION: 'a strategy discussion', EXISTING_CASE: 'the team already working with the family',
  NFA: 'no further action', RETURN_TO_REFERRER: 'return to the referrer',
};

export const OUTCOMES = {
  SIGNPOSTED: 'signposted to services that can help', EARLY_HELP: 'passed to early help',
  SOCIAL_CARE_ASSESSMENT: 'passed for a social care assessment',
  STRATEGY_DISCUSSION: 'passed for a strategy discussion',
  EXISTING_CASE: 'passed to the team already working with the family', NFA: 'no further action',
  RETURNED_TO_REFERRER: 'returned to the referrer',
};

// MashOutcome has no labels in the schema: these follow the Route labels.
export const MASH_OUTCOMES = {
  SOCIAL_CARE_ASSESSMENT: 'a social care assessment', STRATEGY_DISCUSSION: 'a strategy discussion',
  EARLY_HELP: 'early help', SIGNPOST: 'signposting to services that can help', NFA: 'no further action',
};

export const RAGS = { RED: 'red', AMBER: 'amber', GREEN: 'green' };
export const RAG_COLOURS = { RED: 'red', AMBER: 'orange', GREEN: 'green' };

export const LEVELS = { 1: 'universal', 2: 'early help', 3: 'targeted', 4: 'statutory' };

export const TIMESCALES = { decision: 'Decision', mash: 'MASH work' };
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
};

export const options = (map, fmt = (v) => cap(v)) =>
  Object.entries(map).map(([value, text]) => ({ value, text: fmt(Array.isArray(text) ? text[1] : text, value) }));
