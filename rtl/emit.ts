// Emits the whole design: FPUs, one module per layer, and rs_top, which chains the layers on the stream interface; and
// writes it as a design folder (sources, ROM images, spec, plan, tap map, README) — the unit the rtl engine runs.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { QuantMode } from '../core/bfloat18.js';
import type { Fault } from '../core/faults.js';
import { formatMemh } from '../core/memh.js';
import { commentText } from '../core/names.js';
import type { NetworkPlan } from '../core/plan.js';
import { specSource, type NetworkSpec } from '../core/spec.js';
import { streamShape } from '../core/stream.js';
import { VERSION } from '../core/version.js';
import type { HwLayerWeights } from '../core/weights/types.js';
import type { LayerMutant } from './catalogueKinds.js';
import { DESIGN_FORMAT, fileHash, type DesignManifest, type TapMapFile } from './design.js';
import { emitLayer } from './emitLayer.js';
import { layerWidths } from './widths.js';
import { emitRoms, romNames } from './emitRom.js';
import { VModule } from '../core/vbuild.js';
import { LAYER_SIGNALS, layerModules } from '../core/layerSignals.js';
import { designReadme } from './readme.js';
import { formatIntelHex, formatMif, type RomFormat } from './romFormats.js';
import { AXIS_TOP, axisTaps, emitAxisWrapper } from './axisWrapper.js';
import type { SourceFile } from './verilator.js';

/** The top module's name in every emitted design. */
export const TOP = 'rs_top';

/** What to build into an emitted design besides the network: faults, and catalogue mutants behind a mutsel port. */
export interface DesignExtras {
  readonly faults?: readonly Fault[];
  /** Catalogue mutants per layer (1-based layer → its mutants). */
  readonly mutants?: ReadonlyMap<number, readonly LayerMutant[]>;
  /** Width of the top's mutsel input (required with mutants). */
  readonly mutselWidth?: number;
  /** Bit, delay and stall fault hooks selected at run time by plusargs (rtl/emitLayer.ts `faultPlusargs`). */
  readonly runtimeFaults?: boolean;
  /** ROM images in formats besides the .memh the Verilog loads (.mif, Intel .hex), for FPGA flows; listed as romExports. */
  readonly romFormats?: readonly RomFormat[];
  /** The design's top is rs_axis_top: rs_top behind AXI4-Stream ports (rtl/axisWrapper.ts), with its tap map. */
  readonly axis?: boolean;
}

function emitTop(net: NetworkSpec, plan: NetworkPlan, x: DesignExtras): string {
  const L = net.layers.length;
  // Between layers the stream fields are as wide as their ranges (rtl/widths.ts); the top's ports keep 32-bit fields.
  const widths = net.layers.map((l) => layerWidths(l, plan.layers[l.index - 1]!, streamShape(net, plan, l.index - 1)));
  const inCol = widths[0]!.inCol;
  const m = new VModule(TOP, [
    `${TOP}: ${commentText(net.name)}, ${L} layers chained on the stream interface (valid, row, col, group, data).`,
    'Input beat: one pixel; s_data holds channel 0 in bits 31:0, channel 1 in 63:32, channel 2 in 95:64.',
    'Output: the last layer\'s stream; lane i of a beat in group g is channel i*OCMUX + g. Inner layers are tapped by name.',
  ]).port('input', 'clk').port('input', 'rst');
  if (x.mutselWidth) m.port('input', LAYER_SIGNALS.mutantSelect, x.mutselWidth, 'wire', 'selects one catalogue mutant (0: none)');
  m.port('input', 's_valid').port('input', 's_col', 32, 'wire', `bits above ${inCol - 1} are always 0`, inCol < 32 ? 'UNUSEDSIGNAL' : undefined).port('input', 's_data', 96)
    .port('output', 'm_valid').port('output', 'm_row', 32).port('output', 'm_col', 32).port('output', 'm_grp', 32).port('output', 'm_last')
    .port('output', 'm_data', plan.layers[L - 1]!.lanes * 32);
  const wires = m.section('the stream between layers'), chain = m.section('the layers, each fed by the one before');
  for (const l of net.layers) {
    const n = l.index, w = widths[n - 1]!;
    wires.wire(`o${n}_col`, w.outCol).wire(`o${n}_grp`, w.grp);
    // The next layer counts beats, so row and last are read only by whoever taps the stream (the bench).
    if (n < L) wires.wire(`o${n}_valid`, 'bit').wire(`o${n}_data`, plan.layers[n - 1]!.lanes * 32).raw('/* verilator lint_off UNUSEDSIGNAL */').wire(`o${n}_last`, 'bit').wire(`o${n}_row`, w.outRow).raw('/* verilator lint_on UNUSEDSIGNAL */');
    else wires.wire(`o${n}_row`, w.outRow);
    const src = n === 1
      ? { in_valid: 's_valid', in_col: `s_col[${inCol - 1}:0]`, in_grp: "1'b0", in_data: 's_data' }
      : { in_valid: `o${n - 1}_valid`, in_col: `o${n - 1}_col`, in_grp: `o${n - 1}_grp`, in_data: `o${n - 1}_data` };
    const out = (f: string) => (n === L && (f === 'valid' || f === 'last' || f === 'data') ? `m_${f}` : `o${n}_${f}`);
    const sel: Record<string, string> = x.mutants?.get(n)?.length ? { [LAYER_SIGNALS.mutantSelect]: LAYER_SIGNALS.mutantSelect } : {};
    chain.instance(layerModules(n).layer, `u_layer${n}`, { clk: 'clk', rst: 'rst', ...sel, ...src, ...Object.fromEntries(['valid', 'row', 'col', 'grp', 'last', 'data'].map((f) => [`out_${f}`, out(f)])) }, 2 + Object.keys(sel).length + 4);
  }
  const last = widths[L - 1]!;
  const zext = (port: string, wire: string, bits: number) => chain.assign(port, bits < 32 ? `{${32 - bits}'d0, ${wire}}` : wire);
  zext('m_row', `o${L}_row`, last.outRow); zext('m_col', `o${L}_col`, last.outCol); zext('m_grp', `o${L}_grp`, last.grp);
  return m.render();
}

