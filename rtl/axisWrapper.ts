// rs_axis_top: rs_top behind AXI4-Stream ports (aclk, aresetn; s_axis_* in, m_axis_* out). The input carries one pixel a
// beat with tuser on a frame's first pixel and tlast on a row's last; the wrapper counts columns itself. The output
// is rs_top's stream: tdata its lanes, tlast the frame's last beat, tuser its first, and the beat's coordinates as
// sideband ports (rs_top emits a row's columns strip by strip, not in raster order). Invariants: s_axis_tready is
// always 1 (the encoder takes pixels at the spec's row rate without stalling); m_axis_tready must stay 1 — the encoder
// cannot hold a beat — and a simulation assertion flags any cycle it is low while a beat is offered.
import type { NetworkPlan } from '../core/plan.js';
import type { NetworkSpec } from '../core/spec.js';
import { vIf, VModule } from '../core/vbuild.js';
import type { TapMapFile } from './design.js';
import { layerWidths } from './widths.js';
import { streamShape } from '../core/stream.js';

/** The wrapper's module name. */
export const AXIS_TOP = 'rs_axis_top';

/** The wrapper's Verilog around `core` (rs_top, with 32-bit m_row/m_col/m_grp and s_col ports). */
export function emitAxisWrapper(net: NetworkSpec, plan: NetworkPlan, core: string): string {
  const lanes = plan.layers[net.layers.length - 1]!.lanes;
  const colBits = layerWidths(net.layers[0]!, plan.layers[0]!, streamShape(net, plan, 0)).inCol;
  const m = new VModule(AXIS_TOP, [
    `${AXIS_TOP}: ${core} behind AXI4-Stream ports. s_axis: one pixel a beat (tdata: channel 0 in bits 31:0), tuser on a`,
    'frame\'s first pixel, tlast on a row\'s last; s_axis_tready is always 1. m_axis: the last layer\'s beats (tdata: lane i',
    'of group g is channel i*OCMUX + g), tuser on a frame\'s first beat, tlast on its last, the coordinates on m_axis_row,',
    '_col and _grp. m_axis_tready must stay 1: the encoder cannot hold a beat, and simulation stops with an error if it',
    'is low while m_axis_tvalid is high.',
  ]).port('input', 'aclk').port('input', 'aresetn', 1, 'wire', 'active low')
    .port('input', 's_axis_tvalid').port('input', 's_axis_tdata', 96).port('input', 's_axis_tuser').port('input', 's_axis_tlast')
    .port('output', 's_axis_tready')
    .port('output', 'm_axis_tvalid').port('output', 'm_axis_tdata', lanes * 32).port('output', 'm_axis_tuser').port('output', 'm_axis_tlast')
    .port('input', 'm_axis_tready')
    .port('output', 'm_axis_row', 32).port('output', 'm_axis_col', 32).port('output', 'm_axis_grp', 32);
  m.section('input: columns counted from the beats (0 at tuser or after tlast)')
    .reg('col_q', colBits, 'the next pixel\'s column unless tuser restarts the frame')
    .wire('col_now', colBits, `s_axis_tuser ? ${colBits}'d0 : col_q`)
    .assign('s_axis_tready', "1'b1")
    .always('posedge aclk', [vIf('!aresetn', [`col_q <= ${colBits}'d0;`], [vIf('s_axis_tvalid', [`col_q <= s_axis_tlast ? ${colBits}'d0 : col_now + ${colBits}'d1;`])])]);
  m.section(`the encoder (${core})`)
    .wire('rst', 'bit', '!aresetn')
    .wire('m_valid', 'bit').wire('m_last', 'bit').wire('m_data', lanes * 32)
    .instance(core, 'u_core', {
      clk: 'aclk', rst: 'rst', s_valid: 's_axis_tvalid', s_col: colBits < 32 ? `{${32 - colBits}'d0, col_now}` : 'col_now', s_data: 's_axis_tdata',
      m_valid: 'm_valid', m_row: 'm_axis_row', m_col: 'm_axis_col', m_grp: 'm_axis_grp', m_last: 'm_last', m_data: 'm_data',
    }, 3);
  m.section('output: tuser on the first beat after reset or after a frame\'s last beat')
    .reg('sof_q', 'bit', 'the next beat starts a frame')
    .assign('m_axis_tvalid', 'm_valid').assign('m_axis_tdata', 'm_data').assign('m_axis_tlast', 'm_last')
    .assign('m_axis_tuser', 'm_valid && sof_q')
    .always('posedge aclk', [vIf('!aresetn', ["sof_q <= 1'b1;"], [vIf('m_valid', ['sof_q <= m_last;'])])]);
  m.section('the output contract: m_axis_tready high whenever a beat is offered')
    .raw('// synthesis translate_off')
    .always('posedge aclk', [vIf('aresetn && m_axis_tvalid && !m_axis_tready', [
      '$error("rs_axis_top: m_axis_tready low while m_axis_tvalid is high at time %0t; the encoder cannot hold a beat, so the consumer must keep tready high", $time);',
    ])])
    .raw('// synthesis translate_on');
  return m.render();
}

/** The wrapper's tap map: AXI4-Stream input, the output's beats and their coordinate ports, inner layers as in rs_top. */
export function axisTaps(inner: TapMapFile): TapMapFile {
  const layers: NonNullable<TapMapFile['layers']> = {};
  for (const [n, s] of Object.entries(inner.layers ?? {})) {
    layers[n] = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, typeof v === 'string' && v.startsWith('rs_top.') ? `${AXIS_TOP}.u_core.${v.slice('rs_top.'.length)}` : v]));
  }
  return {
    clock: 'aclk', reset: 'aresetn', resetActive: 'low',
    input: { axis: { tvalid: 's_axis_tvalid', tdata: 's_axis_tdata', tuser: 's_axis_tuser', tlast: 's_axis_tlast', tready: 's_axis_tready' } },
    output: { valid: 'm_axis_tvalid', row: 'm_axis_row', col: 'm_axis_col', group: 'm_axis_grp', data: 'm_axis_tdata', last: 'm_axis_tlast', ready: 'm_axis_tready' },
    layers,
  };
}
