// Everything the layer emitter's sections share about one layer: spec, plan, stream widths, strip banks, the faults
// aimed at it and its mutant variants — worked out once, read-only, so each section is a function of it alone.
import { SimrunError } from '../../core/errors.js';
import type { Fault } from '../../core/faults.js';
import type { LayerPlan } from '../../core/plan.js';
import type { LayerSpec } from '../../core/spec.js';
import type { LayerMutant } from '../catalogueKinds.js';
import { layerWidths, type LayerInput, type LayerWidths } from '../widths.js';
import { MutantVariants, type VariantMode } from './variants.js';

/** What to build into a layer besides its function. */
export interface LayerExtras {
  /** Faults aimed at the rtl engine (bit, delay and stall are built here; weight and bias patch ROM images). */
  readonly faults?: readonly Fault[];
  /** Catalogue mutants of this layer, each active when the mutsel input equals its id. */
  readonly mutants?: readonly LayerMutant[];
  /** Width of the mutsel input (present when the design carries catalogue mutants). */
  readonly mutselWidth?: number;
  /** How the mutants' selectors are built (default `select`: by mutsel; `off`/`on`: fixed, for equivalence proofs). */
  readonly mutantMode?: VariantMode;
  /**
   * Build bit, delay and stall faults as hooks whose values come from the simulator's command line (plusargs, see
   * `faultPlusargs`) instead of from `faults`: one build serves every fault of an investigation.
   */
  readonly runtimeFaults?: boolean;
}

/** One strip's row-buffer bank: the input columns lo..hi it holds (halo included); unused when the strip is idle. */
export interface StripBank {
  readonly st: number;
  readonly lo: number;
  readonly hi: number;
  readonly used: boolean;
  /** Columns held (1 for an unused strip). */
  readonly sw: number;
}

/** The faults built into the layer: fixed values, or (runtime) hooks set by plusargs. */
export interface LayerFaults {
  readonly runtime: boolean;
  readonly bits: readonly Extract<Fault, { kind: 'bit' }>[];
  readonly delay?: { readonly beat: number; readonly cycles: number };
  readonly stall?: { readonly cycles: number };
}

/** The shared facts of one layer's module. */
export interface LayerContext {
  readonly l: LayerSpec;
  readonly p: LayerPlan;
  readonly input: LayerInput;
  readonly w: LayerWidths;
  readonly strips: readonly StripBank[];
  readonly faults: LayerFaults;
  readonly v: MutantVariants;
  readonly mutselWidth?: number;
  /** Taps per slot, drain, row-buffer rows, lanes. */
  readonly N: number;
  /** Kernel-row passes per output row (1, or K with partial sums kept between passes), and rows of partial sums kept. */
  readonly passes: number;
  readonly Q: number;
  readonly D: number;
  readonly R: number;
  readonly lanes: number;
  /** First beat phase: the beat register is seen one cycle later, taps + drain after the slot starts. */
  readonly B0: number;
  /** Input beats per row. */
  readonly inBeats: number;
  /** Cycles between slot starts: the whole slot, or less when slots are pipelined (a tail finishes each slot). */
  readonly I: number;
  /** The registers the output side reads: the controller's own, or, with pipelined slots, the slot tail's view. */
  readonly beat: BeatView;
}

/** Where the output side reads which slot is finishing: its phase, column position, group, row, and whether one is. */
export interface BeatView {
  readonly phase: string;
  readonly pos: string;
  readonly grp: string;
  readonly row: string;
  readonly busy: string;
  /** True while the finishing slot belongs to its row's last pass (always, with one pass per row). */
  readonly final: string;
}

const CONTROLLER_VIEW: BeatView = { phase: 'phase', pos: 'pos', grp: 'grp', row: 'out_r', busy: 'busy', final: 'last_pass' };
const TAIL_VIEW: BeatView = { phase: 'b_phase', pos: 'b_pos', grp: 'b_grp', row: 'b_r', busy: 'b_busy', final: 'b_last_pass' };

/** The context of layer `l` under plan `p`. */
export function layerContext(l: LayerSpec, p: LayerPlan, input: LayerInput, extras: LayerExtras): LayerContext {
  // The row counter is one register: a row is seen complete one cycle after its last beat. No other start latency exists.
  if (p.startLatency !== 1) throw new SimrunError('INTERNAL', `the emitted RTL starts a row 1 cycle after its input row completes, not ${p.startLatency}`);
  if (l.pad > l.kernel - 1) throw new SimrunError('INTERNAL', `layer ${l.index}: padding ${l.pad} is not below the kernel ${l.kernel}`);
  // Kernel-row passes: the sequencer walks each input row's passes by stepping ky down by S, which needs S ≤ K.
  if (p.passes > 1 && (p.passes !== l.kernel || l.stride > l.kernel || p.minRowGap > 0 || p.rowTurnaround > 0)) {
    throw new SimrunError('INTERNAL', `layer ${l.index}: the emitted RTL runs ${p.passes} passes only as one per kernel row, with a stride not above the kernel and rows unpaced`);
  }
  // A pipelined slot hands its accumulator over after its last sum is read and finishes its beats before the next
  // slot's results land, with one slot finishing at a time (core/plan.ts slotTiming keeps the interval there).
  const pipelined = p.slotInterval < p.slotCycles;
  if (pipelined && (p.slotInterval < p.taps + 1 || p.slotInterval < p.strips + p.drain)) {
    throw new SimrunError('INTERNAL', `layer ${l.index}: the emitted RTL pipelines slots at least max(taps + 1, strips + drain) = ${Math.max(p.taps + 1, p.strips + p.drain)} cycles apart, not ${p.slotInterval}`);
  }
  const strips = Array.from({ length: p.strips }, (_, st): StripBank => {
    const lo = Math.max(0, st * p.colsPerStrip * l.stride - l.pad);
    const hi = Math.min(l.inW - 1, (st * p.colsPerStrip + p.colsPerStrip - 1) * l.stride - l.pad + l.kernel - 1);
    return { st, lo, hi, used: lo <= hi, sw: lo <= hi ? hi - lo + 1 : 1 };
  });
  return {
    l, p, input, w: layerWidths(l, p, input), strips,
    faults: layerFaults(l.index, extras),
    v: new MutantVariants(extras.mutants ?? [], extras.mutantMode),
    ...(extras.mutselWidth ? { mutselWidth: extras.mutselWidth } : {}),
    N: p.taps, D: p.drain, R: p.bufferRows, lanes: p.lanes, passes: p.passes, Q: p.partialRows,
    B0: p.taps + p.drain - 1,
    inBeats: l.inW * input.ocmux,
    I: p.slotInterval,
    beat: pipelined ? TAIL_VIEW : CONTROLLER_VIEW,
  };
}

function layerFaults(layer: number, extras: LayerExtras): LayerFaults {
  const mine = (extras.faults ?? []).filter((f) => f.layer === layer);
  const runtime = extras.runtimeFaults === true;
  const bits = mine.filter((f): f is Extract<Fault, { kind: 'bit' }> => f.kind === 'bit');
  // With runtime faults the hooks are always there, each idle until its plusarg sets it (see faultPlusargs).
  const delay = runtime ? { beat: -1, cycles: -1 } : mine.find((f): f is Extract<Fault, { kind: 'delay' }> => f.kind === 'delay');
  const stall = runtime ? { cycles: -1 } : mine.find((f): f is Extract<Fault, { kind: 'stall' }> => f.kind === 'stall');
  return { runtime, bits, ...(delay ? { delay } : {}), ...(stall ? { stall } : {}) };
}
