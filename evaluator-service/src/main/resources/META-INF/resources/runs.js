'use strict';
// Run history: the run list from GET /runs (search, filters, sort, pages), kept live by training.metrics events; the
// selected run's curves (its stored record, then live points); selected runs' curves overlaid; and hyperparameters
// against a final figure. Charts are uPlot (WebJar, /webjars/uplot/...): small, fast with many series and points.
const runsView = {
  page: null, offset: 0, limit: 25, selected: new Set(), live: new Map(), focus: null, curve: null,
  records: new Map(), reload: null,
};
const HYPERPARAMETERS = ['learningRate', 'batchSize', 'epochs', 'weightDecay', 'labelSmoothing', 'secondConvFilters', 'earlyStoppingPatience'];
const LOG_SCALE = new Set(['learningRate', 'weightDecay']);
// COLORS, chart(), dropChart() and sortedColumns() are dashboard.js's, shared with sweeps.js.

function runFilters() {
  const p = new URLSearchParams();
  const add = (name, id) => { const v = $(id).value.trim(); if (v) p.set(name, v); };
  add('q', 'runs-q'); add('state', 'runs-state'); add('dataset', 'runs-dataset'); add('architecture', 'runs-architecture');
  add('tag', 'runs-tag'); add('sweep', 'runs-sweep');
  if ($('runs-from').value) p.set('from', new Date($('runs-from').value + 'T00:00:00Z').toISOString());
  if ($('runs-to').value) p.set('to', new Date(new Date($('runs-to').value + 'T00:00:00Z').getTime() + 86400000).toISOString());
  p.set('sort', $('runs-sort').value || 'createdAt');
  p.set('order', $('runs-order').value || 'desc');
  p.set('offset', runsView.offset);
  p.set('limit', runsView.limit);
  return p;
}

async function loadRuns() {
  const r = await api('/runs?' + runFilters());
  if (r.status === 503) { $('runs-count').textContent = 'loading run history…'; setTimeout(loadRuns, 1000); return; }
  const body = await r.json();
  if (!r.ok) { $('runs-count').textContent = body.error || ('runs answered ' + r.status); $('runs-count').dataset.error = 'true'; return; }
  delete $('runs-count').dataset.error;
  runsView.page = body;
  renderRunList();
  if (!runsView.focus && body.runs.length) focusRun(body.runs[0].runId);
  renderHyperparameters();
}

/** A live event may change the list: reloaded once per burst, not per event. */
function reloadRunsSoon() {
  clearTimeout(runsView.reload);
  runsView.reload = setTimeout(loadRuns, 400);
}

function liveStatus(run) {
  const live = runsView.live.get(run.runId);
  return live ? live.status : run.state;
}

function renderRunList() {
  const page = runsView.page;
  const body = $('runs').tBodies[0];
  body.innerHTML = '';
  $('runs-empty').hidden = page.total > 0;
  $('runs-count').textContent = `${page.total} runs`;
  $('runs-count').dataset.total = page.total;
  $('runs-page').textContent = page.total ? `${page.offset + 1}–${page.offset + page.runs.length} of ${page.total}` : '';
  $('runs-prev').disabled = page.offset === 0;
  $('runs-next').disabled = page.offset + page.runs.length >= page.total;
  for (const run of page.runs) {
    const live = runsView.live.get(run.runId) || {};
    const status = liveStatus(run);
    const progress = live.progress ?? (run.state === 'completed' ? 1 : 0);
    const epochs = run.hyperparameters?.epochs ?? live.epochs ?? '';
    const tr = document.createElement('tr');
    tr.className = 'selectable' + (run.runId === runsView.focus ? ' selected' : '');
    tr.dataset.run = run.runId;
    tr.dataset.status = status;
    tr.dataset.progress = progress.toFixed(4);
    tr.innerHTML = `<td><input type="checkbox" class="pick" ${runsView.selected.has(run.runId) ? 'checked' : ''} aria-label="select ${esc(run.runId)}"></td>
      <td>${esc(run.runId)}</td><td class="status-${esc(status)}" title="${esc(live.message || run.reason || '')}">${esc(status)}</td>
      <td>${esc(run.architecture || '')}</td><td>${esc(run.dataset || run.datasetId || '')}</td>
      <td>${live.epoch ?? run.epochsDone}/${epochs}</td>
      <td><span class="progress"><span style="width:${(100 * progress).toFixed(1)}%"></span></span> ${(100 * progress).toFixed(0)}%</td>
      <td>${pct(live.validationAccuracy ?? run.figures.validationAccuracy)}</td><td>${pct(run.figures.testAccuracy)}</td>
      <td>${run.tags.map((t) => `<span class="tag">${esc(t)}</span>`).join(' ')}</td>
      <td title="${esc(run.note || '')}">${run.createdAt ? new Date(run.createdAt).toLocaleString() : ''}</td>`;
    tr.onclick = (e) => { if (!e.target.classList.contains('pick')) focusRun(run.runId); };
    tr.querySelector('.pick').onchange = (e) => {
      if (e.target.checked) runsView.selected.add(run.runId); else runsView.selected.delete(run.runId);
      renderOverlay(); renderHyperparameters();
    };
    body.appendChild(tr);
  }
}

