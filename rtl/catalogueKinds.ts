// The catalogue's mutant kinds and what a layer carries of them: data the emitter reads, apart from the catalogue's
// placing logic (which emits layers), so the two do not import each other.

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
  'add-order-bit': "one add site of one ALU (strip 0, lane 0; the accumulate in odd layers, the bias add in even ones) reads one mantissa bit of b forced in its operand-order test (equal exponents); the bit and its value vary by layer",
} as const;
export type CatalogueKind = keyof typeof CATALOGUE;

/** A catalogue mutant built into one layer, selected when mutsel equals `id`. */
export interface LayerMutant {
  readonly id: number;
  readonly kind: CatalogueKind;
}


/** Where an add-order-bit mutant sits in a layer: which add site of strip 0, lane 0, and the bit of b forced in the order test. */
export interface AddOrderSite {
  readonly site: 'accumulate' | 'bias-add';
  readonly bit: number;
  readonly value: 0 | 1;
}

/** Bits of b's mantissa the order test reads forced, by layer: high, low, the top and a middle one in turn. */
const ORDER_BITS = [18, 0, 22, 9] as const;

/** The add-order-bit site of layer `layer` (1-based): a different bit, value and site from its neighbours. */
export function addOrderSite(layer: number): AddOrderSite {
  return { site: layer % 2 === 1 ? 'accumulate' : 'bias-add', bit: ORDER_BITS[(layer - 1) % ORDER_BITS.length]!, value: layer % 3 === 0 ? 1 : 0 };
}
