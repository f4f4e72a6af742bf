// How deliveries read in the pages: the words and tag colours for a letter's
// delivery state (LetterDeliveryState: queued, sent, failed, to post, posted
// by hand) and an event's delivery to a receiver (DeliveryState), the
// channels a letter goes through, and one sentence saying where a letter
// stands. The states themselves come from proto/frontdoor/v1/delivery.proto
// through schema-codes.js (build.mjs); a state the schema gains that has no
// words here shows as its plain name rather than disappearing.

import { STATES } from './schema-codes.js';
import { tag } from './dom.js';
import { cap } from './codes.js';
import { dateTime } from './format.js';
import { actorLabel } from './actors.js';

const LETTER_WORDS = {
  QUEUED: ['Queued', 'blue'],
  SENT: ['Sent', 'green'],
  FAILED: ['Email failed', 'red'],
  TO_POST: ['To post', 'orange'],
  POSTED: ['Posted by hand', 'turquoise'],
};

const DELIVERY_WORDS = {
  QUEUED: ['Queued', 'blue'],
  RETRYING: ['Retrying', 'orange'],
  DELIVERED: ['Delivered', 'green'],
  DEAD: ['Dead', 'red'],
};

const plain = (code) => cap(String(code || 'not known').toLowerCase().replace(/_/g, ' '));

export const LETTER_STATES = STATES.LetterDeliveryState;
export const DELIVERY_STATES = STATES.DeliveryState;

export const letterStateLabel = (state) => (LETTER_WORDS[state] || [plain(state)])[0];
export const letterStateTag = (state) => {
  const [text, colour] = LETTER_WORDS[state] || [plain(state), 'grey'];
  return tag(text, colour);
};
export const deliveryStateTag = (state) => {
  const [text, colour] = DELIVERY_WORDS[state] || [plain(state), 'grey'];
  return tag(text, colour);
};

// How the letter went or goes out.
const CHANNELS = {
  smtp: 'by email',
  notify: 'by email through GOV.UK Notify',
  spool: 'to the server\u2019s letter folder (no email service is set up)',
  post: 'by post',
};
export const channelWords = (channel) => CHANNELS[channel] || (channel ? `through ${channel}` : '');

// One sentence on where a letter stands (LetterDelivery).
export function letterStandsText(d) {
  const at = d.updated_at ? dateTime(d.updated_at) : '';
  const tries = d.attempts ? ` after ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}` : '';
  switch (d.state) {
    case 'QUEUED': return `Waiting to be sent ${channelWords(d.channel) || 'by email'}${tries ? `; not sent yet${tries}` : ''}.`;
    case 'SENT': return `Sent ${channelWords(d.channel)}${at ? ` at ${at}` : ''}.`;
    case 'FAILED': return `Email failed${tries}${d.last_error ? ` (${d.last_error})` : ''}: it is on the list of letters to send by post.`;
    case 'TO_POST': return 'No email address: it is on the list of letters to send by post.';
    case 'POSTED': {
      const who = actorLabel(d.posted_by, d.posted_by && d.posted_by.id);
      return `Posted by hand${who ? ` by ${who}` : ''}${at ? ` at ${at}` : ''}${d.posted_note ? ` (${d.posted_note})` : ''}.`;
    }
    default: return letterStateLabel(d.state);
  }
}

// Why a letter is on the post list.
export function whyByPost(d) {
  if (d.state === 'FAILED') return `Email failed${d.last_error ? `: ${d.last_error}` : ''}`;
  return 'No email address';
}
