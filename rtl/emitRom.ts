// The ROM modules of a layer: its weights (one bfloat18 code per tap and channel) and biases (one binary32 per channel),
// each read by every lane at once. They live in their own file, so tools that must not see ROM contents (Yosys during a
// mutation campaign) can read them as black boxes. ROM images: rom/w{N}.memh and rom/b{N}.memh, one word per line.
import type { LayerPlan } from '../core/plan.js';
import type { LayerSpec } from '../core/spec.js';
import { VModule } from './vbuild.js';

/** Address bits for `n` words. */
export function addrBits(n: number): number {
  return Math.max(1, Math.ceil(Math.log2(Math.max(2, n))));
}

/** ROM image names of layer N (paths relative to the folder the simulator runs in). */
export function romNames(layer: number): { weights: string; bias: string } {
  return { weights: `rom/w${layer}.memh`, bias: `rom/b${layer}.memh` };
}

/**
 * rs_wrom{N}: weight code (tap, channel) at address tap·Cout + channel; lane j reads base + j·ocmux (channel j·ocmux +
 * grp of the current tap, with base = tap·Cout + grp). rs_brom{N}: bias of channel j·ocmux + grp on lane j.
 */
export function emitRoms(l: LayerSpec, p: LayerPlan): { weights: string; bias: string } {
  const n = l.index;
  const depth = p.taps * l.outC;
  const aw = addrBits(depth);
  const gw = addrBits(p.ocmux);
  const names = romNames(n);
  const w = new VModule(`rs_wrom${n}`, [`rs_wrom${n}: layer ${n}'s ${depth} weight codes (18 bits: the top of a binary32), address tap·${l.outC} + channel, from ${names.weights}.`])
    .port('input', 'base', aw).port('output', 'w', p.lanes * 18)
    .section('storage', `reg [17:0] mem [0:${depth - 1}];`, `initial $readmemh("${names.weights}", mem);`)
    .section('one read per lane: channel j·OCMUX + grp of this tap',
      'genvar j;',
      'generate',
      `  for (j = 0; j < ${p.lanes}; j = j + 1) begin : g_lane`,
      `    wire [31:0] a = {${32 - aw}'d0, base} + j * ${p.ocmux};   // < ${depth} whenever base is a tap's group`,
      `    /* verilator lint_off UNUSEDSIGNAL */`,
      `    wire [31:0] a_full = a;`,
      `    /* verilator lint_on UNUSEDSIGNAL */`,
      `    assign w[j * 18 +: 18] = mem[a_full[${aw - 1}:0]];`,
      '  end',
      'endgenerate');
  const b = new VModule(`rs_brom${n}`, [`rs_brom${n}: layer ${n}'s ${l.outC} biases (binary32), address channel, from ${names.bias}.`])
    .port('input', 'grp', gw).port('output', 'b', p.lanes * 32)
    .section('storage', `reg [31:0] mem [0:${l.outC - 1}];`, `initial $readmemh("${names.bias}", mem);`)
    .section('one read per lane: channel j·OCMUX + grp',
      'genvar j;',
      'generate',
      `  for (j = 0; j < ${p.lanes}; j = j + 1) begin : g_lane`,
      `    wire [31:0] a = {${32 - gw}'d0, grp} + j * ${p.ocmux};`,
      `    /* verilator lint_off UNUSEDSIGNAL */`,
      `    wire [31:0] a_full = a;`,
      `    /* verilator lint_on UNUSEDSIGNAL */`,
      `    assign b[j * 32 +: 32] = mem[a_full[${addrBits(l.outC) - 1}:0]];`,
      '  end',
      'endgenerate');
  return { weights: w.render(), bias: b.render() };
}