/**
 * All Verilog sources of a network: each layer's module, its ROM modules (a file of their own), then the top. Faults are
 * built in as real bugs; catalogue mutants wait behind the mutsel port.
 */
export function emitDesign(net: NetworkSpec, plan: NetworkPlan, x: DesignExtras = {}): SourceFile[] {
  return [
    ...net.layers.flatMap((l) => {
      const roms = emitRoms(l, plan.layers[l.index - 1]!);
      return [
        { name: `${layerModules(l.index).layer}.v`, text: emitLayer(l, plan.layers[l.index - 1]!, streamShape(net, plan, l.index - 1), { faults: x.faults, mutants: x.mutants?.get(l.index), mutselWidth: x.mutants?.get(l.index)?.length ? x.mutselWidth : undefined, runtimeFaults: x.runtimeFaults }) },
        { name: `${layerModules(l.index).weights}.v`, text: roms.weights },
        { name: `${layerModules(l.index).bias}.v`, text: roms.bias },
      ];
    }),
    { name: `${TOP}.v`, text: emitTop(net, plan, x) },
    ...(x.axis ? [{ name: `${AXIS_TOP}.v`, text: emitAxisWrapper(net, plan, TOP) }] : []),
  ];
}

/** The tap map of an emitted design: every inner layer's output registers, the last layer at the top's ports. */
export function emittedTaps(net: NetworkSpec): TapMapFile {
  const layers: NonNullable<TapMapFile['layers']> = {};
  for (const l of net.layers.slice(0, -1)) {
    const p = `${TOP}.u_layer${l.index}`;
    layers[String(l.index)] = { valid: `${p}.out_valid`, row: `${p}.out_row`, col: `${p}.out_col`, group: `${p}.out_grp`, data: `${p}.out_data`, last: `${p}.out_last` };
  }
  return {
    clock: 'clk', reset: 'rst',
    input: { valid: 's_valid', col: 's_col', data: 's_data' },
    output: { valid: 'm_valid', row: 'm_row', col: 'm_col', group: 'm_grp', data: 'm_data', last: 'm_last' },
    layers,
  };
}

/**
 * The ROM images the emitted layers load: rom/w{N}.memh (one 5-hex-digit bfloat18 code per line, line tap·Cout + channel
 * + 1) and rom/b{N}.memh (one 8-hex-digit binary32 bias per line, line channel + 1).
 */
export function romFiles(net: NetworkSpec, weights: readonly HwLayerWeights[]): SourceFile[] {
  return net.layers.flatMap((l) => {
    const w = weights[l.index - 1]!;
    const names = romNames(l.index);
    return [
      { name: names.weights, text: hexLines(w.codes, 5) },
      { name: names.bias, text: hexLines(new Uint32Array(w.bias.buffer, w.bias.byteOffset, w.bias.length), 8) },
    ];
  });
}

/**
 * The ROM image `name` written from a run's weights, or null for a name rowsim does not write: its own layout
 * (rom/w{N}.memh, rom/b{N}.memh, one word per line) or the IE120R layout (weight{N}.memh: one line per tap, Cout words,
 * channel Cout−1 first, each bfloat18 code in 8 hex digits; bias{N}.memh: one line of Cout binary32 words, channel
 * Cout−1 first). Made on demand: the full IE120R's images are hundreds of MB of text.
 */
export function writableRom(net: NetworkSpec, weights: readonly HwLayerWeights[], name: string): string | null {
  const m = /^(rom\/w|rom\/b|weight|bias)([1-9]\d*)\.memh$/.exec(name);
  const l = m ? net.layers[Number(m[2]) - 1] : undefined;
  if (!m || !l) return null;
  const w = weights[l.index - 1]!;
  const bias = new Uint32Array(w.bias.buffer, w.bias.byteOffset, w.bias.length);
  switch (m[1]) {
    case 'rom/w': return hexLines(w.codes, 5);
    case 'rom/b': return hexLines(bias, 8);
    case 'weight': return formatMemh(w.codes, l.outC, 'highFirst');
    default: return formatMemh(bias, l.outC, 'highFirst');
  }
}

