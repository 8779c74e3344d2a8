#!/usr/bin/env node
// simrun CLI: parses arguments once, calls the harness, prints, and turns outcomes into exit codes
// (0 agree, 1 a mismatch or failing design, 2 bad input or usage, 3 a tool failure; 128+n on signal n).
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { exitCodeFor, SimrunError } from '../core/errors.js';
import { installInterruptHandlers } from '../core/proc.js';
import { VERSION } from '../core/version.js';
import type { TraceOptions } from '../harness/prepare.js';
import { TIMING_MODES } from '../harness/budgets.js';
import { ROM_FORMATS, type RomFormat } from '../rtl/romFormats.js';
import { PGO_MODES } from '../rtl/pgoMode.js';
import { progress } from './progress.js';
// Command handlers are imported when their command runs: a sim-only run never loads tfjs, Verilator glue or Yosys glue.

function fail(e: unknown): never {
  if (e instanceof SimrunError) {
    process.stderr.write(`simrun: error [${e.code}]: ${e.message}\n`);
    process.exit(exitCodeFor(e.code));
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`simrun: internal error: ${msg.split('\n')[0]}; please report it with the command line\n`);
  if (process.env.SIMRUN_DEBUG) console.error(e);
  process.exit(3);
}

/** One of `choices`, or a usage error naming the option and the choices. */
function oneOf<T extends string>(option: string, value: string | undefined, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) throw new SimrunError('USAGE', `--${option} '${value}' is not one of ${choices.join(', ')}`);
  return value as T;
}

/** --rom-format: a comma-separated list of ROM image formats, each known, none twice. */
function romFormats(value: string | undefined): RomFormat[] {
  if (value === undefined) return [];
  const list = value.split(',').map((x) => x.trim());
  for (const f of list) oneOf('rom-format', f, ROM_FORMATS);
  if (new Set(list).size !== list.length) throw new SimrunError('USAGE', `--rom-format '${value}' names a format twice; pass each of ${ROM_FORMATS.join(', ')} at most once`);
  return list as RomFormat[];
}

/**
 * A decimal whole number in [min, max] as the user typed it (numeric options are read as text: '0x10', '1e3' or ''
 * are not numbers here), or a usage error quoting what was typed.
 */
function wholeNumber(option: string, value: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) throw new SimrunError('USAGE', `--${option} '${value}' is not a decimal whole number from ${min} to ${max}`);
  return n;
}

/** A positive decimal factor (--proof-budget 2.5), or undefined when not given. */
function positiveFactor(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const v = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  if (!(v >= 0.01 && v <= 1000)) throw new SimrunError('USAGE', `--${option} '${value}' is not a factor from 0.01 to 1000; pass e.g. 4`);
  return v;
}

function parseBudget(v: string | undefined): number | 'min' | undefined {
  if (v === undefined || v === 'min') return v;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < 1) throw new SimrunError('USAGE', `--alu-budget '${v}' is not a positive whole number or 'min'; pass e.g. --alu-budget 3960`);
  return n;
}

function parseTrace(format: string | undefined, window: string | undefined, layers: string | undefined): TraceOptions | 'auto-fst' | 'auto-vcd' | undefined {
  if (format === 'auto' || format === 'auto:vcd' || format === 'auto:fst') {
    if (window || layers) throw new SimrunError('USAGE', `--trace ${format} chooses its own window and layer (around the first failure); drop --trace-window and --trace-layers`);
    // VCD by default: explain reads VCD, so the traced build --trace auto makes is the one explain reuses.
    return format === 'auto:fst' ? 'auto-fst' : 'auto-vcd';
  }
  const f = oneOf('trace', format, ['fst', 'vcd', 'auto', 'auto:vcd', 'auto:fst'] as const) as 'fst' | 'vcd' | undefined;
  if (!f) {
    if (window || layers) throw new SimrunError('USAGE', '--trace-window and --trace-layers need --trace fst|vcd');
    return undefined;
  }
  let w: [number, number] | undefined;
  if (window !== undefined) {
    const m = /^(\d+):(\d+)$/.exec(window);
    if (!m || Number(m[1]) > Number(m[2])) throw new SimrunError('USAGE', `--trace-window '${window}' is not a:b with a <= b; pass e.g. --trace-window 0:5000`);
    w = [Number(m[1]), Number(m[2])];
  }
  let ls: number[] | undefined;
  if (layers !== undefined) {
    ls = layers.split(',').map((x) => {
      if (!/^\s*\d+\s*$/.test(x)) throw new SimrunError('USAGE', `--trace-layers '${layers}' is not a comma-separated list of layer numbers; pass e.g. 1,2`);
      return Number(x);
    });
  }
  return { format: f, ...(w ? { window: w } : {}), ...(ls ? { layers: ls } : {}) };
}

const str = (describe: string) => ({ type: 'string', describe }) as const;
const commonConfig = str('preset name (ie120r, ie120r-published, ie120r-mini, tiny) or a .json/.yaml spec file [default: ie120r]');
const commonWeights = str('synthetic[:SEED], a .safetensors file, or a folder of weight{N}.memh/bias{N}.memh [default: synthetic:0]');
const commonBudget = str("ALUs the planner may spend to lower latency, or 'min' for the fewest ALUs (default: the spec's aluBudget)");
const commonQuant = str('float32 → bfloat18 rounding: rne (default) or truncate (the IE120R behaviour)');

