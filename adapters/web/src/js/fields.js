// GOV.UK form components built in the browser (text input, textarea, select,
// radios with conditional reveals, checkboxes, date input) and the error
// pattern: an error summary at the top of the page whose every entry links to
// its field, and an error message on the field itself. A FieldRegistry maps
// the API's JSON paths (children[1].date_of_birth) to the input to link to.

import { h } from './dom.js';
import { plainWords } from './validation.js';

export function formGroup(path, ...children) {
  return h('div', { class: 'govuk-form-group', 'data-field': path }, children);
}

function hintEl(id, hint) {
  return hint ? h('div', { class: 'govuk-hint', id: `${id}-hint` }, hint) : null;
}

export function textInput({ id, name, label, hint, value = '', type = 'text', width, autocomplete,
  inputmode, spellcheck, labelSize, path }) {
  const input = h('input', {
    class: `govuk-input${width ? ` govuk-input--width-${width}` : ''}`, id, name: name || id, type,
    value, autocomplete, inputmode, spellcheck: spellcheck === undefined ? undefined : String(spellcheck),
    'aria-describedby': hint ? `${id}-hint` : undefined,
  });
  return formGroup(path || id,
    h('label', { class: `govuk-label${labelSize ? ` govuk-label--${labelSize}` : ''}`, for: id }, label),
    hintEl(id, hint), input);
}

export function textarea({ id, label, hint, value = '', rows = 5, labelSize, path, asHeading }) {
  const labelEl = h('label', { class: `govuk-label${labelSize ? ` govuk-label--${labelSize}` : ''}`, for: id }, label);
  return formGroup(path || id,
    asHeading ? h('h2', { class: 'govuk-label-wrapper' }, labelEl) : labelEl,
    hintEl(id, hint),
    h('textarea', { class: 'govuk-textarea', id, name: id, rows, 'aria-describedby': hint ? `${id}-hint` : undefined }, value));
}

export function select({ id, label, hint, options, value = '', path, placeholder = 'Choose one' }) {
  return formGroup(path || id,
    h('label', { class: 'govuk-label', for: id }, label), hintEl(id, hint),
    h('select', { class: 'govuk-select', id, name: id, 'aria-describedby': hint ? `${id}-hint` : undefined },
      placeholder !== null ? h('option', { value: '' }, placeholder) : null,
      options.map((o) => h('option', { value: o.value, selected: o.value === value }, o.text))));
}

// Radios or checkboxes in a fieldset. items: [{value, text, hint, conditional: Node}].
function choices(kind, { name, idPrefix, legend, hint, items, value, path, legendSize = 'm', inline, small,
  asHeading }) {
  const id = idPrefix || name;
  const legendEl = h('legend', { class: `govuk-fieldset__legend govuk-fieldset__legend--${legendSize}` },
    asHeading ? h('h2', { class: 'govuk-fieldset__heading' }, legend) : legend);
  const list = h('div', {
    class: `govuk-${kind}${inline ? ` govuk-${kind}--inline` : ''}${small ? ` govuk-${kind}--small` : ''}`,
  });
  items.forEach((item, i) => {
    const inputId = i === 0 ? id : `${id}-${i + 1}`;
    const selected = Array.isArray(value) ? value.includes(item.value) : value === item.value;
    const conditionalId = item.conditional ? `conditional-${inputId}` : undefined;
    list.append(h('div', { class: `govuk-${kind}__item` },
      h('input', {
        class: `govuk-${kind}__input`, id: inputId, name, type: kind === 'radios' ? 'radio' : 'checkbox',
        value: item.value, checked: selected, ...(item.attrs || {}),
        'aria-describedby': item.hint ? `${inputId}-item-hint` : undefined,
        'aria-controls': conditionalId,
      }),
      h('label', { class: `govuk-label govuk-${kind}__label`, for: inputId }, item.text),
      item.hint ? h('div', { class: `govuk-hint govuk-${kind}__hint`, id: `${inputId}-item-hint` }, item.hint) : null));
    if (item.conditional) {
      list.append(h('div', {
        class: `govuk-${kind}__conditional${selected ? '' : ` govuk-${kind}__conditional--hidden`}`, id: conditionalId,
      }, item.conditional));
    }
  });
  // Conditional reveals are shown and hidden here rather than by
  // govuk-frontend's Radios, whose aria-expanded on a radio axe refuses.
  if (items.some((item) => item.conditional)) {
    list.addEventListener('change', () => {
      list.querySelectorAll(':scope > .govuk-' + kind + '__item > input[aria-controls]').forEach((input) => {
        const panel = list.querySelector(`#${input.getAttribute('aria-controls')}`);
        if (panel) panel.classList.toggle(`govuk-${kind}__conditional--hidden`, !input.checked);
      });
    });
  }
  return formGroup(path || id,
    h('fieldset', { class: 'govuk-fieldset', 'aria-describedby': hint ? `${id}-hint` : undefined },
      legendEl, hintEl(id, hint), list));
}

export const radios = (opts) => choices('radios', opts);
export const checkboxes = (opts) => choices('checkboxes', opts);

