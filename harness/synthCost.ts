// The resource model of a rowsim-emitted design: what each module is made of (ALUs, row-buffer bits, ROM bits read per
// cycle), per-unit costs fitted to synthesized modules, and the resources those costs predict for another plan.
// Invariants: pure (no Yosys, no files); every cost is ≥ 0 (a fit never buys accuracy with a negative unit); a module
// kind the calibration never saw has no prediction rather than a guessed one.
import type { NetworkPlan } from '../core/plan.js';
import type { NetworkSpec } from '../core/spec.js';
import type { Resources } from './synth.js';

/** The kinds of module the emitter writes, each with its own cost terms. */
export type ModuleKind = 'layer' | 'weights' | 'biases' | 'top';

/** One module's size in the terms its cost grows with. */
export interface ModuleFeatures {
  readonly kind: ModuleKind;
  /** The terms, in the order of `TERMS[kind]`. */
  readonly terms: readonly number[];
}

/**
 * The cost terms of each kind. A layer: a constant (its controller's registers: counters, the beat's coordinates), its
 * ALUs (multiply, accumulate, bias add, their registers), its output lanes (the beat register, 32 bits a lane) and its
 * row-buffer and partial-sum bits (storage, the strips' read and write logic). Every one of those memories has one
 * write port — a row buffer fed several lanes a beat keeps the whole beat in one word — so an FPGA flow can keep them
 * all in LUT RAM. The constant and the lanes cost flip-flops only (ONLY_FROM): calibration layers of 1 to 4 ALUs cannot
 * tell a constant's logic from the ALUs' (fitting one made tiny's ALUT estimate 16 % low instead of 4 %), but registers
 * are plain to count: about 46 a layer, 93 an ALU and 32 a lane. Without those two terms the ALU term took them all
 * (127 a unit, right for a strip of lanes, where a lane is an ALU) and tiny, whose strips share their lanes, came out
 * 21 % over. A ROM: a constant and the bits its lanes read at once (each lane reads the whole table through its own
 * port: lanes × bits). The top: a constant (its I/O buffers; the wiring between layers is free).
 */
export const TERMS: Readonly<Record<ModuleKind, readonly string[]>> = {
  layer: ['per layer (flip-flops only)', 'per ALU', 'per output lane (flip-flops only)', 'per row-buffer bit'],
  weights: ['per ROM', 'per lane-bit read'],
  biases: ['per ROM', 'per lane-bit read'],
  top: ['per design'],
};

/** Index of a layer's constant term in TERMS.layer. */
export const LAYER_CONSTANT_TERM = 0;
/** Index of a layer's per-ALU term in TERMS.layer. */
export const LAYER_ALU_TERM = 1;
/** Index of a layer's per-output-lane term in TERMS.layer. */
export const LAYER_LANE_TERM = 2;
/** Index of a layer's per-buffer-bit term in TERMS.layer. */
export const LAYER_BUFFER_TERM = 3;

/** Every field of Resources, in its order. */
export const RESOURCE_KEYS = ['cells', 'logic', 'flipFlops', 'multipliers', 'ramBlocks', 'ramBits', 'lutRamBlocks'] as const;
type ResourceKey = (typeof RESOURCE_KEYS)[number];

/** Per-unit costs: for each kind and resource, one coefficient per term. */
export type CostModel = Readonly<Record<ModuleKind, Readonly<Record<ResourceKey, readonly number[]>>>>;

/** The modules of the design rowsim emits for `net` under `plan`, by module name, with their features. */
export function designFeatures(net: NetworkSpec, plan: NetworkPlan): ReadonlyMap<string, ModuleFeatures> {
  const m = new Map<string, ModuleFeatures>();
  plan.layers.forEach((p, i) => {
    const l = net.layers[i]!;
    const n = i + 1;
    // Row buffers and partial sums alike: memories of one write port (the buffer's word holds an input beat's lanes,
    // the partial sums' word a strip's lanes).
    const terms: number[] = [];
    terms[LAYER_CONSTANT_TERM] = 1;
    terms[LAYER_ALU_TERM] = p.alus;
    terms[LAYER_LANE_TERM] = p.lanes;
    terms[LAYER_BUFFER_TERM] = p.rowBufferBits + p.partialSumBits;
    m.set(`rs_layer${n}`, { kind: 'layer', terms });
    m.set(`rs_wrom${n}`, { kind: 'weights', terms: [1, p.lanes * p.weightBits] });
    m.set(`rs_brom${n}`, { kind: 'biases', terms: [1, p.lanes * l.outC * 32] });
  });
  m.set('rs_top', { kind: 'top', terms: [1] });
  return m;
}

