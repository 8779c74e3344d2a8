// The declared timing model: rowsim's defaults reproduce the plan exactly; other declarations move slots and beats as
// declared — checked against beat cycles worked out by hand for a 4-column, 2-strip, 2-group layer.
import { describe, expect, it } from 'vitest';
import { planNetwork } from '../../core/plan.js';
import { validateSpec } from '../../core/spec.js';
import { applyDeclaredTiming } from '../../core/timingModel.js';
import { LayerScheduler } from '../../sim/timing.js';

// 4×4×1 input, one 1×1 layer with 4 channels pinned to 2 strips × ocmux 2: taps 1, 2 column positions, 4 slots a row.
const NET = validateSpec({ name: 'm', input: { height: 4, width: 4, channels: 3 }, clockHz: 1e8, rowRateHz: 1e6, layers: [{ name: 'a', kernel: 1, stride: 1, pad: 0, outChannels: 4, strips: 2, ocmux: 2 }] }, 'test');
const PLAN = planNetwork(NET);

/** Row 0's beats (cycle, col, group) when its input row is in at cycle 0 (ready at 0 + start latency). */
function row0(plan = PLAN): string[] {
  const s = new LayerScheduler(NET.layers[0]!, plan.layers[0]!);
  const t = s.frame(0, { first: Float64Array.of(-3, 100, 200, 300), last: Float64Array.of(0, 103, 203, 303) });
  return Array.from({ length: 8 }, (_, i) => `${t.beats.cycle[i]}:c${t.beats.col[i]}g${t.beats.group[i]}`);
}

describe('declared timing model (1x1 layer, 2 strips, ocmux 2, taps 3)', () => {
  it('rowsim\'s own parameters change nothing: the plan and its beats are the same', () => {
    const d = applyDeclaredTiming(NET, PLAN, { layers: {} }, 't');
    expect(d.layers[0]).toEqual(PLAN.layers[0]);
    // slot = taps 3 + strips 2 + drain 3 = 8; slot k's beats at 1 + 8k + 3 + 3 + strip.
    expect(row0()).toEqual(['7:c0g0', '8:c2g0', '15:c0g1', '16:c2g1', '23:c1g0', '24:c3g0', '31:c1g1', '32:c3g1']);
  });

  it('pipelined slots (interval = taps + strips), groups outer, beat delay 1, start latency 2', () => {
    const d = applyDeclaredTiming(NET, PLAN, { startLatency: 2, intervalOverhead: { perStrip: 1, fixed: 0 }, groupOrder: 'outer', beatDelay: 1, layers: {} }, 't');
    expect(d.layers[0]!.slotInterval).toBe(5);
    expect(d.layers[0]!.cyclesPerRow).toBe(20);
    // start 2; slot k at 2 + 5k: (pos 0, g0), (pos 1, g0), (pos 0, g1), (pos 1, g1); beats at slot + 3 + 1 + strip.
    expect(row0(d)).toEqual(['6:c0g0', '7:c2g0', '11:c1g0', '12:c3g0', '16:c0g1', '17:c2g1', '21:c1g1', '22:c3g1']);
  });

  it('strip-major beats leave after the last slot, strip 0\'s columns first; row pacing 0.5 sets the row interval', () => {
    const d = applyDeclaredTiming(NET, PLAN, { beatOrder: 'strip-major', rowPacing: 0.5, layers: {} }, 't');
    expect(d.layers[0]!.cyclesPerRow).toBe(Math.max(32, 50));
    // last slot starts at 1 + 24; its first beat at 25 + 3 + 3 = 31; then one per cycle, strip by strip.
    expect(row0(d)).toEqual(['31:c0g0', '32:c0g1', '33:c1g0', '34:c1g1', '35:c2g0', '36:c2g1', '37:c3g0', '38:c3g1']);
  });

  it('a declaration the row rate cannot carry is refused naming the layer, the field and the shortfall', () => {
    expect(() => applyDeclaredTiming(NET, PLAN, { slotOverhead: { perStrip: 0, fixed: 30 }, layers: {} }, 'f')).toThrow(/f: timing\.model\.slotOverhead \(layer 1\): a row then takes 132 cycles but the row rate allows 100 \(short by 32\)/);
    expect(() => applyDeclaredTiming(NET, PLAN, { layers: { 2: { startLatency: 1 } } }, 'f')).toThrow(/timing\.model\.layers\.2: m has layers 1\.\.1/);
  });
});
