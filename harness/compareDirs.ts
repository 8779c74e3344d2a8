// `simrun compare <dirA> <dirB>`: compares two sets of activation{N}.memh (e.g. an external simulator's dump against
// rowsim's golden) layer by layer, bit for bit, with the shapes from vectors.json (or a config). A layer missing from
// either side, or an activation file no layer explains, is a failure — never a silent pass.
import { existsSync, statSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SimrunError } from '../core/errors.js';
import { readUserText } from '../core/files.js';
import { parseMemh } from '../core/memh.js';
import { loadSpec } from '../core/spec.js';
import { BitsAccumulator, type BitsPairResult } from './compare.js';
import { esc, heatSvg, STYLE } from './html.js';
import { prepareOutDir, releaseOutDir, writeAtomic } from './outdir.js';

/** One layer's verdict. */
export interface DirLayerCompare {
  readonly index: number;
  readonly name: string;
  readonly shape: [number, number, number];
  /** The bit comparison, or null when the layer is missing from a side. */
  readonly compare: BitsPairResult | null;
  /** Files a side lacks. */
  readonly missing: readonly string[];
}

/** The compare report (written as <out>/report.json). */
export interface DirCompareReport {
  readonly schemaVersion: 2;
  readonly a: string;
  readonly b: string;
  readonly pass: boolean;
  readonly summary: string;
  /** Words compared over every layer present on both sides, and how many differ. */
  readonly totals: { readonly compared: number; readonly mismatches: number };
  readonly layers: readonly DirLayerCompare[];
  /** activation files present in a folder that the shapes do not describe. */
  readonly extra: readonly string[];
}

type Shape = { index: number; name: string; shape: [number, number, number] };

function shapesFrom(a: string, b: string, config?: string): Shape[] {
  if (config) return loadSpec(config).layers.map((l) => ({ index: l.index, name: l.name, shape: [l.outH, l.outW, l.outC] }));
  for (const d of [a, b]) {
    const p = join(d, 'vectors.json');
    if (!existsSync(p)) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(readUserText(p, 'manifest', 'MEMH_MALFORMED', "regenerate it with 'simrun vectors'"));
    } catch (e) {
      if (e instanceof SimrunError) throw e;
      throw new SimrunError('MEMH_MALFORMED', `${p} is not valid JSON; regenerate it with 'simrun vectors'`);
    }
    const layers = (raw as { layers?: unknown }).layers;
    const ok = Array.isArray(layers) && layers.every((l: Shape) => Number.isSafeInteger(l?.index) && Array.isArray(l?.shape) && l.shape.length === 3 && l.shape.every((n) => Number.isSafeInteger(n) && n > 0 && n < 1 << 16));
    if (!ok) throw new SimrunError('MEMH_MALFORMED', `${p}: 'layers' is not a list of {index, name, shape: [H, W, C]}; regenerate it with 'simrun vectors'`);
    return layers as Shape[];
  }
  throw new SimrunError('USAGE', `neither '${a}' nor '${b}' has a vectors.json; pass --config <preset|file> to give the layer shapes`);
}

