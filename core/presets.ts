// Shipped network presets (raw, unvalidated objects in the spec schema): ie120r, ie120r-published, ie120r-mini, tiny.

const IE120R_CHANNELS = [16, 16, 16, 32, 32, 32, 96, 96, 96, 96, 96, 96, 192, 192, 192, 320, 320, 320, 512, 512, 512] as const;
const IE120R_STRIDE2 = new Set([1, 4, 7, 10, 13, 16, 19]);

function ie120rLayers(divide: number): object[] {
  const ch = (c: number) => Math.max(2, Math.floor(c / divide));
  const layers: object[] = IE120R_CHANNELS.map((c, i) => ({
    name: `layer${i + 1}`, kernel: 3, stride: IE120R_STRIDE2.has(i + 1) ? 2 : 1, pad: 1,
    outChannels: ch(c), batchnorm: true, relu: true,
  }));
  layers.push({ name: 'layerf4', kernel: 1, stride: 1, pad: 0, outChannels: ch(512), batchnorm: false, relu: false });
  return layers;
}

/** The published IE120R's strips and ocmux per layer (its hardware plan; req = ⌈W/strips⌉·ocmux·(taps + strips + 10)). */
const PUBLISHED_PLAN: readonly (readonly [number, number])[] = [
  [4, 1], [16, 1], [16, 1], [16, 4], [14, 2], [14, 2], [14, 8], [6, 1], [6, 1], [6, 4], [3, 2],
  [3, 2], [3, 8], [2, 2], [2, 2], [2, 8], [1, 2], [1, 2], [1, 8], [1, 8], [1, 8], [1, 64],
];

const IMAGENET_NORMALIZE = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

/** Presets selectable by name with --config. */
export const PRESETS: Readonly<Record<string, object>> = {
  ie120r: {
    name: 'ie120r',
    input: { height: 896, width: 896, channels: 3 },
    clockHz: 250_000_000,
    rowRateHz: 100_000,
    // The published design's fp32 MAC count: spend it on latency rather than leave ALUs idle.
    aluBudget: 3960,
    // A slot's drain and beats overlap the next slot's taps: fewer MAC units keep up with the row rate.
    slots: 'pipelined',
    // Each layer may run its taps one kernel row at a time, as each input row arrives, keeping partial sums between
    // rows: a frame's last rows then wait for a third of their work, not all of it.
    partialSums: true,
    normalize: IMAGENET_NORMALIZE,
    layers: ie120rLayers(1),
  },
  // The published design's timing as a plan: its strips and ocmux, strips + 10 cycles a slot besides the taps, rows
  // paced at the layer's row rate (its TDMPAD) and row buffers as deep as that schedule needs.
  'ie120r-published': {
    name: 'ie120r-published',
    input: { height: 896, width: 896, channels: 3 },
    clockHz: 250_000_000,
    rowRateHz: 100_000,
    drain: 10,
    rowPacing: 1,
    rowBuffers: 'high-water',
    normalize: IMAGENET_NORMALIZE,
    layers: (ie120rLayers(1) as Record<string, unknown>[]).map((l, i) => ({ ...l, strips: PUBLISHED_PLAN[i]![0], ocmux: PUBLISHED_PLAN[i]![1] })),
  },
  'ie120r-mini': {
    name: 'ie120r-mini',
    input: { height: 128, width: 128, channels: 3 },
    clockHz: 250_000_000,
    rowRateHz: 100_000,
    normalize: IMAGENET_NORMALIZE,
    layers: ie120rLayers(8),
  },
  tiny: {
    name: 'tiny',
    input: { height: 16, width: 16, channels: 3 },
    clockHz: 250_000_000,
    rowRateHz: 2_500_000,
    normalize: IMAGENET_NORMALIZE,
    layers: [
      { name: 't1', kernel: 3, stride: 1, pad: 1, outChannels: 4, batchnorm: true, relu: true },
      { name: 't2', kernel: 3, stride: 2, pad: 1, outChannels: 8, batchnorm: true, relu: true },
      { name: 't3', kernel: 1, stride: 1, pad: 0, outChannels: 8, batchnorm: false, relu: true },
      { name: 't4', kernel: 3, stride: 1, pad: 1, outChannels: 4, batchnorm: false, relu: false },
    ],
  },
};