/** `simrun run`. */
function runCommand(y: Argv): Argv {
  return y.command(
    ['run', '$0'],
    'run frames through the engines and compare every pair layer by layer',
    (y) => y
      .option('image', { type: 'string', array: true, demandOption: 'pass --image <file> (PNG, JPEG, TIFF, WebP or input.memh)', describe: 'input image(s); frame f uses image f mod count' })
      .option('config', commonConfig)
      .option('weights', commonWeights)
      .option('engines', { type: 'string', describe: 'comma-separated engines to compare: golden, sim, rtl [default: golden,sim; golden,sim,rtl with --rtl]' })
      .option('rtl', str('a design folder for the rtl engine (default: the emitted design of the plan); see docs/design-folder.md'))
      .option('pacing', str('input pacing: uniform (default), jitter:SEED, stall:ROW:CYCLES or burst[:ROWS]'))
      .option('inject', { type: 'string', array: true, describe: 'build a fault into one engine: [engine@]bit:L:ROW:COL:CHAN:B, delay:L:BEAT:N, weight:L:INDEX:B, bias:L:INDEX:B, stall:L:N (repeatable)' })
      .option('frames', { type: 'string', default: '1', describe: 'frames streamed back to back' })
      .option('out', str('output folder (default: a fresh folder under ./simrun-out/)'))
      .option('quant', commonQuant)
      .option('alu-budget', commonBudget)
      .option('trace', str('RTL waveform: fst or vcd (the whole run, or --trace-window/--trace-layers), or auto (VCD) / auto:fst (only on a failure: the first failing layer around its first mismatching beat, from the build explain reuses); 1 cycle = 10 ns'))
      .option('trace-window', str('only cycles a:b of the waveform'))
      .option('trace-layers', str('only these layers in the waveform, e.g. 1,2'))
      .option('workers', { type: 'string', describe: 'worker threads for the golden and the model (0 = this thread; at most the cores) [default: 2]' })
      .option('rtl-pgo', str('profile-guided Verilator build (g++ PGO: built instrumented, trained on this run\'s stimulus, built again; a faster simulator for a longer build): on, off or auto (a long run of a large design, or one already built that way) [default: auto]'))
      .option('timing', str("how the RTL's cycles are judged: exact (rowsim's model, beat for beat), own (the design's own timing: values by coordinate, row rate, constant latency) or declared (design.json's timing model) [default: the folder's, else exact]"))
      .option('latency-budget', { type: 'string', array: true, describe: "latency budget: cycles or a time (900, 3.6us), for the whole design or one layer (2=300); repeatable" })
      .option('coverage', { type: 'boolean', default: false, describe: 'record contract coverage: which cases of the arithmetic contract (ties, cancellations, flushes, ...) each layer\'s products, adds and ReLU reached (computed by the model)' })
      .option('json', { type: 'boolean', default: false, describe: 'print report.json to stdout instead of the table' })
      .option('quiet', { type: 'boolean', default: false, describe: 'no progress lines' })
      .example('$0 --image examples/coffee.png --config ie120r-mini', 'golden vs model on the mini encoder')
      .example('$0 --rtl their-design/ --image a.png --timing own --frames 3', 'a design with its own timing: values by coordinate, row rate, constant latency')
      .example('$0 --image a.png --image b.png --frames 2 --config tiny --engines golden,sim,rtl', 'two frames through all three engines')
      .example('$0 --rtl my-design/ --image a.png --engines golden,sim,rtl --pacing jitter:7 --frames 2', 'a design folder you edited'),
    async (a) => {
      // The default command takes no words: 'simrun frobnicate …' is a mistyped command, not a run.
      const stray = a._.map(String).filter((w, i) => !(i === 0 && w === 'run'));
      if (stray.length) throw new SimrunError('USAGE', `unknown command '${stray[0]}'; the commands are run, plan, vectors, emit, compare, regress, explain, mutate, merge, coverage, check, cache and weights (see 'simrun --help')`);
      const log = progress(a.quiet);
      const [{ runPipeline }, { formatRunReport }] = await Promise.all([import('../harness/run.js'), import('../harness/report.js')]);
      const { report, outDir } = await runPipeline({
        config: a.config, images: a.image, weights: a.weights,
        engines: (a.engines ?? (a.rtl ? 'golden,sim,rtl' : 'golden,sim')).split(',').map((s) => s.trim()).filter(Boolean),
        frames: wholeNumber('frames', a.frames, 1, 1_000_000)!, out: a.out, quant: oneOf('quant', a.quant, ['rne', 'truncate'] as const),
        workers: wholeNumber('workers', a.workers, 0, 1 << 16), log,
        aluBudget: parseBudget(a.aluBudget), rtl: a.rtl, pacing: a.pacing, inject: a.inject,
        trace: parseTrace(a.trace, a.traceWindow, a.traceLayers),
        timing: oneOf('timing', a.timing, TIMING_MODES), latencyBudget: a.latencyBudget, coverage: a.coverage,
        rtlPgo: oneOf('rtl-pgo', a.rtlPgo, PGO_MODES),
      });
      log.end();
      const wave = report.waveform;
      process.stdout.write(a.json ? JSON.stringify(report, null, 2) + '\n' : `${formatRunReport(report)}\nreport: ${outDir}/report.json and report.html${wave ? `\nwaveform: ${wave.path} (cycles ${wave.window[0]}..${wave.window[1]}, layer(s) ${wave.layers.join(',')}; 1 cycle = 10 ns; open with GTKWave or Surfer)` : ''}\n`);
      process.exitCode = report.pass === false ? 1 : 0;
    },
  );
}

