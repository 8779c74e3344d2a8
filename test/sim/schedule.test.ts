// Row buffers sized at plan time: high-water under uniform pacing is exact for it and can overflow under jitter;
// in-period sizing holds for every jittered frame tried, and is never below the uniform mark.
import { describe, expect, it } from 'vitest';
import { planNetwork, type NetworkPlan } from '../../core/plan.js';
import { loadSpec, type NetworkSpec } from '../../core/spec.js';
import { SimrunError } from '../../core/errors.js';
import { NetworkScheduler, steadyStateHighWater, steadyStateProblem } from '../../sim/schedule.js';

/** examples/paced.yaml (pipelined slots, rowPacing 0.9) with its buffers sized as `rowBuffers` says. */
function paced(rowBuffers: 'high-water' | 'in-period'): { net: NetworkSpec; plan: NetworkPlan } {
  const net = { ...loadSpec('examples/paced.yaml'), rowBuffers };
  const plan = planNetwork(net, { steadyState: (p) => steadyStateProblem(net, p), highWater: (p) => steadyStateHighWater(net, p) });
  return { net, plan };
}

/** The layer whose buffer overflows in `frames` frames under jitter:seed, or null. */
function overflowUnderJitter(net: NetworkSpec, plan: NetworkPlan, seed: number, frames: number): number | null {
  const s = new NetworkScheduler(net, plan, { kind: 'jitter', seed });
  try {
    for (let f = 0; f < frames; f++) s.frame(f, false);
    return null;
  } catch (e) {
    if (e instanceof SimrunError && e.code === 'SIM_BUFFER_OVERFLOW') return e.where.layer!;
    throw e;
  }
}

describe('row buffers sized for a pacing family (examples/paced.yaml: P = 500, W = 32)', () => {
  const uniform = paced('high-water');
  const inPeriod = paced('in-period');

  it('high-water (uniform) buffers overflow layer 1 under jitter:3 within 3 frames', () => {
    expect(overflowUnderJitter(uniform.net, uniform.plan, 3, 3)).toBe(1);
  });

  it('in-period buffers are at least the uniform high-water mark in every layer, and larger in some', () => {
    const u = uniform.plan.layers.map((p) => p.bufferRows);
    const j = inPeriod.plan.layers.map((p) => p.bufferRows);
    j.forEach((rows, i) => expect(rows, `layer ${i + 1}`).toBeGreaterThanOrEqual(u[i]!));
    expect(j.some((rows, i) => rows > u[i]!)).toBe(true);
  });

  it('in-period buffers: jitter seeds 1..25, 4 frames each, never overflow, and the most rows held stays within each buffer', () => {
    for (let seed = 1; seed <= 25; seed++) {
      const s = new NetworkScheduler(inPeriod.net, inPeriod.plan, { kind: 'jitter', seed });
      for (let f = 0; f < 4; f++) s.frame(f, false);
      s.bufferHighWater().forEach((held, i) => expect(held, `seed ${seed} layer ${i + 1}`).toBeLessThanOrEqual(inPeriod.plan.layers[i]!.bufferRows));
    }
  });

  it('the timing does not depend on the sizing: both plans give the same latency and slots', () => {
    const strip = (p: NetworkPlan) => p.layers.map((l) => [l.strips, l.ocmux, l.cyclesPerRow]);
    expect(strip(inPeriod.plan)).toEqual(strip(uniform.plan));
  });
});
