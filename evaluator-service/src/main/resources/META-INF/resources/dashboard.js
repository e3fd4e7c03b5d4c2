// mnist-pipeline dashboard: plain browser JavaScript, no build step. Data comes from the evaluator's REST API
// (/runs, /models, /evaluations, /predict) and live events from /dashboard/events (server-sent events).
// Every call carries the API token the user signed in with (Authorization: Bearer), kept in this tab's
// sessionStorage only: never in a URL, a cookie or a log. The event stream is read with fetch, because
// EventSource cannot send headers; gallery images are fetched the same way.
'use strict';

const state = { selectedModel: null, liveCount: 0 };
// Views in their own scripts (runs.js, sweeps.js, compare.js, monitoring.js) register here: start() after sign-in, event(topic, e) per live
// event, registry(reg) whenever the registry is reloaded.
const views = [];
const $ = (id) => document.getElementById(id);
const pct = (x) => (x == null || Number.isNaN(x) ? '–' : (100 * x).toFixed(2) + '%');
const num = (x, d = 4) => (x == null || Number.isNaN(x) ? '–' : Number(x).toFixed(d));
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

const TOKEN_KEY = 'mnist-pipeline-token';
class SignInNeeded extends Error {}

async function api(url, options = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = { ...(options.headers || {}) };
  if (token) headers.Authorization = 'Bearer ' + token;
  const r = await fetch(url, { ...options, headers });
  if (r.status === 401) { signIn('Your token was refused; sign in again.'); throw new SignInNeeded(url + ' answered 401'); }
  return r;
}

async function getJson(url) {
  const r = await api(url);
  if (!r.ok) throw new Error(url + ' answered ' + r.status);
  return r.json();
}

function signIn(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  $('signin-message').textContent = message || '';
  $('signin').hidden = false;
  $('connection').dataset.state = 'error';
  $('connection').textContent = 'signed out';
}

function setUpSignIn() {
  $('signin-form').onsubmit = (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
    $('token').value = '';
    $('signin').hidden = true;
    start();
  };
  $('signout').onclick = () => signIn('Signed out.');
}

// ---- charts: uPlot (WebJar /webjars/uplot/...), shared by the views ----------------------------------------------
const COLORS = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#be185d', '#4d7c0f', '#9a3412', '#1e40af'];
const charts = {};

/** Columns [x, y...] sorted by x, as uPlot wants them. */
function sortedColumns(cols) {
  const order = cols[0].map((_, i) => i).sort((a, b) => cols[0][a] - cols[0][b]);
  return cols.map((col) => order.map((i) => col[i]));
}

/** One uPlot chart in the element with that id, replaced on every render (a few hundred points: cheap). */
function chart(id, title, data, series, xLabel, xLog, xValues) {
  const el = $(id);
  charts[id]?.destroy();
  el.innerHTML = '';
  charts[id] = new uPlot({
    width: Math.max(320, Math.min(el.clientWidth || 520, 720)), height: 220, title,
    scales: { x: { time: false, distr: xLog ? 3 : 1 } },
    axes: [xValues ? { label: xLabel, values: xValues } : { label: xLabel }, {}],
    series: [{ label: xLabel }, ...series],
  }, data, el);
}

function dropChart(id) {
  charts[id]?.destroy();
  delete charts[id];
  $(id).innerHTML = '';
}

// ---- registry, decisions and evaluations -------------------------------------------------------------------
// The registered model (a name: mnist, fashion-mnist, ...) the registry view and the predict pane show.
function registeredModel() { return $('registered-model').value || 'mnist'; }

