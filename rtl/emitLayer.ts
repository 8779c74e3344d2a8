// Emits one layer's Verilog module from its spec and plan — input side, row-buffer banks, the TDM controller, ROM
// reads, ALUs (multiply, accumulate, bias + ReLU) and the output stage — cycle for cycle as the planner's cost model and
// the TS model describe. Each part is a function of the layer's context (rtl/layer/); faults (--inject) and catalogue
// mutants are variants those parts apply, not text woven in afterwards.
import type { LayerPlan } from '../core/plan.js';
import type { LayerSpec } from '../core/spec.js';
import { SimrunError } from '../core/errors.js';
import { layerContext, type LayerExtras } from './layer/context.js';
import { beatPosition, controllerState, rowPacing, sequencer, slotTail } from './layer/controller.js';
import { alus, floatUnits, romReads } from './layer/datapath.js';
import { delayFault, rowFaults } from './layer/faultHooks.js';
import { inputSide, layerModule } from './layer/inputSide.js';
import { outputStage } from './layer/outputStage.js';
import type { LayerInput } from './widths.js';

export type { LayerInput } from './widths.js';
export type { LayerExtras } from './layer/context.js';
export { faultPlusargs, RUNTIME_BIT_FAULTS } from './layer/faultHooks.js';

/** Verilog module `rs_layer{N}` for one layer. Its weights and biases come from rs_wrom{N} / rs_brom{N}. */
export function emitLayer(l: LayerSpec, p: LayerPlan, input: LayerInput, extras: LayerExtras = {}): string {
  const c = layerContext(l, p, input, extras);
  const m = layerModule(c);
  // Sections render in the order they are first created; a later part may add to an earlier section (the sequencer
  // joins the controller's state) and may read wires declared in a later one (f_stall of the delay fault).
  inputSide(m, c);          // beat counter, row end, one row-buffer bank per strip
  rowFaults(m, c);          // plusarg hooks; a stall fault delays when rows count as arrived
  controllerState(m, c);    // row/slot/tap counters, which input row a tap reads, whether the next row may start
  rowPacing(m, c);          // with a row pacing: rows start at least MIN_ROW_GAP cycles apart
  beatPosition(m, c);       // which strip's beat loads this cycle (read from the slot tail when slots are pipelined)
  delayFault(m, c);         // holds the FSM before one beat (reads the beat position)
  sequencer(m, c);          // advances taps → slots → rows (frozen while a delay fault holds)
  slotTail(m, c);           // pipelined slots: finishes one slot while the next runs its taps
  romReads(m, c);           // this tap's weights, this group's biases
  floatUnits(m, c);         // fmul / fadd / biasRelu (and the mutated copies a campaign needs)
  alus(m, c);               // per strip and lane: multiply, accumulate, bias + ReLU
  outputStage(m, c);        // one strip's lanes per beat, bit faults on the way out
  const lost = c.v.unapplied();
  if (lost.length) throw new SimrunError('INTERNAL', `layer ${l.index}: catalogue mutant ${lost.map((x) => `${x.id} ${x.kind}`).join(', ')} has no place in the emitted module`);
  return m.render();
}
