// Network spec: schema, parsing (JSON/YAML) and derived per-layer shapes; a parsed spec is readonly and valid.
import { createRequire } from 'node:module';
import { z } from 'zod';
import { SimrunError } from './errors.js';
import { readUserText } from './files.js';
import { hasControlCharacter } from './names.js';
import { PRESETS } from './presets.js';

/** A name that reaches file names, Verilog comments and terminals: 1..64 characters, none of them a control character. */
const nameSchema = z.string().min(1).max(64).refine((s) => !hasControlCharacter(s), { message: 'contains a control character; use printable characters only' });

/** Fixed pipeline cycles per slot besides the taps and the beats (multiply, accumulate, bias + ReLU registers). */
const MIN_DRAIN = 3;

const layerSchema = z
  .object({
    name: nameSchema,
    kernel: z.number().int().min(1).max(7),
    stride: z.union([z.literal(1), z.literal(2)]),
    pad: z.number().int().min(0),
    outChannels: z.number().int().min(1).max(4096),
    batchnorm: z.boolean().default(false),
    relu: z.boolean().default(true),
    strips: z.number().int().min(1).optional(),
    ocmux: z.number().int().min(1).optional(),
    /** Kernel-row passes per output row: 1 (every tap in one pass) or the kernel (partial sums; see core/plan.ts). */
    passes: z.number().int().min(1).optional(),
  })
  .strict();

const specSchema = z
  .object({
    name: nameSchema,
    input: z
      .object({
        height: z.number().int().min(1).max(8192),
        width: z.number().int().min(1).max(8192),
        channels: z.literal(3),
      })
      .strict(),
    clockHz: z.number().int().positive().max(1e10),
    rowRateHz: z.number().positive().finite(),
    aluBudget: z.number().int().positive().max(1e7).optional(),
    /** Fixed cycles per slot besides taps and beats; the RTL pads its pipeline to it (the IE120R's is 10). */
    drain: z.number().int().min(MIN_DRAIN).max(1000).default(MIN_DRAIN),
    /** Whether a slot's drain and beats overlap the next slot's taps (see core/plan.ts slotTiming). */
    slots: z.enum(['sequential', 'pipelined']).default('sequential'),
    /** Rows of every layer start at least this fraction of the layer's row interval apart (the published TDMPAD). */
    rowPacing: z.number().gt(0).max(1).optional(),
    /**
     * Row buffers of K + S rows (window), or sized at plan time to the steady state's high-water mark under uniform
     * pacing (high-water), or under every pacing that keeps rows inside their periods, jitter included (in-period).
     */
    rowBuffers: z.enum(['window', 'high-water', 'in-period']).default('window'),
    /**
     * The planner may split a layer's taps into one pass per kernel row, each run as soon as its input row is in, with
     * the partial sums kept between passes (core/plan.ts): the last rows of a frame then wait for a third of the work.
     */
    partialSums: z.boolean().default(false),
    normalize: z
      .object({
        mean: z.array(z.number().finite()).length(3),
        std: z.array(z.number().positive().finite()).length(3),
      })
      .strict()
      .default({ mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }),
    layers: z.array(layerSchema).min(1),
  })
  .strict();

/** One conv layer of the spec, with the shapes it sees (derived once at parse time). */
export interface LayerSpec {
  /** 1-based index in network order (the N of weight{N}.memh). */
  readonly index: number;
  readonly name: string;
  readonly kernel: number;
  readonly stride: 1 | 2;
  readonly pad: number;
  readonly batchnorm: boolean;
  readonly relu: boolean;
  readonly inH: number;
  readonly inW: number;
  readonly inC: number;
  readonly outH: number;
  readonly outW: number;
  readonly outC: number;
  /** Planner overrides from the spec, if any. */
  readonly strips?: number;
  readonly ocmux?: number;
  readonly passes?: number;
}

