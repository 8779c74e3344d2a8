// report.html: one self-contained page (inline CSS and SVG, no scripts, no network) with the verdict, the plan and every
// compared pair per layer, a timeline of every layer's output rows over cycles for each engine, and a heat map of
// mismatches for each layer and pair that has them.
import { relative } from 'node:path';
import { scaleLinear } from 'd3-scale';
import type { EngineName } from '../core/engine.js';
import { BitsAccumulator } from './compare.js';
import { esc } from './htmlEscape.js';
import { coverageHtml } from './coverage.js';

export { esc } from './htmlEscape.js';
import type { Comparison } from './comparison.js';
import { describeFirst, memoryText, pairName, type LatencyShare, type RunReport } from './report.js';


const ENGINE_COLOURS: Record<EngineName, string> = { golden: '#6a3d9a', sim: '#1f6fb2', rtl: '#e08a00' };

function planTable(r: RunReport): string {
  const pairNames = [...new Set(r.layers.flatMap((l) => l.pairs.map(pairName)))];
  const head = ['#', 'layer', 'shape', 'strips', 'ocmux', 'ALUs', 'busy cycles/row', 'available', 'util', ...pairNames, 'observed by'];
  const rows = r.layers.map((l) => {
    const cells = pairNames.map((n) => {
      const p = l.pairs.find((q) => pairName(q) === n);
      if (!p || p.status === 'not compared') return `<td class="na" title="${esc(p?.reason ?? 'not compared')}">not compared</td>`;
      return p.mismatches === 0 ? `<td class="ok">0 of ${p.compared}</td>` : `<td class="bad">${p.mismatches} of ${p.compared}</td>`;
    });
    return `<tr><td>${l.index}</td><td>${esc(l.name)}</td><td>${l.shape.join('×')}</td><td>${l.plan.strips}</td><td>${l.plan.ocmux}</td><td>${l.plan.alus}</td><td>${l.plan.busyCycles ?? l.plan.cyclesPerRow}</td><td>${l.plan.cyclesAvailable}</td><td>${(l.plan.utilization * 100).toFixed(1)}%</td>${cells.join('')}<td>${l.observedBy.join(', ')}</td></tr>`;
  });
  return `<table id="plan"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody>
<tfoot><tr><td></td><td>total</td><td></td><td></td><td></td><td>${r.totals.alus}</td><td colspan="${4 + pairNames.length}">${r.totals.weightBits} weight bits, ${r.totals.rowBufferBits} row-buffer bits${r.totals.partialSumBits ? `, ${r.totals.partialSumBits} partial-sum bits` : ''}</td></tr></tfoot></table>`;
}

/** The RTL's own timing: its beats, row pace, slack and latency per layer, each frame's latency, and what broke. */
function ownTimingSection(r: RunReport): string {
  const o = r.ownTiming;
  if (!o) return '';
  const ns = (cycles: number | null | undefined) => (cycles === null || cycles === undefined ? '' : ` (${((cycles * o.periodPs) / 1000).toLocaleString('en-US')} ns)`);
  const rows = r.layers.filter((l) => l.rtlTiming).map((l) => {
    const t = l.rtlTiming!, b = l.timing.rtl;
    const late = t.rowInterval !== null && t.rowInterval > t.allowedRowInterval;
    return `<tr><td>${l.index}</td><td>${esc(l.name)}</td><td>${b?.firstBeatCycle ?? '-'}${ns(b?.firstBeatCycle)}</td><td>${b?.lastBeatCycle ?? '-'}${ns(b?.lastBeatCycle)}</td><td class="${late ? 'bad' : 'ok'}">${t.rowInterval ?? 'needs ≥ 2 frames'}</td><td>${t.allowedRowInterval}</td><td>${t.busyRowInterval ?? '-'}</td><td>${t.slack === null ? '-' : `${(t.slack * 100).toFixed(1)} %`}</td><td>${t.latency ?? '-'}${ns(t.latency)}</td></tr>`;
  });
  const findings = [...o.failures.map((f) => `<li class="bad">${esc(`${f.kind}: ${f.message}`)}</li>`), ...o.notes.map((f) => `<li>${esc(`note (${f.kind}): ${f.message}`)}</li>`)];
  const per = r.latency.measured.rtl ?? [];
  return `<h2>The RTL's own timing (${esc(o.mode)})</h2>
<p>Beats as the RTL sent them (frame 0), its steady-state output-row interval beside what the row rate allows, its fastest back-to-back row interval and slack, and its worst latency from its input's last beat to its own last beat. Frame latency per frame: ${per.slice(0, 16).map((v) => v ?? 'missing').join(', ')}${per.length > 16 ? ', …' : ''} cycles${o.frameIntervalCycles !== null ? `; steady frame interval ${o.frameIntervalCycles} cycles${ns(o.frameIntervalCycles)}, ${o.frameRateHz} frames/s` : ''}.</p>
<table id="own-timing"><thead><tr><th>#</th><th>layer</th><th>first beat</th><th>last beat</th><th>row every</th><th>allowed</th><th>busy row interval</th><th>slack</th><th>latency</th></tr></thead><tbody>${rows.join('')}</tbody></table>
${findings.length ? `<ul>${findings.join('')}</ul>` : '<p>Every own-timing check holds.</p>'}`;
}