/** A synthesized module: its features and what Yosys made of it. */
export interface CostSample {
  readonly features: ModuleFeatures;
  readonly resources: Resources;
}

/** Least squares of y on the columns `cols` of rows `x`; null when the normal equations are singular. */
function leastSquares(x: readonly (readonly number[])[], y: readonly number[], cols: readonly number[]): number[] | null {
  const k = cols.length;
  // Columns are scaled to unit size first: ALU counts and buffer bits differ by orders of magnitude.
  const scale = cols.map((c) => Math.max(...x.map((r) => Math.abs(r[c]!)), 1e-300));
  const a = Array.from({ length: k }, () => new Array<number>(k + 1).fill(0));
  for (let r = 0; r < x.length; r++) {
    for (let i = 0; i < k; i++) {
      const xi = x[r]![cols[i]!]! / scale[i]!;
      for (let j = 0; j < k; j++) a[i]![j]! += xi * (x[r]![cols[j]!]! / scale[j]!);
      a[i]![k]! += xi * y[r]!;
    }
  }
  // Gauss–Jordan with partial pivoting on the k × k system.
  for (let c = 0; c < k; c++) {
    let piv = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[piv]![c]!)) piv = r;
    if (Math.abs(a[piv]![c]!) < 1e-12) return null;
    [a[c], a[piv]] = [a[piv]!, a[c]!];
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      for (let j = c; j <= k; j++) a[r]![j]! -= f * a[c]![j]!;
    }
  }
  return cols.map((_, i) => a[i]![k]! / a[i]![i]! / scale[i]!);
}

/**
 * Non-negative least squares for a handful of terms: every subset of the terms is fitted, subsets with a negative
 * coefficient are dropped, and the smallest residual wins (exact for so few terms, and no iteration to tune).
 */
export function fitNonNegative(x: readonly (readonly number[])[], y: readonly number[]): number[] {
  const n = x[0]?.length ?? 0;
  let best: { coef: number[]; residual: number } = { coef: new Array<number>(n).fill(0), residual: y.reduce((s, v) => s + v * v, 0) };
  for (let mask = 1; mask < 1 << n; mask++) {
    const cols = [...Array(n).keys()].filter((c) => mask & (1 << c));
    const sol = leastSquares(x, y, cols);
    if (!sol || sol.some((v) => v < 0)) continue;
    const coef = new Array<number>(n).fill(0);
    cols.forEach((c, i) => { coef[c] = sol[i]!; });
    const residual = x.reduce((s, row, r) => s + (row.reduce((t, v, c) => t + v * coef[c]!, 0) - y[r]!) ** 2, 0);
    if (residual < best.residual - 1e-9 * Math.max(1, best.residual)) best = { coef, residual };
  }
  return best.coef;
}

/** Fits per-unit costs to synthesized modules; kinds without samples are absent from the model. */
export function fitCosts(samples: readonly CostSample[]): Partial<CostModel> {
  const model: Partial<Record<ModuleKind, Record<ResourceKey, number[]>>> = {};
  for (const kind of Object.keys(TERMS) as ModuleKind[]) {
    const mine = samples.filter((s) => s.features.kind === kind);
    if (mine.length === 0) continue;
    model[kind] = Object.fromEntries(RESOURCE_KEYS.map((r) => {
      // A resource only some terms can make is fitted on those alone (the others' coefficients are 0).
      const only = ONLY_FROM[kind]?.[r];
      const keep = (t: readonly number[]) => (only ? only.map((i) => t[i]!) : [...t]);
      const c = fitNonNegative(mine.map((s) => keep(s.features.terms)), mine.map((s) => s.resources[r]));
      if (!only) return [r, c];
      const full = new Array<number>(TERMS[kind].length).fill(0);
      only.forEach((i, j) => { full[i] = c[j]!; });
      return [r, full];
    })) as Record<ResourceKey, number[]>;
  }
  return model;
}

/**
 * Resources a layer makes from some of its terms only: multipliers come from its ALUs alone, LUT RAM from its buffer
 * bits alone, and only flip-flops from its constant and its lanes (see TERMS). Without this a fit may hand a few
 * multipliers to buffer bits or MLABs to ALUs, which then multiply by thousands in a large design.
 */
