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

/** Hyperparameter (x, log scale when it spans a decade or more) against validation accuracy (y). */
function drawSweepChart(rows, param) {
  const svg = $('sweep-chart');
  const W = 560, H = 240, L = 50, R = 15, T = 10, B = 35;
  const points = rows.filter((r) => r.accuracy != null);
  const values = rows.map((r) => r[param]);
  const numeric = values.every((v) => typeof v === 'number');
  const positive = numeric && values.every((v) => v > 0);
  const lo = numeric ? Math.min(...values) : 0, hi = numeric ? Math.max(...values) : 0;
  const log = positive && hi / lo >= 10;
  const categories = numeric ? [] : [...new Set(values.map(String))];
  const fx = (v) => {
    if (!numeric) return L + (categories.indexOf(String(v)) + 0.5) * (W - L - R) / categories.length;
    if (hi === lo) return L + (W - L - R) / 2;
    const t = log ? (Math.log(v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo)) : (v - lo) / (hi - lo);
    return L + 10 + t * (W - L - R - 20);
  };
  const ys = points.map((p) => p.accuracy);
  const ymin = Math.min(0.9, ...ys), ymax = 1;
  const fy = (a) => T + (1 - (a - ymin) / (ymax - ymin || 1)) * (H - T - B);
  let out = `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#888"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#888"/>`;
  for (const a of [ymin, (ymin + ymax) / 2, ymax]) {
    out += `<text x="${L - 6}" y="${fy(a) + 4}" text-anchor="end" font-size="11">${a.toFixed(3)}</text>`;
  }
  const ticks = numeric ? [...new Set(values)].sort((a, b) => a - b) : categories;
  for (const v of ticks) {
    out += `<text x="${fx(v)}" y="${H - B + 15}" text-anchor="middle" font-size="11">${esc(v)}</text>`;
  }
  out += `<text x="${(L + W - R) / 2}" y="${H - 4}" text-anchor="middle" font-size="12">${esc(param)}${log ? ' (log scale)' : ''}</text>`;
  for (const p of points) {
    const stopped = p.state === 'early-stopped';
    out += `<circle cx="${fx(p[param])}" cy="${fy(p.accuracy)}" r="6" fill="${stopped ? 'none' : '#2563eb'}" stroke="#2563eb" stroke-width="2">` +
      `<title>${esc(p.runId)}: ${esc(p.state)}, validation accuracy ${num(p.accuracy)}</title></circle>`;
  }
  svg.innerHTML = out;
  svg.dataset.points = points.length;
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
