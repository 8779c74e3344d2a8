// Would a design fit the published IE120R's device? The Agilex 7 027 device (the one whose capacity the published
// percentages point to: 3,960 DSP blocks at 46 %) against a Cyclone V ALM estimate from Yosys. Invariant: the verdict
// says "fits" only when every resource is within the device; ALMs are a lower bound (two ALUTs or four flip-flops an
// ALM, perfect packing), so "fits" is optimistic, while a "does not fit" by a wide margin holds.
import type { Resources } from './synth.js';

/** Agilex 7 AGF/AGI 027 (Intel's product table): ALMs, their registers, variable-precision DSP blocks, M20K bits. */
export const AGILEX_027 = { alms: 912_800, registers: 3_651_200, dspBlocks: 8_528, ramBits: 13_272 * 20_480 } as const;

/** What the published IE120R uses of it: 3,960 DSP blocks (46 %), 216 Mbit of RAM (80 %), ALMs 29 %. */
export const PUBLISHED_USE = { dspBlocks: 3_960, ramBits: 216_000_000, alms: Math.round(0.29 * AGILEX_027.alms) } as const;

/** A design against the device. */
export interface FitVerdict {
  /** ALMs at the least: max(ALUTs / 2, flip-flops / 4), plus half an ALM per MLAB cell (20 cells fill a 10-ALM MLAB). */
  readonly alms: number;
  readonly dspBlocks: number;
  /** Block RAM bits Yosys inferred (the emitted ROMs and row buffers are read asynchronously: none today). */
  readonly ramBits: number;
  /** Bits of the weight and bias ROMs and the row buffers: what a flow with registered reads would put in block RAM. */
  readonly memoryBits: number;
  readonly fits: boolean;
  /** One line per resource over the device, largest overshoot first; empty when it fits. */
  readonly over: readonly string[];
}

/** a as a percentage of b: one decimal below 10 %, whole percents (with thousands separators) above. */
const pct = (a: number, b: number) => { const p = (100 * a) / b; return p < 10 ? `${p.toFixed(1)} %` : `${Math.round(p).toLocaleString('en-US')} %`; };

/** The verdict for `total` (an intel-target estimate) with `memoryBits` of ROMs and row buffers. */
export function agilexFit(total: Resources, memoryBits: number): FitVerdict {
  const alms = Math.ceil(Math.max(total.logic / 2, total.flipFlops / 4) + total.lutRamBlocks / 2);
  const over: { share: number; line: string }[] = [];
  const check = (what: string, need: number, have: number) => {
    if (need > have) over.push({ share: need / have, line: `${what}: ${need.toLocaleString('en-US')} of ${have.toLocaleString('en-US')} (${pct(need, have)})` });
  };
  check('ALMs', alms, AGILEX_027.alms);
  check('DSP blocks', total.multipliers, AGILEX_027.dspBlocks);
  check('block RAM bits', total.ramBits, AGILEX_027.ramBits);
  return { alms, dspBlocks: total.multipliers, ramBits: total.ramBits, memoryBits, fits: over.length === 0, over: over.sort((a, b) => b.share - a.share).map((o) => o.line) };
}

/** The verdict as lines for the terminal, beside the published design's use of the same device; `how` says what was counted. */
export function formatFit(v: FitVerdict, how: string): string[] {
  const d = AGILEX_027;
  return [
    `Agilex 7 027 (${d.alms.toLocaleString('en-US')} ALMs, ${d.dspBlocks.toLocaleString('en-US')} DSP blocks, ${(d.ramBits / 1e6).toFixed(1)} Mbit M20K; the published IE120R uses ${PUBLISHED_USE.dspBlocks.toLocaleString('en-US')} DSP blocks (46 %), 216 Mbit RAM (80 %), ALMs 29 %), ${how}:`,
    `  this design: ≥ ${v.alms.toLocaleString('en-US')} ALMs (${pct(v.alms, d.alms)}), ${v.dspBlocks.toLocaleString('en-US')} DSP blocks (${pct(v.dspBlocks, d.dspBlocks)}), ${v.ramBits.toLocaleString('en-US')} block RAM bits; its ROMs and buffers (row buffers, partial sums) hold ${(v.memoryBits / 1e6).toFixed(1)} Mbit (${pct(v.memoryBits, d.ramBits)} of the M20K bits)`,
    v.fits
      ? '  verdict: fits (ALMs counted at perfect packing; place and route decides)'
      : `  verdict: does not fit — ${v.over.join('; ')}`,
  ];
}