function timelineSvg(r: RunReport, c: Comparison, clockHz: number): string {
  const lane = 16, left = 110, width = 1100, right = 20;
  const engines = [...new Set(c.timeline.flatMap((m) => [...m.keys()]))];
  let maxCycle = 1;
  for (const m of c.timeline) for (const spans of m.values()) for (const s of spans) if (s[1] > maxCycle) maxCycle = s[1];
  for (const x of c.lastInputCycles) if (x > maxCycle) maxCycle = x;
  const sx = scaleLinear().domain([0, maxCycle]).range([left, width - right]).nice();
  const height = 30 + c.timeline.length * lane + 40;
  const parts: string[] = [];
  c.timeline.forEach((m, i) => {
    const y = 20 + i * lane;
    parts.push(`<text x="4" y="${y + 10}" class="lbl">${i + 1} ${esc(r.layers[i]?.name ?? '')}</text>`);
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${y + lane - 2}" y2="${y + lane - 2}" class="grid"/>`);
    engines.forEach((e, k) => {
      const h = k === 0 ? 8 : 3;
      const dy = k === 0 ? 0 : 9 + (k - 1) * 3;
      for (const [a, b] of m.get(e) ?? []) {
        parts.push(`<rect class="${e}" x="${sx(a).toFixed(1)}" y="${y + dy}" width="${Math.max(0.6, sx(b) - sx(a)).toFixed(1)}" height="${h}"><title>${e} row: cycles ${a}–${b}</title></rect>`);
      }
    });
  });
  c.lastInputCycles.forEach((x, f) => {
    parts.push(`<line class="marker" x1="${sx(x)}" x2="${sx(x)}" y1="12" y2="${height - 30}"/><text class="lbl" x="${sx(x) + 3}" y="12">last input pixel, frame ${f}</text>`);
  });
  // Ticks from the scale (a handful, round numbers) so labels never overlap.
  for (const tick of sx.ticks(8)) {
    parts.push(`<line class="grid" x1="${sx(tick)}" x2="${sx(tick)}" y1="${height - 30}" y2="${height - 25}"/><text class="tick" x="${sx(tick)}" y="${height - 14}" text-anchor="middle">${tick.toLocaleString('en-US')}</text>`);
  }
  parts.push(`<text class="tick" x="${(left + width) / 2}" y="${height - 2}" text-anchor="middle">cycles (${(1e9 / clockHz).toFixed(2)} ns each)</text>`);
  return `<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>
<p class="legend">${engines.map((e) => `<span style="color:${ENGINE_COLOURS[e]}">■</span> ${e}`).join(' &nbsp; ')}</p>`;
}

