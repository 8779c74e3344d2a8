// Planner: the cost model both the TS model and the RTL follow; picks strips/ocmux per layer with the fewest ALUs.
import { SimrunError } from './errors.js';
import { buffersFromSchedule, type LayerSpec, type NetworkSpec } from './spec.js';

/**
 * Cycles from the last beat of the input row that completes a window to the first MAC of that output row: the row
 * counter is a register, so a row is seen complete one cycle after its last beat. A fact of the microarchitecture,
 * carried in every layer plan so the model and the emitter read it from one place.
 */
const START_LATENCY = 1;

/** One layer's hardware plan. */
export interface LayerPlan {
  readonly index: number;
  readonly name: string;
  readonly strips: number;
  readonly ocmux: number;
  /** Output columns handled by each strip: ceil(outW / strips). */
  readonly colsPerStrip: number;
  /** MAC taps per slot: K·K·Cin, or K·Cin when each output row runs as K kernel-row passes. */
  readonly taps: number;
  /**
   * Passes per output row: 1, or K — one per kernel row ky, each a sweep of every slot over taps (ky, kx, ci), run
   * once input row r·S − P + ky is in. Between passes a slot's sum waits in the partial-sum memory; the row's beats
   * leave in its last pass.
   */
  readonly passes: number;
  /** Output rows whose partial sums are kept at once: ⌈(K − 1)/S⌉ with passes, else 0. */
  readonly partialRows: number;
  /** Bits of the partial-sum memories: partialRows · strips · colsPerStrip · Cout · 32. */
  readonly partialSumBits: number;
  /** Cycles between slot starts besides the taps: strips + drain (sequential slots), less when pipelined. */
  readonly overhead: number;
  /** Pipeline cycles between a slot's last tap and its first beat (the spec's drain, at least 3). */
  readonly drain: number;
  /** Cycles from an input row's last beat to the first MAC of the output row it completes. */
  readonly startLatency: number;
  /** Cycles of one slot (one column position, one channel group): taps + overhead. */
  readonly slotCycles: number;
  /** Cycles between the starts of consecutive slots: slotCycles, or less when slots are pipelined. */
  readonly slotInterval: number;
  /** Cycles from a slot's last tap to its first beat (rowsim: the drain). */
  readonly beatDelay: number;
  /** Beats of a row: each slot's strips as the slot ends (position-major), or the whole row strip by strip after its last slot. */
  readonly beatOrder: 'position-major' | 'strip-major';
  /** Slots of a row: channel groups inside each column position (inner), or every position of one group first (outer). */
  readonly groupOrder: 'inner' | 'outer';
  /** Extra cycles after a row's last slot before the next row may start. */
  readonly rowTurnaround: number;
  /** Least cycles between two row starts (row pacing); 0 when rows start as soon as they can. */
  readonly minRowGap: number;
  /** Cycles a row keeps the ALUs busy: passes·(slots·slotInterval + rowTurnaround) (the published design's `req`). */
  readonly busyCycles: number;
  /** Cycles between row starts while the layer is busy: max(busyCycles, minRowGap). */
  readonly cyclesPerRow: number;
  readonly cyclesAvailable: number;
  readonly utilization: number;
  readonly alus: number;
  /** Lanes per beat: Cout / ocmux. */
  readonly lanes: number;
  readonly weightBits: number;
  /** Input rows the circular row buffer holds: K + stride, or the steady state's high-water mark (spec rowBuffers). */
  readonly bufferRows: number;
  readonly rowBufferBits: number;
}

/** The whole network's plan and totals. */
export interface NetworkPlan {
  readonly layers: readonly LayerPlan[];
  readonly totals: { readonly alus: number; readonly weightBits: number; readonly rowBufferBits: number; readonly partialSumBits: number };
}