/** `simrun plan`. */
function planCommand(y: Argv): Argv {
  return y.command(
    'plan',
    'print the per-layer hardware plan, totals and the model latency',
    (y) => y.option('config', commonConfig).option('alu-budget', commonBudget).option('json', { type: 'boolean', default: false, describe: 'print JSON' })
      .option('sweep', { type: 'boolean', default: false, describe: 'plan at a range of ALU budgets: latency versus ALUs (table or JSON, and <out>/sweep.html)' })
      .option('points', { type: 'string', describe: 'budgets in the sweep [default: 12]' })
      .option('sweep-to', { type: 'string', describe: 'largest budget of the sweep [default: twice the fewest ALUs]' })
      .option('out', str('folder for sweep.html (default: a fresh folder under ./simrun-out/)'))
      .example('$0 plan --config ie120r', 'the IE120R plan at 100,000 rows/s')
      .example('$0 plan --config ie120r --sweep', 'latency versus ALUs, with the preset\'s plan marked'),
    async (a) => {
      const config = a.config ?? 'ie120r';
      if (a.sweep) {
        const { formatSweep, sweep, writeSweepHtml } = await import('../harness/sweep.js');
        const s = sweep(config, { budget: parseBudget(a.aluBudget), points: wholeNumber('points', a.points, 2, 200), upTo: wholeNumber('sweep-to', a.sweepTo, 1) });
        const html = writeSweepHtml(s, a.out);
        process.stdout.write(a.json ? JSON.stringify({ ...s, html }, null, 2) + '\n' : `${formatSweep(s)}\ncurve: ${html}\n`);
        return;
      }
      const { planReport, formatPlanReport } = await import('../harness/planReport.js');
      const p = planReport(config, parseBudget(a.aluBudget));
      const { net: _n, plan: _p, ...json } = p;
      process.stdout.write(a.json ? JSON.stringify(json, null, 2) + '\n' : formatPlanReport(p) + '\n');
    },
  );
}

/** `simrun vectors`. */
function vectorsCommand(y: Argv): Argv {
  return y.command(
    'vectors',
    'write IE120R-layout .memh vectors (input, weights, biases, every layer\'s golden activations)',
    (y) => y
      .option('image', { type: 'string', demandOption: 'pass --image <file>', describe: 'input image' })
      .option('config', commonConfig)
      .option('weights', commonWeights)
      .option('quant', commonQuant)
      .option('out', { type: 'string', demandOption: 'pass --out <dir>', describe: 'folder to write into' })
      .option('quiet', { type: 'boolean', default: false })
      .example('$0 vectors --image examples/coffee.png --config tiny --out vec/', 'a tiny vector set'),
    async (a) => {
      const log = progress(a.quiet);
      const { runVectors } = await import('../harness/vectors.js');
      const { manifest, outDir, backend } = await runVectors({ config: a.config ?? 'ie120r', image: a.image, weights: a.weights ?? 'synthetic:0', out: a.out, quant: oneOf('quant', a.quant, ['rne', 'truncate'] as const), log });
      log.end();
      process.stdout.write(`wrote ${manifest.layers.length} layers of vectors for ${manifest.config} to ${outDir} (golden on tfjs-${backend})\n`);
    },
  );
}

/** `simrun emit`. */
function emitCommand(y: Argv): Argv {
  return y.command(
    'emit',
    'write a design folder: the Verilog (FPUs, one module per layer, rs_top), ROM images, spec, plan and tap map',
    (y) => y
      .option('config', commonConfig)
      .option('weights', commonWeights)
      .option('alu-budget', commonBudget)
      .option('quant', commonQuant)
      .option('out', { type: 'string', demandOption: 'pass --out <dir>', describe: 'folder to write into' })
      .option('rom-format', str('ROM image formats, comma-separated: memh (always: the Verilog loads it), mif (Intel/Altera Memory Initialization File), hex (Intel HEX)'))
      .example('$0 emit --config ie120r-mini --out rtl-mini/', 'the mini encoder as a design folder')
      .option('axis', { type: 'boolean', default: false, describe: 'make the top rs_axis_top: rs_top behind AXI4-Stream ports (tready held high by contract, asserted in simulation)' })
      .example('$0 emit --config tiny --rom-format memh,mif,hex --out rtl-tiny/', 'ROM images also as .mif and .hex for an FPGA flow'),
    async (a) => {
      const { runEmit } = await import('../harness/emit.js');
      const { outDir, files, top } = runEmit({ config: a.config ?? 'ie120r', weights: a.weights ?? 'synthetic:0', out: a.out, aluBudget: parseBudget(a.aluBudget), quant: oneOf('quant', a.quant, ['rne', 'truncate'] as const), romFormats: romFormats(a.romFormat), axis: a.axis });
      process.stdout.write(`wrote a design folder of ${files.length} files to ${outDir} (top module ${top}); run it with: simrun --rtl ${outDir} --image <file> --engines golden,sim,rtl\n`);
    },
  );
}