/**
 * Waterfall of the latency shares: one row per layer, each bar starting where the previous layer's share ended, split
 * into waiting (grey), computing (blue) and draining (orange); the last bar ends at the total latency.
 */
function waterfallSvg(shares: readonly LatencyShare[], clockHz: number): string {
  const lane = 16, left = 110, width = 1100, right = 160;
  let at = 0, lo = 0, hi = 0;
  const bars = shares.map((s) => {
    const bar = { s, from: at };
    at += s.cycles;
    lo = Math.min(lo, bar.from, bar.from + s.wait);
    hi = Math.max(hi, at);
    return bar;
  });
  const sx = scaleLinear().domain([lo, Math.max(hi, 1)]).range([left, width - right]).nice();
  const height = 20 + shares.length * lane + 40;
  const parts: string[] = [];
  bars.forEach(({ s, from }, i) => {
    const y = 12 + i * lane;
    const seg = (a: number, b: number, cls: string, what: string) => {
      const x0 = sx(Math.min(a, b)), x1 = sx(Math.max(a, b));
      parts.push(`<rect class="${cls}" x="${x0.toFixed(1)}" y="${y}" width="${Math.max(0.8, x1 - x0).toFixed(1)}" height="10"><title>${esc(s.name)}: ${what} ${b - a} cycles</title></rect>`);
    };
    parts.push(`<text x="4" y="${y + 9}" class="lbl">${s.layer} ${esc(s.name)}</text>`);
    seg(from, from + s.wait, 'wait', 'waiting');
    seg(from + s.wait, from + s.wait + s.compute, 'compute', 'computing');
    seg(from + s.wait + s.compute, from + s.cycles, 'drain', 'draining');
    parts.push(`<text class="tick" x="${(sx(from + s.cycles) + 6).toFixed(1)}" y="${y + 9}">${s.cycles.toLocaleString('en-US')} cycles, ${s.us} µs, ${s.percent}%</text>`);
  });
  const base = height - 30;
  for (const tick of sx.ticks(8)) {
    parts.push(`<line class="grid" x1="${sx(tick)}" x2="${sx(tick)}" y1="8" y2="${base}"/><text class="tick" x="${sx(tick)}" y="${base + 12}" text-anchor="middle">${tick.toLocaleString('en-US')}</text>`);
  }
  parts.push(`<text class="tick" x="${(left + width - right) / 2}" y="${height - 4}" text-anchor="middle">cycles after the frame's last input pixel (${(1e9 / clockHz).toFixed(2)} ns each)</text>`);
  return `<svg id="waterfall" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>
<p class="legend"><span class="sw wait"></span> waiting for the input row or busy ALUs &nbsp; <span class="sw compute"></span> computing the row's slots &nbsp; <span class="sw drain"></span> draining the last slot's beats</p>`;
}