/** Planner options. The per-slot drain comes from the spec (the IE120R's is 10). */
export interface PlanOptions {
  /**
   * Spend up to this many ALUs in total to lower latency (after the fewest-ALU plan), using `latencyOf`
   * to judge each step. Without it the plan uses the fewest ALUs.
   */
  readonly aluBudget?: number;
  /** Latency in cycles of one frame under a candidate plan (the model's row-level schedule). */
  readonly latencyOf?: (plan: NetworkPlan) => number;
  /**
   * Checks a plan in steady state (frames back to back) and returns the first layer whose row buffer overflows, or
   * null. A failing layer is moved along its faster options until it passes; none passing is PLAN_INFEASIBLE.
   */
  readonly steadyState?: (plan: NetworkPlan) => { readonly layer: number; readonly reason: string } | null;
  /**
   * The most input rows each layer's buffer holds at once with frames back to back under uniform pacing, its buffers
   * unbounded (under uniform pacing, or bounded over every in-period pacing for `rowBuffers: in-period`). With it and
   * the spec's `rowBuffers: high-water` or `in-period`, each buffer is sized to that mark instead of K + S.
   */
  readonly highWater?: (plan: NetworkPlan) => readonly number[];
}

function divisors(n: number): number[] {
  const d: number[] = [];
  for (let i = 1; i <= n; i++) if (n % i === 0) d.push(i);
  return d;
}

/** How consecutive slots of a layer share its ALUs (the spec's `slots`). */
export type SlotMode = 'sequential' | 'pipelined';

/** What a slot costs besides its taps (the spec's drain and slot mode), and the spec's row pacing. */
export interface SlotCost {
  readonly drain: number;
  /** Sequential when absent. */
  readonly slots?: SlotMode;
  /** Rows start at least ⌊rowPacing · cyclesAvailable⌋ cycles apart (the published design's TDMPAD). */
  readonly rowPacing?: number;
  /** Layers may run as kernel-row passes with partial sums (the spec's partialSums). */
  readonly partialSums?: boolean;
}

/** A slot's length and the cycles between slot starts. */
export interface SlotTiming {
  /** Cycles from a slot's first tap to its last beat's load: taps + strips + drain. */
  readonly slotCycles: number;
  /** Cycles between consecutive slot starts. */
  readonly slotInterval: number;
}

/**
 * A slot's timing. Sequential slots run one after another: taps, then the drain, then one beat per strip. Pipelined
 * slots start the next slot's taps while this slot's last accumulate, bias + ReLU and beats finish: the interval is
 * taps + 1 (the accumulator is free once its last sum is read), but never less than strips + drain, so a slot's beats
 * leave before the next slot's results overwrite them and at most one slot is finishing at a time.
 */
export function slotTiming(taps: number, strips: number, { drain, slots }: SlotCost): SlotTiming {
  const slotCycles = taps + strips + drain;
  return { slotCycles, slotInterval: slots === 'pipelined' ? Math.max(taps + 1, strips + drain) : slotCycles };
}

/** Cycles one output row takes with the given strips, ocmux and passes. */
export function cyclesPerRow(l: LayerSpec, strips: number, ocmux: number, cost: SlotCost, passes = 1): number {
  return passes * Math.ceil(l.outW / strips) * ocmux * slotTiming((l.kernel * l.kernel * l.inC) / passes, strips, cost).slotInterval;
}

/**
 * The passes a layer may run: its pinned `passes`, or 1 and — with the spec's partialSums, a kernel over 1 and a stride
 * not above it (every input row then feeds some pass), rows not paced — K.
 */
export function passChoices(l: LayerSpec, cost: SlotCost): number[] {
  if (l.passes !== undefined) return [l.passes];
  return cost.partialSums && l.kernel > 1 && l.stride <= l.kernel && cost.rowPacing === undefined ? [1, l.kernel] : [1];
}

/**
 * The passes (whole rows, with one pass a row) a layer has left once the last input row it reads is in: the rows that
 * need that row, or the kernel-row passes that read it or the padding below it. Times a pass's cycles, the planner's
 * measure of what a layer adds to the frame's latency (its tail). A stride can step past the frame's last rows: the
 * last row read, not the last row, is what the layer waits for.
 */