/** Compares every layer the shapes describe; missing and unexplained files fail the comparison. Writes report.json and report.html. */
export function compareDirs(a: string, b: string, opts: { config?: string; out?: string } = {}): { report: DirCompareReport; outDir: string } {
  for (const d of [a, b]) {
    if (!existsSync(d)) throw new SimrunError('USAGE', `folder '${d}' does not exist; pass two folders of activation{N}.memh`);
    if (!statSync(d).isDirectory()) throw new SimrunError('USAGE', `'${d}' is a file, not a folder; pass two folders of activation{N}.memh`);
  }
  const shapes = shapesFrom(a, b, opts.config);
  const heats: string[] = [];
  const layers = shapes.map((l): DirLayerCompare => {
    const file = `activation${l.index}.memh`;
    const missing = [a, b].filter((d) => !existsSync(join(d, file))).map((d) => join(d, file));
    if (missing.length) return { ...l, compare: null, missing };
    const [H, W, C] = l.shape;
    const read = (d: string) => new Float32Array(parseMemh(readUserText(join(d, file), 'activation file', 'MEMH_MALFORMED', 'check the folder'), join(d, file), C, 'lowFirst', H * W).buffer);
    const acc = new BitsAccumulator('A', 'B', W, C);
    acc.add(0, read(a), read(b), null, null, 0);
    if (acc.heat) heats.push(heatSvg(l.index, l.name, acc, H, W));
    return { ...l, compare: acc.result(), missing };
  });
  const known = new Set(shapes.map((l) => `activation${l.index}.memh`));
  const extra = [a, b].flatMap((d) => readdirSync(d).filter((f) => /^activation\d+\.memh$/.test(f) && !known.has(f)).map((f) => join(d, f)));
  const differ = layers.filter((l) => l.compare && l.compare.mismatches > 0);
  const missing = layers.filter((l) => l.missing.length);
  const pass = differ.length === 0 && missing.length === 0 && extra.length === 0;
  const words = layers.reduce((n, l) => n + (l.compare?.compared ?? 0), 0);
  const bad = layers.reduce((n, l) => n + (l.compare?.mismatches ?? 0), 0);
  const summary = pass
    ? `PASS: all ${layers.length} layers agree bit for bit (${words} words)`
    : `FAIL: ${bad} of ${words} words differ${differ.length ? ` in layer(s) ${differ.map((l) => l.index).join(', ')}` : ''}${missing.length ? `; layer(s) ${missing.map((l) => l.index).join(', ')} missing from a side` : ''}${extra.length ? `; ${extra.length} activation file(s) no layer describes` : ''}`;
  const report: DirCompareReport = { schemaVersion: 2, a, b, pass, summary, totals: { compared: words, mismatches: bad }, layers, extra };
  const outDir = prepareOutDir(opts.out, 'compare');
  try {
    writeAtomic(join(outDir, 'report.html'), compareHtml(report, heats));
    writeAtomic(join(outDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
    return { report, outDir };
  } finally {
    releaseOutDir(outDir);
  }
}

/** report.html of a folder comparison: verdict, totals, per-layer counts and categories, first mismatches, heat maps. */
function compareHtml(r: DirCompareReport, heats: readonly string[]): string {
  const rows = r.layers.map((l) => {
    const c = l.compare;
    const cell = !c ? '<td class="bad">missing</td>' : c.mismatches ? `<td class="bad">${c.mismatches} of ${c.compared}</td>` : `<td class="ok">0 of ${c.compared}</td>`;
    const cats = c?.categories ? Object.entries(c.categories).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ') : '';
    const f = c?.first;
    const first = f ? `row ${f.row} col ${f.col} chan ${f.chan}: ${f.expected} vs ${f.actual} [${f.kind}]` : l.missing.length ? `missing: ${l.missing.join(', ')}` : '';
    return `<tr><td>${l.index}</td><td>${esc(l.name)}</td><td>${l.shape.join('×')}</td>${cell}<td>${c?.categories?.value ? c.maxUlp : '–'}</td><td>${esc(cats)}</td><td>${esc(first)}</td></tr>`;
  });
  const cls = r.pass ? 'pass' : 'fail';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rowsim compare</title><style>${STYLE}</style></head><body>
<h1>rowsim compare — <span class="${cls}">${r.pass ? 'PASS' : 'FAIL'}</span></h1>
<p>${esc(r.summary)}</p>
<p>Expected: ${esc(r.a)}<br>Actual: ${esc(r.b)}</p>
<p><b>${r.totals.mismatches} of ${r.totals.compared} words differ</b>. ULP distances are quoted only for differences of the same sign between finite nonzero values; zero, sign, NaN, Inf and missing differences are counted apart.</p>
<table id="layers"><thead><tr><th>#</th><th>layer</th><th>shape</th><th>differing words</th><th>max ULP</th><th>kinds</th><th>first difference</th></tr></thead><tbody>${rows.join('')}</tbody></table>
${r.extra.length ? `<h2>Unexplained files</h2><ul>${r.extra.map((f) => `<li>${esc(f)}: no layer has this index</li>`).join('')}</ul>` : ''}
${heats.length ? `<h2>Heat maps</h2>${heats.join('')}` : ''}
</body></html>
`;
}

/** Terminal table of a directory comparison. */
export function formatDirCompare(r: DirCompareReport): string {
  const lines = [`compare ${r.a} (expected) vs ${r.b} (actual): ${r.totals.mismatches} of ${r.totals.compared} words differ`, `${'#'.padStart(3)} ${'layer'.padEnd(9)} ${'shape'.padStart(13)} ${'result'.padStart(16)}`];
  for (const l of r.layers) {
    const res = l.compare ? (l.compare.mismatches === 0 ? 'ok' : `${l.compare.mismatches} of ${l.compare.compared} bad`) : 'MISSING';
    lines.push(`${String(l.index).padStart(3)} ${l.name.padEnd(9)} ${l.shape.join('x').padStart(13)} ${res.padStart(16)}`);
  }
  for (const l of r.layers) {
    const f = l.compare?.first as { row: number; col: number; chan: number; expected: string; actual: string; expectedValue: unknown; actualValue: unknown; kind: string } | null | undefined;
    if (f) lines.push(`MISMATCH layer ${l.index} '${l.name}': first at row ${f.row} col ${f.col} chan ${f.chan}: expected ${f.expected} (${f.expectedValue}) actual ${f.actual} (${f.actualValue}) [${f.kind}]; ${l.compare!.mismatches} words differ`);
    if (l.missing.length) lines.push(`MISSING layer ${l.index} '${l.name}': ${l.missing.join(', ')}`);
  }
  for (const f of r.extra) lines.push(`EXTRA ${f}: no layer of these shapes has this index`);
  lines.push(r.summary);
  return lines.join('\n');
}
