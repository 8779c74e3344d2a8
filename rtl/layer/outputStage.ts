// The layer's output stage: during the beat phases one strip's lanes go out per cycle (idle strips send nothing), with
// the beat's row, column, group and last flag; bit faults flip bits of the beat as it loads.
import { LAYER_SIGNALS } from '../../core/layerSignals.js';
import { vFor, vIf, type VModule, type VStmt } from '../../core/vbuild.js';
import type { LayerContext } from './context.js';
import { bitFaultStatements } from './faultHooks.js';
import { k } from './literals.js';

/** The out_* registers, loaded while busy and a beat is due. */
export function outputStage(m: VModule, c: LayerContext): void {
  const { l, p, w, lanes, v, beat: b } = c;
  const res = LAYER_SIGNALS.result;
  const lastStrip = Math.floor(l.outW / p.colsPerStrip) - 1;
  const word = (j: string) => `out_data[${j} * 32 +: 32] <= ${res}[ost * LANES + ${j}];`;
  // swap-lanes: lanes 0 and 1 trade places; the others load as ever.
  const data: VStmt[] = v.has('swap-lanes')
    ? [vFor('oj', '2', 'oj < LANES', [word('oj')]),
      `out_data[0 +: 32] <= ${v.pick('swap-lanes', `${res}[ost * LANES + 0]`, `${res}[ost * LANES + 1]`)};`,
      `out_data[32 +: 32] <= ${v.pick('swap-lanes', `${res}[ost * LANES + 1]`, `${res}[ost * LANES + 0]`)};`]
    : [vFor('oj', '0', 'oj < LANES', [word('oj')])];
  m.section('output stage: beats during phases beat0 .. beat0 + STRIPS − 1 (taps + drain − 1 onwards)')
    .integer('oj')
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
