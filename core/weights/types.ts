// Weight types: raw (PyTorch layout, float32, before fusion) and hardware (bfloat18 codes in tap order, float32 bias).

/** One layer's float32 parameters in PyTorch layout, before batch-norm fusion. */
export interface RawLayerParams {
  /** [Cout, Cin, K, K] row-major. */
  readonly weight: Float32Array;
  readonly bias: Float32Array;
  /** Present only for layers with batch norm. */
  readonly bn?: {
    readonly gamma: Float32Array;
    readonly beta: Float32Array;
    readonly mean: Float32Array;
    readonly variance: Float32Array;
  };
}

/**
 * One layer's hardware parameters, as the ROMs hold them.
 * `codes[(tap) * Cout + co]` with tap = (ky·K + kx)·Cin + ci (the contract's order);
 * `bias[co]` is binary32 and never subnormal.
 */
export interface HwLayerWeights {
  readonly codes: Uint32Array;
  readonly bias: Float32Array;
  /** Fused but unquantized float32 weights in the same layout (for the float accuracy reference). */
  readonly fused?: Float32Array;
}