/** A validated network spec. */
export interface NetworkSpec {
  readonly name: string;
  readonly input: { readonly height: number; readonly width: number; readonly channels: 3 };
  readonly clockHz: number;
  readonly rowRateHz: number;
  /** Cycles per input row: clockHz / rowRateHz, an integer. */
  readonly rowPeriod: number;
  /** If set, the planner spends up to this many ALUs to lower latency; otherwise it uses the fewest. */
  readonly aluBudget?: number;
  /** Fixed cycles per slot besides the taps and the per-strip beats (at least MIN_DRAIN). */
  readonly drain: number;
  /** Sequential slots (the default when absent), or pipelined: a slot's drain and beats overlap the next slot's taps. */
  readonly slots?: 'sequential' | 'pipelined';
  /** Rows start at least ⌊rowPacing · cyclesAvailable⌋ cycles apart, when set. */
  readonly rowPacing?: number;
  /**
   * K + S rows per buffer (window, the default when absent), or the high-water mark of the plan's steady state under
   * uniform pacing (high-water) or bounded over every in-period pacing (in-period).
   */
  readonly rowBuffers?: 'window' | 'high-water' | 'in-period';
  /** The planner may split layers' taps into kernel-row passes with partial sums (false when absent). */
  readonly partialSums?: boolean;
  readonly normalize: { readonly mean: readonly number[]; readonly std: readonly number[] };
  readonly layers: readonly LayerSpec[];
}

/** Whether the spec sizes its row buffers from the schedule (high-water or in-period) rather than K + S rows. */
export function buffersFromSchedule(net: Pick<NetworkSpec, 'rowBuffers'>): boolean {
  return net.rowBuffers === 'high-water' || net.rowBuffers === 'in-period';
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
}

/** Validates an already-parsed object as a network spec; `source` names it in errors. */
export function validateSpec(raw: unknown, source: string): NetworkSpec {
  const parsed = specSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = fieldPath(issue.path) || '(root)';
    throw new SimrunError('CONFIG_INVALID', `${source}: field '${field}': ${issue.message}; fix that field and retry`);
  }
  const s = parsed.data;
  const rowPeriod = s.clockHz / s.rowRateHz;
  if (!Number.isInteger(rowPeriod)) {
    throw new SimrunError(
      'CONFIG_INVALID',
      `${source}: field 'rowRateHz': clockHz/rowRateHz = ${rowPeriod} is not a whole number of cycles; choose a rowRateHz that divides clockHz`,
    );
  }
  if (rowPeriod > 1e7) {
    throw new SimrunError('CONFIG_INVALID', `${source}: field 'rowRateHz': a row period of ${rowPeriod} cycles is over 10,000,000; raise rowRateHz`);
  }
  if (rowPeriod < s.input.width) {
    throw new SimrunError(
      'CONFIG_INVALID',
      `${source}: field 'rowRateHz': a row period of ${rowPeriod} cycles is shorter than the ${s.input.width} pixels of a row; lower rowRateHz`,
    );
  }
  const layers: LayerSpec[] = [];
  let h = s.input.height;
  let w = s.input.width;
  let c = s.input.channels as number;
  const names = new Set<string>();
  s.layers.forEach((l, i) => {
    const at = `layers[${i}]`;
    if (names.has(l.name)) throw new SimrunError('CONFIG_INVALID', `${source}: field '${at}.name': duplicate layer name '${l.name}'; give each layer its own name`);
    names.add(l.name);
    if (l.pad >= l.kernel) throw new SimrunError('CONFIG_INVALID', `${source}: field '${at}.pad': pad ${l.pad} must be smaller than kernel ${l.kernel}`);
    const outH = Math.floor((h + 2 * l.pad - l.kernel) / l.stride) + 1;
    const outW = Math.floor((w + 2 * l.pad - l.kernel) / l.stride) + 1;
    if (outH < 1 || outW < 1) {
      throw new SimrunError('CONFIG_INVALID', `${source}: field '${at}.kernel': a ${l.kernel}x${l.kernel} kernel does not fit the ${h}x${w} input of layer '${l.name}'; use a smaller kernel or more padding`);
    }
    if (l.ocmux !== undefined && l.outChannels % l.ocmux !== 0) {
      throw new SimrunError('CONFIG_INVALID', `${source}: field '${at}.ocmux': ${l.ocmux} does not divide outChannels ${l.outChannels}`);
    }
    if (l.strips !== undefined && l.strips > outW) {
      throw new SimrunError('CONFIG_INVALID', `${source}: field '${at}.strips': ${l.strips} strips is more than the ${outW} output columns`);
    }
    if (l.passes !== undefined && l.passes !== 1 && l.passes !== l.kernel) {
      throw new SimrunError('CONFIG_INVALID', `${source}: field '${at}.passes': a layer runs its taps in 1 pass or in ${l.kernel} (one per kernel row), not ${l.passes}`);
    }
    if (l.passes !== undefined && l.passes > 1 && s.rowPacing !== undefined) {
      throw new SimrunError('CONFIG_INVALID', `${source}: field '${at}.passes': kernel-row passes do not combine with rowPacing (a paced row is one pass); drop one of them`);
    }
    layers.push({
      index: i + 1, name: l.name, kernel: l.kernel, stride: l.stride, pad: l.pad,
      batchnorm: l.batchnorm, relu: l.relu,
      inH: h, inW: w, inC: c, outH, outW, outC: l.outChannels,
      ...(l.strips !== undefined ? { strips: l.strips } : {}),
      ...(l.ocmux !== undefined ? { ocmux: l.ocmux } : {}),
      ...(l.passes !== undefined ? { passes: l.passes } : {}),
    });
    h = outH; w = outW; c = l.outChannels;
  });
  return deepFreeze({
    name: s.name,
    input: { height: s.input.height, width: s.input.width, channels: 3 as const },
    clockHz: s.clockHz,
    rowRateHz: s.rowRateHz,
    rowPeriod,
    ...(s.aluBudget !== undefined ? { aluBudget: s.aluBudget } : {}),
    drain: s.drain,
    slots: s.slots,
    ...(s.rowPacing !== undefined ? { rowPacing: s.rowPacing } : {}),
    rowBuffers: s.rowBuffers,
    ...(s.partialSums ? { partialSums: true } : {}),
    normalize: { mean: [...s.normalize.mean], std: [...s.normalize.std] },
    layers,
  });
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** Loads a spec by preset name or from a JSON/YAML file path. */
export function loadSpec(nameOrPath: string): NetworkSpec {
  const preset = PRESETS[nameOrPath];
  if (preset) return validateSpec(preset, `preset '${nameOrPath}'`);
  const looksLikeFile = /[./\\]/.test(nameOrPath);
  if (!looksLikeFile) {
    throw new SimrunError('CONFIG_UNKNOWN_PRESET', `unknown preset '${nameOrPath}'; use one of ${Object.keys(PRESETS).join(', ')} or a path to a .json/.yaml spec file`);
  }
  const text = readUserText(nameOrPath, 'config file', 'CONFIG_UNREADABLE', 'check the path and its permissions');
  let raw: unknown;
  try {
    // yaml loads only for a .yaml spec (~50 ms); require keeps spec loading synchronous.
    raw = (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse(text);
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0];
    throw new SimrunError('CONFIG_INVALID', `config file '${nameOrPath}' is not valid JSON or YAML (${msg}); fix its syntax`);
  }
  return validateSpec(raw, `config '${nameOrPath}'`);
}

