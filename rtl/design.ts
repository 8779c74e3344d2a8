// A design folder — the unit the rtl engine runs: Verilog sources, the top module, ROM images, the network spec and plan
// it implements, and a tap map naming each layer's output stream. `simrun emit` writes one; users write or edit others.
// Invariant: a DesignFolder returned here has every listed file present and a tap map that parsed; taps are checked
// against the elaborated netlist by `resolveTaps` before any build.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { SimrunError } from '../core/errors.js';
import { readUserText } from '../core/files.js';
import type { NetworkPlan } from '../core/plan.js';
import type { NetworkSpec } from '../core/spec.js';
import { readNetlist, resolveSignal, type Netlist, type ResolvedSignal } from './netlist.js';

export const DESIGN_FORMAT = 'rowsim-design/1';

const fileName = z.string().min(1).regex(/^[A-Za-z0-9_][A-Za-z0-9_.\-/]*$/, 'a relative file name inside the folder (letters, digits, . _ - /)').refine((s) => !s.split('/').includes('..'), 'must not leave the folder');
const signal = z.string().min(1).max(400);

const streamTaps = z.object({ valid: signal, row: signal, col: signal, group: signal, data: signal, last: signal.optional() }).strict();

const tapMapSchema = z.object({
  clock: signal,
  reset: signal,
  input: z.object({ valid: signal, col: signal, data: signal }).strict(),
  output: streamTaps,
  layers: z.record(z.string().regex(/^[1-9]\d*$/, 'a layer number'), streamTaps).default({}),
}).strict();

const manifestSchema = z.object({
  format: z.literal(DESIGN_FORMAT),
  top: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a Verilog module name'),
  sources: z.array(fileName).min(1),
  spec: fileName,
  plan: z.object({
    drain: z.number().int().min(3),
    layers: z.array(z.object({ strips: z.number().int().min(1), ocmux: z.number().int().min(1) }).strict()).min(1),
  }).strict(),
  roms: z.array(fileName).default([]),
  /** Sources that only hold ROM contents: tools that must not see them (Yosys in a mutation campaign) read them as black boxes. */
  romSources: z.array(fileName).optional(),
  taps: fileName,
  emitted: z.object({ by: z.string(), weights: z.string(), quant: z.enum(['rne', 'truncate']).default('rne'), files: z.record(z.string(), z.string()) }).strict().optional(),
}).strict();

/** The tap map (taps.json). */
export type TapMap = z.infer<typeof tapMapSchema>;
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

/** Loads `dir`/design.json and its tap map, checking that every listed file exists. */
export function loadDesign(dirArg: string): DesignFolder {
  const dir = resolve(dirArg);
  if (!existsSync(join(dir, 'design.json'))) {
    throw new SimrunError('DESIGN_INVALID', `'${dirArg}' is not a design folder (no design.json); write one with 'simrun emit --out <dir>' and see docs/design-folder.md`);
  }
  const manifest = parseJson(dir, 'design.json', manifestSchema, 'see docs/design-folder.md for the manifest format');
  for (const f of [...manifest.sources, manifest.spec, manifest.taps]) {
    if (!existsSync(join(dir, f))) throw new SimrunError('DESIGN_INVALID', `design folder '${dirArg}' lists '${f}' but it is not there; add it or fix design.json`);
  }
  const taps = parseJson(dir, manifest.taps, tapMapSchema, 'see docs/design-folder.md for the tap map format');
  return { dir, manifest, taps };
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
  readonly valid: ResolvedSignal;
  readonly row: ResolvedSignal;
  readonly col: ResolvedSignal;
  readonly group: ResolvedSignal;
  readonly data: ResolvedSignal;
  /** The end-of-frame flag, when the tap map names it (then compared with the model's). */
  readonly last?: ResolvedSignal;
  /** Lanes the data carries (from the plan). */
  readonly lanes: number;
}

/** Every signal the bench touches, resolved and checked. */
export interface ResolvedTaps {
  readonly top: string;
  readonly clock: ResolvedSignal;
  readonly reset: ResolvedSignal;
  readonly input: { readonly valid: ResolvedSignal; readonly col: ResolvedSignal; readonly data: ResolvedSignal };
  /** Observed layers in order; the last layer is the top's output ports. */
  readonly layers: readonly LayerTap[];
  readonly netlist: Netlist;
}

