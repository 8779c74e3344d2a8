// `simrun compare <dirA> <dirB>`: compares two sets of activation{N}.memh (e.g. an external simulator's dump against
// rowsim's golden) layer by layer, bit for bit, with the shapes from vectors.json (or a config).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SimrunError } from '../core/errors.js';
import { parseMemh } from '../core/memh.js';
import { loadSpec } from '../core/spec.js';
import { compareBits, type BitCompare } from './compare.js';
import { prepareOutDir, writeAtomic } from './outdir.js';

/** One layer's verdict. */
export interface DirLayerCompare {
  readonly index: number;
  readonly name: string;
  readonly shape: [number, number, number];
  readonly compare: BitCompare | null;
  readonly missing: readonly string[];
}

/** The compare report (written as <out>/report.json). */
export interface DirCompareReport {
  readonly a: string;
  readonly b: string;
  readonly pass: boolean;
  readonly layers: readonly DirLayerCompare[];
}

function shapesFrom(a: string, b: string, config?: string): { index: number; name: string; shape: [number, number, number] }[] {
  if (config) return loadSpec(config).layers.map((l) => ({ index: l.index, name: l.name, shape: [l.outH, l.outW, l.outC] }));
  for (const d of [a, b]) {
    const p = join(d, 'vectors.json');
    if (!existsSync(p)) continue;
    try {
      return (JSON.parse(readFileSync(p, 'utf8')) as { layers: { index: number; name: string; shape: [number, number, number] }[] }).layers;
    } catch {
      throw new SimrunError('MEMH_MALFORMED', `${p} is not valid JSON; regenerate it with 'simrun vectors'`);
    }
  }
  throw new SimrunError('USAGE', `neither '${a}' nor '${b}' has a vectors.json; pass --config <preset|file> to give the layer shapes`);
}

/** Compares every layer present in either folder. */
export function compareDirs(a: string, b: string, opts: { config?: string; out?: string } = {}): { report: DirCompareReport; outDir?: string } {
  for (const d of [a, b]) if (!existsSync(d)) throw new SimrunError('USAGE', `folder '${d}' does not exist; pass two folders of activation{N}.memh`);
  const layers = shapesFrom(a, b, opts.config).map((l): DirLayerCompare => {
    const file = `activation${l.index}.memh`;
    const missing = [a, b].filter((d) => !existsSync(join(d, file))).map((d) => join(d, file));
    if (missing.length) return { ...l, compare: null, missing };
    const [H, W, C] = l.shape;
    const read = (d: string) => new Float32Array(parseMemh(readFileSync(join(d, file), 'utf8'), join(d, file), C, 'lowFirst', H * W).buffer);
    return { ...l, compare: compareBits(read(a), read(b), W, C), missing };
  });
  if (layers.every((l) => l.compare === null)) throw new SimrunError('USAGE', `no activation{N}.memh is present in both '${a}' and '${b}'`);
  const report: DirCompareReport = { a, b, pass: layers.every((l) => l.compare === null || l.compare.mismatches === 0), layers };
  if (!opts.out) return { report };
  const outDir = prepareOutDir(opts.out, 'compare');
  writeAtomic(join(outDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  return { report, outDir };
}

/** Terminal table of a directory comparison. */
export function formatDirCompare(r: DirCompareReport): string {
  const lines = [`compare ${r.a} (expected) vs ${r.b} (actual)`, `${'#'.padStart(3)} ${'layer'.padEnd(9)} ${'shape'.padStart(13)} ${'result'.padStart(12)} ${'max ULP'.padStart(10)}`];
  for (const l of r.layers) {
    const res = l.compare ? (l.compare.mismatches === 0 ? 'ok' : `${l.compare.mismatches} bad`) : 'missing';
    lines.push(`${String(l.index).padStart(3)} ${l.name.padEnd(9)} ${l.shape.join('x').padStart(13)} ${res.padStart(12)} ${String(l.compare?.maxUlp ?? '-').padStart(10)}`);
  }
  for (const l of r.layers) {
    const f = l.compare?.first;
    if (f) lines.push(`MISMATCH layer ${l.index} '${l.name}': first at row ${f.row} col ${f.col} chan ${f.chan}: expected ${f.expected} (${f.expectedValue}) actual ${f.actual} (${f.actualValue}); ${l.compare!.mismatches} words differ`);
    if (l.missing.length) lines.push(`missing: ${l.missing.join(', ')}`);
  }
  lines.push(r.pass ? 'PASS: every layer present in both folders agrees bit for bit' : 'FAIL: layers differ (see MISMATCH lines)');
  return lines.join('\n');
}
