// The ROM modules of a layer: its weights (one bfloat18 code per tap and channel) and biases (one binary32 per channel),
// each read by every lane at once. They live in their own file, so tools that must not see ROM contents (Yosys during a
// mutation campaign) can read them as black boxes. ROM images: rom/w{N}.memh and rom/b{N}.memh, one word per line.
import { layerModules } from '../core/layerSignals.js';
import type { LayerPlan } from '../core/plan.js';
import type { LayerSpec } from '../core/spec.js';
import { vFor, vIf, VModule } from '../core/vbuild.js';

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
  const depth = p.taps * p.passes * l.outC;   // every tap of an output, whatever the passes
  const aw = addrBits(depth);
  const gw = addrBits(p.ocmux);
  const names = romNames(n);
  const mods = layerModules(n);
  // One read per lane while en: address base + j·OCMUX, formed at 32 bits (j·OCMUX may pass the address width) and cut
  // to the address, whose upper bits are unread by construction (the lint waiver says so). One combinational block
  // tests en once: a layer that reads no weight this cycle (idle) or no bias (not finishing a slot) costs Verilator one
  // test, not a read per lane; the output is 0 then (the hardware: an AND per output bit).
  const readLanes = (m: VModule, title: string, base: string, bits: number, word: number, out: string, depthOf: number) => m.section(title)
    .raw('integer j;', '/* verilator lint_off UNUSEDSIGNAL */').reg('a', 32, word === 18 ? `< ${depth} whenever base is a tap's group` : undefined).raw('/* verilator lint_on UNUSEDSIGNAL */')
    // Every bit is assigned first, so no path leaves a latch (Verilator cannot tell that the loop covers every lane).
    .always('*', [`a = 32'd0; ${out} = ${p.lanes * word}'d0;`, vIf('en', [vFor('j', '0', `j < ${p.lanes}`, [`a = {${32 - bits}'d0, ${base}} + j * ${p.ocmux};`, `${out}[j * ${word} +: ${word}] = mem[a[${addrBits(depthOf) - 1}:0]];`])])]);
  const w = new VModule(mods.weights, [`${mods.weights}: layer ${n}'s ${depth} weight codes (18 bits: the top of a binary32), address tap·${l.outC} + channel, from ${names.weights}.`])
    .port('input', 'en', 1, 'wire', 'read enable: w is 0 while low').port('input', 'base', aw).port('output', 'w', p.lanes * 18, 'reg');
  w.section('storage').memory('mem', 18, depth).raw(`initial $readmemh("${names.weights}", mem);`);
  readLanes(w, 'one read per lane while en: channel j·OCMUX + grp of this tap', 'base', aw, 18, 'w', depth);
  const b = new VModule(mods.bias, [`${mods.bias}: layer ${n}'s ${l.outC} biases (binary32), address channel, from ${names.bias}.`])
    .port('input', 'en', 1, 'wire', 'read enable: b is 0 while low').port('input', 'grp', gw).port('output', 'b', p.lanes * 32, 'reg');
  b.section('storage').memory('mem', 32, l.outC).raw(`initial $readmemh("${names.bias}", mem);`);
  readLanes(b, 'one read per lane while en: channel j·OCMUX + grp', 'grp', gw, 32, 'b', l.outC);
  return { weights: w.render(), bias: b.render() };
}