/**
 * Elaborates the design and checks every tap: the signal exists, has the documented width, and the top's ports have
 * the documented directions. Any failure is DESIGN_INVALID naming the signal.
 */
export async function resolveTaps(d: DesignFolder, net: NetworkSpec, plan: NetworkPlan): Promise<ResolvedTaps> {
  // A campaign resolves the same folder for every mutant: elaborate it once per content.
  const key = createHash('sha256').update(d.dir).update(JSON.stringify(d.manifest)).update(JSON.stringify(d.taps)).update(JSON.stringify(plan.layers.map((p) => p.lanes)));
  for (const f of d.manifest.sources) key.update(readFileSync(join(d.dir, f)));
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

async function resolveTapsNow(d: DesignFolder, net: NetworkSpec, plan: NetworkPlan): Promise<ResolvedTaps> {
  const netlist = await readNetlist(d.manifest.top, d.manifest.sources, d.dir);
  const where = `design folder '${d.dir}'`;
  const get = (path: string, role: string, width: (w: number) => boolean, widthText: string, dir?: 'input' | 'output'): ResolvedSignal => {
    const r = resolveSignal(netlist, path);
    if (typeof r === 'string') throw new SimrunError('DESIGN_INVALID', `${where}: tap ${role}: ${r}; fix ${d.manifest.taps}`);
    if (dir && (r.scope.length !== 0 || r.variable.dir !== dir)) {
      throw new SimrunError('DESIGN_INVALID', `${where}: tap ${role} '${path}' must be an ${dir} port of the top module '${netlist.top}'; see docs/design-folder.md for the documented ports`);
    }
    if (r.variable.width === null || !width(r.variable.width)) {
      throw new SimrunError('DESIGN_INVALID', `${where}: tap ${role} '${path}' is ${r.variable.width === null ? 'not a plain vector' : `${r.variable.width} bits wide`}, expected ${widthText}; fix the design or ${d.manifest.taps}`);
    }
    return r;
  };
  const one = (w: number) => w === 1;
  const narrow = (w: number) => w >= 1 && w <= 32;
  const stream = (n: number, s: { valid: string; row: string; col: string; group: string; data: string; last?: string | undefined }, dir?: 'output'): LayerTap => {
    const lanes = plan.layers[n - 1]!.lanes;
    const role = dir ? `output (layer ${n})` : `layers.${n}`;
    return {
      layer: n, lanes,
      valid: get(s.valid, `${role}.valid`, one, '1 bit', dir),
      row: get(s.row, `${role}.row`, narrow, '1 to 32 bits', dir),
      col: get(s.col, `${role}.col`, narrow, '1 to 32 bits', dir),
      group: get(s.group, `${role}.group`, narrow, '1 to 32 bits', dir),
      data: get(s.data, `${role}.data`, (w) => w === lanes * 32, `${lanes * 32} bits (${lanes} lanes of 32)`, dir),
      ...(s.last !== undefined ? { last: get(s.last, `${role}.last`, one, '1 bit', dir) } : {}),
    };
  };
  const L = net.layers.length;
  const inner = Object.keys(d.taps.layers).map(Number).sort((a, b) => a - b);
  for (const n of inner) {
    if (n < 1 || n >= L) throw new SimrunError('DESIGN_INVALID', `${where}: ${d.manifest.taps} taps layer ${n}, but layers 1..${L - 1} are the ones to tap (layer ${L} is the top's output ports)`);
  }
  return {
    top: netlist.top,
    clock: get(d.taps.clock, 'clock', one, '1 bit', 'input'),
    reset: get(d.taps.reset, 'reset', one, '1 bit', 'input'),
    input: {
      valid: get(d.taps.input.valid, 'input.valid', one, '1 bit', 'input'),
      col: get(d.taps.input.col, 'input.col', narrow, '1 to 32 bits', 'input'),
      data: get(d.taps.input.data, 'input.data', (w) => w === 96, '96 bits (3 channels of 32)', 'input'),
    },
    layers: [...inner.map((n) => stream(n, d.taps.layers[String(n)]!)), stream(L, d.taps.output, 'output')],
    netlist,
  };
}
