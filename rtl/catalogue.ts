// rowsim's catalogue of semantic mutants: bugs a hardware engineer could plausibly write into this microarchitecture,
// each built into one layer and selected at run time (mutsel == id), so one Verilator build serves them all.
import type { LayerPlan } from '../core/plan.js';
import type { LayerSpec } from '../core/spec.js';

/** The kinds of semantic mutant. */
export const CATALOGUE = {
  'mul-round': 'multiply rounds ties away from zero instead of to even (the rounding bit ignores the LSB)',
  'add-round': 'add rounds ties toward zero instead of to even',
  'subnormal-round': 'a product just below the smallest normal flushes instead of rounding up to it',
  'rowbuf-addr': 'row-buffer read address off by one row',
  'swap-lanes': 'output lanes 0 and 1 swapped',
  'pad-skip': 'a padding tap is skipped: the accumulator neither loads nor adds it',
  'bias-first': 'bias added before the taps instead of after them',
  'relu-last': 'ReLU applied on a layer that has none',
  'pacing-off-by-one': 'input beat counter off by one: rows are seen complete one beat early',
  'drain-off-by-one': 'the FSM emits each slot\'s beats one cycle late',
  'wrom-addr': 'weight ROM address off by one tap',
  'stall-forever': 'the layer never sees its input rows as ready (a deadlock)',
} as const;
export type CatalogueKind = keyof typeof CATALOGUE;

/** A catalogue mutant built into one layer, selected when mutsel equals `id`. */
export interface LayerMutant {
  readonly id: number;
  readonly kind: CatalogueKind;
}

/** Whether a kind can be built into a layer (some need padding, two lanes, no ReLU, or rows of two beats). */
export function applies(kind: CatalogueKind, l: LayerSpec, p: LayerPlan, inBeatsPerRow: number): boolean {
  switch (kind) {
    case 'swap-lanes': return p.lanes >= 2;
    case 'pad-skip': return l.pad > 0;
    case 'relu-last': return !l.relu;
    case 'pacing-off-by-one': return inBeatsPerRow >= 2;
    default: return true;
  }
}