/** `simrun synth`. */
function synthCommand(y: Argv): Argv {
  return y.command(
    'synth',
    'estimate a design\'s resources with Yosys: cells, logic, flip-flops, multipliers and RAM per module and in total',
    (y) => y
      .option('config', str('preset or spec file to emit and synthesize [default: tiny]'))
      .option('rtl', str('a design folder to synthesize instead'))
      .option('alu-budget', commonBudget)
      .option('target', str('generic (Yosys gates), ice40 (LUT4, SB_MAC16, 4 kbit RAM) or intel (Cyclone V ALMs, DSPs, M10K) [default: generic]'))
      .option('out', str('folder for report.json and the Yosys log (default: a fresh folder under ./simrun-out/)'))
      .option('estimate', { type: 'boolean', default: false, describe: 'cost a --config of any size from per-unit costs fitted to a small calibration build (synthesized once per target, then cached)' })
      .option('check', { type: 'boolean', default: false, describe: 'with --estimate: also synthesize the design outright and print the estimate\'s error' })
      .option('calibration', str('with --estimate: a small spec to measure per-unit costs on [default: rowsim\'s 7-layer calibration network]'))
      .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON' })
      .example('$0 synth --config tiny --target ice40', 'tiny on an iCE40: LUTs, flip-flops, DSPs and RAM blocks per module')
      .example('$0 synth --config ie120r --target intel --estimate', 'the full IE120R estimated, and whether it fits the published Agilex 7 device'),
    async (a) => {
      const { formatEstimate, formatSynth } = await import('../harness/synthReport.js');
      const o = { config: a.config, rtl: a.rtl, target: a.target, out: a.out, aluBudget: parseBudget(a.aluBudget) };
      if ((a.check || a.calibration !== undefined) && !a.estimate) throw new SimrunError('USAGE', `--${a.check ? 'check' : 'calibration'} belongs to an estimate: pass --estimate too`);
      if (a.estimate) {
        const { runEstimate } = await import('../harness/synthEstimate.js');
        const { report, outDir } = await runEstimate({ ...o, check: a.check, calibration: a.calibration });
        process.stdout.write(a.json ? JSON.stringify(report, null, 2) + '\n' : `${formatEstimate(report)}\nreport: ${outDir}/report.json\n`);
        return;
      }
      const { runSynth } = await import('../harness/synth.js');
      const { report, outDir } = await runSynth(o);
      process.stdout.write(a.json ? JSON.stringify(report, null, 2) + '\n' : `${formatSynth(report)}\nreport: ${outDir}/report.json\n`);
    },
  );
}

/** `simrun compare`. */
function compareCommand(y: Argv): Argv {
  return y.command(
    'compare <dirA> <dirB>',
    'compare two folders of activation{N}.memh layer by layer (A is expected, B actual)',
    (y) => y
      .positional('dirA', { type: 'string', demandOption: true, describe: 'expected activations (e.g. simrun vectors output)' })
      .positional('dirB', { type: 'string', demandOption: true, describe: 'actual activations (e.g. another simulator\'s dump)' })
      .option('config', str('layer shapes from this preset or spec when neither folder has vectors.json'))
      .option('out', str('folder for report.json and report.html (default: a fresh folder under ./simrun-out/)'))
      .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON' })
      .example('$0 compare golden/ dut-dump/', 'an external simulator against rowsim\'s golden'),
    async (a) => {
      const { compareDirs, formatDirCompare } = await import('../harness/compareDirs.js');
      const { report, outDir } = compareDirs(a.dirA!, a.dirB!, { config: a.config, out: a.out });
      process.stdout.write(a.json ? JSON.stringify(report, null, 2) + '\n' : `${formatDirCompare(report)}\nreport: ${outDir}/report.json and report.html\n`);
      process.exitCode = report.pass ? 0 : 1;
    },
  );
}

/** The options of a sharded command (regress, mutate): its shard, or a SLURM array that runs every shard. */
function shardingOptions(items: string) {
  return {
    shard: str(`run shard i of n of the ${items} (i/n, e.g. 1/4), or auto: from SLURM, Kubernetes, GitLab or Buildkite variables`),
    shards: str('the shard count: for --shard auto where the scheduler does not export it (a Kubernetes Indexed Job), or the tasks of --slurm'),
    slurm: { type: 'boolean', default: false, describe: 'run as a SLURM array job of --shards tasks (default 4), follow it and merge the shards into --out' },
    partition: str('with --slurm: the partition (sbatch --partition)'),
    time: str('with --slurm: each task\'s time limit (sbatch --time: minutes, HH:MM:SS or D-HH:MM:SS)'),
    'cpus-per-task': str('with --slurm: CPUs per task (sbatch --cpus-per-task)'),
    wait: { type: 'boolean', default: true, describe: 'with --slurm: follow the job and merge (--no-wait: submit, print the job id and the merge command)' },
    'resubmit-failed': { type: 'boolean', default: false, describe: 'with --slurm: submit again only the shards in --out without a result' },
  } as const;
}

