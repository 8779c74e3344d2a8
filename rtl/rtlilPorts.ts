// The ports of the modules of an RTLIL file (as Yosys wrote it): name, direction and width; read once per file.
import { readFileSync } from 'node:fs';

/** One port of a module. */
export interface RtlilPort {
  readonly direction: 'input' | 'output' | 'inout';
  readonly width: number;
}

const cache = new Map<string, Map<string, Map<string, RtlilPort>>>();

/** The ports of `module` in the RTLIL file `file`, by name (cached per file: a campaign proves many mutants of one). */
export function portsOf(file: string, module: string): ReadonlyMap<string, RtlilPort> {
  let byModule = cache.get(file);
  if (!byModule) {
    byModule = new Map();
    let current: Map<string, RtlilPort> | undefined;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const mod = /^module \\?(\S+)/.exec(line);
      if (mod) byModule.set(mod[1]!, (current = new Map()));
      const port = /^\s+wire\b(?:.*\bwidth (\d+))?.*\b(input|output|inout) \d+ \\?(\S+)$/.exec(line);
      if (port && current) current.set(port[3]!, { direction: port[2] as RtlilPort['direction'], width: Number(port[1] ?? 1) });
    }
    cache.set(file, byModule);
  }
  return byModule.get(module) ?? new Map();
}
