// Contract coverage computed by the model: every layer of every frame in the contract's order (taps ky, kx, ci; bias;
// ReLU), with each product, add and ReLU classified as it happens (sim/contractCases.ts). The outputs are the model's
// own scalar arithmetic (sim/arith.ts), so the cases counted are those of the values the engines actually compute.
import { emptyCoverage, type ContractCoverage, type SiteKind } from '../core/coverage.js';
import type { NetworkSpec } from '../core/spec.js';
import type { HwLayerWeights } from '../core/weights/types.js';
import { add, bf18Value, mul, relu } from './arith.js';
import { classifyAdd, classifyMultiply, classifyRelu } from './contractCases.js';

/** The counters of one layer's sites (null where the layer has no such site). */
type LayerCounters = Record<SiteKind, Float64Array | null>;

/**
 * Classifies one layer's operations on input `x` (HWC) and returns its output (HWC). The first tap loads the
 * accumulator; each later tap's product is added to it; then the bias, then the ReLU.
 */
function coverLayer(net: NetworkSpec, layer: number, w: Float32Array, bias: Float32Array, x: Float32Array, c: LayerCounters | null): Float32Array {
  const l = net.layers[layer - 1]!;
  const { kernel: k, stride: s, pad: p, inH, inW, inC, outH, outW, outC } = l;
  const out = new Float32Array(outH * outW * outC);
  for (let r = 0; r < outH; r++) {
    for (let col = 0; col < outW; col++) {
      for (let co = 0; co < outC; co++) {
        let acc = 0;
        let t = 0;
        for (let ky = 0; ky < k; ky++) {
          const iy = r * s - p + ky;
          for (let kx = 0; kx < k; kx++) {
            const ix = col * s - p + kx;
            const inside = iy >= 0 && iy < inH && ix >= 0 && ix < inW;
            for (let ci = 0; ci < inC; ci++, t++) {
              const xv = inside ? x[(iy * inW + ix) * inC + ci]! : 0;
              const wv = w[t * outC + co]!;
              if (c) classifyMultiply(xv, wv, c.multiply!);
              const prod = mul(wv, xv);
              if (t === 0) acc = prod;
              else {
                if (c) classifyAdd(acc, prod, c.accumulate!);
                acc = add(acc, prod);
              }
            }
          }
        }
        if (c) classifyAdd(acc, bias[co]!, c['bias-add']!);
        acc = add(acc, bias[co]!);
        if (l.relu) {
          if (c) classifyRelu(acc, c.relu!);
          acc = relu(acc);
        }
        out[(r * outW + col) * outC + co] = acc;
      }
    }
  }
  return out;
}

/**
 * The contract coverage of `frames` (each H·W·3, HWC) through `net` with `weights`. Counts every site of every layer;
 * unreachable cases come from the network's structure (core/coverage.ts). Cost: one scalar pass per frame, about the
 * model's JS kernel's time — fine for small networks, minutes per frame for the full IE120R.
 */
export function contractCoverage(net: NetworkSpec, weights: readonly HwLayerWeights[], frames: readonly Float32Array[]): ContractCoverage {
  return coverageAndOutputs(net, weights, frames).coverage;
}

/**
 * contractCoverage, plus each frame's last output as the pass computed it (for checks against the engines). With
 * `only`, the pass stops after that layer and counts only its sites (the others stay zero).
 */
export function coverageAndOutputs(net: NetworkSpec, weights: readonly HwLayerWeights[], frames: readonly Float32Array[], only?: number): { coverage: ContractCoverage; outputs: Float32Array[] } {
  const empty = emptyCoverage(net);
  const counters = net.layers.map((l) => {
    const c: LayerCounters = { multiply: null, accumulate: null, 'bias-add': null, relu: null };
    for (const s of empty.sites) if (s.layer === l.index) c[s.site] = new Float64Array(s.counts.length);
    return c;
  });
  const values = weights.map((lw) => Float32Array.from(lw.codes, bf18Value));
  const outputs = frames.map((frame) => {
    let x: Float32Array = frame;
    for (const l of net.layers.slice(0, only ?? net.layers.length)) x = coverLayer(net, l.index, values[l.index - 1]!, weights[l.index - 1]!.bias, x, only === undefined || only === l.index ? counters[l.index - 1]! : null);
    return x;
  });
  const coverage = {
    ...empty, frames: frames.length,
    sites: empty.sites.map((s) => ({ ...s, counts: Array.from(counters[s.layer - 1]![s.site]!) })),
  };
  return { coverage, outputs };
}
