// Planner: the cost model both the TS model and the RTL follow; picks strips/ocmux per layer with the fewest ALUs.
import { SimrunError } from './errors.js';
import type { LayerSpec, NetworkSpec } from './spec.js';

/**
 * Fixed pipeline cycles per output pixel besides the per-strip beats: the multiply register,
 * the accumulator register and the bias+ReLU register. A slot is N MAC cycles + DRAIN + strips beats.
 */
export const PIPELINE_DRAIN = 3;
/** Cycles from the last beat of the input row that completes a window to the first MAC of that output row. */
export const START_LATENCY = 1;

/** One layer's hardware plan. */
export interface LayerPlan {
  readonly index: number;
  readonly name: string;
  readonly strips: number;
  readonly ocmux: number;
  /** Output columns handled by each strip: ceil(outW / strips). */
  readonly colsPerStrip: number;
  /** MAC taps per output: K·K·Cin. */
  readonly taps: number;
  /** Fixed cycles per slot besides the taps: strips + drain. */
  readonly overhead: number;
  /** Cycles of one slot (one column position, one channel group): taps + overhead. */
  readonly slotCycles: number;
  readonly cyclesPerRow: number;
  readonly cyclesAvailable: number;
  readonly utilization: number;
  readonly alus: number;
  /** Lanes per beat: Cout / ocmux. */
  readonly lanes: number;
  readonly weightBits: number;
  /** Input rows the circular row buffer holds: K + stride. */
  readonly bufferRows: number;
  readonly rowBufferBits: number;
}

/** The whole network's plan and totals. */
export interface NetworkPlan {
  readonly layers: readonly LayerPlan[];
  readonly totals: { readonly alus: number; readonly weightBits: number; readonly rowBufferBits: number };
}

/** Planner options; `drain` changes the fixed per-slot cost (the IE120R's is 10). */
export interface PlanOptions {
  readonly drain?: number;
}

function divisors(n: number): number[] {
  const d: number[] = [];
  for (let i = 1; i <= n; i++) if (n % i === 0) d.push(i);
  return d;
}

/** Cycles one output row takes with the given strips and ocmux. */
export function cyclesPerRow(l: LayerSpec, strips: number, ocmux: number, drain = PIPELINE_DRAIN): number {
  return Math.ceil(l.outW / strips) * ocmux * (l.kernel * l.kernel * l.inC + strips + drain);
}

function layerPlan(l: LayerSpec, strips: number, ocmux: number, avail: number, drain: number): LayerPlan {
  const taps = l.kernel * l.kernel * l.inC;
  const colsPerStrip = Math.ceil(l.outW / strips);
  const need = cyclesPerRow(l, strips, ocmux, drain);
  const bufferRows = l.kernel + l.stride;
  const stripWidth = (colsPerStrip - 1) * l.stride + l.kernel; // input columns one strip holds, halo included
  return {
    index: l.index, name: l.name, strips, ocmux, colsPerStrip, taps,
    overhead: strips + drain, slotCycles: taps + strips + drain,
    cyclesPerRow: need, cyclesAvailable: avail,
    utilization: need / avail,
    alus: strips * (l.outC / ocmux),
    lanes: l.outC / ocmux,
    weightBits: taps * l.outC * 18,
    bufferRows,
    rowBufferBits: bufferRows * strips * stripWidth * l.inC * 32,
  };
}

/** Plans every layer; throws PLAN_INFEASIBLE naming the first layer that cannot keep up. */
export function planNetwork(net: NetworkSpec, opts: PlanOptions = {}): NetworkPlan {
  const drain = opts.drain ?? PIPELINE_DRAIN;
  let strideProduct = 1;
  const layers = net.layers.map((l) => {
    strideProduct *= l.stride;
    const avail = net.rowPeriod * strideProduct;
    let best: LayerPlan | undefined;
    const ocmuxes = l.ocmux !== undefined ? [l.ocmux] : divisors(l.outC);
    for (const ocmux of ocmuxes) {
      const lanes = l.outC / ocmux;
      const stripChoices = l.strips !== undefined ? [l.strips] : Array.from({ length: l.outW }, (_, i) => i + 1);
      for (const strips of stripChoices) {
        const need = cyclesPerRow(l, strips, ocmux, drain);
        if (need > avail) continue;
        const alus = strips * lanes;
        // Fewest ALUs; then the shorter row (lower latency); then fewer strips (less halo memory).
        if (!best || alus < best.alus || (alus === best.alus && (need < best.cyclesPerRow || (need === best.cyclesPerRow && strips < best.strips)))) {
          best = layerPlan(l, strips, ocmux, avail, drain);
        }
        break; // more strips only add ALUs at this ocmux
      }
    }
    if (!best) {
      const strips = l.strips ?? l.outW;
      const ocmux = l.ocmux ?? 1;
      const fastest = cyclesPerRow(l, strips, ocmux, drain);
      throw new SimrunError(
        'PLAN_INFEASIBLE',
        `layer '${l.name}' cannot keep up: it needs at least ${fastest} cycles per output row (strips ${strips}, ocmux ${ocmux}) but has ${avail} (short by ${fastest - avail}); lower rowRateHz or relax its strips/ocmux override`,
        { layer: l.index },
      );
    }
    return best;
  });
  return {
    layers,
    totals: {
      alus: layers.reduce((a, l) => a + l.alus, 0),
      weightBits: layers.reduce((a, l) => a + l.weightBits, 0),
      rowBufferBits: layers.reduce((a, l) => a + l.rowBufferBits, 0),
    },
  };
}