/**
 * The spec as a file would hold it (the schema's raw form), optionally with every layer's strips and ocmux pinned
 * (`pins[i]` for layer i+1), so that planning the result reproduces a given plan.
 */
export function specSource(net: NetworkSpec, pins?: readonly { readonly strips: number; readonly ocmux: number; readonly passes?: number }[]): Record<string, unknown> {
  return {
    name: net.name,
    input: { ...net.input },
    clockHz: net.clockHz,
    rowRateHz: net.rowRateHz,
    ...(net.aluBudget !== undefined ? { aluBudget: net.aluBudget } : {}),
    drain: net.drain,
    ...(net.slots !== undefined && net.slots !== 'sequential' ? { slots: net.slots } : {}),
    ...(net.rowPacing !== undefined ? { rowPacing: net.rowPacing } : {}),
    ...(net.rowBuffers !== undefined && net.rowBuffers !== 'window' ? { rowBuffers: net.rowBuffers } : {}),
    ...(net.partialSums ? { partialSums: true } : {}),
    normalize: { mean: [...net.normalize.mean], std: [...net.normalize.std] },
    layers: net.layers.map((l, i) => {
      const pin = pins?.[i];
      const strips = pin?.strips ?? l.strips;
      const ocmux = pin?.ocmux ?? l.ocmux;
      const passes = pin?.passes ?? l.passes;
      return {
        name: l.name, kernel: l.kernel, stride: l.stride, pad: l.pad, outChannels: l.outC, batchnorm: l.batchnorm, relu: l.relu,
        ...(strips !== undefined ? { strips } : {}),
        ...(ocmux !== undefined ? { ocmux } : {}),
        ...(passes !== undefined && (passes > 1 || net.partialSums || pins === undefined) ? { passes } : {}),
      };
    }),
  };
}
