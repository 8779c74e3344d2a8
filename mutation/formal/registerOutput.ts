// Whether a Yosys mutation acts on a $dff register's output (its Q port): the kind the one-step SAT searches cannot
// take (they cut every $dff at its output) and the induction proofs seldom prove, since the register's hold path
// stores the mutated value. Read from the netlist listMutations prepared; pure, no Yosys run.
import { rtlilModules } from './rtlilPorts.js';
import type { YosysMutation } from './yosysMutation.js';

/** True when mutation `m` of the design in `prepared` (RTLIL) changes the Q output of a `$dff` cell. */
export function mutatesRegisterOutput(prepared: string, m: YosysMutation): boolean {
  if (!m.cell || !/-port Q\b/.test(m.args)) return false;
  return rtlilModules(prepared).get(m.module)?.cells.get(m.cell) === '$dff';
}
