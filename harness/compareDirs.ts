// `simrun compare <dirA> <dirB>`: compares two sets of activation{N}.memh (e.g. an external simulator's dump against
// rowsim's golden) layer by layer, bit for bit, with the shapes from vectors.json (or a config). A layer missing from
// either side, or an activation file no layer explains, is a failure — never a silent pass.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SimrunError } from '../core/errors.js';
import { readUserText } from '../core/files.js';
import { parseMemh } from '../core/memh.js';
import { loadSpec } from '../core/spec.js';
import { BitsAccumulator, type PairResult } from './compare.js';
import { prepareOutDir, writeAtomic } from './outdir.js';

/** One layer's verdict. */
export interface DirLayerCompare {
  readonly index: number;
  readonly name: string;
  readonly shape: [number, number, number];
  /** The bit comparison, or null when the layer is missing from a side. */
  readonly compare: PairResult | null;
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

/** Compares every layer the shapes describe; missing and unexplained files fail the comparison. */
export function compareDirs(a: string, b: string, opts: { config?: string; out?: string } = {}): { report: DirCompareReport; outDir?: string } {
  for (const d of [a, b]) if (!existsSync(d)) throw new SimrunError('USAGE', `folder '${d}' does not exist; pass two folders of activation{N}.memh`);
  const shapes = shapesFrom(a, b, opts.config);
  const layers = shapes.map((l): DirLayerCompare => {
    const file = `activation${l.index}.memh`;
    const missing = [a, b].filter((d) => !existsSync(join(d, file))).map((d) => join(d, file));
    if (missing.length) return { ...l, compare: null, missing };
    const [H, W, C] = l.shape;
    const read = (d: string) => new Float32Array(parseMemh(readUserText(join(d, file), 'activation file', 'MEMH_MALFORMED', 'check the folder'), join(d, file), C, 'lowFirst', H * W).buffer);
    const acc = new BitsAccumulator('A', 'B', W, C, 1);
    acc.add(0, read(a), read(b), null, null, 0);
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
  const report: DirCompareReport = { schemaVersion: 2, a, b, pass, summary, layers, extra };
  if (!opts.out) return { report };
  const outDir = prepareOutDir(opts.out, 'compare');
  writeAtomic(join(outDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  return { report, outDir };
}

/** Terminal table of a directory comparison. */
export function formatDirCompare(r: DirCompareReport): string {
  const lines = [`compare ${r.a} (expected) vs ${r.b} (actual)`, `${'#'.padStart(3)} ${'layer'.padEnd(9)} ${'shape'.padStart(13)} ${'result'.padStart(16)}`];
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