/** Refuses the options that only mean something with --slurm. */
function slurmOnly(a: { partition?: string; time?: string; cpusPerTask?: string; wait: boolean }): void {
  const given = [a.partition !== undefined && '--partition', a.time !== undefined && '--time', a.cpusPerTask !== undefined && '--cpus-per-task', !a.wait && '--no-wait'].filter(Boolean);
  if (given.length) throw new SimrunError('USAGE', `${given.join(', ')} go${given.length === 1 ? 'es' : ''} with --slurm; add --slurm or drop ${given.length === 1 ? 'it' : 'them'}`);
}

/** `simrun regress|mutate --slurm`: the driver in bin/slurm.ts, with the options checked here. */
async function runSlurm(command: 'regress' | 'mutate', a: { out?: string; shard?: string; shards?: string; partition?: string; time?: string; cpusPerTask?: string; wait: boolean; resubmitFailed: boolean; junit?: string; quiet?: boolean }): Promise<void> {
  const { slurmCommand } = await import('./slurm.js');
  const { text, exitCode } = await slurmCommand(command, {
    out: a.out, shard: a.shard, shards: wholeNumber('shards', a.shards, 1), partition: a.partition, time: a.time,
    cpusPerTask: wholeNumber('cpus-per-task', a.cpusPerTask, 1), wait: a.wait, resubmitFailed: a.resubmitFailed, junit: a.junit,
  }, a.quiet ? () => {} : (l) => process.stderr.write(`${l}\n`));
  process.stdout.write(text);
  process.exitCode = exitCode;
}

/** `simrun regress`. */
function regressCommand(y: Argv): Argv {
  return y.command(
    'regress',
    'run a suite of cases in parallel processes; JUnit XML for CI; deterministic sharding',
    (y) => y
      .option('suite', { type: 'string', demandOption: 'pass --suite <file>', describe: 'suite file (JSON or YAML): name and cases (docs/formats.md)' })
      .options(shardingOptions('cases'))
      .option('junit', str('write JUnit XML here'))
      .option('out', str('folder for the cases\' reports'))
      .option('jobs', { type: 'string', describe: 'parallel cases (default and most: the machine\'s cores)' })
      .option('coverage', { type: 'boolean', default: false, describe: 'every case records contract coverage; the suite\'s is their sum per network (in regress.json)' })
      .example('$0 regress --suite examples/suite.yaml --junit junit.xml', 'the shipped CI suite')
      .example('$0 regress --suite nightly.yaml --slurm --shards 8 --time 2:00:00 --out /shared/nightly', '8 SLURM array tasks, merged into one report'),
    async (a) => {
      if (a.slurm || a.resubmitFailed) return runSlurm('regress', a);
      slurmOnly(a);
      const { regress } = await import('../harness/regress.js');
      const { counts, exitCode, coverages } = await regress({ suite: a.suite, shard: a.shard, shards: wholeNumber('shards', a.shards, 1), junit: a.junit, out: a.out, jobs: wholeNumber('jobs', a.jobs, 1), coverage: a.coverage, log: (l) => process.stdout.write(`${l}\n`) });
      const { coverageLines } = await import('../harness/coverage.js');
      for (const c of coverages) process.stdout.write(`${coverageLines(c).join('\n')}\n`);
      process.stdout.write(`regress: ${counts.pass} passed, ${counts.fail} failed, ${counts.error} errors, ${counts.none} not compared\n`);
      process.exitCode = exitCode;
    },
  );
}

/** `simrun explain`. */
function explainCommand(y: Argv): Argv {
  return y.command(
    'explain [run]',
    'the whole MAC sequence of one output, golden and model side by side (and the RTL\'s registers), first difference marked',
    (y) => y
      .positional('run', { type: 'string', describe: 'a folder a run wrote (its report.json says how to redo it)' })
      .option('layer', { type: 'string', demandOption: 'pass --layer L', describe: 'layer (1-based)' })
      .option('row', { type: 'string', demandOption: 'pass --row r', describe: 'output row' })
      .option('col', { type: 'string', demandOption: 'pass --col c', describe: 'output column' })
      .option('chan', { type: 'string', demandOption: 'pass --chan k', describe: 'output channel' })
      .option('frame', { type: 'string', default: '0', describe: 'frame of the run' })
      .option('image', { type: 'string', array: true, describe: 'without a run folder: the run\'s image(s)' })
      .option('config', commonConfig)
      .option('weights', commonWeights)
      .option('rtl', str('a design folder (adds the RTL\'s registers)'))
      .option('engines', str('with rtl: read the RTL\'s registers too'))
      .option('pacing', str('the run\'s pacing'))
      .option('inject', { type: 'string', array: true, describe: 'the run\'s faults' })
      .option('alu-budget', commonBudget)
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' })
      .option('quiet', { type: 'boolean', default: false })
      .example('$0 explain simrun-out/tiny-… --layer 3 --row 2 --col 5 --chan 6', 'the output a run\'s first mismatch names'),
    async (a) => {
      const log = progress(a.quiet);
      const engines = a.engines?.split(',').map((e) => e.trim()) as ('golden' | 'sim' | 'rtl')[] | undefined;
      const { explain, formatExplain } = await import('../harness/explain.js');
      const r = await explain({
        runFolder: a.run,
        source: a.run ? undefined : { config: a.config, images: a.image, weights: a.weights, rtl: a.rtl, pacing: a.pacing, inject: a.inject, aluBudget: parseBudget(a.aluBudget), engines },
        target: { layer: wholeNumber('layer', a.layer, 1)!, row: wholeNumber('row', a.row, 0)!, col: wholeNumber('col', a.col, 0)!, chan: wholeNumber('chan', a.chan, 0)! },
        frame: wholeNumber('frame', a.frame, 0), log,
      });
      log.end();
      process.stdout.write(a.json ? JSON.stringify(r, null, 2) + '\n' : formatExplain(r) + '\n');
    },
  );
}