async function record(runId) {
  const cached = runsView.records.get(runId);
  const summary = runsView.page?.runs.find((r) => r.runId === runId);
  if (cached && (!summary || cached.updatedAt === summary.updatedAt) && !runsView.live.has(runId)) return cached;
  const r = await getJson('/runs/' + encodeURIComponent(runId));
  runsView.records.set(runId, r);
  return r;
}

// ---- the focused run's curves: its stored record, then live points ------------------------------------------------
async function focusRun(runId) {
  runsView.focus = runId;
  document.querySelectorAll('#runs tr[data-run]').forEach((tr) => tr.classList.toggle('selected', tr.dataset.run === runId));
  let stored = { series: { steps: [], epochs: [] } };
  try { stored = await record(runId); } catch (e) { /* not recorded yet: live points only */ }
  if (runsView.focus !== runId) return;
  runsView.curve = { runId, steps: [...stored.series.steps], epochs: [...stored.series.epochs] };
  renderCurves();
}

function renderCurves() {
  const c = runsView.curve;
  if (!c) return;
  const info = $('curve');
  info.dataset.run = c.runId;
  info.dataset.points = c.steps.length;
  info.dataset.epochs = c.epochs.length;
  info.textContent = `${c.runId}: ${c.steps.length} step points, ${c.epochs.length} epochs`;
  const steps = [c.steps.map((p) => p.step), c.steps.map((p) => p.loss), c.steps.map((p) => p.accuracy)];
  const epochs = [c.epochs.map((p) => p.step), c.epochs.map((p) => p.loss), c.epochs.map((p) => p.validationAccuracy)];
  const joined = uPlot.join([sortedColumns(steps), sortedColumns(epochs)]);
  chart('chart-loss', 'loss', [joined[0], joined[1], joined[3]], [
    { label: 'loss (step)', stroke: COLORS[0], spanGaps: true },
    { label: 'loss (epoch)', stroke: COLORS[1], paths: () => null, points: { show: true, size: 8, fill: COLORS[1] } }], 'step');
  chart('chart-accuracy', 'accuracy', [joined[0], joined[2], joined[4]], [
    { label: 'accuracy (step)', stroke: COLORS[0], spanGaps: true },
    { label: 'val accuracy (epoch)', stroke: COLORS[2], paths: () => null, points: { show: true, size: 8, fill: COLORS[2] } }], 'step');
}

// ---- selected runs overlaid ---------------------------------------------------------------------------------------
async function renderOverlay() {
  const ids = [...runsView.selected];
  const out = $('overlay');
  out.dataset.series = '0';
  if (!ids.length) { $('overlay-empty').hidden = false; dropChart('overlay'); out.innerHTML = ''; return; }
  $('overlay-empty').hidden = true;
  const metric = $('overlay-metric').value, axis = $('overlay-x').value;
  const records = await Promise.all(ids.map((id) => record(id).catch(() => null)));
  const tables = [], series = [];
  let points = 0;
  records.forEach((r, i) => {
    if (!r) return;
    const usesEpochs = metric === 'validationAccuracy' || axis === 'epoch';
    const source = usesEpochs ? r.series.epochs : r.series.steps;
    const start = source.length ? Math.min(...source.map((p) => p.at)) : 0;
    const x = (p) => axis === 'epoch' ? p.epoch : axis === 'time' ? (p.at - start) / 1000 : p.step;
    const pts = source.filter((p) => p[metric] != null);
    if (!pts.length) return;
    tables.push(sortedColumns([pts.map(x), pts.map((p) => p[metric])]));
    series.push({ label: r.runId, stroke: COLORS[series.length % COLORS.length], spanGaps: true, points: { show: usesEpochs } });
    points += pts.length;
  });
  out.dataset.series = String(series.length);
  out.dataset.points = String(points);
  if (!series.length) { out.innerHTML = '<p class="hint">The selected runs have no points for this metric yet.</p>'; return; }
  chart('overlay', metric, uPlot.join(tables), series, axis === 'time' ? 'seconds' : axis);
}

