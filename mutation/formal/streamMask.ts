// Stream-contract wrappers for an equivalence proof: a module's stream outputs compared only while their valid is high.
// A group is an output `<p>_valid` (1 bit, <p> not empty) and the outputs `<p>_row`, `<p>_col`, `<p>_grp`, `<p>_last`
// and `<p>_data` beside it: the stream contract gives those meaning only in a valid beat, and rowsim observes them only
// then. Every other port is compared as it is. Ports whose names are not plain Verilog identifiers, or that clash with
// the wrapper's own names, leave the module unwrapped (compared as they are: the stricter check).
import { isPlainName, VModule } from '../../core/vbuild.js';
import type { RtlilPort } from './rtlilPorts.js';

/** A wrapper module and the names equiv_make must not match inside it (the unmasked values, which may differ). */
export interface StreamMask {
  readonly verilog: string;
  /** Names of the raw stream outputs inside the flattened wrapper: `<instance>.<port>` and the wrapper's nets. */
  readonly unmatched: readonly string[];
}

const INSTANCE = 'u';
/** The fields of a stream beat besides its valid. */
const STREAM_FIELDS = ['row', 'col', 'grp', 'last', 'data'] as const;
const raw = (port: string) => `rs_raw_${port}`;

/**
 * A module `wrapper` with the ports of `module`, instantiating it, whose stream outputs read 0 outside valid beats;
 * null when `module` has no stream group (nothing to mask).
 */
export function streamMask(ports: ReadonlyMap<string, RtlilPort>, module: string, wrapper: string): StreamMask | null {
  const names = [...ports.keys()];
  if (!names.every((n) => isPlainName(n) && n !== INSTANCE && !n.startsWith(raw('')))) return null;
  const masked = streamFields(ports);
  if (masked.size === 0) return null;
  const v = new VModule(wrapper, [`${wrapper}: ${module} with its stream outputs reading 0 outside valid beats.`]);
  for (const n of names) v.port(ports.get(n)!.direction === 'input' ? 'input' : 'output', n, ports.get(n)!.width);
  const body = v.section('the module, and its stream outputs masked by their valid');
  for (const n of masked.keys()) body.wire(raw(n), ports.get(n)!.width);
  body.instance(module, INSTANCE, Object.fromEntries(names.map((n) => [n, masked.has(n) ? raw(n) : n])));
  for (const [n, valid] of masked) body.assign(n, `${valid} ? ${raw(n)} : ${ports.get(n)!.width}'d0`);
  return { verilog: v.render(), unmatched: [...masked.keys()].flatMap((n) => [`${INSTANCE}.${n}`, raw(n)]) };
}

/** A module's stream outputs, each with the valid output of its group (field → valid), by the naming rule above. */
export function streamFields(ports: ReadonlyMap<string, { readonly direction: string; readonly width?: number; readonly bits?: readonly unknown[] }>): Map<string, string> {
  const output = (n: string) => ports.get(n)?.direction === 'output';
  const width = (n: string) => ports.get(n)!.width ?? ports.get(n)!.bits?.length;
  const fields = new Map<string, string>();
  for (const v of [...ports.keys()].filter((n) => /^[A-Za-z0-9_]+_valid$/.test(n) && output(n) && width(n) === 1)) {
    const prefix = v.slice(0, -'valid'.length);
    for (const o of STREAM_FIELDS.map((f) => prefix + f)) if (output(o)) fields.set(o, v);
  }
  return fields;
}

/** The name a wire of the wrapped module has after the wrapper is flattened. */
export function flattenedName(wire: string): string {
  return `${INSTANCE}.${wire}`;
}