/** `simrun mutate`. */
function mutateCommand(y: Argv): Argv {
  return y.command(
    'mutate',
    'a mutation campaign: catalogue and Yosys mutants of the design, each killed, deadlocked, equivalent or undetected',
    (y) => y
      .option('config', str('preset name (ie120r, ie120r-published, ie120r-mini, tiny) or a .json/.yaml spec file whose emitted design is mutated [default: tiny]'))
      .option('rtl', str('a design folder to mutate (default: the plan\'s emitted design)'))
      .option('weights', commonWeights)
      .option('image', { type: 'string', array: true, describe: 'photos of the campaign stimulus (default: the two shipped examples)' })
      .option('count', { type: 'string', describe: 'Yosys mutations (0: none) [default: 30]' })
      .option('seed', { type: 'string', describe: 'seed of the Yosys sample and the directed and random frames [default: 1]' })
      .option('catalogue', str('catalogue mutants: first (each kind once, default), all (every applicable layer) or none'))
      .option('yosys-wire', str('only Yosys mutations on this wire'))
      .option('yosys-module', str('only Yosys mutations in this module'))
      .option('random-frames', { type: 'string', describe: 'random frames a survivor runs before the equivalence check [default: 4]' })
      .option('proof-budget', { type: 'string', describe: 'factor on every proof\'s CPU time and search size; a survivor whose proof stops at its budget is unresolved, and a rerun with a larger budget judges it again [default: 1]' })
      .option('alu-budget', commonBudget)
      .option('jobs', { type: 'string', describe: 'mutants run at once (default and most: the cores)' })
      .options(shardingOptions('mutants'))
      .option('junit', str('write JUnit XML here'))
      .option('out', str('campaign folder (results are cached here: rerun to resume)'))
      .option('json', { type: 'boolean', default: false, describe: 'print report.json' })
      .option('quiet', { type: 'boolean', default: false })
      .example('$0 mutate --config tiny --count 40', 'catalogue and 40 Yosys mutants of the tiny design')
      .example('$0 mutate --config ie120r-mini --count 300 --slurm --shards 16 --out /shared/campaign', 'one campaign as 16 SLURM array tasks'),
    async (a) => {
      const log = a.quiet ? () => {} : (l: string) => process.stderr.write(`${l}\n`);
      // Every option is checked here, before a SLURM submission too: a bad one must not fail in every array task.
      const options = {
        config: a.config, rtl: a.rtl, weights: a.weights, images: a.image, count: wholeNumber('count', a.count, 0, 10_000),
        seed: wholeNumber('seed', a.seed, 0), catalogue: oneOf('catalogue', a.catalogue, ['first', 'all', 'none'] as const),
        yosysWire: a.yosysWire, yosysModule: a.yosysModule, randomFrames: wholeNumber('random-frames', a.randomFrames, 0, 1000),
        aluBudget: parseBudget(a.aluBudget), proofBudget: positiveFactor('proof-budget', a.proofBudget), jobs: wholeNumber('jobs', a.jobs, 1), shard: a.shard, shards: wholeNumber('shards', a.shards, 1), junit: a.junit, out: a.out, log,
      };
      if (a.slurm || a.resubmitFailed) return runSlurm('mutate', a);
      slurmOnly(a);
      const [{ mutate }, { formatCampaign }] = await Promise.all([import('../mutation/campaign.js'), import('../mutation/report/campaignPages.js')]);
      const { report, outDir, exitCode } = await mutate(options);
      process.stdout.write(a.json ? JSON.stringify(report, null, 2) + '\n' : `${formatCampaign(report)}\nreport: ${outDir}/report.json and report.html\n`);
      process.exitCode = exitCode;
    },
  );
}

