// The format of an explained output: the MAC sequence of one output word as an engine computed it, step by step.
// Types only — each engine fills it with its own arithmetic.

/** One tap of the MAC sequence; every value is binary32 bits (the weight is its bfloat18 code widened). */
export interface ExplainTap {
  readonly ky: number;
  readonly kx: number;
  readonly ci: number;
  /** The input value this tap meets (+0 in the padding). */
  readonly x: number;
  readonly w: number;
  readonly product: number;
  /** The running sum after this tap (the first tap's product loads it). */
  readonly sum: number;
}

/** The whole sequence for one output: taps in contract order, then bias, then ReLU. */
export interface Explanation {
  readonly taps: readonly ExplainTap[];
  readonly bias: number;
  /** ftz(rne32(sum + bias)), NaN canonical. */
  readonly biased: number;
  /** After ReLU (or `biased` on a layer without ReLU): the word the engine delivers. */
  readonly out: number;
}

/** Which output to explain. */
export interface ExplainTarget {
  readonly layer: number;
  readonly row: number;
  readonly col: number;
  readonly chan: number;
}

/** The taps of a K×K window over Cin channels in contract order (ky, kx, ci with ci fastest), with input coordinates. */
export function tapOrder(k: number, inC: number, stride: number, pad: number, row: number, col: number): { ky: number; kx: number; ci: number; iy: number; ix: number }[] {
  const out: { ky: number; kx: number; ci: number; iy: number; ix: number }[] = [];
  for (let ky = 0; ky < k; ky++) for (let kx = 0; kx < k; kx++) for (let ci = 0; ci < inC; ci++) out.push({ ky, kx, ci, iy: row * stride - pad + ky, ix: col * stride - pad + kx });
  return out;
}