function tailPasses(l: LayerSpec, passes: number): number {
  const lastRead = Math.min((l.outH - 1) * l.stride - l.pad + l.kernel - 1, l.inH - 1);
  let units = 0;
  for (let r = 0; r < l.outH; r++) {
    for (let ky = passes === 1 ? l.kernel - 1 : 0; ky < l.kernel; ky++) if (r * l.stride - l.pad + ky >= lastRead) units++;
  }
  return units;
}

/**
 * Cycles a layer has per output row: its input rows come every P·(stride product) cycles, and it must also fit its
 * outH rows into a frame period H·P (a layer padded beyond (K−1)/2 emits more rows than its stride implies).
 */
export function cyclesAvailable(net: NetworkSpec, l: LayerSpec, strideProduct: number): number {
  const framePeriod = net.input.height * net.rowPeriod;
  return Math.min(net.rowPeriod * strideProduct, Math.floor(framePeriod / l.outH));
}

function layerPlan(l: LayerSpec, strips: number, ocmux: number, passes: number, avail: number, cost: SlotCost): LayerPlan {
  const taps = (l.kernel * l.kernel * l.inC) / passes;
  const colsPerStrip = Math.ceil(l.outW / strips);
  const need = cyclesPerRow(l, strips, ocmux, cost, passes);
  const partialRows = passes > 1 ? Math.ceil((l.kernel - 1) / l.stride) : 0;
  const { slotCycles, slotInterval } = slotTiming(taps, strips, cost);
  const drain = cost.drain;
  const bufferRows = l.kernel + l.stride;
  const minRowGap = cost.rowPacing !== undefined ? Math.floor(cost.rowPacing * avail) : 0;
  return {
    index: l.index, name: l.name, strips, ocmux, colsPerStrip, taps, passes, partialRows,
    partialSumBits: partialRows * strips * colsPerStrip * l.outC * 32,
    overhead: slotInterval - taps, drain, startLatency: START_LATENCY, slotCycles,
    slotInterval, beatDelay: drain, beatOrder: 'position-major', groupOrder: 'inner', rowTurnaround: 0, minRowGap,
    busyCycles: need, cyclesPerRow: Math.max(need, minRowGap), cyclesAvailable: avail,
    utilization: need / avail,
    alus: strips * (l.outC / ocmux),
    lanes: l.outC / ocmux,
    weightBits: taps * passes * l.outC * 18,
    bufferRows,
    rowBufferBits: rowBufferBits(l, strips, colsPerStrip, bufferRows),
  };
}

/** Bits of a layer's row buffers: `rows` input rows in every strip, each strip its columns and halo, 32 bits a value. */
function rowBufferBits(l: LayerSpec, strips: number, colsPerStrip: number, rows: number): number {
  const stripWidth = (colsPerStrip - 1) * l.stride + l.kernel; // input columns one strip holds, halo included
  return rows * strips * stripWidth * l.inC * 32;
}

/** The plan with every layer's row buffer holding exactly `rows[i]` input rows. */
function withBufferRows(net: NetworkSpec, plan: NetworkPlan, rows: readonly number[]): NetworkPlan {
  return withTotals(plan.layers.map((p, i) => {
    const n = Math.max(1, rows[i]!);
    return { ...p, bufferRows: n, rowBufferBits: rowBufferBits(net.layers[i]!, p.strips, p.colsPerStrip, n) };
  }));
}

