// The weight contract as an assumption of an equivalence proof. A ROM black box of the emitted interface — one output `w`
// of 18-bit weight codes or `b` of 32-bit bias words, every other port an input — is wrapped so its words are ones the
// contract allows: finite and never subnormal (rowsim refuses any other weight or bias before it reaches a ROM, and a
// design whose ROMs held others would disagree with the golden). The wrapper maps every word to an allowed one and keeps
// allowed words as they are, so a proof over the wrapped ROM covers exactly the ROM contents the contract allows.
import { VModule } from '../../core/vbuild.js';
import type { RtlilModule } from './rtlilPorts.js';

/** A wrapper module standing in for one ROM module in a proof. */
export interface RomContract {
  /** The ROM module it wraps. */
  readonly rom: string;
  /** The wrapper's module name (`rs_contract_<rom>`), with the ROM's ports. */
  readonly wrapper: string;
  /** The wrapper's Verilog text. */
  readonly verilog: string;
}

/** Names the wrapper's own Verilog uses, which a ROM port must not take. */
const WRAPPER_NAMES = new Set(['rs_rom_raw', 'u_rom', 'i', 'g_word', 'c']);

/** The fields of one word kind: total width and the exponent's top bit (8 exponent bits below it; the sign on top). */
const WORDS = { w: { bits: 18, exponentTop: 16 }, b: { bits: 32, exponentTop: 30 } } as const;
const PLAIN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The contract wrapper of ROM module `rom`, or null when it is not a black box of the emitted interface (its words are
 * then left free, as in a proof without the contract).
 */
export function romContract(rom: string, m: RtlilModule): RomContract | null {
  if (!m.blackbox || !PLAIN.test(rom)) return null;
  const names = [...m.ports.keys()];
  const outputs = names.filter((n) => m.ports.get(n)!.direction !== 'input');
  if (outputs.length !== 1 || !names.every((n) => PLAIN.test(n) && !WRAPPER_NAMES.has(n))) return null;
  const out = outputs[0]!;
  if (out !== 'w' && out !== 'b') return null;
  const { bits, exponentTop } = WORDS[out];
  const width = m.ports.get(out)!.width;
  if (m.ports.get(out)!.direction !== 'output' || width % bits !== 0) return null;
  const wrapper = `rs_contract_${rom}`;
  const e = `c[${exponentTop}:${exponentTop - 7}]`;
  const v = new VModule(wrapper, [`${wrapper}: ${rom} with its words held to the contract (finite, normal or zero).`]);
  for (const n of names) v.port(m.ports.get(n)!.direction === 'input' ? 'input' : 'output', n, m.ports.get(n)!.width);
  v.section('the ROM, and each word read as the contract allows').wire('rs_rom_raw', width)
    .instance(rom, 'u_rom', Object.fromEntries(names.map((n) => [n, n === out ? 'rs_rom_raw' : n])))
    .raw('genvar i;')
    .generateFor('i', width / bits, 'g_word', (g) => g
      .wire('c', bits, `rs_rom_raw[i * ${bits} +: ${bits}]`)
      // Inf and NaN become the largest exponent's finite words; a subnormal becomes the zero of its sign.
      .assign(`${out}[i * ${bits} +: ${bits}]`, `(${e} == 8'hff) ? {c[${bits - 1}], 8'hfe, c[${exponentTop - 8}:0]} : (${e} == 8'h00) ? {c[${bits - 1}], ${bits - 1}'d0} : c`));
  return { rom, wrapper, verilog: v.render() };
}
