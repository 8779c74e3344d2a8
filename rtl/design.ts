// A design folder — the unit the rtl engine runs: Verilog sources, the top module, ROM images, the network spec and plan
// it implements, and a tap map naming each layer's output stream. `simrun emit` writes one; users write or edit others.
// Invariant: a DesignFolder returned here has every listed file present and a tap map that parsed; taps are checked
// against the elaborated netlist by `resolveTaps` before any build.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, posix, resolve } from 'node:path';
import { z } from 'zod';
import { SimrunError } from '../core/errors.js';
import { readUserText } from '../core/files.js';
import type { LayerPlan, NetworkPlan } from '../core/plan.js';
import type { LayerSpec, NetworkSpec } from '../core/spec.js';
import { makeLayout, type StreamLayout } from '../core/stream.js';
import { declaredTimingSchema } from '../core/timingModel.js';
import { readNetlist, resolveSignal, type Netlist, type ResolvedSignal } from './netlist.js';

export const DESIGN_FORMAT = 'rowsim-design/1';

const fileName = z.string().min(1).regex(/^[A-Za-z0-9_][A-Za-z0-9_.\-/]*$/, 'a relative file name inside the folder (letters, digits, . _ - /)').refine((s) => !s.split('/').includes('..'), 'must not leave the folder');
const signal = z.string().min(1).max(400);

/** How a stream packs channels into beats; absent fields follow design.json's plan, else the data width (docs). */
const layoutFields = {
  lanes: z.number().int().min(1).max(4096).optional(),
  groups: z.number().int().min(1).max(4096).optional(),
  /** Which channel each lane of each group carries: interleaved (j·groups + g, rowsim's), blocked (g·lanes + j), or [group][lane]. */
  channels: z.union([z.enum(['interleaved', 'blocked']), z.array(z.array(z.number().int().min(0).max(65535)).min(1)).min(1)]).optional(),
};

const axisOut = z.object({ tvalid: signal, tdata: signal, tready: signal.optional(), tuser: signal.optional(), tlast: signal.optional() }).strict();
const axisIn = z.object({ tvalid: signal, tdata: signal, tready: signal.optional(), tuser: signal.optional(), tlast: signal.optional() }).strict();

/** A tapped stream: rowsim's valid/row/col/group/data fields, or AXI4-Stream (coordinates from beat order). */
const streamTaps = z.object({
  valid: signal.optional(), row: signal.optional(), col: signal.optional(), group: signal.optional(), data: signal.optional(), last: signal.optional(),
  /** A design input that accepts the stream's beats (an AXI4-Stream tready); the bench holds it high. */
  ready: signal.optional(),
  axis: axisOut.optional(),
  ...layoutFields,
}).strict().superRefine((s, ctx) => {
  if (s.axis) {
    for (const k of ['valid', 'row', 'col', 'group', 'data', 'last', 'ready'] as const) {
      if (s[k] !== undefined) ctx.addIssue({ code: 'custom', path: [k], message: 'an AXI4-Stream tap (axis) carries its own fields; drop this one' });
    }
  } else {
    for (const k of ['valid', 'row', 'col', 'data'] as const) if (s[k] === undefined) ctx.addIssue({ code: 'custom', path: [k], message: 'Required' });
  }
});

const inputTaps = z.object({
  valid: signal.optional(), col: signal.optional(), data: signal.optional(),
  axis: axisIn.optional(),
  /** The clock the input is driven on (one of `clocks`; default: the compute clock). */
  clock: signal.optional(),
}).strict().superRefine((s, ctx) => {
  if (s.axis) {
    for (const k of ['valid', 'col', 'data'] as const) if (s[k] !== undefined) ctx.addIssue({ code: 'custom', path: [k], message: 'an AXI4-Stream input (axis) carries its own fields; drop this one' });
  } else {
    for (const k of ['valid', 'col', 'data'] as const) if (s[k] === undefined) ctx.addIssue({ code: 'custom', path: [k], message: 'Required' });
  }
});

