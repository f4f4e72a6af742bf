// Building the page from data without innerHTML: h() makes an element from a
// tag, properties and children (strings become text nodes, so nothing a
// referrer typed can ever become markup), plus a few GOV.UK building blocks
// shared by every page (headings, summary lists, tags, tables, buttons).

export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'checked' || key === 'value' || key === 'selected' || key === 'disabled') {
      el[key] = value;
    } else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

// Appends children, skipping null, undefined and false (which the DOM's own
// append would write out as text).
export function put(el, ...children) {
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function heading(text, { level = 1, size = 'l', caption } = {}) {
  const el = h(`h${level}`, { class: `govuk-heading-${size}` });
  if (caption) el.append(h('span', { class: `govuk-caption-${size}`, text: caption }));
  el.append(text);
  return el;
}

export const para = (text, cls = 'govuk-body') => h('p', { class: cls }, text);

export function link(href, text, props = {}) {
  return h('a', { class: 'govuk-link', href, ...props }, text);
}

export function backLink(href, text = 'Back') {
  return h('a', { class: 'govuk-back-link', href }, text);
}

// A GOV.UK tag; colour is one of the govuk-tag-- modifiers (red, orange,
// yellow, green, blue, grey, purple, pink, turquoise, light-blue).
export function tag(text, colour) {
  return h('strong', { class: `govuk-tag${colour ? ` govuk-tag--${colour}` : ''}` }, text);
}

export function summaryList(rows, { noBorder = false } = {}) {
  const dl = h('dl', { class: `govuk-summary-list${noBorder ? ' govuk-summary-list--no-border' : ''}` });
  for (const [key, value] of rows) {
    if (value === undefined || value === null || value === '') continue;
    dl.append(h('div', { class: 'govuk-summary-list__row' },
      h('dt', { class: 'govuk-summary-list__key' }, key),
      h('dd', { class: 'govuk-summary-list__value' }, value)));
  }
  return dl;
}

export function summaryCard(title, body) {
  return h('div', { class: 'govuk-summary-card' },
    h('div', { class: 'govuk-summary-card__title-wrapper' },
      h('h3', { class: 'govuk-summary-card__title' }, title)),
    h('div', { class: 'govuk-summary-card__content' }, body));
}

// A table: columns is [{label, numeric?}], rows are arrays of cell contents
// (or {cells, class, attrs} for a row of its own kind). `stack`: on a phone
// each row shows as stacked lines, each cell headed by its column's label.
export function table(caption, columns, rows, { captionSize = 'm', id, stack = false } = {}) {
  const head = h('tr', { class: 'govuk-table__row' }, columns.map((c) =>
    h('th', { scope: 'col', class: `govuk-table__header${c.numeric ? ' govuk-table__header--numeric' : ''}` }, c.label)));
  const body = rows.map((row) => {
    const cells = Array.isArray(row) ? row : row.cells;
    return h('tr', { class: `govuk-table__row${row.class ? ` ${row.class}` : ''}`, ...((!Array.isArray(row) && row.attrs) || {}) },
      cells.map((cell, i) => (i === 0 && columns[0].rowHeader
        ? h('th', { scope: 'row', class: 'govuk-table__header' }, cell)
        : h('td', { class: `govuk-table__cell${columns[i] && columns[i].numeric ? ' govuk-table__cell--numeric' : ''}`,
          'data-label': stack && columns[i] && columns[i].label ? columns[i].label : undefined }, cell))));
  });
  return h('table', { class: `govuk-table${stack ? ' fd-stack' : ''}`, id },
    caption ? h('caption', { class: `govuk-table__caption govuk-table__caption--${captionSize}` }, caption) : null,
    h('thead', { class: 'govuk-table__head' }, head),
    h('tbody', { class: 'govuk-table__body' }, body));
}

// A table that scrolls sideways inside its own box when it is wider than
// the page (keyboard users can focus the box to scroll it).
export function tableBox(label, tableEl) {
  return h('div', { class: 'fd-table-box', tabindex: '0', role: 'region', 'aria-label': label }, tableEl);
}

export function button(text, props = {}) {
  const { secondary, warning, ...rest } = props;
  let cls = 'govuk-button';
  if (secondary) cls += ' govuk-button--secondary';
  if (warning) cls += ' govuk-button--warning';
  return h('button', { type: 'submit', class: cls, 'data-module': 'govuk-button', ...rest }, text);
}

export function insetText(...children) {
  return h('div', { class: 'govuk-inset-text' }, children);
}

export function warningText(text) {
  return h('div', { class: 'govuk-warning-text' },
    h('span', { class: 'govuk-warning-text__icon', 'aria-hidden': 'true' }, '!'),
    h('strong', { class: 'govuk-warning-text__text' },
      h('span', { class: 'govuk-visually-hidden' }, 'Warning'), text));
}

export function details(summary, ...children) {
  return h('details', { class: 'govuk-details' },
    h('summary', { class: 'govuk-details__summary' },
      h('span', { class: 'govuk-details__summary-text' }, summary)),
    h('div', { class: 'govuk-details__text' }, children));
}

export function notificationBanner(title, body, { success = false } = {}) {
  return h('div', {
    class: `govuk-notification-banner${success ? ' govuk-notification-banner--success' : ''}`,
    role: success ? 'alert' : 'region', 'aria-labelledby': 'banner-title', 'data-module': 'govuk-notification-banner',
  },
  h('div', { class: 'govuk-notification-banner__header' },
    h('h2', { class: 'govuk-notification-banner__title', id: 'banner-title' }, success ? 'Success' : 'Important')),
  h('div', { class: 'govuk-notification-banner__content' },
    h('p', { class: 'govuk-notification-banner__heading' }, title), body));
}