/** A heat map of one layer's differing words per pixel (or per cell of pixels), with axes and a colour scale. */
export function heatSvg(layer: number, name: string, acc: BitsAccumulator, height: number, width: number): string {
  const h = acc.heat!;
  const cellsW = Math.min(width, 128), cellsH = Math.min(height, 128);
  const agg = new Uint32Array(cellsW * cellsH);
  for (let r = 0; r < height; r++) for (let c = 0; c < width; c++) {
    agg[Math.floor((r * cellsH) / height) * cellsW + Math.floor((c * cellsW) / width)]! += h.counts[r * width + c]!;
  }
  let max = 1;
  for (const v of agg) if (v > max) max = v;
  // Cells of at most 24 px, so a 1×1 layer is a small square, not a page-sized one.
  const px = Math.max(2, Math.min(24, Math.floor(256 / Math.max(cellsW, cellsH))));
  const colour = scaleLinear<string>().domain([1, max]).range(['#fcbba1', '#67000d']);
  const mx = 34, my = 18; // room for the row axis (left) and the column axis (top)
  const rects: string[] = [];
  for (let i = 0; i < agg.length; i++) {
    if (!agg[i]) continue;
    rects.push(`<rect x="${mx + (i % cellsW) * px}" y="${my + Math.floor(i / cellsW) * px}" width="${px}" height="${px}" fill="${colour(agg[i]!)}"><title>${agg[i]} mismatching word(s)</title></rect>`);
  }
  const colAxis = scaleLinear().domain([0, width]).range([mx, mx + cellsW * px]);
  const rowAxis = scaleLinear().domain([0, height]).range([my, my + cellsH * px]);
  const ticks: string[] = [];
  for (const t of colAxis.ticks(Math.min(4, width)).filter(Number.isInteger)) ticks.push(`<text class="tick" x="${colAxis(t)}" y="${my - 5}" text-anchor="middle">${t}</text>`);
  for (const t of rowAxis.ticks(Math.min(4, height)).filter(Number.isInteger)) ticks.push(`<text class="tick" x="${mx - 4}" y="${rowAxis(t) + 4}" text-anchor="end">${t}</text>`);
  const w = mx + cellsW * px + 8, hh = my + cellsH * px + 34;
  const legend = `<defs><linearGradient id="g${layer}${acc.a}${acc.b}"><stop offset="0" stop-color="${colour(1)}"/><stop offset="1" stop-color="${colour(max)}"/></linearGradient></defs>
<rect x="${mx}" y="${hh - 22}" width="80" height="8" fill="url(#g${layer}${acc.a}${acc.b})"/><text class="tick" x="${mx}" y="${hh - 4}">1</text><text class="tick" x="${mx + 80}" y="${hh - 4}" text-anchor="end">${max}</text>`;
  return `<figure class="heat"><svg xmlns="http://www.w3.org/2000/svg" width="${Math.max(w, 140)}" height="${hh}"><rect x="${mx}" y="${my}" width="${cellsW * px}" height="${cellsH * px}" fill="#f4f4f4"/>${rects.join('')}${ticks.join('')}${legend}</svg>
<figcaption>layer ${layer} ${esc(name)}, ${esc(acc.a)}~${esc(acc.b)} bits, frame ${h.frame}: differing words per ${cellsW === width && cellsH === height ? 'pixel' : `cell of ${Math.ceil(height / cellsH)}×${Math.ceil(width / cellsW)} pixels`} (rows down, columns across; ${height}×${width} pixels; colour from 1 to ${max})</figcaption></figure>`;
}