/** `simrun merge`. */
function mergeCommand(y: Argv): Argv {
  return y.command(
    'merge <folders..>',
    'join the shard folders of one regress suite or mutation campaign into one report (report.json, report.html, JUnit)',
    (y) => y
      .positional('folders', { type: 'string', array: true, describe: 'the shards\' --out folders' })
      .option('out', { type: 'string', demandOption: 'pass --out <dir>', describe: 'folder for the merged report' })
      .option('junit', str('write the merged JUnit XML here'))
      .option('allow-partial', { type: 'boolean', default: false, describe: 'merge what is there; the report is marked partial, lists what is missing and states no score' })
      .option('json', { type: 'boolean', default: false, describe: 'print the merged report' })
      .example('$0 merge shards/1 shards/2 shards/3 --out merged --junit merged.xml', 'after a 3-task array job'),
    async (a) => {
      const { mergeShards } = await import('./merge.js');
      const { text, json, exitCode } = await mergeShards(a.folders ?? [], a.out, a.allowPartial, a.junit);
      process.stdout.write(a.json ? json : text);
      process.exitCode = exitCode;
    },
  );
}

/** `simrun coverage`. */
function coverageCommand(y: Argv): Argv {
  return y.command(
    'coverage <reports..>',
    'merge the contract coverage of runs, regress suites and campaigns (report.json, regress.json or their folders) and show what was reached',
    (y) => y
      .positional('reports', { type: 'string', array: true, describe: 'reports or output folders recorded with --coverage' })
      .option('out', str('write coverage.json and coverage.html here'))
      .option('json', { type: 'boolean', default: false, describe: 'print the merged coverage as JSON' })
      .example('$0 coverage nightly/ weekly/ --out cov', 'what two regressions reached together'),
    async (a) => {
      const { mergedCoverage } = await import('../harness/coverageCommand.js');
      const { text, json } = mergedCoverage(a.reports ?? [], a.out);
      process.stdout.write(a.json ? json : text);
    },
  );
}

/** `simrun check`. */
function checkCommand(y: Argv): Argv {
  return y.command(
    'check',
    'verify a design simulated anywhere from the beats its testbench wrote (JSON Lines): values by coordinate and its own timing',
    (y) => y
      .option('beats', { type: 'string', describe: 'beats, one JSON object a line (docs/check.md)' })
      .option('waveform', { type: 'string', describe: 'a VCD (or FST, through fst2vcd) any simulator dumped of the design; with --taps' })
      .option('clock', str('the compute clock in the waveform, when not the tap map\'s clock'))
      .option('scope', str('the waveform scope the design\'s top sits in (e.g. tb.dut), when names alone are ambiguous'))
      .option('timing', str('how the waveform\'s cycles are judged: own (default) or exact (against rowsim\'s model)'))
      .option('image', { type: 'string', array: true, demandOption: 'pass the --image the beats were made from', describe: 'input image(s); frame f uses image f mod count' })
      .option('config', commonConfig)
      .option('weights', commonWeights)
      .option('taps', str('a tap map (taps.json) naming the layers the beats carry and how each packs channels [default: every layer, as planned]'))
      .option('frames', { type: 'string', describe: 'frames the beats cover (a frame with no beats is then all missing)' })
      .option('pacing', str('the input pacing the beats were made under [default: uniform]'))
      .option('latency-budget', { type: 'string', array: true, describe: 'latency budget, as for run' })
      .option('out', str('folder for report.json (default: a fresh folder under ./simrun-out/)'))
      .option('json', { type: 'boolean', default: false, describe: 'print report.json' })
      .example('$0 check --beats tb-beats.jsonl --image frame.png --config tiny --taps taps.json', 'beats from your own testbench'),
    async (a) => {
      if ((a.beats === undefined) === (a.waveform === undefined)) throw new SimrunError('USAGE', 'pass exactly one of --beats <file.jsonl> and --waveform <file.vcd|file.fst>');
      if (a.waveform !== undefined) {
        if (!a.taps) throw new SimrunError('USAGE', '--waveform needs --taps <taps.json> naming the streams\' signals');
        const [{ runPipeline }, { formatRunReport }] = await Promise.all([import('../harness/run.js'), import('../harness/report.js')]);
        const { report, outDir } = await runPipeline({
          config: a.config, images: a.image, weights: a.weights, engines: ['golden', 'sim', 'rtl'], frames: wholeNumber('frames', a.frames, 1, 1_000_000) ?? 1,
          out: a.out, pacing: a.pacing, latencyBudget: a.latencyBudget, timing: oneOf('timing', a.timing, ['own', 'exact'] as const) ?? 'own',
          waveform: { file: a.waveform, taps: a.taps, ...(a.clock ? { clock: a.clock } : {}), ...(a.scope ? { scope: a.scope } : {}) }, log: progress(true),
        });
        process.stdout.write(a.json ? JSON.stringify(report, null, 2) + '\n' : `${formatRunReport(report)}\nreport: ${outDir}/report.json and report.html\n`);
        process.exitCode = report.pass === false ? 1 : 0;
        return;
      }
      const { checkBeats } = await import('../harness/check.js');
      const { report, outDir } = await checkBeats({ beats: a.beats!, images: a.image, config: a.config, weights: a.weights, taps: a.taps, frames: wholeNumber('frames', a.frames, 1, 1_000_000), pacing: a.pacing, latencyBudget: a.latencyBudget, out: a.out });
      process.stdout.write(a.json ? JSON.stringify(report, null, 2) + '\n' : `${report.layers.map((l) => `layer ${l.layer} ${l.name}: ${l.values.mismatches ? `${l.values.mismatches} of ${l.values.compared} words differ` : `${l.values.compared} words agree`}`).join('\n')}\n${report.ownTiming.findings.map((f) => `TIMING ${f.kind}: ${f.message}`).join('\n')}${report.ownTiming.findings.length ? '\n' : ''}${report.summary}\nreport: ${outDir}/report.json\n`);
      process.exitCode = report.pass ? 0 : 1;
    },
  );
}