/** Plans every layer; throws PLAN_INFEASIBLE naming the first layer that cannot keep up. */
export function planNetwork(net: NetworkSpec, opts: PlanOptions = {}): NetworkPlan {
  const minimal = settle(net, fewestAlus(net, net), opts);
  if (opts.aluBudget === undefined || !opts.latencyOf) return minimal;
  if (minimal.totals.alus > opts.aluBudget) {
    throw new SimrunError('PLAN_INFEASIBLE', `the fewest-ALU plan needs ${minimal.totals.alus} ALUs, over the budget of ${opts.aluBudget}; raise --alu-budget or lower rowRateHz`);
  }
  return settle(net, spendBudget(net, minimal, opts.aluBudget, opts.latencyOf, net), opts);
}

/**
 * Moves layers whose row buffer overflows in steady state to their next faster option until the plan runs frames back
 * to back; PLAN_INFEASIBLE names the layer when its options run out.
 */
function settle(net: NetworkSpec, plan: NetworkPlan, opts: PlanOptions): NetworkPlan {
  // Buffers sized from the high-water mark hold what the schedule needs, so no layer has to move.
  if (buffersFromSchedule(net) && opts.highWater) plan = withBufferRows(net, plan, opts.highWater(plan));
  if (!opts.steadyState) return plan;
  let layers = [...plan.layers];
  for (;;) {
    const bad: { layer: number; reason: string } | null = opts.steadyState(withTotals(layers));
    if (!bad) return withTotals(layers);
    const i = bad.layer - 1;
    const l = net.layers[i]!;
    const cur = layers[i]!;
    const faster = feasibleOptions(l, cur.cyclesAvailable, net).map((o) => o.plan).find((o) => o.busyCycles < cur.busyCycles);
    if (!faster) {
      throw new SimrunError('PLAN_INFEASIBLE', `layer '${l.name}' cannot run frames back to back: ${bad.reason}, even with its fastest option (${cur.strips} strips, ocmux ${cur.ocmux}); lower rowRateHz${l.pad > (l.kernel - 1) / 2 ? `, pad it by at most ${Math.floor((l.kernel - 1) / 2)}` : ''} or size the buffers from the schedule (rowBuffers: high-water in the spec)`, { layer: l.index });
    }
    layers = [...layers];
    layers[i] = faster;
  }
}

/** A plan's totals from its layers. */
export function withTotals(layers: LayerPlan[]): NetworkPlan {
  return {
    layers,
    totals: {
      alus: layers.reduce((a, l) => a + l.alus, 0),
      weightBits: layers.reduce((a, l) => a + l.weightBits, 0),
      rowBufferBits: layers.reduce((a, l) => a + l.rowBufferBits, 0),
      partialSumBits: layers.reduce((a, l) => a + l.partialSumBits, 0),
    },
  };
}

/**
 * Feasible plans of a layer that leave less work after its last input row than every cheaper one (with one pass per
 * row: that are faster), by ascending ALUs (overrides respected).
 */
function paretoFront(l: LayerSpec, avail: number, cost: SlotCost): LayerPlan[] {
  const opts = feasibleOptions(l, avail, cost).sort((a, b) => a.plan.alus - b.plan.alus || a.tail - b.tail || a.plan.busyCycles - b.plan.busyCycles);
  const front: { plan: LayerPlan; tail: number }[] = [];
  for (const o of opts) if (front.length === 0 || o.tail < front[front.length - 1]!.tail) front.push(o);
  return front.map((o) => o.plan);
}

/**
 * Every feasible plan of a layer with its tail (the cycles of work left after its last input row; overrides
 * respected), by ascending ALUs, then busy cycles.
 */
function feasibleOptions(l: LayerSpec, avail: number, cost: SlotCost): { plan: LayerPlan; tail: number }[] {
  const opts: { plan: LayerPlan; tail: number }[] = [];
  for (const passes of passChoices(l, cost)) {
    const tail = tailPasses(l, passes);
    for (const ocmux of l.ocmux !== undefined ? [l.ocmux] : divisors(l.outC)) {
      for (const strips of l.strips !== undefined ? [l.strips] : Array.from({ length: l.outW }, (_, i) => i + 1)) {
        const need = cyclesPerRow(l, strips, ocmux, cost, passes);
        if (need <= avail) opts.push({ plan: layerPlan(l, strips, ocmux, passes, avail, cost), tail: (tail * need) / passes });
      }
    }
  }
  return opts.sort((a, b) => a.plan.alus - b.plan.alus || a.plan.busyCycles - b.plan.busyCycles);
}

