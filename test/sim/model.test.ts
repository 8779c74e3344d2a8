// The model against the golden, bit for bit on every layer: tiny, ie120r-mini, random small specs; frames do not leak state.
import { describe, expect, it } from 'vitest';
import { planNetwork } from '../../core/plan.js';
import { loadSpec, validateSpec, type NetworkSpec } from '../../core/spec.js';
import { loadWeights } from '../../core/weights/load.js';
import { runGolden } from '../../golden/run.js';
import { runModel } from '../../sim/model.js';
import { NetworkScheduler } from '../../sim/schedule.js';
import { loadStimulus } from '../../vectors/image.js';
import { lcg } from '../support/reference.js';

function sameBits(a: Float32Array, b: Float32Array): string {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  if (x.length !== y.length) return `length ${x.length} vs ${y.length}`;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return `word ${i}: ${x[i]!.toString(16)} vs ${y[i]!.toString(16)}`;
  return 'same';
}

async function simVsGolden(net: NetworkSpec, weights: string, image: string): Promise<void> {
  const w = loadWeights(net, weights);
  const st = await loadStimulus(image, net);
  const g = await runGolden(net, w, st.data);
  const [m] = await runModel(net, w, [st.data]);
  for (const l of net.layers) expect(`${l.name}: ${sameBits(g.activations[l.index - 1]!, m![l.index - 1]!)}`).toBe(`${l.name}: same`);
}

/** A random 2–3 layer spec with k ∈ {1,3,5}, stride ∈ {1,2}, odd sizes. */
function randomSpec(seed: number): NetworkSpec {
  const r = lcg(seed);
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
  const h = 9 + 2 * Math.floor(r() * 5);
  const w = 9 + 2 * Math.floor(r() * 5);
  const n = 2 + Math.floor(r() * 2);
  const layers = Array.from({ length: n }, (_, i) => {
    const kernel = pick([1, 3, 5] as const);
    return { name: `r${i + 1}`, kernel, stride: pick([1, 2] as const), pad: Math.min(kernel - 1, Math.floor(r() * 3)), outChannels: 1 + Math.floor(r() * 6), batchnorm: r() < 0.5, relu: i < n - 1 || r() < 0.5 };
  });
  return validateSpec({ name: `random-${seed}`, input: { height: h, width: w, channels: 3 }, clockHz: 100_000_000, rowRateHz: 20_000, layers }, `random spec ${seed}`);
}

describe('model vs golden, bit for bit', () => {
  it('tiny, coffee.png, synthetic:0', async () => simVsGolden(loadSpec('tiny'), 'synthetic:0', 'examples/coffee.png'));
  it('ie120r-mini, chelsea.png, synthetic:1, all 22 layers', async () => simVsGolden(loadSpec('ie120r-mini'), 'synthetic:1', 'examples/chelsea.png'));
  for (const seed of [101, 202, 303, 404]) {
    const net = randomSpec(seed);
    const desc = net.layers.map((l) => `k${l.kernel}s${l.stride}p${l.pad}c${l.outC}`).join(',');
    it(`random spec seed=${seed} ${net.input.height}x${net.input.width} [${desc}]`, async () => simVsGolden(net, `synthetic:${seed}`, 'examples/coffee.png'));
  }
});

describe('frames stream back to back without leaking state', () => {
  it('tiny: frames (coffee, chelsea) equal single-frame runs of each', async () => {
    const net = loadSpec('tiny');
    const plan = planNetwork(net);
    const w = loadWeights(net, 'synthetic:0');
    const a = (await loadStimulus('examples/coffee.png', net)).data;
    const b = (await loadStimulus('examples/chelsea.png', net)).data;
    const both = await runModel(net, w, [a, b]);
    const [onlyA] = await runModel(net, w, [a]);
    const [onlyB] = await runModel(net, w, [b]);
    const sched = new NetworkScheduler(net, plan, { kind: 'uniform' });
    const f0 = sched.frame(0).layers, f1 = sched.frame(1).layers;
    const alone = new NetworkScheduler(net, plan, { kind: 'uniform' }).frame(0).layers;
    for (let i = 0; i < net.layers.length; i++) {
      expect(sameBits(both[0]![i]!, onlyA![i]!)).toBe('same');
      expect(sameBits(both[1]![i]!, onlyB![i]!)).toBe('same');
      // Frame 1's beats are frame 0's shifted by one frame period: the pipeline drains between frames.
      expect(f1[i]!.beats.cycle[0]! - f0[i]!.beats.cycle[0]!).toBe(net.input.height * net.rowPeriod);
      expect(Array.from(alone[i]!.beats.cycle)).toEqual(Array.from(f0[i]!.beats.cycle));
    }
    expect(sameBits(both[0]![3]!, both[1]![3]!)).not.toBe('same');
  });
});
