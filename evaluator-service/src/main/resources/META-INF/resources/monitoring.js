'use strict';
// Monitoring: each served version's input and prediction drift (the last window's PSI per image statistic, of the
// predicted classes and of the confidences, against its training reference), refreshed every few seconds.
const monitoringView = { timer: null };

async function loadMonitoring() {
  const monitoring = await getJson('/monitoring');
  const all = monitoring.drift;
  const live = new Map(monitoring.liveAccuracy.map((a) => [a.modelId, a]));
  $('monitoring-empty').hidden = all.length > 0;
  const body = $('monitoring').tBodies[0];
  body.innerHTML = '';
  for (const s of all) {
    const w = s.last;
    const tr = document.createElement('tr');
    tr.dataset.model = s.modelId;
    tr.dataset.drifted = w && w.drifted ? 'true' : 'false';
    const psi = (v) => (v == null ? '–' : num(v, 3));
    const inputs = w ? Object.entries(w.inputPsi).map(([k, v]) => `${esc(k)} ${psi(v)}`).join(', ') : (s.reference ? 'first window filling' : 'no training reference');
    tr.innerHTML = `<td>${esc(s.registeredModel)}</td><td>${esc(s.modelId)}</td><td>${s.windows} (${s.drifted} drifted)</td>
      <td>${s.filling}/${s.windowSize}</td><td>${live.has(s.modelId) ? `${pct(live.get(s.modelId).accuracy)} of ${live.get(s.modelId).window}` : '–'}</td><td>${inputs}</td><td>${w ? psi(w.classPsi) : '–'}</td><td>${w ? psi(w.confidencePsi) : '–'}</td>
      <td class="${w && w.drifted ? 'status-failed' : 'status-completed'}">${w ? (w.drifted ? 'drift' : 'stable') : ''}</td>`;
    body.appendChild(tr);
  }
}

views.push({
  start: async () => {
    await loadMonitoring();
    monitoringView.timer = monitoringView.timer || setInterval(() => loadMonitoring().catch(() => {}), 5000);
  },
});
