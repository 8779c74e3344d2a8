// Sized Verilog constants and products for the layer emitter: a constant is never narrower than its value needs.
import { addrBits } from '../emitRom.js';

/** A sized decimal constant: `bits` wide, or wider if the value needs it (so a constant is never cut). */
export function k(value: number, bits: number): string {
  return `${Math.max(bits, addrBits(value + 1))}'d${value}`;
}

/** `x · factor` at `bits` wide (just `x` for a factor of 1). */
export function times(x: string, factor: number, bits: number): string {
  return factor === 1 ? x : `${x} * ${k(factor, bits)}`;
}
