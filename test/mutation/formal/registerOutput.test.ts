// Which mutations act on a $dff register's output (real Yosys prep of the row-beat counter): the Q port of the
// counter's $dff is one; the same mode on the counter's next-value multiplexer, a $dff's D port, and a Q port named on
// a cell that is no $dff (or in a module the netlist does not have) are not.
import { expect, it } from 'vitest';
import { mutatesRegisterOutput } from '../../../mutation/formal/registerOutput.js';
import { cellWhere, COUNTER, mutationOf, prepTop } from '../../support/mutantCosim.js';
import { describeRtl } from '../../support/rtl.js';

describeRtl('mutatesRegisterOutput', () => {
  it('counter: inv on the cnt $dff\'s Q bit 2 is a register output; on its D bit 2, on the next-value $mux\'s Y, on a Q of the $mux, or in module nowhere it is not', () => {
    const { il, text } = prepTop(COUNTER);
    const dff = cellWhere(text, '$dff', /WIDTH 7\n/);
    const mux = cellWhere(text, '$mux', /WIDTH 7\n/);
    expect(mutatesRegisterOutput(il, mutationOf(dff, '-mode inv -port Q -portbit 2'))).toBe(true);
    expect(mutatesRegisterOutput(il, mutationOf(dff, '-mode inv -port D -portbit 2'))).toBe(false);
    expect(mutatesRegisterOutput(il, mutationOf(mux, '-mode inv -port Y -portbit 2'))).toBe(false);
    expect(mutatesRegisterOutput(il, mutationOf(mux, '-mode inv -port Q -portbit 2'))).toBe(false);
    expect(mutatesRegisterOutput(il, { ...mutationOf(dff, '-mode inv -port Q -portbit 2'), module: 'nowhere' })).toBe(false);
  }, 60_000);
});
