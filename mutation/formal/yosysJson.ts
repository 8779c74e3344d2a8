// A netlist as Yosys's write_json writes it, read into typed modules: ports and cells, each connection a list of bits
// (a net number, or a constant '0' | '1' | 'x' | 'z'). Invariant: net numbers are only meaningful within one module.
import { readFileSync } from 'node:fs';

/** One bit of a connection: a net number (≥ 2) or a constant. */
export type JsonBit = number | '0' | '1' | 'x' | 'z';

/** One cell: its name, type, parameters (numeric ones as numbers) and connections by port, split by direction. */
export interface JsonCell {
  readonly name: string;
  readonly type: string;
  readonly params: Readonly<Record<string, number>>;
  /** The parameters as written, as one string (a key for hashing the cell's function). */
  readonly paramKey: string;
  readonly inputs: Readonly<Record<string, readonly JsonBit[]>>;
  readonly outputs: Readonly<Record<string, readonly JsonBit[]>>;
}

/** One module: its ports (direction and bits) and cells. */
export interface JsonModule {
  readonly name: string;
  readonly ports: ReadonlyMap<string, { readonly direction: string; readonly bits: readonly JsonBit[] }>;
  readonly cells: readonly JsonCell[];
  /** Named wires (not Yosys's hidden `$` names) and their bits. */
  readonly wires: ReadonlyMap<string, readonly JsonBit[]>;
}

interface RawModule {
  ports?: Record<string, { direction: string; bits: JsonBit[] }>;
  cells?: Record<string, { type: string; parameters?: Record<string, string | number>; port_directions?: Record<string, string>; connections: Record<string, JsonBit[]> }>;
  netnames?: Record<string, { hide_name?: number; bits: JsonBit[] }>;
}

/** A parameter as a number: Yosys writes bit strings ('0101'), numbers, or text (kept as NaN: never a width). */
function paramValue(v: string | number): number {
  if (typeof v === 'number') return v;
  return /^[01]+$/.test(v) ? parseInt(v, 2) : NaN;
}

/** The modules of a write_json file, by name. */
export function readYosysJson(file: string): Map<string, JsonModule> {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as { modules: Record<string, RawModule> };
  const out = new Map<string, JsonModule>();
  for (const [name, m] of Object.entries(raw.modules)) {
    const cells: JsonCell[] = Object.entries(m.cells ?? {}).map(([cellName, c]) => {
      const inputs: Record<string, JsonBit[]> = {};
      const outputs: Record<string, JsonBit[]> = {};
      for (const [port, bits] of Object.entries(c.connections)) {
        // A black box's ports may come without directions; they are treated as inputs (the stricter reading: a
        // proof then sees nothing driven by it).
        ((c.port_directions?.[port] ?? 'input') === 'output' ? outputs : inputs)[port] = bits;
      }
      const params: Record<string, number> = {};
      for (const [k, v] of Object.entries(c.parameters ?? {})) params[k] = paramValue(v);
      return { name: cellName, type: c.type, params, paramKey: JSON.stringify(c.parameters ?? {}), inputs, outputs };
    });
    const wires = new Map(Object.entries(m.netnames ?? {}).filter(([, w]) => !w.hide_name).map(([n, w]) => [n, w.bits]));
    out.set(name, { name, ports: new Map(Object.entries(m.ports ?? {})), cells, wires });
  }
  return out;
}