// Day, month and year boxes; value is YYYY-MM-DD or ''.
export function dateInput({ id, legend, hint, value = '', path, legendSize = 's' }) {
  const [y = '', m = '', d = ''] = value ? value.split('-') : [];
  const box = (part, label, val, width) => h('div', { class: 'govuk-date-input__item' },
    h('div', { class: 'govuk-form-group' },
      h('label', { class: 'govuk-label govuk-date-input__label', for: `${id}-${part}` }, label),
      h('input', {
        class: `govuk-input govuk-date-input__input govuk-input--width-${width}`, id: `${id}-${part}`,
        name: `${id}-${part}`, type: 'text', inputmode: 'numeric', value: val.replace(/^0(?=\d)/, ''),
      })));
  return formGroup(path || id,
    h('fieldset', { class: 'govuk-fieldset', role: 'group', 'aria-describedby': hint ? `${id}-hint` : undefined },
      h('legend', { class: `govuk-fieldset__legend govuk-fieldset__legend--${legendSize}` }, legend),
      hintEl(id, hint),
      h('div', { class: 'govuk-date-input', id }, box('day', 'Day', d, 2), box('month', 'Month', m, 2),
        box('year', 'Year', y, 4))));
}

// Reads a date input back: '' when empty, 'invalid' text kept as typed so the
// server can name it, otherwise YYYY-MM-DD.
export function readDate(root, id) {
  const get = (part) => (root.querySelector(`#${id}-${part}`)?.value || '').trim();
  const d = get('day'); const m = get('month'); const y = get('year');
  if (!d && !m && !y) return '';
  return `${y.padStart(4, '0')}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
}

export function checkedValue(root, name) {
  return root.querySelector(`input[name="${name}"]:checked`)?.value || '';
}

export function checkedValues(root, name) {
  return [...root.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
}

// Maps API field paths to the input an error should link to and the words
// that name the field in the error summary.
export class FieldRegistry {
  constructor() { this.map = new Map(); }
  add(path, inputId, label) { this.map.set(path, { inputId, label }); }
  clearPrefix(prefix) {
    for (const key of [...this.map.keys()]) if (key.startsWith(prefix)) this.map.delete(key);
  }
  // The exact path, else the path without list indices (concerns[0] ->
  // concerns), else the first field under it (referrer -> referrer.name),
  // else its parent (consent.status.x -> consent.status).
  find(path) {
    if (this.map.has(path)) return { path, ...this.map.get(path) };
    const stripped = path.replace(/\[\d+\]$/, '');
    if (this.map.has(stripped)) return { path: stripped, ...this.map.get(stripped) };
    for (const [key, value] of this.map) {
      if (key.startsWith(`${path}.`) || key.startsWith(`${path}[`)) return { path: key, ...value };
    }
    const parent = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '';
    return parent ? this.find(parent) : null;
  }
}

// Turns the server's message ("is required when consent is REFUSED: say
// why") into a sentence that names the field, in plain words.
export function errorText(label, message, field = '') {
  return plainWords(field, message, label);
}

export function clearErrors(root) {
  root.querySelectorAll('.govuk-error-summary').forEach((el) => el.remove());
  root.querySelectorAll('.govuk-form-group--error').forEach((g) => g.classList.remove('govuk-form-group--error'));
  root.querySelectorAll('.fd-field-error').forEach((el) => el.remove());
  root.querySelectorAll('.govuk-input--error, .govuk-textarea--error, .govuk-select--error')
    .forEach((el) => el.classList.remove('govuk-input--error', 'govuk-textarea--error', 'govuk-select--error'));
}

// Shows errors ([{field, message}]) on their fields and in a summary placed
// at the top of `container`; returns the summary element (focused by the
// govuk-frontend ErrorSummary component once initialised).
export function showErrors(container, root, errors, registry) {
  clearErrors(container);
  const items = [];
  for (const err of errors) {
    const target = registry ? registry.find(err.field || '') : null;
    const text = errorText(target ? target.label : '', err.message, err.field);
    const href = target ? `#${target.inputId}` : null;
    items.push(h('li', {}, href ? h('a', { href }, text) : text));
    if (!target) continue;
    const input = root.querySelector(`#${CSS.escape(target.inputId)}`);
    const group = input ? (input.closest('[data-error-host]') || input.closest('.govuk-form-group[data-field]')) : null;
    if (!group) continue;
    const host = group;
    host.classList.add('govuk-form-group--error');
    const msgId = `${target.inputId}-error-${items.length}`;
    const msg = h('p', { class: 'govuk-error-message fd-field-error', id: msgId },
      h('span', { class: 'govuk-visually-hidden' }, 'Error: '), text);
    const fieldset = host.querySelector(':scope > fieldset');
    const scope = fieldset || host;
    const anchor = scope.querySelector(':scope > .govuk-hint')
      || scope.querySelector(':scope > legend, :scope > label, :scope > h2');
    if (anchor) anchor.after(msg); else host.prepend(msg);
    if (input.matches('input.govuk-input')) input.classList.add('govuk-input--error');
    if (input.matches('textarea')) input.classList.add('govuk-textarea--error');
    if (input.matches('select')) input.classList.add('govuk-select--error');
    const described = (input.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
    input.setAttribute('aria-describedby', [...described, msgId].join(' '));
  }
  const summary = h('div', { class: 'govuk-error-summary', 'data-module': 'govuk-error-summary' },
    h('div', { role: 'alert' },
      h('h2', { class: 'govuk-error-summary__title' }, 'There is a problem'),
      h('div', { class: 'govuk-error-summary__body' },
        h('ul', { class: 'govuk-list govuk-error-summary__list' }, items))));
  container.prepend(summary);
  return summary;
}