/** `simrun cache`. */
function cacheCommand(y: Argv): Argv {
  return y.command(
    'cache',
    'the Verilator build cache: list its builds, or clear the ones no run is using',
    (y) => y.option('list', { type: 'boolean', default: false, describe: 'list the cached builds (most recently used first)' })
      .option('clear', { type: 'boolean', default: false, describe: 'remove every build no running simrun is using' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' })
      .example('$0 cache --list', 'what the cache holds and where'),
    async (a) => {
      const { cacheCap, cacheRoot, clearCache, listCache } = await import('../rtl/buildCache.js');
      if (a.list === a.clear) throw new SimrunError('USAGE', 'pass exactly one of --list and --clear (simrun cache --list)');
      const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
      if (a.clear) {
        const { removed, kept } = clearCache();
        process.stdout.write(a.json ? JSON.stringify({ root: cacheRoot(), removed: removed.map((e) => e.name), kept: kept.map((e) => e.name) }, null, 2) + '\n'
          : `removed ${removed.length} build(s), ${mib(removed.reduce((n, e) => n + e.bytes, 0))}, from ${cacheRoot()}${kept.length ? `; kept ${kept.length} in use (${kept.map((e) => `${e.name} by pid ${e.users.join(',')}`).join('; ')})` : ''}\n`);
        return;
      }
      const entries = listCache();
      const total = entries.reduce((n, e) => n + e.bytes, 0);
      process.stdout.write(a.json ? JSON.stringify({ root: cacheRoot(), capBytes: cacheCap(), totalBytes: total, builds: entries }, null, 2) + '\n'
        : [`${cacheRoot()}: ${entries.length} build(s), ${mib(total)} of a ${mib(cacheCap())} cap (least recently used go first; SIMRUN_CACHE_MAX_MB sets the cap)`,
          ...entries.map((e) => `  ${e.name.padEnd(34)} ${mib(e.bytes).padStart(11)}  last used ${new Date(e.lastUsed).toISOString()}${e.users.length ? `  in use by pid ${e.users.join(',')}` : ''}`)].join('\n') + '\n');
    },
  );
}

/** `simrun weights`. */
function weightsCommand(y: Argv): Argv {
  return y.command(
    'weights',
    'list the safetensors key names and shapes a config expects (--keys)',
    (y) => y.option('config', commonConfig).option('keys', { type: 'boolean', default: false, describe: 'list the keys' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' })
      .example('$0 weights --keys --config ie120r', 'the state-dict keys of the IE120R'),
    async (a) => {
      if (!a.keys) throw new SimrunError('USAGE', "pass --keys to list the safetensors keys (simrun weights --keys --config <preset|file>)");
      const { weightKeys } = await import('../harness/weightKeys.js');
      const keys = weightKeys(a.config ?? 'ie120r');
      process.stdout.write(a.json ? JSON.stringify(keys, null, 2) + '\n' : keys.map((k) => `${k.key.padEnd(28)} [${k.shape.join(', ')}]  ${k.meaning}`).join('\n') + '\n');
    },
  );
}

async function main(): Promise<void> {
  // Said before the clean-up, so the line is there however long the tools take to go.
  installInterruptHandlers((sig) => process.stderr.write(`simrun: interrupted by ${sig}: stopping the tools it started and removing its unfinished files\n`));
  const base = yargs(hideBin(process.argv))
    .scriptName('simrun')
    .usage('$0 [run] --image <file> [options]\n\nCycle-accurate row-streaming CNN encoder simulator and verification harness. Documentation: docs/ in the package.');
  // Every command is registered by a function of its own (below), in the order --help lists them.
  await [runCommand, planCommand, vectorsCommand, emitCommand, synthCommand, compareCommand, regressCommand, explainCommand, mutateCommand, mergeCommand, coverageCommand, checkCommand, cacheCommand, weightsCommand].reduce((y, add) => add(y), base as Argv)
    .middleware((argv) => {
      // A single-valued option given twice would arrive as an array ('tiny,ie120r'): refuse it by name.
      for (const [k, v] of Object.entries(argv)) {
        if (Array.isArray(v) && !['_', 'image', 'inject', 'latency-budget', 'latencyBudget', 'folders', 'reports'].includes(k) && !/[A-Z]/.test(k)) throw new SimrunError('USAGE', `--${k} is given ${v.length} times; give it once`);
      }
    }, true)
    .strictCommands()
    .strictOptions()
    .demandCommand(0)
    .help()
    .version(VERSION)
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((msg, err) => {
      if (err) fail(err);
      process.stderr.write(`simrun: error [USAGE]: ${msg.split('\n')[0]}; see 'simrun --help'\n`);
      process.exit(2);
    })
    .parseAsync();
}

main().catch(fail);