async function loadRegistry() {
  const name = registeredModel();
  const reg = await getJson('/models?name=' + encodeURIComponent(name));
  views.forEach((v) => v.registry?.(reg));
  const picker = $('registered-model');
  const names = [...new Set([name, ...reg.names])].sort();
  if ([...picker.options].map((o) => o.value).join() !== names.join()) {
    picker.innerHTML = names.map((n) => `<option value="${esc(n)}">${esc(n)}</option>`).join('');
    picker.value = name;
  }
  picker.onchange = () => { state.selectedModel = null; $('predict-model').textContent = 'of ' + registeredModel(); loadRegistry(); };
  const prefix = name === 'mnist' ? '' : name + ' ';
  $('champion').textContent = reg.champion ? `${prefix}champion: ${reg.champion.modelId} (${pct(reg.champion.accuracy)})` : `no ${prefix}champion yet`;
  $('champion').dataset.model = reg.champion ? reg.champion.modelId : '';
  loadAliases(name);
  const t = reg.thresholds;
  $('thresholds').textContent = `Gate: accuracy ≥ ${pct(t.minAccuracy)}, gain over champion ≥ ${pct(t.minAccuracyGain)}, no class recall drop > ${pct(t.maxClassRecallDrop)}`;
  const body = $('models').tBodies[0];
  body.innerHTML = '';
  const versions = reg.models.filter((m) => (m.registeredModel || 'mnist') === name);
  for (const m of [...versions].reverse()) {
    const tr = document.createElement('tr');
    tr.className = 'selectable' + (m.modelId === state.selectedModel ? ' selected' : '');
    tr.dataset.model = m.modelId;
    tr.innerHTML = `<td>${m.champion ? '★' : ''}</td><td>${esc(m.modelId)}</td><td>${esc(m.architecture)}</td><td>${esc(m.baseModelId || '')}</td>
      <td>${pct(m.accuracy)}</td><td class="status-${m.decision === 'promoted' ? 'completed' : m.decision === 'rejected' ? 'failed' : 'running'}">${m.decision}</td>
      <td>${m.createdAt ? new Date(m.createdAt).toLocaleString() : ''}</td>`;
    tr.onclick = () => selectModel(m.modelId);
    body.appendChild(tr);
  }
  if (!state.selectedModel && versions.some((m) => m.accuracy != null)) {
    const pick = versions.find((m) => m.champion) || versions.filter((m) => m.accuracy != null).pop();
    selectModel(pick.modelId);
  }
}

async function loadAliases(name) {
  let detail;
  try { detail = await getJson('/registered-models/' + encodeURIComponent(name)); } catch (e) { $('aliases').textContent = ''; return; }
  const parts = [];
  if (detail.aliases.length) parts.push('aliases: ' + detail.aliases.map((a) => `${a.alias} → ${a.modelId}`).join(', '));
  const r = detail.rollout;
  if (r) {
    const c = r.comparison;
    const seen = c ? `, ${c.compared} compared: agreement ${pct(c.agreement)}, confidence ${pct(c.challengerConfidence)} vs ${pct(c.championConfidence)}` : '';
    const share = r.mode === 'canary' ? ` (${pct(r.share)} of the traffic)` : '';
    parts.push(`rollout ${r.rolloutId}: ${r.mode} ${r.challengerModelId}${share} ${r.state}${seen}` + (r.decision ? ` — ${r.decidedBy}: ${r.decision}` : ''));
  }
  $('aliases').textContent = parts.join(' · ');
  $('aliases').dataset.rollout = r ? r.state : '';
}

function addDecision(topic, event) {
  const d = event.decision;
  const change = event.change;
  const li = document.createElement('li');
  li.dataset.model = event.modelId;
  if (change && change.kind !== 'gate') {
    // An operator's promotion or rollback: who, and why, in their words (textContent: never markup).
    li.className = 'promoted manual';
    const what = change.kind === 'rollback' ? `rolled back to ${change.modelId}` : `${change.modelId} promoted by hand`;
    li.textContent = `${what} (was ${change.replacedModelId || 'none'}) by ${change.by}: ${change.reason}`;
  } else {
    li.className = d.promoted ? 'promoted' : 'rejected';
    li.textContent = `${d.modelId} ${d.promoted ? 'promoted' : 'rejected'}: ${d.reasons.join('; ')}`;
  }
  $('decisions').prepend(li);
}

async function selectModel(modelId) {
  state.selectedModel = modelId;
  const detail = await getJson('/models/' + encodeURIComponent(modelId));
  document.querySelectorAll('#models tr').forEach((tr) => tr.classList.toggle('selected', tr.dataset.model === modelId));
  if (!detail.evaluation) { $('evaluation-title').textContent = modelId + ' is not evaluated yet'; $('evaluation').hidden = true; return; }
  renderEvaluation(detail.evaluation);
}

