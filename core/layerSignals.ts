// Names of the signals inside an emitted layer module that code outside the emitter finds by name — the campaign's
// witness search and proofs (which see only the netlist) and mutant selection. The emitter declares its signals with
// these names, so a rename here is a rename everywhere; nothing matches the emitter's text by pattern.

/** Signal names of `rs_layer{N}`. */
export const LAYER_SIGNALS = {
  /** ALU product registers, one word per strip and lane: `p_reg[strip·LANES + lane]`. */
  product: 'p_reg',
  /** ALU running sums: `acc[strip·LANES + lane]`. */
  accumulator: 'acc',
  /** Biased (and ReLU'd) results waiting for their beat: `res[strip·LANES + lane]`. */
  result: 'res',
  /** Prefix of a strip's input word at the current tap (`x_s{strip}`; +0 on padding). */
  stripInput: 'x_s',
  /** Prefix of a strip's generate block over lanes (`g_lane_s{strip}[lane]`), which holds `laneWeight` and `laneBias`. */
  laneBlock: 'g_lane_s',
  /** A lane's weight word (its bfloat18 code in the top 18 bits) inside the lane block. */
  laneWeight: 'w',
  /** A lane's bias word inside the lane block. */
  laneBias: 'bias',
  /** The input that selects one catalogue mutant (0: none). */
  mutantSelect: 'mutsel',
} as const;

/** `x_s{strip}`. */
export function stripInputName(strip: number): string {
  return `${LAYER_SIGNALS.stripInput}${strip}`;
}

/** `g_lane_s{strip}` (the generate block's label). */
export function laneBlockName(strip: number): string {
  return `${LAYER_SIGNALS.laneBlock}${strip}`;
}

/** Module names of an emitted design's layer `n`: the layer and its weight and bias ROMs (each in `<name>.v`). */
export function layerModules(n: number): { readonly layer: string; readonly weights: string; readonly bias: string } {
  return { layer: `rs_layer${n}`, weights: `rs_wrom${n}`, bias: `rs_brom${n}` };
}

/** The layer a module of an emitted design is (`rs_layer7` → 7), or NaN for any other module. */
export function layerOfModule(module: string): number {
  return Number(/^rs_layer(\d+)$/.exec(module)?.[1] ?? NaN);
}