const tapMapSchema = z.object({
  clock: signal,
  reset: signal,
  /** The reset's active level (the bench holds it there for 4 cycles before cycle 0). */
  resetActive: z.enum(['high', 'low']).default('high'),
  /** Every clock the bench drives, with its period in picoseconds; the compute clock (`clock`) must be one of them. */
  clocks: z.array(z.object({ signal, periodPs: z.number() }).strict()).min(1).optional(),
  input: inputTaps,
  output: streamTaps,
  layers: z.record(z.string().regex(/^[1-9]\d*$/, 'a layer number'), streamTaps).default({}),
}).strict();

/** A latency budget: cycles, or a time such as '3.6us' (µs and ns too). */
const budget = z.union([z.number(), z.string()]);

/** How the design's cycles are judged (docs/timing.md): against rowsim's model, its own real-time checks, or a declared model. */
const timingSchema = z.union([
  z.enum(['exact', 'own', 'declared']),
  z.object({
    mode: z.enum(['exact', 'own', 'declared']),
    model: declaredTimingSchema.optional(),
    latencyBudget: z.object({ total: budget.optional(), layers: z.record(z.string().regex(/^[1-9]\d*$/, 'a layer number'), budget).default({}) }).strict().optional(),
  }).strict(),
]);

const manifestSchema = z.object({
  format: z.literal(DESIGN_FORMAT),
  top: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a Verilog module name'),
  sources: z.array(fileName).min(1),
  /** Files the sources `include`: copied beside them for every build and hashed into its key, not compiled on their own. */
  headers: z.array(fileName).default([]),
  spec: fileName,
  /** The plan the design implements; optional when its timing is its own (then only the tap map says how it streams). */
  plan: z.object({
    drain: z.number().int().min(3),
    /** Pipelined slots (the spec's `slots`); absent means sequential. */
    slots: z.enum(['sequential', 'pipelined']).optional(),
    /** Each layer's strips and ocmux, and its kernel-row passes when more than one (absent: one pass a row). */
    layers: z.array(z.object({ strips: z.number().int().min(1), ocmux: z.number().int().min(1), passes: z.number().int().min(1).optional() }).strict()).min(1),
  }).strict().optional(),
  timing: timingSchema.optional(),
  roms: z.array(fileName).default([]),
  /** Sources that only hold ROM contents: tools that must not see them (Yosys in a mutation campaign) read them as black boxes. */
  romSources: z.array(fileName).optional(),
  /** The ROM images again in other formats (.mif, Intel .hex) for FPGA flows: written by emit, read by no engine. */
  romExports: z.array(fileName).optional(),
  taps: fileName,
  emitted: z.object({ by: z.string(), weights: z.string(), quant: z.enum(['rne', 'truncate']).default('rne'), files: z.record(z.string(), z.string()) }).strict().optional(),
}).strict();

/** The tap map (taps.json), as parsed (defaults filled in). */
export type TapMap = z.infer<typeof tapMapSchema>;
/** The tap map as written (fields with defaults may be left out). */
export type TapMapFile = z.input<typeof tapMapSchema>;
/** The manifest (design.json). */
export type DesignManifest = z.infer<typeof manifestSchema>;

/** A loaded design folder. */
export interface DesignFolder {
  readonly dir: string;
  readonly manifest: DesignManifest;
  readonly taps: TapMap;
}

function parseJson<T>(dir: string, file: string, schema: z.ZodType<T, z.ZodTypeDef, unknown>, fix: string): T {
  const path = join(dir, file);
  const text = readUserText(path, 'design file', 'DESIGN_INVALID', fix);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new SimrunError('DESIGN_INVALID', `${path} is not valid JSON (${(e as Error).message.split('\n')[0]}); ${fix}`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new SimrunError('DESIGN_INVALID', `${path}: field '${issue.path.join('.') || '(root)'}': ${issue.message}; ${fix}`);
  }
  return r.data;
}

/** A tap map on its own (taps.json), parsed and checked field by field (DESIGN_INVALID naming the field). */
export function loadTapMap(path: string): TapMap {
  return parseJson(dirname(resolve(path)), basename(path), tapMapSchema, 'see docs/design-folder.md for the tap map format');
}

