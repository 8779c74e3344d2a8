// Whether a Yosys mutation only picks a value for a bit the original leaves undefined: the mutated bit of a
// multiplexer's data input is a constant x in the prepared netlist (Yosys's proc writes one for a don't-care, such as a
// memory's write data on cycles that write nothing). Any mutation of such a bit — tied to 0 or 1, inverted, or made conditional — leaves a
// design that is one of the implementations the original allows, so it cannot be told apart by the original's contract.
import { readFileSync, statSync } from 'node:fs';
import type { YosysMutation } from './yosysMutation.js';

/** `text` matched literally inside a regular expression. */
const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What a proof says of a mutant mutatesUndefinedBit accepts. */
export const UNDEFINED_BIT_TEXT = "the mutated bit is x (a don't-care) in the original: the mutant picks one of the values the original allows";

/** Answers already worked out, by file (with its size, time and inode: a rewritten file is read again) and mutation. */
const answered = new Map<string, boolean>();

/**
 * True when `m` mutates a data input bit (A or B) of a $mux or $pmux that is a constant x in the RTLIL file `prepared`.
 * Remembered per file and mutation: a survivor asks before its quick search and again in its equivalence proof, and
 * each reading is the whole netlist.
 */
export function mutatesUndefinedBit(prepared: string, m: YosysMutation): boolean {
  const st = statSync(prepared);
  const key = `${prepared}\0${st.size}\0${st.mtimeMs}\0${st.ino}\0${m.module}\0${m.args}`;
  let known = answered.get(key);
  if (known === undefined) answered.set(key, (known = readsUndefinedBit(prepared, m)));
  return known;
}

function readsUndefinedBit(prepared: string, m: YosysMutation): boolean {
  const port = /-port (\S+)/.exec(m.args)?.[1];
  const bit = Number(/-portbit (\d+)/.exec(m.args)?.[1] ?? NaN);
  if (!port || !Number.isInteger(bit) || !m.cell) return false;
  const text = readFileSync(prepared, 'utf8');
  const mod = text.indexOf(`\nmodule \\${m.module}\n`);
  if (mod < 0) return false;
  const cellName = m.cell.startsWith('$') ? m.cell : `\\${m.cell}`;
  const head = new RegExp(`\\n  cell (\\S+) ${literal(cellName)}\\n`, 'g');
  head.lastIndex = mod;
  const at = head.exec(text);
  const end = text.indexOf('\nend\n', mod);
  // Only a multiplexer's data inputs: there an x is a don't-care, any value of it one the original allows. In a comparison (=== of $eqx, or a case item)
  // an x is a literal the design tests for, and tying it to 0 or 1 changes what the design does.
  if (!at || at.index > end || !['$mux', '$pmux'].includes(at[1]!) || (port !== 'A' && port !== 'B')) return false;
  const body = text.slice(at.index, text.indexOf('\n  end\n', at.index));
  const conn = new RegExp(`\\n    connect \\\\${literal(port)} (\\d+)'([01xz]+)\\n`).exec(body + '\n');
  if (!conn) return false;
  const width = Number(conn[1]);
  const bits = conn[2]!;
  // Written MSB first; a single character stands for all the bits.
  const b = bits.length === 1 ? bits : bits.length === width ? bits[width - 1 - bit] : undefined;
  return bit < width && b === 'x';
}
