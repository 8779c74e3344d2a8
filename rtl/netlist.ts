// What rowsim needs to know about a design before building it, read from Verilator's XML netlist (--xml-only):
// the instance tree from the top, and each module's variables with direction and width.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { SimrunError } from '../core/errors.js';
import { runTool } from '../core/proc.js';
import { verilatorMissing } from './verilator.js';

/** One variable of a module. */
export interface NetVar {
  readonly name: string;
  /** Bits, or null when the type is not a plain packed vector (arrays, structs...). */
  readonly width: number | null;
  readonly dir: 'input' | 'output' | 'inout' | null;
}

/** An instance in the tree: its module and its children by instance name. */
export interface NetInstance {
  readonly module: string;
  readonly children: ReadonlyMap<string, NetInstance>;
}

/** The design as far as taps are concerned. */
export interface Netlist {
  readonly top: string;
  readonly root: NetInstance;
  readonly modules: ReadonlyMap<string, ReadonlyMap<string, NetVar>>;
  /** Each elaborated module's name in the sources (a parameterized module is elaborated once per parameter set). */
  readonly sourceNames: ReadonlyMap<string, string>;
  /** Every file Verilator read, as it named them (relative to the folder it ran in): the sources and what they include. */
  readonly files: readonly string[];
  /** Of those, the files modules came from (a module Verilator found by its name in the folder is one too). */
  readonly moduleFiles: ReadonlySet<string>;
  /**
   * Output ports wired whole to one variable of the instantiating module: module → instance → port → that variable's
   * name. A port whose connection is any other expression (a slice, a concatenation) is not listed.
   */
  readonly outputNets: ReadonlyMap<string, ReadonlyMap<string, ReadonlyMap<string, string>>>;
}

type Attr = Record<string, string>;
// fast-xml-parser returns untyped trees: nodes are read through these two views.
type XmlNode = Record<string, unknown>;
const kids = (n: unknown, key: string): XmlNode[] => (((n as XmlNode)?.[key] ?? []) as XmlNode[]);
const attrs = (n: unknown, key: string): Attr[] => (((n as XmlNode)?.[key] ?? []) as Attr[]);

const ARRAYS = new Set(['cell', 'module', 'var', 'basicdtype', 'file', 'instance', 'port']);
/** Verilator's statement and block elements, whatever their depth in a module. */
const STATEMENTS = ['always', 'assignw', 'contassign', 'initial', 'final', 'func', 'task'].map((t) => `*.${t}`);

/** Runs `verilator --xml-only` on the sources and reads the result. */
export async function readNetlist(top: string, sources: readonly string[], cwd: string): Promise<Netlist> {
  const dir = mkdtempSync(join(tmpdir(), 'rowsim-xml-'));
  try {
    const r = await runTool('verilator', ['--xml-only', '-Wno-fatal', '--top-module', top, '-Mdir', dir, ...sources], { cwd });
    if (r.notFound) throw verilatorMissing();
    if (r.exitCode !== 0) {
      const msg = r.all.trim().split('\n').filter((l) => /%Error/.test(l)).slice(0, 2).join(' | ') || r.all.trim().split('\n').slice(-2).join(' | ');
      throw new SimrunError('DESIGN_INVALID', `the design's Verilog does not elaborate with top module '${top}': ${msg}; fix the sources or the top name in design.json`);
    }
    return parseNetlist(readFileSync(join(dir, `V${top}.xml`), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Parses Verilator's XML netlist text. */
function parseNetlist(xml: string): Netlist {
  // Only declarations, types and instances are read. Statements are left as text: an expression is a tree as deep as
  // it has operands (a concatenation of 512 lanes is 512 levels), which the parser would otherwise refuse.
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ARRAYS.has(name), stopNodes: STATEMENTS, maxNestedTags: 10_000 }).parse(xml) as { verilator_xml: XmlNode };
  const root = doc.verilator_xml;
  const netlist = root.netlist as XmlNode;
  const widths = new Map<string, number>();
  for (const t of attrs(netlist.typetable, 'basicdtype')) {
    const plain = ['logic', 'bit', 'reg', 'wire'].includes(t.name ?? '');
    const w = t.left !== undefined && t.right !== undefined ? Math.abs(Number(t.left) - Number(t.right)) + 1 : plain ? 1 : t.name === 'integer' || t.name === 'int' ? 32 : NaN;
    if (Number.isFinite(w)) widths.set(t.id!, w);
  }
  const modules = new Map<string, Map<string, NetVar>>();
  const sourceNames = new Map<string, string>();
  const outputNets = new Map<string, Map<string, Map<string, string>>>();
  for (const m of kids(netlist, 'module')) {
    sourceNames.set(m.name as string, (m.origName as string | undefined) ?? (m.name as string));
    const vars = new Map<string, NetVar>();
    for (const v of attrs(m, 'var')) {
      vars.set(v.name!, { name: v.name!, width: widths.get(v.dtype_id!) ?? null, dir: (v.dir as NetVar['dir']) ?? null });
    }
    modules.set(m.name as string, vars);
    outputNets.set(m.name as string, new Map(kids(m, 'instance').map((i) => [i.name as string, wiredOutputs(i)])));
  }
  const build = (c: XmlNode): NetInstance => ({
    module: c.submodname as string,
    children: new Map(kids(c, 'cell').map((k) => [k.name as string, build(k)])),
  });
  const topCell = kids(root.cells, 'cell')[0]!;
  // Verilator's own pseudo-files (<built-in>, <command-line>) are not files of the design.
  const named = (key: string) => attrs(root[key], 'file').map((f) => f.filename!).filter((f) => f !== undefined && !f.startsWith('<'));
  return { top: topCell.name as string, root: build(topCell), modules, sourceNames, files: named('files'), moduleFiles: new Set(named('module_files')), outputNets };
}

/** An instance's output ports whose connection is one variable reference, each with that variable's name. */
function wiredOutputs(instance: XmlNode): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of kids(instance, 'port')) {
    const keys = Object.keys(p).filter((key) => !['loc', 'name', 'direction', 'portIndex'].includes(key));
    const ref = p.varref as Attr | undefined;
    if (p.direction === 'out' && keys.length === 1 && keys[0] === 'varref' && ref?.name) out.set(p.name as string, ref.name);
  }
  return out;
}

