// Sized Verilog constants and products for the layer emitter (a constant is never narrower than its value needs), and
// the reset-last form of a clocked block.
import { vIf, type VStmt } from '../../core/vbuild.js';
import { addrBits } from '../emitRom.js';

/** A sized decimal constant: `bits` wide, or wider if the value needs it (so a constant is never cut). */
export function k(value: number, bits: number): string {
  return `${Math.max(bits, addrBits(value + 1))}'d${value}`;
}

/** `x · factor` at `bits` wide (just `x` for a factor of 1). */
export function times(x: string, factor: number, bits: number): string {
  return factor === 1 ? x : `${x} * ${k(factor, bits)}`;
}

/**
 * A clocked block's statements with its reset written last: `run…; if (rst) reset…` — the same registers as
 * `if (rst) reset… else run…` when `reset` assigns every register `run` does (the last non-blocking write wins). Why:
 * Verilator commits a register through a shadow copy, made and committed every cycle, when the block reads it after
 * (in text) writing it, and a reset branch first writes every register before the block reads any. Verilator also turns
 * `if (!c) a else b` into `if (c) b else a`, so a negated reset cannot keep the branch that reads first.
 */
export function resetLast(reset: readonly VStmt[], run: readonly VStmt[]): VStmt[] {
  return [...run, vIf('rst', reset)];
}
