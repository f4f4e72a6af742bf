// A chart with its numbers as a table beside it, for the managers' view.
// Charts are drawn by Chart.js (loaded as /vendor/chart.umd.min.js, the
// global `Chart`) on a canvas that screen readers skip in favour of the
// table; animation is off so that a redraw on new data does not move.

import { h, table } from './dom.js';

export const COLOURS = ['#1d70b8', '#00703c', '#d4351c', '#f47738', '#4c2c92', '#28a197', '#d53880', '#505a5f',
  '#5694ca', '#b58840', '#85994b', '#912b88', '#6f72af', '#0b0c0c'];
const TARGET = '#d4351c';

// spec: {id, title, description, type ('bar'|'line'), labels, series: [{label, data}], stacked, percent,
// target (0..1 or null), yTitle, horizontal, columns, rows}
export function chartWithTable(spec) {
  const canvas = h('canvas', { id: `${spec.id}-canvas`, role: 'img', 'aria-label': `${spec.title}. The numbers are in the table beside the chart.` });
  const figure = h('figure', { class: 'fd-chart', id: spec.id },
    h('figcaption', { class: 'govuk-heading-s' }, spec.title),
    spec.description ? h('p', { class: 'govuk-body-s fd-secondary-text' }, spec.description) : null,
    h('div', { class: 'fd-chart__canvas' }, canvas));
  const tableEl = h('div', { class: 'fd-table-scroll', tabindex: '0', role: 'region', 'aria-label': `${spec.title}: table` },
    table(spec.title, spec.columns, spec.rows, { captionSize: 's', id: `${spec.id}-table` }));
  const row = h('div', { class: 'govuk-grid-row fd-chart-row' },
    h('div', { class: 'govuk-grid-column-one-half' }, figure),
    h('div', { class: 'govuk-grid-column-one-half' }, tableEl));
  let chart = null;
  const draw = () => {
    if (!window.Chart || chart) return;
    chart = new window.Chart(canvas, config(spec));
  };
  return { el: row, draw, destroy: () => { if (chart) chart.destroy(); chart = null; } };
}

function config(spec) {
  const datasets = spec.series.map((s, i) => ({
    type: s.type || spec.type, label: s.label,
    data: s.data.map((v) => (spec.percent && v !== null && v !== undefined ? Math.round(v * 1000) / 10 : v)),
    backgroundColor: s.colour || COLOURS[i % COLOURS.length], borderColor: s.colour || COLOURS[i % COLOURS.length],
    borderWidth: (s.type || spec.type) === 'line' ? 2 : 0, pointRadius: 3, spanGaps: true,
  }));
  if (spec.target !== null && spec.target !== undefined) {
    datasets.push({
      type: 'line', label: `Target (${Math.round(spec.target * 100)}%)`, data: spec.labels.map(() => spec.target * 100),
      borderColor: TARGET, backgroundColor: TARGET, borderDash: [6, 4], borderWidth: 2, pointRadius: 0,
    });
  }
  return {
    type: spec.type,
    data: { labels: spec.labels, datasets },
    options: {
      animation: false, responsive: true, maintainAspectRatio: true, aspectRatio: spec.aspectRatio || 1.6,
      indexAxis: spec.horizontal ? 'y' : 'x',
      plugins: { legend: { display: datasets.length > 1, position: 'bottom' } },
      scales: {
        x: { stacked: !!spec.stacked, ticks: { autoSkip: true, maxRotation: 60 } },
        y: { stacked: !!spec.stacked, beginAtZero: true, max: spec.percent ? 100 : undefined,
          title: spec.yTitle ? { display: true, text: spec.yTitle } : undefined },
      },
    },
  };
}