/** A tap path resolved: the module that declares the variable, and the variable. */
export interface ResolvedSignal {
  readonly path: string;
  /** Instance names from the top (exclusive) down to the declaring instance. */
  readonly scope: readonly string[];
  /** The declaring module as elaborated, and as the sources name it (what Verilator configuration files match). */
  readonly module: string;
  readonly sourceModule: string;
  readonly variable: NetVar;
}

/**
 * Resolves 'top.inst.sub.signal' against the netlist; a top-level port may be named without the top ('s_valid').
 * Returns the reason it does not resolve, as a string, instead of throwing.
 */
export function resolveSignal(n: Netlist, path: string): ResolvedSignal | string {
  const parts = path.split('.');
  if (parts.some((p) => !/^[A-Za-z_][A-Za-z0-9_$]*$/.test(p))) return `'${path}' is not a dotted path of plain Verilog identifiers`;
  if (parts.length > 1 && parts[0] !== n.top) return `'${path}' does not start at the top module '${n.top}'`;
  const rest = parts.length > 1 ? parts.slice(1) : parts;
  let inst = n.root;
  // Messages name modules as the sources do (Verilator names a parameterized one's elaborations name__pi1, ...).
  const named = (m: string) => n.sourceNames.get(m) ?? m;
  for (const name of rest.slice(0, -1)) {
    const next = inst.children.get(name);
    if (!next) return `'${path}': module '${named(inst.module)}' has no instance '${name}'`;
    inst = next;
  }
  const varName = rest[rest.length - 1]!;
  const v = n.modules.get(inst.module)?.get(varName);
  if (!v) return `'${path}': module '${named(inst.module)}' has no signal '${varName}'`;
  return { path, scope: rest.slice(0, -1), module: inst.module, sourceModule: n.sourceNames.get(inst.module) ?? inst.module, variable: v };
}

/**
 * The same net as `s` named as far up the hierarchy as whole-port connections carry it: an output port wired to a
 * variable of the instantiating module that is just as wide is that variable. Why: a signal read from C++ must be
 * public, and Verilator keeps a public port inside an instance as a copy of the net outside, made every cycle; the net
 * outside, made public instead, is read where it is stored (ie120r-mini: 21 tapped layers × 6 stream fields; the last
 * is read at the top's ports).
 */
export function outermostName(n: Netlist, s: ResolvedSignal): ResolvedSignal {
  let cur = s;
  while (cur.scope.length > 0 && cur.variable.dir === 'output' && cur.variable.width !== null) {
    const parentScope = cur.scope.slice(0, -1);
    let parent = n.root;
    for (const name of parentScope) parent = parent.children.get(name)!;
    const net = n.outputNets.get(parent.module)?.get(cur.scope[cur.scope.length - 1]!)?.get(cur.variable.name);
    const up = net === undefined ? null : resolveSignal(n, [n.top, ...parentScope, net].join('.'));
    if (up === null || typeof up === 'string' || up.variable.width !== cur.variable.width) break;
    cur = up;
  }
  return cur;
}