function renderEvaluation(r) {
  $('evaluation').hidden = false;
  $('evaluation').dataset.evaluation = r.evaluationId;
  $('evaluation-title').textContent = `${r.modelId} on ${r.testCount} test images`;
  const cards = [['accuracy', pct(r.accuracy)], ['macro F1', pct(r.macro.f1)], ['weighted F1', pct(r.weighted.f1)],
    ['log loss', num(r.logLoss)], ['calibration error (ECE)', num(r.calibration.expectedCalibrationError)], ['DJL scoring', num(r.inferenceSeconds, 2) + ' s']];
  $('summary').innerHTML = cards.map(([k, v]) => `<div class="card">${k}<b>${v}</b></div>`).join('');
  const cm = r.confusionMatrix;
  const max = Math.max(...cm.flatMap((row, i) => row.filter((_, j) => j !== i)), 1);
  const diagMax = Math.max(...cm.map((row, i) => row[i]), 1);
  let html = '<tr><th></th>' + cm.map((_, j) => `<th>${j}</th>`).join('') + '</tr>';
  cm.forEach((row, i) => {
    html += `<tr><th>${i}</th>` + row.map((v, j) => {
      const shade = i === j ? `rgba(5,150,105,${(0.15 + 0.85 * v / diagMax).toFixed(3)})` : `rgba(220,38,38,${(v ? 0.1 + 0.9 * v / max : 0).toFixed(3)})`;
      return `<td data-true="${i}" data-pred="${j}" style="background:${shade}" title="true ${i}, predicted ${j}: ${v}">${v}</td>`;
    }).join('') + '</tr>';
  });
  $('confusion').innerHTML = html;
  $('per-class').innerHTML = '<tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>' +
    r.perClass.map((c) => `<tr data-class="${c.label}"><td>${c.label}</td><td>${num(c.precision)}</td><td>${num(c.recall)}</td><td>${num(c.f1)}</td><td>${c.support}</td></tr>`).join('') +
    `<tr><th>macro</th><td>${num(r.macro.precision)}</td><td>${num(r.macro.recall)}</td><td>${num(r.macro.f1)}</td><td></td></tr>` +
    `<tr><th>weighted</th><td>${num(r.weighted.precision)}</td><td>${num(r.weighted.recall)}</td><td>${num(r.weighted.f1)}</td><td></td></tr>`;
  $('confused-pairs').innerHTML = r.topConfusedPairs.map((p) => `<li>${p.label} taken for ${p.predicted}: ${p.count}×</li>`).join('');
  $('gallery').innerHTML = r.misclassified.map((m) => `<figure data-index="${m.index}"><img alt="test image ${m.index}" data-src="/evaluations/${encodeURIComponent(r.evaluationId)}/gallery/${m.index}.png">
      <figcaption>true ${m.label} → ${m.predicted}<br>${pct(m.confidence)}</figcaption></figure>`).join('');
  document.querySelectorAll('#gallery img[data-src]').forEach(async (img) => {
    const response = await api(img.dataset.src);
    if (response.ok) img.src = URL.createObjectURL(await response.blob());
  });
}

// ---- live events ----------------------------------------------------------------------------------------------
async function connect() {
  for (;;) {
    try {
      const r = await api('/dashboard/events', { headers: { Accept: 'text/event-stream' } });
      if (!r.ok) throw new Error('events answered ' + r.status);
      $('connection').dataset.state = 'open'; $('connection').textContent = 'live';
      const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const data = buffer.slice(0, end).split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
          buffer = buffer.slice(end + 2);
          if (data) onLiveEvent(data);
        }
      }
    } catch (e) {
      if (e instanceof SignInNeeded) { started = false; return; }
    }
    $('connection').dataset.state = 'error'; $('connection').textContent = 'reconnecting…';
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

