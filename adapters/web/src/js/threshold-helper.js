// The live threshold helper beside the contact form: as the form changes it
// asks POST /v1/rules/evaluate (debounced; stale answers dropped) what the
// partnership's rules recommend, and shows the route, level, RAG rating and
// reasons. A short sentence in an aria-live region tells screen reader users
// when the recommendation changes; the details sit outside it. The panel
// stays in view beside the form on wide screens (position: sticky); on a
// phone, where it would come after the form, `compact` is a one-line
// summary kept at the foot of the screen, before the form's buttons.

import { h, clear, tag, summaryList, details, put } from './dom.js';
import { post } from './api.js';
import { cap, ROUTES, LEVELS, RAGS, RAG_COLOURS } from './codes.js';
import { errorText } from './fields.js';

const DEBOUNCE_MS = 500;

export function thresholdHelper({ readBody, registry, onSay = () => {} }) {
  const status = h('p', { class: 'govuk-body govuk-!-font-weight-bold', id: 'helper-status' },
    'Complete the form to see a recommendation.');
  const live = h('div', { 'aria-live': 'polite', 'aria-atomic': 'true', id: 'helper-live' }, status);
  const body = h('div', { id: 'helper-body' });
  const el = h('aside', { class: 'fd-helper', 'aria-labelledby': 'helper-title', id: 'threshold-helper' },
    h('h2', { class: 'govuk-heading-m', id: 'helper-title' }, 'Threshold helper'),
    h('p', { class: 'govuk-body-s' },
      'What the partnership\u2019s threshold rules recommend for this contact as it stands. Front door staff make the decision.'),
    live, body);

  const compactText = h('span', { id: 'helper-compact-text' }, status.textContent);
  const compact = h('div', { class: 'fd-helper-compact', id: 'helper-compact' },
    h('strong', {}, 'Threshold helper: '), compactText, ' ',
    h('a', { class: 'govuk-link', href: '#threshold-helper', id: 'helper-compact-link' }, 'See why'));
  compact.querySelector('a').addEventListener('click', (event) => {
    event.preventDefault();
    el.scrollIntoView();
    el.setAttribute('tabindex', '-1');
    el.focus({ preventScroll: true });
  });

  let timer = null;
  let controller = null;
  let lastSentence = status.textContent;

  const say = (sentence) => {
    if (sentence !== lastSentence) { status.textContent = sentence; lastSentence = sentence; }
    compactText.textContent = sentence;
    onSay(sentence);
  };

  async function evaluate() {
    if (controller) controller.abort();
    controller = new AbortController();
    const mine = controller;
    let answer;
    try {
      answer = await post('/v1/rules/evaluate', readBody(), { signal: mine.signal });
    } catch (e) {
      if (e.name === 'AbortError' || mine !== controller) return;
      if (e.status === 400) showMissing(e.errors);
      else { say('The recommendation cannot be shown just now.'); clear(body); }
      return;
    }
    if (mine !== controller) return;
    show(answer);
  }

  function showMissing(errors) {
    say('Complete the form to see a recommendation.');
    const items = errors.slice(0, 6).map((err) => {
      const target = registry.find(err.field || '');
      return h('li', {}, errorText(target ? target.label : '', err.message, err.field));
    });
    put(clear(body), h('p', { class: 'govuk-body-s' }, 'Still needed:'),
      h('ul', { class: 'govuk-list govuk-list--bullet govuk-body-s' }, items));
  }

  function show({ recommendation: r = {}, explanation, urgent, out_of_hours: ooh }) {
    const route = cap(ROUTES[r.route] || r.route || 'none');
    say(`Recommended: ${route}${r.level ? `, level ${r.level}` : ''}${r.rag ? `, ${RAGS[r.rag]}` : ''}.`);
    const chosen = ((explanation && explanation.rules) || []).find((rule) => rule.chosen);
    put(clear(body), 
      urgent ? h('p', { class: 'govuk-body' }, tag('Urgent', 'red'),
        ooh ? ' Out of hours: the emergency duty team will be told at once.' : ' This contact needs action today.') : null,
      summaryList([
        ['Route', route],
        ['Level of need', r.level ? `${r.level} – ${LEVELS[r.level] || ''}` : 'Not set'],
        ['RAG rating', r.rag ? tag(cap(RAGS[r.rag]), RAG_COLOURS[r.rag]) : 'None'],
        ['Decided by the rules', r.automatic ? 'Yes: this route is taken without a person deciding' : null],
      ]),
      (r.reasons || []).length ? h('h3', { class: 'govuk-heading-s' }, 'Why') : null,
      (r.reasons || []).length ? h('ul', { class: 'govuk-list govuk-list--bullet', id: 'helper-reasons' },
        r.reasons.map((reason) => h('li', {}, reason))) : null,
      (r.signposts || []).length ? h('h3', { class: 'govuk-heading-s' }, 'Where the family could turn') : null,
      (r.signposts || []).length ? h('ul', { class: 'govuk-list' }, r.signposts.map((s) =>
        h('li', {}, h('strong', {}, s.service), s.what_for ? ` – ${s.what_for}` : '',
          s.how_to_reach ? h('br') : null, s.how_to_reach || ''))) : null,
      chosen ? details('The rule that decided', h('p', { class: 'govuk-body-s' },
        `${chosen.description} (rule ${chosen.rule_id}${chosen.table ? ` in ${chosen.table}` : ''})`)) : null,
      r.policy_label ? h('p', { class: 'govuk-body-s fd-secondary-text' }, `Rules: ${r.policy_label}`) : null,
    );
  }

  return {
    el, compact, sentence: () => lastSentence,
    changed() {
      clearTimeout(timer);
      timer = setTimeout(evaluate, DEBOUNCE_MS);
    },
    now() { clearTimeout(timer); evaluate(); },
    stop() { clearTimeout(timer); if (controller) controller.abort(); },
  };
}