/** The style sheet of every rowsim page. */
export const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; } th { background: #f0f0f0; }
td:nth-child(2) { text-align: left; }
.ok { color: #176b2c; } .bad { color: #fff; background: #c62828; } .na { color: #999; }
.pass { color: #176b2c; font-weight: bold; } .fail { color: #c62828; font-weight: bold; } .none { color: #a06000; font-weight: bold; }
svg .golden { fill: ${ENGINE_COLOURS.golden}; } svg .sim { fill: ${ENGINE_COLOURS.sim}; } svg .rtl { fill: ${ENGINE_COLOURS.rtl}; } svg .grid { stroke: #ddd; }
svg .marker { stroke: #c62828; stroke-dasharray: 4 3; } .wait { fill: #b0b0b0; background: #b0b0b0; } .compute { fill: #1f6fb2; background: #1f6fb2; } .drain { fill: #e08a00; background: #e08a00; }
.sw { display: inline-block; width: 12px; height: 10px; vertical-align: middle; } .timelines { display: flex; flex-wrap: wrap; gap: 24px; } svg .lbl { font-size: 11px; fill: #333; } svg .tick { font-size: 10px; fill: #555; }
.heat { display: inline-block; margin: 8px 16px 8px 0; vertical-align: top; } figcaption { font-size: 12px; max-width: 320px; }
`;

/** The whole page; `outDir` is where it is written (links to files inside it are relative). */
export function renderHtml(r: RunReport, c: Comparison, clockHz: number, outDir?: string): string {
  const w = r.waveform;
  const waveLink = w ? (outDir ? relative(outDir, w.path) : w.path) : '';
  const L = r.latency;
  const verdict = r.pass === true ? 'PASS' : r.pass === null ? 'NOT COMPARED' : 'FAIL';
  const cls = r.pass === true ? 'pass' : r.pass === null ? 'none' : 'fail';
  const mism = r.layers.flatMap((l) => l.pairs.filter((p) => p.status === 'differ').map((p) => `<li>${esc(describeFirst(l, p))}</li>`));
  const fails = r.failures.map((f) => `<li>${esc(`${f.engine} ${f.code}: ${f.message}`)}</li>`);
  const heat = c.pairs.flatMap((accs, i) => accs.filter((a): a is BitsAccumulator => a instanceof BitsAccumulator && a.heat !== null)
    .map((a) => heatSvg(i + 1, r.layers[i]!.name, a, r.layers[i]!.shape[0], r.layers[i]!.shape[1])));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rowsim report: ${esc(r.config)}</title>
<style>${STYLE}</style></head><body>
<h1>rowsim: ${esc(r.config)} — <span class="${cls}">${verdict}</span></h1>
<p>${esc(r.summary)}</p>
<p>${r.frames} frame(s) of ${r.images.map(esc).join(', ')}; weights ${esc(r.weights)}; engines ${r.engines.join(', ')}; pacing ${esc(r.pacing)}${r.engineInfo.golden?.facts.backend ? ` (golden on tfjs-${esc(String(r.engineInfo.golden.facts.backend))})` : ''}.</p>
${r.faults.length ? `<p>Injected: ${r.faults.map((f) => esc(`${f.engine}: ${f.description}`)).join('; ')}.</p>` : ''}
<p>Latency (last input pixel → last output beat): <b>${L.cycles} cycles = ${L.ms.toFixed(6)} ms</b>${L.rtlCycles !== null ? `; RTL measured ${L.rtlCycles} cycles` : ''}${r.config === 'ie120r' ? `; published IE120R ${L.publishedIe120rMs} ms` : ''}.${L.steadyIntervalCycles !== null ? ` Steady frame interval ${L.steadyIntervalCycles} cycles.` : ''}</p>${r.memory.samples.length > 1 ? `\n<p>Memory (rowsim's resident set as frames were compared): ${esc(memoryText(r.memory.samples))}; peak ${r.memory.peakMiB} MiB.</p>` : ''}
${fails.length ? `<h2>Engine failures</h2><ul>${fails.join('')}</ul>` : ''}
${w ? `<h2>Waveform</h2><p id="waveform"><a href="${esc(waveLink)}">${esc(w.path)}</a> — ${w.format.toUpperCase()}, cycles ${w.window[0]}..${w.window[1]} (1 clock cycle = 10 ns of waveform time: cycle t has its rising edge at 10t + 5 ns), layer(s) ${w.layers.join(', ')}; ${esc(w.reason)}. Open it with GTKWave or Surfer.</p>` : ''}
<h2>Plan and comparisons per layer</h2>
<p>Each pair column counts differing words (bits) or beats (cycles) out of those compared; "not compared" is never a pass.</p>
${planTable(r)}
${ownTimingSection(r)}
<h2>Where the latency goes</h2>
<p>Each layer's share of the ${L.cycles.toLocaleString('en-US')}-cycle latency along the critical chain — the last row of each layer and the input row it waited for — from the frame's last input pixel to its last output beat. The shares sum to the total.</p>
${waterfallSvg(L.perLayer, clockHz)}
<h2>Timeline: output rows of every layer over cycles</h2>
<p>One bar per output row, from its first to its last beat, for each engine with beats (first ${c.lastInputCycles.length} frame(s)). The gap from a red line to the last layer's last row is that frame's latency.</p>
${timelineSvg(r, c, clockHz)}
${mism.length ? `<h2>Mismatches</h2><ul>${mism.join('')}</ul>` : ''}
${heat.length ? `<h2>Mismatch heat maps</h2>${heat.join('')}` : ''}
${r.coverage ? coverageHtml(r.coverage) : ''}
</body></html>
`;
}