function onLiveEvent(data) {
  const { topic, json } = JSON.parse(data);
  const event = JSON.parse(json);
  state.liveCount++;
  $('live-count').textContent = state.liveCount;
  $('live-count').dataset.count = state.liveCount;
  if (topic === 'model.promoted' || topic === 'model.rejected') { addDecision(topic, event); loadRegistry(); }
  if (topic === 'evaluation.completed' || topic === 'model.rollout') loadRegistry();
  views.forEach((v) => v.event?.(topic, event));
}

// ---- draw a digit -----------------------------------------------------------------------------------------------
function setUpDrawing() {
  const canvas = $('draw');
  const g = canvas.getContext('2d');
  const clear = () => { g.fillStyle = 'white'; g.fillRect(0, 0, canvas.width, canvas.height); };
  clear();
  g.lineWidth = 18; g.lineCap = 'round'; g.lineJoin = 'round'; g.strokeStyle = 'black';
  let drawing = false;
  const at = (e) => { const r = canvas.getBoundingClientRect(); return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height]; };
  canvas.addEventListener('pointerdown', (e) => { drawing = true; const [x, y] = at(e); g.beginPath(); g.moveTo(x, y); g.lineTo(x + 0.1, y + 0.1); g.stroke(); });
  canvas.addEventListener('pointermove', (e) => { if (!drawing) return; const [x, y] = at(e); g.lineTo(x, y); g.stroke(); });
  window.addEventListener('pointerup', () => { drawing = false; });
  $('clear').onclick = () => { clear(); $('prediction').textContent = 'Draw a digit and press Predict.'; $('prediction').dataset.label = ''; };
  $('predict').onclick = () => canvas.toBlob((blob) => predict(blob, 'image/png'), 'image/png');
  $('upload').onchange = (e) => { const f = e.target.files[0]; if (f) predict(f, f.type || 'application/octet-stream'); };
}

async function predict(body, type) {
  const out = $('prediction');
  out.textContent = 'predicting…';
  let r, answer;
  try {
    r = await api('/predict?model=' + encodeURIComponent(registeredModel()), { method: 'POST', headers: { 'Content-Type': type }, body });
    answer = await r.json();
  } catch (e) {
    // Shown, not swallowed: a refused token, a dropped connection or a body that is not JSON.
    out.innerHTML = `<span class="error">${esc(e.message)}</span>`; out.dataset.label = 'error';
    return;
  }
  if (!r.ok) { out.innerHTML = `<span class="error">${esc(answer.error || r.status)}</span>`; out.dataset.label = 'error'; return; }
  out.dataset.label = answer.top[0].label;
  out.dataset.model = answer.modelId;
  out.innerHTML = `<div class="top">${answer.top[0].label}</div>` + answer.top.map((p) =>
    `<div data-rank-label="${p.label}">${p.label}: ${pct(p.probability)}<div class="bar" style="width:${(100 * p.probability).toFixed(1)}%"></div></div>`).join('') +
    `<p class="hint">model ${esc(answer.modelId)}, ${num(answer.millis, 1)} ms</p>`;
  const seen = $('seen').getContext('2d');
  const px = Uint8Array.from(atob(answer.pixels), (c) => c.charCodeAt(0));
  const img = seen.createImageData(28, 28);
  px.forEach((v, i) => { img.data.set([v, v, v, 255], 4 * i); });
  const tmp = document.createElement('canvas'); tmp.width = tmp.height = 28; tmp.getContext('2d').putImageData(img, 0, 0);
  seen.imageSmoothingEnabled = false; seen.drawImage(tmp, 0, 0, 112, 112);
}

// ---- start ------------------------------------------------------------------------------------------------------
let started = false;
// Loads the page's data and opens the live stream, once per sign-in; a refused token leaves it ready to retry.
async function start() {
  if (!sessionStorage.getItem(TOKEN_KEY)) { signIn('Sign in with an API token (viewer, or predictor to draw digits).'); return; }
  if (started) return;
  started = true;
  try {
    await loadRegistry();
    for (const v of views) await v.start?.();
    connect();
  } catch (e) {
    started = false;
    if (!(e instanceof SignInNeeded)) { $('connection').dataset.state = 'error'; $('connection').textContent = e.message; }
  }
}
setUpDrawing();
setUpSignIn();
// After the other scripts have registered their views.
document.addEventListener('DOMContentLoaded', start);