/**
 * Every file a build of the design's Verilog reads: the sources, then the headers they include. Whatever is cached on
 * the design (builds, tap resolution, Yosys netlists, campaign results) keys on these.
 */
export function verilogFiles(m: DesignManifest): readonly string[] {
  return [...m.sources, ...m.headers];
}

/** Loads `dir`/design.json and its tap map, checking that every listed file exists. */
export function loadDesign(dirArg: string): DesignFolder {
  const dir = resolve(dirArg);
  if (!existsSync(join(dir, 'design.json'))) {
    throw new SimrunError('DESIGN_INVALID', `'${dirArg}' is not a design folder (no design.json); write one with 'simrun emit --out <dir>' and see docs/design-folder.md`);
  }
  const manifest = parseJson(dir, 'design.json', manifestSchema, 'see docs/design-folder.md for the manifest format');
  for (const f of [...verilogFiles(manifest), manifest.spec, manifest.taps]) {
    if (!existsSync(join(dir, f))) throw new SimrunError('DESIGN_INVALID', `design folder '${dir}' lists '${f}' but it is not there; add it or fix design.json`);
  }
  const taps = parseJson(dir, manifest.taps, tapMapSchema, 'see docs/design-folder.md for the tap map format');
  return { dir, manifest, taps };
}

/**
 * Checks every ROM the folder lists before anything is built: present in the folder, or a name rowsim writes from the
 * run's weights (weight{N}.memh, bias{N}.memh, rom/w{N}.memh, rom/b{N}.memh for a layer N of the network).
 */
export function checkRomNames(d: DesignFolder, layers: number, writable: (name: string, layers: number) => boolean): void {
  for (const name of d.manifest.roms) {
    if (existsSync(join(d.dir, name)) || writable(name, layers)) continue;
    throw new SimrunError('DESIGN_INVALID', `design folder '${d.dir}': ROM '${name}' is listed in design.json but not there, and rowsim writes only weight{N}.memh, bias{N}.memh, rom/w{N}.memh and rom/b{N}.memh (N = 1..${layers}); add the file or rename it`);
  }
}