const ONLY_FROM: Partial<Record<ModuleKind, Partial<Record<ResourceKey, readonly number[]>>>> = {
  layer: {
    cells: [LAYER_ALU_TERM, LAYER_BUFFER_TERM], logic: [LAYER_ALU_TERM, LAYER_BUFFER_TERM], multipliers: [LAYER_ALU_TERM],
    ramBlocks: [LAYER_ALU_TERM, LAYER_BUFFER_TERM], ramBits: [LAYER_ALU_TERM, LAYER_BUFFER_TERM], lutRamBlocks: [LAYER_BUFFER_TERM],
  },
};

/** The resources `model` predicts for a module with `f`, or null when the model has no costs for its kind. */
export function predictModule(model: Partial<CostModel>, f: ModuleFeatures): Resources | null {
  const costs = model[f.kind];
  if (!costs) return null;
  const at = (r: ResourceKey) => Math.round(costs[r].reduce((s, c, i) => s + c * f.terms[i]!, 0));
  return Object.fromEntries(RESOURCE_KEYS.map((k) => [k, at(k)])) as unknown as Resources;
}

/**
 * What the calibration cannot cost in a design: a term the design uses (nonzero in some module) that no calibration
 * module of its kind has, whose coefficient is then 0 by default rather than measured; kinds with fewer samples than
 * terms; and a term that is the same linear combination of others in every calibration module (say lanes = ALUs in
 * each layer), so the fit cannot tell their costs apart and hands them to some of them, when the design's modules
 * break that relation (if they keep it, any split gives the same estimate). One line each, naming the term and the
 * fix; empty when the calibration covers the design.
 */
export function uncalibrated(samples: readonly CostSample[], design: ReadonlyMap<string, ModuleFeatures>): string[] {
  const out: string[] = [];
  for (const kind of Object.keys(TERMS) as ModuleKind[]) {
    const mine = samples.filter((s) => s.features.kind === kind);
    const used = [...design.values()].filter((f) => f.kind === kind);
    if (used.length === 0) continue;
    const underdetermined = mine.length < TERMS[kind].length;
    if (underdetermined) out.push(`the calibration has ${mine.length} ${kind} module(s) for ${TERMS[kind].length} cost terms: its ${kind} costs are underdetermined; calibrate on a spec with more layers`);
    // Every term the calibration has joins the basis when independent of the ones before it, used by the design or
    // not: the fit costs them all.
    const measured: number[] = [];
    TERMS[kind].forEach((term, i) => {
      const inDesign = used.some((f) => f.terms[i] !== 0);
      if (mine.every((s) => s.features.terms[i] === 0)) {
        if (inDesign) out.push(`no ${kind} module of the calibration has a '${term}' term, so the estimate costs it 0; calibrate on a spec that has one`);
        return;
      }
      // With too few modules every term depends on the others: the line above already says so.
      const step = underdetermined ? null : inStepWith(mine.map((s) => s.features.terms), i, measured);
      if (!step) {
        measured.push(i);
        return;
      }
      // A design whose modules keep the same relation gets the same estimate however the fit splits the cost.
      if (used.every((f) => Math.abs(step.predict(f.terms) - f.terms[i]!) <= 1e-9 * Math.max(1, Math.abs(f.terms[i]!)))) return;
      const names = step.along.map((j) => `'${TERMS[kind][j]}'`).join(' and ');
      out.push(`in every ${kind} module of the calibration the '${term}' term is the same linear combination of ${names}, so the fit cannot tell their costs apart, and this design's ${kind}s break that relation; calibrate on a spec whose ${kind}s vary them independently`);
    });
  }
  return out;
}

/**
 * Whether column `col` of `rows` is a combination of the columns `basis` (independent of each other): `col` is fitted
 * on the basis, and a residual whose norm is below 10⁻⁹ of the column's means it is (far below what the fit's own
 * pivot test would still separate). Then the basis terms it is made of, and the combination as a function of a
 * module's terms; null when it is independent of them.
 */
function inStepWith(rows: readonly (readonly number[])[], col: number, basis: readonly number[]): { along: number[]; predict: (terms: readonly number[]) => number } | null {
  if (basis.length === 0) return null;
  const y = rows.map((r) => r[col]!);
  const coef = leastSquares(rows, y, basis);
  if (!coef) return null;
  const predict = (terms: readonly number[]) => basis.reduce((t, c, j) => t + coef[j]! * terms[c]!, 0);
  const residual = rows.reduce((s, r, k) => s + (predict(r) - y[k]!) ** 2, 0);
  const size = y.reduce((s, v) => s + v * v, 0);
  if (Math.sqrt(residual) > 1e-9 * Math.sqrt(size)) return null;
  const scale = Math.max(...coef.map(Math.abs));
  return { along: basis.filter((_, j) => Math.abs(coef[j]!) > 1e-9 * scale), predict };
}
