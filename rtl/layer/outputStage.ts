// The layer's output stage: during the beat phases one strip's lanes go out per cycle (idle strips send nothing), with
// the beat's row, column, group and last flag; bit faults flip bits of the beat as it loads.
import { LAYER_SIGNALS } from '../../core/layerSignals.js';
import { vConcat, vFor, vIf, type VModule, type VStmt } from '../../core/vbuild.js';
import type { LayerContext } from './context.js';
import { bitFaultStatements, flipsBeatBits } from './faultHooks.js';
import { k } from './literals.js';

/** The out_* registers, loaded while busy and a beat is due. */
export function outputStage(m: VModule, c: LayerContext): void {
  const { l, p, w, lanes, v, beat: b } = c;
  const res = LAYER_SIGNALS.result;
  const lastStrip = Math.floor(l.outW / p.colsPerStrip) - 1;
  // swap-lanes: lanes 0 and 1 trade places; the others load as ever.
  const swapped = v.has('swap-lanes');
  const word = (at: (j: number) => string, j: number) => (swapped && j < 2 ? v.pick('swap-lanes', at(j), at(1 - j)) : at(j));
  const indexed = flipsBeatBits(c);
  const data: VStmt[] = indexed
    ? [vFor('oj', swapped ? '2' : '0', 'oj < LANES', [`out_data[oj * 32 +: 32] <= ${res}[ost * LANES + oj];`]),
      ...(swapped ? [0, 1].map((j) => `out_data[${j * 32} +: 32] <= ${word((i) => `${res}[ost * LANES + ${i}]`, j)};`) : [])]
    : [beatsByStrip(c, (st, j) => word((i) => `${res}[${st * lanes + i}]`, j))];
  const sec = m.section('output stage: beats during phases beat0 .. beat0 + STRIPS − 1 (taps + drain − 1 onwards)');
  if (indexed) sec.integer('oj');
  sec
    .always('posedge clk', [vIf('rst', [
      `out_valid <= 1'b0; out_row <= ${k(0, w.outRow)}; out_col <= ${k(0, w.outCol)}; out_grp <= ${k(0, w.grp)}; out_last <= 1'b0; out_data <= ${lanes * 32}'d0;`,
    ], [vIf(`${b.busy} && beat_now${c.faults.delay ? ' && !f_stall' : ''}`, [
      `out_valid <= ocol < ${k(l.outW, w.ocol)};`,
      `out_row <= ${b.row}; out_col <= ocol[${w.outCol - 1}:0]; out_grp <= ${b.grp};`,
      `out_last <= ${b.row} == ${k(l.outH - 1, w.outRow)} && ${b.pos} == ${k(p.colsPerStrip - 1, w.pos)} && ${b.grp} == ${k(p.ocmux - 1, w.grp)} && ost == ${k(lastStrip, w.ost)};`,
      ...data,
      ...bitFaultStatements(c),
    ], ["out_valid <= 1'b0; out_last <= 1'b0;"])])]);
}

/**
 * The beat's data as a case over the strip: each strip's lanes read at constant indices (the last strip is the
 * default, so no value is made up for an ost no beat has). Verilator then keeps each result word as a register of its
 * own (datapath.ts), not an array word whose write it must track every cycle.
 */
function beatsByStrip(c: LayerContext, word: (strip: number, lane: number) => string): string {
  const { lanes, w } = c;
  const words = (st: number) => vConcat(Array.from({ length: lanes }, (_, j) => word(st, lanes - 1 - j)));
  const last = c.strips.length - 1;
  return ['case (ost)', ...c.strips.map((s) => `  ${s.st === last ? 'default' : k(s.st, w.ost)}: out_data <= ${words(s.st)};`), 'endcase'].join('\n');
}