/** sha256 of a file's bytes. */
export function fileHash(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** True when every source is byte-identical to what rowsim emitted (so rowsim may re-emit it with faults built in). */
export function isUnmodifiedEmit(d: DesignFolder): boolean {
  const e = d.manifest.emitted;
  if (!e) return false;
  return d.manifest.sources.every((f) => e.files[f] !== undefined && fileHash(join(d.dir, f)) === e.files[f]);
}

/** One layer's tapped stream, resolved. */
export interface LayerTap {
  readonly layer: number;
  /** rowsim's stream fields, or AXI4-Stream (the bench derives coordinates from the beat order). */
  readonly kind: 'plain' | 'axis';
  readonly valid: ResolvedSignal;
  readonly data: ResolvedSignal;
  /** Plain streams: the coordinates (group only when the stream has more than one group). */
  readonly row?: ResolvedSignal;
  readonly col?: ResolvedSignal;
  readonly group?: ResolvedSignal;
  /** The end-of-frame flag, when the tap map names it (then checked on every beat). */
  readonly last?: ResolvedSignal;
  /** AXI4-Stream: start of frame, end of line, and the design's ready input (driven high by the bench). */
  readonly tuser?: ResolvedSignal;
  readonly tlast?: ResolvedSignal;
  readonly tready?: ResolvedSignal;
  /** How the stream packs the layer's channels into beats. */
  readonly layout: StreamLayout;
  /** Lanes the data carries. */
  readonly lanes: number;
}

/** The top input stream, resolved. */
export interface InputTap {
  readonly kind: 'plain' | 'axis';
  readonly valid: ResolvedSignal;
  readonly data: ResolvedSignal;
  /** Plain: the pixel's column. */
  readonly col?: ResolvedSignal;
  /** AXI4-Stream: start of frame and end of line (driven by the bench), and the design's tready (checked). */
  readonly tuser?: ResolvedSignal;
  readonly tlast?: ResolvedSignal;
  readonly tready?: ResolvedSignal;
  /** The clock the input is driven on. */
  readonly clock: ResolvedSignal;
}

/** A clock the bench drives. */
export interface BenchClock {
  readonly signal: ResolvedSignal;
  readonly periodPs: number;
}

/** Every signal the bench touches, resolved and checked. */
export interface ResolvedTaps {
  readonly top: string;
  /** The compute clock: beats are sampled on its rising edges and counted in its cycles. */
  readonly clock: ResolvedSignal;
  readonly reset: ResolvedSignal;
  readonly resetActiveLow: boolean;
  /** Every clock with its period (one entry, the compute clock at the spec's clockHz, unless the tap map lists more). */
  readonly clocks: readonly BenchClock[];
  readonly input: InputTap;
  /** Observed layers in order; the last layer is the top's output ports. */
  readonly layers: readonly LayerTap[];
  readonly netlist: Netlist;
}

/**
 * Elaborates the design and checks every tap: the signal exists, has the documented width, and the top's ports have
 * the documented directions. Failures are one DESIGN_INVALID naming every bad tap (numbered when there are several).
 */
export async function resolveTaps(d: DesignFolder, net: NetworkSpec, plan: NetworkPlan): Promise<ResolvedTaps> {
  // A campaign resolves the same folder for every mutant: elaborate it once per content.
  const key = createHash('sha256').update(d.dir).update(JSON.stringify(d.manifest)).update(JSON.stringify(d.taps)).update(JSON.stringify(plan.layers.map((p) => p.lanes)));
  for (const f of verilogFiles(d.manifest)) key.update(readFileSync(join(d.dir, f)));
  const k = key.digest('hex');
  let pending = resolved.get(k);
  if (!pending) {
    pending = resolveTapsNow(d, net, plan);
    resolved.set(k, pending);
    pending.catch(() => resolved.delete(k));
  }
  return pending;
}

const resolved = new Map<string, Promise<ResolvedTaps>>();

type StreamTapMap = TapMap['output'];

/**
 * The layout of a tapped stream, checked before any signal is read: explicit fields, else design.json's plan (as
 * before), else the data width (`dataWidth` bits, when known). Lanes × groups must be the layer's channels and the
 * channel table must name each channel exactly once.
 */
export function streamLayout(l: LayerSpec, s: StreamTapMap, planned: { readonly lanes: number; readonly ocmux: number } | undefined, dataWidth: number | null, role: string, fix: string): StreamLayout {
  const bad = (why: string) => new SimrunError('DESIGN_INVALID', `tap ${role}: ${why}; ${fix}`);
  const explicit = s.lanes !== undefined || s.groups !== undefined || s.channels !== undefined;
  const table = Array.isArray(s.channels) ? s.channels : undefined;
  let lanes = s.lanes ?? table?.[0]?.length ?? (s.groups !== undefined ? l.outC / s.groups : undefined);
  if (lanes === undefined) lanes = !explicit && planned ? planned.lanes : dataWidth !== null && dataWidth % 32 === 0 ? dataWidth / 32 : l.outC;
  const groups = s.groups ?? table?.length ?? (!explicit && planned ? planned.ocmux : l.outC / lanes);
  if (!Number.isInteger(lanes) || !Number.isInteger(groups) || lanes * groups !== l.outC) {
    throw bad(`${lanes} lanes × ${groups} groups do not carry layer ${l.index}'s ${l.outC} channels exactly; declare lanes and groups whose product is ${l.outC}`);
  }
  if (table) {
    if (table.length !== groups || table.some((g) => g.length !== lanes)) throw bad(`channels must be ${groups} groups of ${lanes} lanes`);
    const seen = new Set<number>();
    for (const c of table.flat()) {
      if (c >= l.outC) throw bad(`channels names channel ${c}, but layer ${l.index} has channels 0..${l.outC - 1}`);
      if (seen.has(c)) throw bad(`channels names channel ${c} twice; every channel must travel in exactly one lane of one group`);
      seen.add(c);
    }
  }
  return makeLayout(lanes, groups, table ?? (s.channels as 'interleaved' | 'blocked' | undefined) ?? 'interleaved');
}

/**
 * Refuses a file Verilator read that design.json does not list, by the name it lists: a build copies only listed files
 * into a folder of its own (and keys its cache on their text), so there it would not find the file, or would read the
 * original outside the copy, or keep a stale build after the file changed.
 */
function unlistedFiles(d: DesignFolder, netlist: Netlist, where: string): void {
  const listed = new Set(verilogFiles(d.manifest).map((f) => posix.normalize(f)));
  const extra = netlist.files.find((f) => !listed.has(posix.normalize(f)));
  if (extra === undefined) return;
  const rel = posix.normalize(extra);
  if (isAbsolute(extra) || rel.startsWith('../')) {
    throw new SimrunError('DESIGN_INVALID', `${where}: the sources read '${extra}' by a path that is absolute or leaves the folder; copy it into the folder, name it relative to the folder, and list it in design.json ("headers" for an include)`);
  }
  throw new SimrunError('DESIGN_INVALID', netlist.moduleFiles.has(extra)
    ? `${where}: the design uses a module from '${extra}', which design.json does not list; add it to "sources"`
    : `${where}: the sources include '${extra}', which design.json does not list; add it to "headers" (files rowsim copies beside the sources for every build and keys the build on, without compiling them on their own)`);
}

/** The name prefix of the placeholder that stands in for a tap signal that failed its check (no Verilog name has a NUL). */
const UNRESOLVED = '\0unresolved ';

/** Whether `s` is the placeholder of a tap signal that failed its check (and was reported). */
function failedSignal(s: ResolvedSignal): boolean {
  return s.variable.name.startsWith(UNRESOLVED);
}

async function resolveTapsNow(d: DesignFolder, net: NetworkSpec, plan: NetworkPlan): Promise<ResolvedTaps> {
  const netlist = await readNetlist(d.manifest.top, d.manifest.sources, d.dir);
  const where = `design folder '${d.dir}'`;
  unlistedFiles(d, netlist, where);
  const fix = `fix ${d.manifest.taps} (see docs/design-folder.md)`;
  // Every tap signal is checked, and every bad one reported in one error: a user fixing a tap map learns of its faults
  // from one run, not one a run. A signal that fails stands in as a placeholder no other check can match; the checks
  // that compare signals (the compute clock, the input's clock) are skipped once one of theirs failed.
  const problems: string[] = [];
  const problem = (message: string) => problems.push(message.startsWith(`${where}: `) ? message.slice(where.length + 2) : message);
  const attempt = <T>(check: () => T): T | undefined => {
    try {
      return check();
    } catch (e) {
      if (!(e instanceof SimrunError) || e.code !== 'DESIGN_INVALID') throw e;
      problem(e.message);
      return undefined;
    }
  };
  const unresolved = (path: string): ResolvedSignal => ({ path, scope: [], module: '', sourceModule: '', variable: { name: `${UNRESOLVED}${problems.length}`, width: null, dir: null } });
  const get = (path: string, role: string, width: (w: number) => boolean, widthText: string, dir?: 'input' | 'output'): ResolvedSignal => attempt(() => {
    const r = resolveSignal(netlist, path);
    if (typeof r === 'string') throw new SimrunError('DESIGN_INVALID', `${where}: tap ${role}: ${r}; fix ${d.manifest.taps}`);
    if (dir && (r.scope.length !== 0 || r.variable.dir !== dir)) {
      throw new SimrunError('DESIGN_INVALID', `${where}: tap ${role} '${path}' must be an ${dir} port of the top module '${netlist.top}'; see docs/design-folder.md for the documented ports`);
    }
    if (r.variable.width === null || !width(r.variable.width)) {
      throw new SimrunError('DESIGN_INVALID', `${where}: tap ${role} '${path}' is ${r.variable.width === null ? 'not a plain vector' : `${r.variable.width} bits wide`}, expected ${widthText}; fix the design or ${d.manifest.taps}`);
    }
    return r;
  }) ?? unresolved(path);
  const one = (w: number) => w === 1;
  const narrow = (w: number) => w >= 1 && w <= 32;
  const widthOf = (path: string | undefined): number | null => {
    const r = path === undefined ? null : resolveSignal(netlist, path);
    return r && typeof r !== 'string' ? r.variable.width : null;
  };
  const stream = (n: number, s: StreamTapMap, top?: 'output'): LayerTap => {
    const role = top ? `output (layer ${n})` : `layers.${n}`;
    const pinned = d.manifest.plan?.layers[n - 1];
    const layout = streamLayout(net.layers[n - 1]!, s, pinned ? { lanes: net.layers[n - 1]!.outC / pinned.ocmux, ocmux: pinned.ocmux } : undefined, widthOf(s.axis?.tdata ?? s.data), role, fix);
    const data = (path: string, r: string) => get(path, r, (w) => w === layout.lanes * 32, `${layout.lanes * 32} bits (${layout.lanes} lanes of 32)`, top);
    if (s.axis) {
      const a = s.axis;
      return {
        layer: n, kind: 'axis', layout, lanes: layout.lanes,
        valid: get(a.tvalid, `${role}.axis.tvalid`, one, '1 bit', top),
        data: data(a.tdata, `${role}.axis.tdata`),
        ...(a.tuser !== undefined ? { tuser: get(a.tuser, `${role}.axis.tuser`, one, '1 bit', top) } : {}),
        ...(a.tlast !== undefined ? { tlast: get(a.tlast, `${role}.axis.tlast`, one, '1 bit', top) } : {}),
        // The stream's ready is the design's input: only the top's own port can be driven by the bench.
        ...(a.tready !== undefined ? { tready: get(a.tready, `${role}.axis.tready`, one, '1 bit', top ? 'input' : undefined) } : {}),
      };
    }
    if (s.group === undefined && layout.groups > 1) {
      problem(`tap ${role}.group is missing, but the stream has ${layout.groups} groups; name the group signal or declare groups 1 in ${d.manifest.taps}`);
    }
    return {
      layer: n, kind: 'plain', layout, lanes: layout.lanes,
      valid: get(s.valid!, `${role}.valid`, one, '1 bit', top),
      row: get(s.row!, `${role}.row`, narrow, '1 to 32 bits', top),
      col: get(s.col!, `${role}.col`, narrow, '1 to 32 bits', top),
      ...(s.group !== undefined ? { group: get(s.group, `${role}.group`, narrow, '1 to 32 bits', top) } : {}),
      data: data(s.data!, `${role}.data`),
      ...(s.last !== undefined ? { last: get(s.last, `${role}.last`, one, '1 bit', top) } : {}),
      // Like an AXI4-Stream tready: a top input the bench holds high (a consumer that never stalls).
      ...(s.ready !== undefined ? { tready: get(s.ready, `${role}.ready`, one, '1 bit', top ? 'input' : undefined) } : {}),
    };
  };
  const L = net.layers.length;
  const inner = Object.keys(d.taps.layers).map(Number).sort((a, b) => a - b);
  const clock = get(d.taps.clock, 'clock', one, '1 bit', 'input');
  const clocks = attempt(() => benchClocks(d, net, clock, (path, role) => get(path, role, one, '1 bit', 'input'), where, problem));
  // The input's clock is looked up among the clocks only when every one of them resolved: a failed one is reported
  // already, and input.clock may name it.
  const inClock = !clocks || [clock, ...clocks.map((c) => c.signal)].some(failedSignal) ? undefined : attempt(() => {
    const c = d.taps.input.clock === undefined ? clock : clocks.find((c) => c.signal.path === d.taps.input.clock || c.signal.variable.name === d.taps.input.clock)?.signal;
    if (!c) throw new SimrunError('DESIGN_INVALID', `${where}: tap input.clock '${d.taps.input.clock}' is not one of the clocks listed in ${d.manifest.taps}; list it under clocks with its periodPs`);
    return c;
  });
  const reset = get(d.taps.reset, 'reset', one, '1 bit', 'input');
  const i = d.taps.input;
  const inputSignals = i.axis
    ? {
      kind: 'axis' as const,
      valid: get(i.axis.tvalid, 'input.axis.tvalid', one, '1 bit', 'input'),
      data: get(i.axis.tdata, 'input.axis.tdata', (w) => w === 96, '96 bits (3 channels of 32)', 'input'),
      ...(i.axis.tuser !== undefined ? { tuser: get(i.axis.tuser, 'input.axis.tuser', one, '1 bit', 'input') } : {}),
      ...(i.axis.tlast !== undefined ? { tlast: get(i.axis.tlast, 'input.axis.tlast', one, '1 bit', 'input') } : {}),
      ...(i.axis.tready !== undefined ? { tready: get(i.axis.tready, 'input.axis.tready', one, '1 bit', 'output') } : {}),
    }
    : {
      kind: 'plain' as const,
      valid: get(i.valid!, 'input.valid', one, '1 bit', 'input'),
      col: get(i.col!, 'input.col', narrow, '1 to 32 bits', 'input'),
      data: get(i.data!, 'input.data', (w) => w === 96, '96 bits (3 channels of 32)', 'input'),
    };
  const layers = [
    ...inner.map((n) => attempt(() => {
      if (n < 1 || n >= L) throw new SimrunError('DESIGN_INVALID', `${where}: ${d.manifest.taps} taps layer ${n}, but layers 1..${L - 1} are the ones to tap (layer ${L} is the top's output ports)`);
      return stream(n, d.taps.layers[String(n)]!);
    })),
    attempt(() => stream(L, d.taps.output, 'output')),
  ];
  if (problems.length === 1) throw new SimrunError('DESIGN_INVALID', `${where}: ${problems[0]}`);
  if (problems.length > 1) throw new SimrunError('DESIGN_INVALID', `${where}: ${problems.length} problems with its taps: ${problems.map((p, k) => `(${k + 1}) ${p}`).join('; ')}`);
  // No problem was found, so every check above returned its value.
  return {
    top: netlist.top, clock, clocks: clocks!,
    reset,
    resetActiveLow: d.taps.resetActive === 'low',
    input: { ...inputSignals, clock: inClock! } as InputTap,
    layers: layers as LayerTap[],
    netlist,
  };
}

/**
 * The clocks the bench drives: the compute clock at the spec's clockHz, or every clock the tap map lists (each a 1-bit
 * top input with a whole, positive period in picoseconds; the compute clock's must be the spec's).
 */
function benchClocks(d: DesignFolder, net: NetworkSpec, clock: ResolvedSignal, port: (path: string, role: string) => ResolvedSignal, where: string, problem: (message: string) => void): BenchClock[] {
  const specPs = 1e12 / net.clockHz;
  if (!d.taps.clocks) return [{ signal: clock, periodPs: Number.isInteger(specPs) ? specPs : Math.round(specPs) }];
  const out: BenchClock[] = [];
  let failed = false;
  d.taps.clocks.forEach((c, i) => {
    const role = `clocks[${i}]`;
    // Each entry's faults are reported and the others still checked.
    const bad = (why: string) => { failed = true; problem(`tap ${why}`); };
    if (!Number.isSafeInteger(c.periodPs) || c.periodPs < 2) bad(`${role}.periodPs ${c.periodPs} is not a whole number of picoseconds (at least 2); give e.g. 4000 for 250 MHz`);
    const s = port(c.signal, `${role}.signal`);
    if (out.some((o) => o.signal.variable.name === s.variable.name)) bad(`${role}: clock '${c.signal}' is listed twice; list each clock once`);
    out.push({ signal: s, periodPs: c.periodPs });
  });
  // A clock that failed its check is reported already, and may be the compute clock misspelt: nothing to compare.
  if (failed || [clock, ...out.map((c) => c.signal)].some(failedSignal)) return out;
  const compute = out.find((c) => c.signal.variable.name === clock.variable.name);
  if (!compute) throw new SimrunError('DESIGN_INVALID', `${where}: tap clocks does not list the compute clock '${d.taps.clock}'; add it with periodPs ${specPs}`);
  if (compute.periodPs !== specPs) {
    throw new SimrunError('DESIGN_INVALID', `${where}: tap clocks: the compute clock '${d.taps.clock}' has periodPs ${compute.periodPs}, but the spec's clockHz ${net.clockHz} means ${Number.isInteger(specPs) ? specPs : specPs.toFixed(3)} ps; make them agree`);
  }
  return out;
}
