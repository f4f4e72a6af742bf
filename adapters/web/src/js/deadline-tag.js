// The time-left tag shown for a deadline on worklists, the contact page and
// the live view, and the ticker that redraws such tags every 30 seconds
// against the server's clock (no request is made: only the words change).

import { h } from './dom.js';
import { timeLeft } from './format.js';

export function deadlineTag(deadline) {
  const state = timeLeft(deadline);
  const el = h('strong', { class: `govuk-tag govuk-tag--${state.colour} fd-time-left`, 'data-due': deadline.due_at,
    'data-breached': state.breached ? 'true' : 'false' }, state.text);
  el.fdDeadline = deadline;
  return el;
}

export function refreshDeadlineTags(root) {
  root.querySelectorAll('.fd-time-left').forEach((el) => {
    if (!el.fdDeadline) return;
    const state = timeLeft(el.fdDeadline);
    el.className = `govuk-tag govuk-tag--${state.colour} fd-time-left`;
    el.dataset.breached = state.breached ? 'true' : 'false';
    if (el.textContent !== state.text) el.textContent = state.text;
  });
}

export function startTicker(root, onLeave) {
  const timer = setInterval(() => refreshDeadlineTags(root), 30000);
  onLeave(() => clearInterval(timer));
}