// ---- hyperparameter against a final figure, for the selected runs (or the listed ones) ----------------------------
function renderHyperparameters() {
  const page = runsView.page;
  if (!page) return;
  const picked = page.runs.filter((r) => runsView.selected.has(r.runId));
  const runs = picked.length ? picked : page.runs;
  const param = $('hparam-x').value, figure = $('hparam-y').value;
  const pts = runs.map((r) => [r.hyperparameters?.[param], r.figures[figure], r.runId])
    .filter(([x, y]) => typeof x === 'number' && typeof y === 'number' && (!LOG_SCALE.has(param) || x > 0))
    .sort((a, b) => a[0] - b[0]);
  const out = $('hparams');
  out.dataset.points = String(pts.length);
  $('hparams-scope').textContent = picked.length ? `${picked.length} selected runs` : `the ${page.runs.length} listed runs`;
  if (!pts.length) { dropChart('hparams'); out.innerHTML = '<p class="hint">No run here has both values.</p>'; return; }
  chart('hparams', `${figure} against ${param}`, [pts.map((p) => p[0]), pts.map((p) => p[1])],
    [{ label: figure, stroke: COLORS[4], paths: () => null, points: { show: true, size: 9, fill: COLORS[4] } }], param, LOG_SCALE.has(param));
}

// ---- live events ------------------------------------------------------------------------------------------------
function onRunMetrics(m) {
  const live = runsView.live.get(m.runId) || { status: 'queued', progress: 0, epoch: 0, totalSteps: 0, step: 0 };
  live.status = ['completed', 'failed', 'cancelled', 'waiting', 'refused'].includes(m.phase) ? m.phase : 'training';
  if (m.totalSteps > 0) live.totalSteps = m.totalSteps;
  if (m.epoch > 0) live.epoch = m.epoch;
  live.epochs = m.epochs || live.epochs;
  live.step = m.phase === 'completed' ? live.totalSteps : Math.max(live.step, m.step);
  live.progress = live.totalSteps ? Math.min(1, live.step / live.totalSteps) : 0;
  if (m.validationAccuracy != null) live.validationAccuracy = m.validationAccuracy;
  live.message = m.message;
  runsView.live.set(m.runId, live);
  const c = runsView.curve;
  const point = { step: m.step, epoch: m.epoch, loss: m.loss, accuracy: m.accuracy, validationAccuracy: m.validationAccuracy, at: Date.parse(m.time) };
  const listed = runsView.page?.runs.some((r) => r.runId === m.runId);
  if (m.phase !== 'step' || !listed) reloadRunsSoon(); else renderRunList();
  // A new run takes the curves unless one that is still training has them.
  if (m.phase === 'started' && (!c || runsView.live.get(c.runId)?.status !== 'training')) { focusRun(m.runId); return; }
  if (c && c.runId === m.runId) {
    if (m.phase === 'step') c.steps.push(point);
    if (m.phase === 'epoch') c.epochs.push(point);
    if (m.phase === 'step' || m.phase === 'epoch') renderCurves();
  }
}

views.push({
  async start() {
    $('hparam-x').innerHTML = HYPERPARAMETERS.map((h) => `<option>${h}</option>`).join('');
    const refilter = () => { runsView.offset = 0; loadRuns(); };
    ['runs-state', 'runs-sort', 'runs-order', 'runs-from', 'runs-to'].forEach((id) => { $(id).onchange = refilter; });
    ['runs-q', 'runs-dataset', 'runs-architecture', 'runs-tag', 'runs-sweep'].forEach((id) => {
      let t; $(id).oninput = () => { clearTimeout(t); t = setTimeout(refilter, 250); };
    });
    $('runs-filter').onsubmit = (e) => { e.preventDefault(); refilter(); };
    $('runs-prev').onclick = () => { runsView.offset = Math.max(0, runsView.offset - runsView.limit); loadRuns(); };
    $('runs-next').onclick = () => { runsView.offset += runsView.limit; loadRuns(); };
    $('overlay-metric').onchange = $('overlay-x').onchange = renderOverlay;
    $('hparam-x').onchange = $('hparam-y').onchange = renderHyperparameters;
    await loadRuns();
  },
  event(topic, e) {
    if (topic === 'training.metrics') onRunMetrics(e);
    if (topic === 'evaluation.completed') reloadRunsSoon();
  },
});
