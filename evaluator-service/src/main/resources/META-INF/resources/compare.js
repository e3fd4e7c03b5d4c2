'use strict';
// Two models side by side: accuracies, per-class precision/recall/F1 with the differences, and the difference of
// their confusion matrices as a heatmap.
const compareView = { a: null, b: null };

function fillCompareSelects(reg) {
  const evaluated = reg.models.filter((m) => m.accuracy != null).map((m) => m.modelId);
  if (evaluated.length < 2) { $('compare-section').dataset.models = evaluated.length; return; }
  if (!evaluated.includes(compareView.a)) compareView.a = (reg.champion && evaluated.includes(reg.champion.modelId)) ? reg.champion.modelId : evaluated[0];
  if (!evaluated.includes(compareView.b) || compareView.b === compareView.a) compareView.b = evaluated.filter((m) => m !== compareView.a).pop();
  const options = (selected) => evaluated.map((m) => `<option${m === selected ? ' selected' : ''}>${esc(m)}</option>`).join('');
  $('compare-a').innerHTML = options(compareView.a);
  $('compare-b').innerHTML = options(compareView.b);
  $('compare-section').dataset.models = evaluated.length;
}

async function renderComparison() {
  if (!compareView.a || !compareView.b) return;
  const [a, b] = await Promise.all([compareView.a, compareView.b].map((m) => getJson('/models/' + encodeURIComponent(m))));
  const ra = a.evaluation, rb = b.evaluation;
  if (!ra || !rb) return;
  $('compare').hidden = false;
  $('compare').dataset.pair = `${ra.modelId}|${rb.modelId}`;
  const signed = (d, digits = 4) => (d > 0 ? '+' : '') + Number(d).toFixed(digits);
  const rows = [['test accuracy', ra.accuracy, rb.accuracy], ['macro precision', ra.macro.precision, rb.macro.precision],
    ['macro recall', ra.macro.recall, rb.macro.recall], ['macro F1', ra.macro.f1, rb.macro.f1],
    ['log loss', ra.logLoss, rb.logLoss], ['calibration error', ra.calibration.expectedCalibrationError, rb.calibration.expectedCalibrationError]];
  $('compare-summary').innerHTML = `<tr><th></th><th>A: ${esc(ra.modelId)}</th><th>B: ${esc(rb.modelId)}</th><th>B − A</th></tr>` +
    rows.map(([k, x, y]) => `<tr><th>${k}</th><td>${num(x)}</td><td>${num(y)}</td><td data-delta="${y - x}">${signed(y - x)}</td></tr>`).join('');
  $('compare-classes').innerHTML = '<tr><th>class</th><th>precision A / B / Δ</th><th>recall A / B / Δ</th><th>F1 A / B / Δ</th></tr>' +
    ra.perClass.map((ca, i) => {
      const cb = rb.perClass[i];
      const cell = (k) => `${num(ca[k], 3)} / ${num(cb[k], 3)} / <b class="${cb[k] >= ca[k] ? 'up' : 'down'}">${signed(cb[k] - ca[k], 3)}</b>`;
      return `<tr data-class="${ca.label}"><td>${ca.label}</td><td>${cell('precision')}</td><td>${cell('recall')}</td><td>${cell('f1')}</td></tr>`;
    }).join('');
  const diff = rb.confusionMatrix.map((row, i) => row.map((v, j) => v - ra.confusionMatrix[i][j]));
  const max = Math.max(1, ...diff.flat().map(Math.abs));
  let html = '<tr><th></th>' + diff.map((_, j) => `<th>${j}</th>`).join('') + '</tr>';
  diff.forEach((row, i) => {
    html += `<tr><th>${i}</th>` + row.map((d, j) => {
      const better = i === j ? d > 0 : d < 0;   // B gets more right, or makes fewer of this error
      const alpha = (d === 0 ? 0 : 0.15 + 0.85 * Math.abs(d) / max).toFixed(3);
      const color = better ? `rgba(5,150,105,${alpha})` : `rgba(220,38,38,${alpha})`;
      return `<td data-true="${i}" data-pred="${j}" data-delta="${d}" style="background:${color}" title="true ${i}, predicted ${j}: ${d > 0 ? '+' : ''}${d}">${d === 0 ? '' : (d > 0 ? '+' : '') + d}</td>`;
    }).join('') + '</tr>';
  });
  $('compare-confusion').innerHTML = html;
}

views.push({
  start: async () => {
    $('compare-a').onchange = (e) => { compareView.a = e.target.value; renderComparison(); };
    $('compare-b').onchange = (e) => { compareView.b = e.target.value; renderComparison(); };
    await renderComparison();
  },
  registry: (reg) => {
    const before = `${compareView.a}|${compareView.b}`;
    fillCompareSelects(reg);
    if (`${compareView.a}|${compareView.b}` !== before) renderComparison().catch(() => {});
  },
});
