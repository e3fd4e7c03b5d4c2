'use strict';
// Sweeps: each trial's varied hyperparameters, state and per-epoch validation accuracy (sortable), and a chart of a
// hyperparameter against validation accuracy, refreshed as the trials report.
const sweepsView = { sweeps: [], selected: null, axis: null, sortKey: 'trial', sortAsc: true, reload: null };

async function loadSweeps() {
  sweepsView.sweeps = await getJson('/dashboard/sweeps');
  const any = sweepsView.sweeps.length > 0;
  $('sweeps-empty').hidden = any;
  $('sweep').hidden = !any;
  if (!any) return;
  const ids = sweepsView.sweeps.map((v) => v.sweep.sweepId);
  if (!ids.includes(sweepsView.selected)) sweepsView.selected = ids[ids.length - 1];
  $('sweep-select').innerHTML = ids.map((id) => `<option${id === sweepsView.selected ? ' selected' : ''}>${esc(id)}</option>`).join('');
  renderSweep();
}

function currentSweep() {
  return sweepsView.sweeps.find((v) => v.sweep.sweepId === sweepsView.selected);
}

/** One row per planned trial: its varied values, where it stands, and its accuracy so far. */
function trialRows(view) {
  const params = Object.keys(view.sweep.space);
  const status = new Map(view.trials.map((t) => [t.runId, t]));
  return view.sweep.trials.map((t, i) => {
    const s = status.get(t.runId);
    const epochs = s ? s.epochValidationAccuracy : [];
    const row = { trial: i + 1, runId: t.runId, state: s ? s.state : 'pending', epochs,
      accuracy: s && s.validationAccuracy != null ? s.validationAccuracy : epochs.length ? epochs[epochs.length - 1] : null };
    params.forEach((p) => { row[p] = t.hyperparameters[p]; });
    return row;
  });
}

function renderSweep() {
  const view = currentSweep();
  if (!view) return;
  const params = Object.keys(view.sweep.space);
  if (!params.includes(sweepsView.axis)) sweepsView.axis = params[0];
  $('sweep-axis').innerHTML = params.map((p) => `<option${p === sweepsView.axis ? ' selected' : ''}>${esc(p)}</option>`).join('');
  const rows = trialRows(view);
  const done = rows.filter((r) => !['pending', 'queued', 'running'].includes(r.state)).length;
  $('sweep-state').textContent = `${view.sweep.search}, ${done}/${rows.length} trials done`;
  const key = sweepsView.sortKey, dir = sweepsView.sortAsc ? 1 : -1;
  rows.sort((a, b) => ((a[key] ?? -Infinity) > (b[key] ?? -Infinity) ? 1 : (a[key] ?? -Infinity) < (b[key] ?? -Infinity) ? -1 : 0) * dir);
  const columns = ['trial', ...params, 'state', 'accuracy'];
  const label = (c) => c === 'accuracy' ? 'val accuracy' : c;
  $('sweep-trials').innerHTML = '<thead><tr>' + columns.map((c) =>
    `<th data-sort="${esc(c)}" class="sortable">${esc(label(c))}${c === key ? (sweepsView.sortAsc ? ' ▲' : ' ▼') : ''}</th>`).join('') +
    '<th>per epoch</th></tr></thead><tbody>' + rows.map((r) => `<tr data-run="${esc(r.runId)}" data-state="${esc(r.state)}">` +
      columns.map((c) => `<td>${c === 'accuracy' ? num(r.accuracy) : esc(r[c])}</td>`).join('') +
      `<td>${r.epochs.map((a) => num(a, 3)).join(' ')}</td></tr>`).join('') + '</tbody>';
  document.querySelectorAll('#sweep-trials th[data-sort]').forEach((th) => {
    th.onclick = () => {
      sweepsView.sortAsc = sweepsView.sortKey === th.dataset.sort ? !sweepsView.sortAsc : true;
      sweepsView.sortKey = th.dataset.sort;
      renderSweep();
    };
  });
  const g = view.gated;
  $('sweep-verdict').textContent = !g ? 'The best trial is gated when every trial has ended.'
    : g.bestRunId ? `Best: ${g.bestRunId} (validation ${num(g.validationAccuracy)}, test ${num(g.testAccuracy)}) — gate ${g.promoted ? 'promoted it' : 'rejected it: ' + (g.reasons || []).join('; ')}`
      : `Ended: ${g.reason}`;
  drawSweepChart(rows, sweepsView.axis);
}

/**
 * Hyperparameter (x, log scale when it spans a decade or more; a categorical one by position, labelled) against
 * validation accuracy (y), drawn by uPlot; hollow points stopped early.
 */
function drawSweepChart(rows, param) {
  const points = rows.filter((r) => r.accuracy != null);
  const values = rows.map((r) => r[param]);
  const numeric = values.every((v) => typeof v === 'number');
  const positive = numeric && values.every((v) => v > 0);
  const lo = numeric ? Math.min(...values) : 0, hi = numeric ? Math.max(...values) : 0;
  const log = positive && hi / lo >= 10;
  const categories = numeric ? [] : [...new Set(values.map(String))];
  const x = (v) => (numeric ? v : categories.indexOf(String(v)));
  const sorted = [...points].sort((a, b) => x(a[param]) - x(b[param]));
  const data = [sorted.map((p) => x(p[param])),
    sorted.map((p) => (p.state === 'early-stopped' ? null : p.accuracy)),
    sorted.map((p) => (p.state === 'early-stopped' ? p.accuracy : null))];
  $('sweep-chart').dataset.points = points.length;
  if (!points.length) { dropChart('sweep-chart'); return; }
  chart('sweep-chart', `validation accuracy against ${param}${log ? ' (log scale)' : ''}`, data, [
    { label: 'trial', stroke: COLORS[0], paths: () => null, points: { show: true, size: 10, fill: COLORS[0] } },
    { label: 'stopped early', stroke: COLORS[0], paths: () => null, points: { show: true, size: 10, fill: '#fff' } }],
  param, log, numeric ? null : (u, splits) => splits.map((v) => (Number.isInteger(v) ? categories[v] ?? '' : '')));
}

views.push({
  start: async () => {
    $('sweep-select').onchange = (e) => { sweepsView.selected = e.target.value; renderSweep(); };
    $('sweep-axis').onchange = (e) => { sweepsView.axis = e.target.value; renderSweep(); };
    await loadSweeps();
  },
  // A trial's metrics refresh the sweeps, at most once a second.
  event: (topic, e) => {
    if (topic !== 'training.metrics' || !['started', 'epoch', 'completed', 'cancelled', 'failed', 'refused'].includes(e.phase)) return;
    if (!/-t\d+$/.test(e.runId || '') && sweepsView.sweeps.length === 0) return;
    clearTimeout(sweepsView.reload);
    sweepsView.reload = setTimeout(() => loadSweeps().catch(() => {}), 1000);
  },
  registry: () => { if (sweepsView.sweeps.length) loadSweeps().catch(() => {}); },
});
