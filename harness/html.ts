// report.html: one self-contained page (inline CSS and SVG, no scripts, no network) with the plan table, a timeline
// of every layer's output rows over cycles for each engine, and a heat map of mismatches for any layer that has them.
import type { RunReport } from './report.js';

/** Per-layer row spans [first beat, last beat] for one engine, frames concatenated. */
export type RowSpans = readonly (readonly [number, number])[];

/** Mismatching channels per output pixel of one layer and engine pair. */
export interface HeatMap {
  readonly layer: number;
  readonly pair: string;
  readonly height: number;
  readonly width: number;
  readonly counts: Uint32Array;
}

/** Everything the page shows beyond report.json. */
export interface HtmlExtras {
  readonly timeline: readonly { readonly layer: number; readonly sim?: RowSpans; readonly rtl?: RowSpans }[];
  readonly heatMaps: readonly HeatMap[];
  /** Cycle of each frame's last input pixel. */
  readonly lastInputCycles: readonly number[];
  readonly clockHz: number;
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function planTable(r: RunReport): string {
  const head = ['#', 'layer', 'shape', 'strips', 'ocmux', 'ALUs', 'cycles/row', 'available', 'util', 'sim vs golden', 'rtl vs golden', 'rtl vs sim cycles', 'first beat', 'last beat'];
  const cell = (c: { mismatches: number } | null) => (c ? (c.mismatches === 0 ? '<td class="ok">0</td>' : `<td class="bad">${c.mismatches}</td>`) : '<td class="na">–</td>');
  const rows = r.layers.map((l) => `<tr><td>${l.index}</td><td>${esc(l.name)}</td><td>${l.shape.join('×')}</td><td>${l.plan.strips}</td><td>${l.plan.ocmux}</td><td>${l.plan.alus}</td><td>${l.plan.cyclesPerRow}</td><td>${l.plan.cyclesAvailable}</td><td>${(l.plan.utilization * 100).toFixed(1)}%</td>${cell(l.compare.simVsGolden)}${cell(l.compare.rtlVsGolden)}${cell(l.compare.rtlVsSimCycles)}<td>${l.timing.firstBeatCycle}</td><td>${l.timing.lastBeatCycle}</td></tr>`);
  return `<table id="plan"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody>
<tfoot><tr><td></td><td>total</td><td></td><td></td><td></td><td>${r.totals.alus}</td><td colspan="8">${r.totals.weightBits} weight bits, ${r.totals.rowBufferBits} row-buffer bits</td></tr></tfoot></table>`;
}

function timelineSvg(r: RunReport, x: HtmlExtras): string {
  const lane = 16;
  const left = 90;
  const width = 1100;
  const spans = x.timeline.flatMap((t) => [...(t.sim ?? []), ...(t.rtl ?? [])]);
  const maxCycle = Math.max(1, ...spans.map((s) => s[1]), ...x.lastInputCycles);
  const sx = (c: number) => left + (c / maxCycle) * (width - left - 10);
  const height = 30 + x.timeline.length * lane + 30;
  const parts: string[] = [];
  x.timeline.forEach((t, i) => {
    const y = 20 + i * lane;
    const name = r.layers[t.layer - 1]?.name ?? `layer${t.layer}`;
    parts.push(`<text x="4" y="${y + 10}" class="lbl">${t.layer} ${esc(name)}</text>`);
    parts.push(`<line x1="${left}" x2="${width - 10}" y1="${y + lane - 2}" y2="${y + lane - 2}" class="grid"/>`);
    for (const [a, b] of t.sim ?? []) parts.push(`<rect class="sim" x="${sx(a).toFixed(1)}" y="${y}" width="${Math.max(0.6, sx(b) - sx(a)).toFixed(1)}" height="8"><title>sim row ${a}–${b}</title></rect>`);
    for (const [a, b] of t.rtl ?? []) parts.push(`<rect class="rtl" x="${sx(a).toFixed(1)}" y="${y + 9}" width="${Math.max(0.6, sx(b) - sx(a)).toFixed(1)}" height="3"><title>rtl row ${a}–${b}</title></rect>`);
  });
  x.lastInputCycles.forEach((c, f) => {
    parts.push(`<line class="marker" x1="${sx(c)}" x2="${sx(c)}" y1="12" y2="${height - 24}"/><text class="lbl" x="${sx(c) + 3}" y="12">last input pixel, frame ${f}</text>`);
  });
  for (let k = 0; k <= 10; k++) {
    const c = Math.round((maxCycle * k) / 10);
    parts.push(`<text class="tick" x="${sx(c)}" y="${height - 8}" text-anchor="middle">${c} (${((c / x.clockHz) * 1e3).toFixed(3)} ms)</text>`);
  }
  return `<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>`;
}

function heatSvg(h: HeatMap): string {
  const cellsW = Math.min(h.width, 128);
  const cellsH = Math.min(h.height, 128);
  const agg = new Uint32Array(cellsW * cellsH);
  for (let r = 0; r < h.height; r++) for (let c = 0; c < h.width; c++) {
    agg[Math.floor((r * cellsH) / h.height) * cellsW + Math.floor((c * cellsW) / h.width)]! += h.counts[r * h.width + c]!;
  }
  const max = Math.max(1, ...agg);
  const px = Math.max(2, Math.floor(320 / Math.max(cellsW, cellsH)));
  const rects: string[] = [];
  for (let i = 0; i < agg.length; i++) {
    if (!agg[i]) continue;
    const a = 0.15 + 0.85 * (agg[i]! / max);
    rects.push(`<rect x="${(i % cellsW) * px}" y="${Math.floor(i / cellsW) * px}" width="${px}" height="${px}" fill="rgb(200,30,30)" fill-opacity="${a.toFixed(2)}"/>`);
  }
  return `<figure class="heat"><svg xmlns="http://www.w3.org/2000/svg" width="${cellsW * px}" height="${cellsH * px}"><rect width="100%" height="100%" fill="#f4f4f4"/>${rects.join('')}</svg>
<figcaption>layer ${h.layer}, ${esc(h.pair)}: mismatching channels per pixel (${h.height}×${h.width}, max ${max} per cell)</figcaption></figure>`;
}

/** The whole page. */
export function renderHtml(r: RunReport, x: HtmlExtras): string {
  const L = r.latency;
  const mism = r.layers.flatMap((l) => (['simVsGolden', 'rtlVsGolden'] as const).flatMap((k) => {
    const c = l.compare[k];
    return c?.first ? [`<li>layer ${l.index} ${esc(l.name)} ${k}: ${c.mismatches} words differ; first at row ${c.first.row} col ${c.first.col} chan ${c.first.chan}: expected ${c.first.expected} (${c.first.expectedValue}) actual ${c.first.actual} (${c.first.actualValue})</li>`] : [];
  }));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rowsim report: ${esc(r.config)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; } th { background: #f0f0f0; }
td:nth-child(2) { text-align: left; }
.ok { color: #176b2c; } .bad { color: #fff; background: #c62828; } .na { color: #999; }
.pass { color: #176b2c; font-weight: bold; } .fail { color: #c62828; font-weight: bold; }
svg .sim { fill: #1f6fb2; } svg .rtl { fill: #e08a00; } svg .grid { stroke: #eee; }
svg .marker { stroke: #c62828; stroke-dasharray: 4 3; } svg .lbl { font-size: 11px; fill: #333; } svg .tick { font-size: 10px; fill: #555; }
.heat { display: inline-block; margin: 8px 16px 8px 0; } figcaption { font-size: 12px; }
</style></head><body>
<h1>rowsim: ${esc(r.config)} — <span class="${r.pass ? 'pass' : 'fail'}">${r.pass ? 'PASS' : 'FAIL'}</span></h1>
<p>${r.frames} frame(s) of ${r.images.map(esc).join(', ')}; weights ${esc(r.weights)}; engines ${r.engines.join(', ')}${r.goldenBackend ? ` (golden on tfjs-${r.goldenBackend})` : ''}.</p>
<p>Latency (last input pixel → last output beat): <b>${L.cycles} cycles = ${L.ms.toFixed(6)} ms</b>${L.rtlCycles !== null ? `; RTL ${L.rtlCycles} cycles` : ''}; published IE120R ${L.publishedIe120rMs} ms.${L.steadyIntervalCycles !== null ? ` Steady frame interval ${L.steadyIntervalCycles} cycles.` : ''}</p>
<h2>Plan and comparison per layer</h2>
${planTable(r)}
<h2>Timeline: output rows of every layer over cycles</h2>
<p>Blue: the model's rows (first to last beat); orange: the RTL's. The gap between the red line and the last layer's last row is the latency.</p>
${timelineSvg(r, x)}
${mism.length ? `<h2>Mismatches</h2><ul>${mism.join('')}</ul>` : ''}
${x.heatMaps.length ? `<h2>Mismatch heat maps</h2>${x.heatMaps.map(heatSvg).join('')}` : ''}
</body></html>
`;
}