/** Spends an ALU budget on latency: a greedy descent from the fewest-ALU plan. */
function spendBudget(net: NetworkSpec, start: NetworkPlan, budget: number, latencyOf: (p: NetworkPlan) => number, cost: SlotCost): NetworkPlan {
  const fronts = net.layers.map((l, i) => paretoFront(l, start.layers[i]!.cyclesAvailable, cost));
  const at = start.layers.map((p, i) => fronts[i]!.findIndex((o) => o.strips === p.strips && o.ocmux === p.ocmux && o.passes === p.passes));
  return descend(fronts, at, budget, latencyOf).plan;
}

/**
 * Greedy latency descent from the options `from` (an index into each layer's front): repeatedly take the layer upgrade
 * (up to a few steps along its Pareto front) with the best latency saved per added ALU, while the total stays within
 * the budget.
 */
function descend(fronts: readonly LayerPlan[][], from: readonly number[], budget: number, latencyOf: (p: NetworkPlan) => number): { plan: NetworkPlan; latency: number } {
  const at = [...from];
  let layers = at.map((j, i) => fronts[i]![j]!);
  let alus = layers.reduce((a, l) => a + l.alus, 0);
  let latency = latencyOf(withTotals(layers));
  for (;;) {
    let best: { layer: number; idx: number; ratio: number; latency: number } | undefined;
    for (let i = 0; i < layers.length; i++) {
      for (let j = at[i]! + 1; j < Math.min(fronts[i]!.length, at[i]! + 9); j++) {
        const cand = fronts[i]![j]!;
        const extra = cand.alus - layers[i]!.alus;
        if (alus + extra > budget) break;
        const trial = [...layers];
        trial[i] = cand;
        const lat = latencyOf(withTotals(trial));
        const ratio = (latency - lat) / extra;
        if (lat < latency && (!best || ratio > best.ratio)) best = { layer: i, idx: j, ratio, latency: lat };
      }
    }
    if (!best) break;
    const chosen = fronts[best.layer]![best.idx]!;
    alus += chosen.alus - layers[best.layer]!.alus;
    layers = [...layers];
    layers[best.layer] = chosen;
    at[best.layer] = best.idx;
    latency = best.latency;
  }
  return { plan: withTotals(layers), latency };
}

/** The plan with the fewest ALUs per layer (ties: less work after the last input row, shorter rows, fewer strips). */
function fewestAlus(net: NetworkSpec, cost: SlotCost): NetworkPlan {
  let strideProduct = 1;
  const layers = net.layers.map((l) => {
    strideProduct *= l.stride;
    const avail = cyclesAvailable(net, l, strideProduct);
    // Fewest ALUs; then the least work left after the last input row (lower latency); then the shorter row; then fewer
    // strips (less halo memory).
    const best = feasibleOptions(l, avail, cost).sort((a, b) => a.plan.alus - b.plan.alus || a.tail - b.tail || a.plan.busyCycles - b.plan.busyCycles || a.plan.strips - b.plan.strips)[0];
    if (!best) {
      const strips = l.strips ?? l.outW;
      const ocmux = l.ocmux ?? 1;
      const fastest = cyclesPerRow(l, strips, ocmux, cost, l.passes ?? 1);
      throw new SimrunError(
        'PLAN_INFEASIBLE',
        `layer '${l.name}' cannot keep up: it needs at least ${fastest} cycles per output row (strips ${strips}, ocmux ${ocmux}) but has ${avail} (short by ${fastest - avail}); lower rowRateHz or relax its strips/ocmux override`,
        { layer: l.index },
      );
    }
    return best.plan;
  });
  return withTotals(layers);
}
