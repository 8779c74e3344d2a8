// Memories (Yosys $mem_v2 cells) in a reachability search: an asynchronous read port as a function of its address, and
// write ports compared only under their enables. Invariant: a read port is modelled only on a memory whose every write
// port is clocked on the cone's clock edge, so within one step its contents are fixed and — as long as every enabled
// write is the same in both copies, which the search checks at the boundary — the same in both copies: equal
// addresses read equal words, and a read's word is otherwise an unknown the two copies share only at equal addresses.
import type { JsonBit, JsonCell } from './yosysJson.js';

/** The cell type of a modelled read port: no real cell has it, and evaluate() gives it symbols keyed by the address. */
export const READ_PORT_TYPE = '$rs_memrd';

/** One parameter's bits (least significant first), as Yosys writes a bit-string parameter of `n` bits. */
function paramBits(cell: JsonCell, name: string, n: number): number[] {
  const v = cell.params[name];
  if (v === undefined || Number.isNaN(v)) return Array.from({ length: n }, () => -1);
  return Array.from({ length: n }, (_, i) => Math.floor(v / 2 ** i) % 2);
}

/**
 * Whether `cell` is a memory whose read ports can be modelled: every read port asynchronous and always enabled, and
 * every write port clocked on the rising edge of `clock` (the net of the cone's registers' clock).
 */
export function modelledMemory(cell: JsonCell, clock: JsonBit | undefined): boolean {
  if (cell.type !== '$mem_v2' || typeof clock !== 'number') return false;
  const rd = cell.params.RD_PORTS ?? 0, wr = cell.params.WR_PORTS ?? 0;
  if (!(rd > 0) || paramBits(cell, 'RD_CLK_ENABLE', rd).some((b) => b !== 0)) return false;
  if ((cell.inputs.RD_EN ?? []).some((b) => b !== '1')) return false;
  if (paramBits(cell, 'WR_CLK_ENABLE', wr).some((b) => b !== 1) || paramBits(cell, 'WR_CLK_POLARITY', wr).some((b) => b !== 1)) return false;
  return (cell.inputs.WR_CLK ?? []).every((b) => b === clock);
}

const readPorts = new WeakMap<JsonCell, JsonCell[]>();

/**
 * Read port `port` of the memory `mem` as a cell of its own: input ADDR (that port's address bits), output Y (its data
 * bits). Its parameters name the memory, so ports of one memory at one address read one word and other memories
 * other words. The same object every time (the evaluator keys its work by cell).
 */
export function readPortCell(mem: JsonCell, port: number): JsonCell {
  let cells = readPorts.get(mem);
  if (!cells) {
    const a = mem.params.ABITS!, w = mem.params.WIDTH!;
    const rd = mem.params.RD_PORTS!;
    cells = Array.from({ length: rd }, (_, p) => ({
      name: `${mem.name}:read${p}`,
      type: READ_PORT_TYPE,
      params: { WIDTH: w },
      paramKey: JSON.stringify({ memory: mem.name, width: w }),
      inputs: { ADDR: (mem.inputs.RD_ADDR ?? []).slice(p * a, p * a + a) },
      outputs: { Y: (mem.outputs.RD_DATA ?? []).slice(p * w, p * w + w) },
    }));
    readPorts.set(mem, cells);
  }
  return cells[port]!;
}

/** The read port of `mem` whose address bit `idx` (of RD_ADDR) or data bit (of RD_DATA) this is. */
export function readPortOf(mem: JsonCell, port: 'RD_ADDR' | 'RD_DATA', idx: number): number {
  return Math.floor(idx / (port === 'RD_ADDR' ? mem.params.ABITS! : mem.params.WIDTH!));
}

/** One enable bit of a memory's write ports: the memory cell's name and the bit's index in its WR_EN. */
export interface EnableBit {
  readonly memory: string;
  readonly bit: number;
}

/**
 * For boundary places on memory write ports (`<cell>.WR_ADDR[i]`, `<cell>.WR_DATA[i]`), the enable bits that must all
 * be 0 for the place not to matter: a data bit's own enable bit, and for an address bit every enable bit of its port.
 * Places on anything else are left out. Named by memory and index, not by net: nets are numbered per module, and the
 * two copies are two modules.
 */
export function writeEnables(ids: Iterable<string>, cellOf: (name: string) => JsonCell | undefined): Map<string, EnableBit[]> {
  const out = new Map<string, EnableBit[]>();
  for (const id of ids) {
    const at = /^(.*)\.WR_(ADDR|DATA)\[(\d+)\]$/.exec(id);
    const mem = at ? cellOf(at[1]!) : undefined;
    if (!at || mem?.type !== '$mem_v2') continue;
    const a = mem.params.ABITS!, w = mem.params.WIDTH!;
    const i = Number(at[3]);
    const port = Math.floor(i / a);
    const bits = at[2] === 'DATA' ? [i] : Array.from({ length: w }, (_, k) => port * w + k);
    out.set(id, bits.map((bit) => ({ memory: mem.name, bit })));
  }
  return out;
}

/** The net (or constant) of an enable bit in one copy; 'x' when that copy lacks it (then it masks nothing). */
export function enableNet(e: EnableBit, cellOf: (name: string) => JsonCell | undefined): JsonBit {
  return cellOf(e.memory)?.inputs.WR_EN?.[e.bit] ?? 'x';
}
