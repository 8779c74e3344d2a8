// What a proof needs to know of the modules of an RTLIL file (as Yosys wrote it): each module's ports (name, direction,
// width), whether it is a black box, and the cells it instantiates (name → type); read once per file.
import { readFileSync, statSync } from 'node:fs';

/** One port of a module. */
export interface RtlilPort {
  readonly direction: 'input' | 'output' | 'inout';
  readonly width: number;
}

/** One module of an RTLIL file. */
export interface RtlilModule {
  readonly ports: ReadonlyMap<string, RtlilPort>;
  /** Declared `(* blackbox *)`: only its ports are known (the ROMs of a campaign are read so). */
  readonly blackbox: boolean;
  /** Its cells: instance name → cell type (a module name, or a Yosys primitive such as `$add`). */
  readonly cells: ReadonlyMap<string, string>;
}

const cache = new Map<string, Map<string, RtlilModule>>();

/** The modules of the RTLIL file `file`, by name (cached per file: a campaign proves many mutants of one). */
export function rtlilModules(file: string): ReadonlyMap<string, RtlilModule> {
  // Keyed by the file's size and time too: a rewritten file (a campaign folder reused) is read again.
  const st = statSync(file);
  const key = `${file}\0${st.size}\0${st.mtimeMs}`;
  const known = cache.get(key);
  if (known) return known;
  const byModule = new Map<string, RtlilModule>();
  let current: { ports: Map<string, RtlilPort>; cells: Map<string, string> } | undefined;
  let blackboxNext = false;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    // Module attributes come on the lines just before `module`.
    if (/^attribute \\blackbox 1$/.test(line)) blackboxNext = true;
    const mod = /^module \\?(\S+)/.exec(line);
    if (mod) {
      current = { ports: new Map(), cells: new Map() };
      byModule.set(mod[1]!, { ports: current.ports, cells: current.cells, blackbox: blackboxNext });
      blackboxNext = false;
    }
    // `wire width 4 input 1 signed \base`: signedness comes after the port's index.
    const port = /^\s+wire\b(?:.*\bwidth (\d+))?.*\b(input|output|inout) \d+ (?:signed )?\\?(\S+)$/.exec(line);
    if (port && current) current.ports.set(port[3]!, { direction: port[2] as RtlilPort['direction'], width: Number(port[1] ?? 1) });
    const cell = /^\s+cell \\?(\S+) \\?(\S+)$/.exec(line);
    if (cell && current) current.cells.set(cell[2]!, cell[1]!);
  }
  cache.set(key, byModule);
  return byModule;
}
