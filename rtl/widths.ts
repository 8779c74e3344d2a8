// Bit widths of a layer's counters, indices and stream fields: each exactly as wide as the range of values it takes in
// operation (0 .. n−1 needs addrBits(n) bits), so no bit of the emitted RTL is constant while it runs.
import type { LayerPlan } from '../core/plan.js';
import type { LayerSpec } from '../core/spec.js';
import { addrBits } from './emitRom.js';

/** Channel groups of the stream feeding a layer (1 for the top input). */
export interface LayerInput {
  readonly lanes: number;
  readonly ocmux: number;
}

/** Widths (bits) of one layer's registers and wires; each field names the signal it sizes. */
export interface LayerWidths {
  readonly inCol: number;
  readonly inGrp: number;
  readonly inBeats: number;
  /** Row-buffer slot (wslot, fslot, slot_r). */
  readonly slot: number;
  /**
   * Rows of the current frame in the row buffer, plus `deficit`: from 0 (the frame's last output row is done before its
   * last `deficit` input rows arrive) up to all IN_H rows, R of the next frame and the deficit.
   */
  readonly have: number;
  /** Input rows at the bottom of a frame that no output row reads (a stride that steps past them). */
  readonly deficit: number;
  /** The controller's phase: 0 .. interval − 1 (the whole slot unless slots are pipelined). */
  readonly phase: number;
  /** A phase anywhere in the slot, the tail's included: 0 .. slot − 1. */
  readonly slotPhase: number;
  /** Row pacing's `row_age`: 0 .. minRowGap (1 bit, unused, when rows are not paced). */
  readonly rowAge: number;
  readonly pos: number;
  readonly grp: number;
  readonly outRow: number;
  readonly outCol: number;
  readonly kernel: number;
  readonly inChan: number;
  readonly tap: number;
  /** Kernel row seen from the top padding: out_r·S + ky. */
  readonly iy: number;
  /** fslot + iy: the slot before the modulo. */
  readonly slotSum: number;
  readonly ost: number;
  readonly ocol: number;
  /** Kernel column seen from the left padding, per strip. */
  readonly ix: number;
  readonly need: number;
  readonly wbase: number;
  /** Partial-sum memory address: (row mod partialRows, pos, grp); 1 bit, unused, with one pass per row. */
  readonly psum: number;
}

/** The widths of layer `l` under plan `p`, fed by a stream of shape `input`. */
export function layerWidths(l: LayerSpec, p: LayerPlan, input: LayerInput): LayerWidths {
  const iyMax = (l.outH - 1) * l.stride + l.kernel - 1;
  const deficit = l.inH - 1 - Math.min((l.outH - 1) * l.stride - l.pad + l.kernel - 1, l.inH - 1);
  return {
    deficit,
    inCol: addrBits(l.inW),
    inGrp: addrBits(input.ocmux),
    inBeats: addrBits(l.inW * input.ocmux),
    slot: addrBits(p.bufferRows),
    have: addrBits(l.inH + p.bufferRows + deficit + 1),
    phase: addrBits(p.slotInterval),
    slotPhase: addrBits(p.slotCycles),
    rowAge: addrBits(p.minRowGap + 1),
    pos: addrBits(p.colsPerStrip),
    grp: addrBits(p.ocmux),
    outRow: addrBits(l.outH),
    outCol: addrBits(l.outW),
    kernel: addrBits(l.kernel),
    inChan: addrBits(l.inC),
    tap: addrBits(p.taps * p.passes),
    iy: addrBits(iyMax + 1),
    slotSum: addrBits(p.bufferRows + iyMax),
    ost: addrBits(p.strips),
    ocol: addrBits(p.strips * p.colsPerStrip),
    ix: addrBits((p.strips * p.colsPerStrip - 1) * l.stride + l.kernel),
    need: addrBits(l.inH),
    wbase: addrBits(p.taps * p.passes * l.outC),
    psum: addrBits(Math.max(1, p.partialRows) * p.colsPerStrip * p.ocmux),
  };
}