/**
 * The ROM images again in `formats` other than memh: rom/w{N}.mif and rom/b{N}.mif (Memory Initialization Files),
 * rom/w{N}.hex and rom/b{N}.hex (Intel HEX), word for word the .memh images (weights 18 bits wide, biases 32).
 */
export function romExports(net: NetworkSpec, weights: readonly HwLayerWeights[], formats: readonly RomFormat[]): SourceFile[] {
  return net.layers.flatMap((l) => {
    const w = weights[l.index - 1]!;
    const images = [
      { base: `rom/w${l.index}`, words: w.codes, width: 18, what: `layer ${l.index} weights (bfloat18 codes), address tap·${l.outC} + channel` },
      { base: `rom/b${l.index}`, words: new Uint32Array(w.bias.buffer, w.bias.byteOffset, w.bias.length), width: 32, what: `layer ${l.index} biases (binary32), address channel` },
    ];
    return images.flatMap((im) => [
      ...(formats.includes('mif') ? [{ name: `${im.base}.mif`, text: formatMif(im.words, im.width, `rowsim: ${im.what}`) }] : []),
      ...(formats.includes('hex') ? [{ name: `${im.base}.hex`, text: formatIntelHex(im.words, im.width) }] : []),
    ]);
  });
}

/** True for a ROM name rowsim can write when the folder lacks it (docs/design-folder.md), for layers 1..layers. */
export function isWritableRomName(name: string, layers: number): boolean {
  const m = /^(?:rom\/[wb]|weight|bias)([1-9]\d*)\.memh$/.exec(name);
  return m !== null && Number(m[1]) <= layers;
}

/** One word per line, `digits` hex digits each. */
export function hexLines(words: Uint32Array, digits: number): string {
  const out: string[] = new Array(words.length);
  for (let i = 0; i < words.length; i++) out[i] = (words[i]! >>> 0).toString(16).padStart(digits, '0');
  return out.join('\n') + '\n';
}

function put(dir: string, f: SourceFile): void {
  mkdirSync(dirname(join(dir, f.name)), { recursive: true });
  writeFileSync(join(dir, f.name), f.text);
}

/**
 * Writes a complete design folder into `dir` (which must exist): sources, ROM images, spec.json (the network with the
 * plan pinned), taps.json, README.md, and design.json last — its presence means the folder is complete.
 */
export function writeDesignFolder(dir: string, net: NetworkSpec, plan: NetworkPlan, weights: readonly HwLayerWeights[], weightsName: string, extras: DesignExtras = {}, quant: QuantMode = 'rne'): DesignManifest {
  rmSync(join(dir, 'design.json'), { force: true }); // an interrupted emit must not leave an old manifest over new files
  const sources = emitDesign(net, plan, extras);
  for (const f of sources) put(dir, f);
  const roms = romFiles(net, weights);
  for (const f of roms) put(dir, f);
  const exports = romExports(net, weights, extras.romFormats ?? []);
  for (const f of exports) put(dir, f);
  // Passes are pinned only where they are more than one: a folder without partial sums keeps its plan's old form.
  const pins = plan.layers.map((p) => ({ strips: p.strips, ocmux: p.ocmux, ...(p.passes > 1 ? { passes: p.passes } : {}) }));
  put(dir, { name: 'spec.json', text: JSON.stringify(specSource(net, pins), null, 2) + '\n' });
  put(dir, { name: 'taps.json', text: JSON.stringify(extras.axis ? axisTaps(emittedTaps(net)) : emittedTaps(net), null, 2) + '\n' });
  put(dir, { name: 'README.md', text: designReadme(net, plan, { axis: extras.axis, romExports: exports.map((f) => f.name) }) });
  const manifest: Omit<DesignManifest, 'headers'> = {
    format: DESIGN_FORMAT,
    top: extras.axis ? AXIS_TOP : TOP,
    sources: sources.map((f) => f.name),
    spec: 'spec.json',
    plan: { drain: net.drain, ...(net.slots === 'pipelined' ? { slots: net.slots } : {}), layers: pins },
    roms: roms.map((f) => f.name),
    romSources: sources.map((f) => f.name).filter((n) => /^rs_[wb]rom\d+\.v$/.test(n)),
    ...(exports.length ? { romExports: exports.map((f) => f.name) } : {}),
    taps: 'taps.json',
    // Faulted or mutated copies are not what rowsim emits: they carry no fingerprint, so they are never re-emitted as clean.
    ...(extras.faults?.length || extras.mutants?.size || extras.runtimeFaults ? {} : { emitted: { by: `rowsim ${VERSION}`, weights: weightsName, quant, files: Object.fromEntries(sources.map((f) => [f.name, fileHash(join(dir, f.name))])) } }),
  };
  writeFileSync(join(dir, 'design.json'), JSON.stringify(manifest, null, 2) + '\n');
  // Emitted sources include nothing: the manifest as read back has no headers.
  return { ...manifest, headers: [] };
}
