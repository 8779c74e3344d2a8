#!/usr/bin/env node
// simrun CLI: parses arguments once, calls the harness, prints, and turns outcomes into exit codes (0 agree, 1 mismatch, 2 bad input, 3 tool failure).
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { exitCodeFor, SimrunError } from '../core/errors.js';
import { progress } from './progress.js';
import { loadSpec } from '../core/spec.js';
import { makePlan } from '../harness/plan.js';
import { formatPlanTable, formatRunReport } from '../harness/report.js';
import { runPipeline } from '../harness/run.js';
import { compareDirs, formatDirCompare } from '../harness/compareDirs.js';
import { runEmit } from '../harness/emit.js';
import { regress } from '../harness/regress.js';
import type { TraceOptions } from '../rtl/run.js';
import { runVectors } from '../harness/vectors.js';
import { scheduleNetwork } from '../sim/model.js';

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

const commonConfig = { type: 'string', default: 'ie120r', describe: 'preset name (ie120r, ie120r-mini, tiny) or a .json/.yaml spec file' } as const;
const commonWeights = { type: 'string', default: 'synthetic:0', describe: 'synthetic[:SEED], a .safetensors file, or a directory of weight{N}.memh/bias{N}.memh' } as const;
const commonBudget = { type: 'string', describe: "ALUs the planner may spend to lower latency, or 'min' for the fewest ALUs (default: the spec's aluBudget)" } as const;

function parseBudget(v: string | undefined): number | 'min' | undefined {
  if (v === undefined || v === 'min') return v;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new SimrunError('USAGE', `--alu-budget '${v}' is not a positive whole number or 'min'; pass e.g. --alu-budget 3960`);
  return n;
}

function parseTrace(format: 'fst' | 'vcd' | undefined, window: string | undefined, layers: string | undefined): TraceOptions | undefined {
  if (!format) {
    if (window || layers) throw new SimrunError('USAGE', '--trace-window and --trace-layers need --trace fst|vcd');
    return undefined;
  }
  let w: [number, number] | undefined;
  if (window !== undefined) {
    const m = /^(\d+):(\d+)$/.exec(window);
    if (!m || Number(m[1]) > Number(m[2])) throw new SimrunError('USAGE', `--trace-window '${window}' is not a:b with a <= b; pass e.g. --trace-window 0:5000`);
    w = [Number(m[1]), Number(m[2])];
  }
  const ls = layers?.split(',').map((x) => Number(x.trim()));
  return { format, ...(w ? { window: w } : {}), ...(ls ? { layers: ls } : {}) };
}

const commonQuant = { choices: ['rne', 'truncate'], default: 'rne', describe: 'float32 → bfloat18 rounding (truncate = IE120R behaviour)' } as const;

async function main(): Promise<void> {
  await yargs(hideBin(process.argv))
    .scriptName('simrun')
    .usage('$0 [run] --image <file> [options]\n\nCycle-accurate row-streaming CNN encoder simulator and verification harness.')
    .command(
      ['run', '$0'],
      'run a frame through the engines and compare them layer by layer',
      (y) => y
        .option('image', { type: 'string', array: true, demandOption: 'pass --image <file> (PNG, JPEG, TIFF, WebP or input.memh)', describe: 'input image(s); frame f uses image f mod count' })
        .option('config', commonConfig)
        .option('weights', commonWeights)
        .option('engines', { type: 'string', default: 'golden,sim', describe: 'comma-separated engines to compare: golden, sim, rtl' })
        .option('frames', { type: 'number', default: 1, describe: 'frames streamed back to back' })
        .option('out', { type: 'string', describe: 'output folder (default: a fresh folder under ./simrun-out/)' })
        .option('quant', commonQuant)
        .option('alu-budget', commonBudget)
        .option('trace', { choices: ['fst', 'vcd'], describe: 'write an RTL waveform to <out>/rtl/wave.<fmt>' })
        .option('trace-window', { type: 'string', describe: 'only cycles a:b of the waveform' })
        .option('trace-layers', { type: 'string', describe: 'only these layers in the waveform, e.g. 1,2' })
        .option('workers', { type: 'number', default: 2, describe: 'worker threads for the model kernel (0 = main thread)' })
        .option('json', { type: 'boolean', default: false, describe: 'print report.json to stdout instead of the table' })
        .option('quiet', { type: 'boolean', default: false, describe: 'no progress lines' })
        .example('$0 --image examples/coffee.png --config ie120r-mini', 'golden vs model on the mini encoder')
        .example('$0 --image a.png --image b.png --frames 2 --config tiny', 'two frames back to back'),
      async (a) => {
        const log = progress(a.quiet);
        const { report, outDir } = await runPipeline({
          config: a.config, images: a.image, weights: a.weights, engines: a.engines.split(',').map((s) => s.trim()).filter(Boolean),
          frames: a.frames, out: a.out, quant: a.quant as 'rne' | 'truncate', workers: a.workers, log,
          aluBudget: parseBudget(a.aluBudget),
          trace: parseTrace(a.trace as 'fst' | 'vcd' | undefined, a.traceWindow, a.traceLayers),
        });
        log.end();
        process.stdout.write(a.json ? JSON.stringify(report, null, 2) + '\n' : `${formatRunReport(report)}\nreport: ${outDir}/report.json and report.html\n`);
        process.exitCode = report.pass ? 0 : 1;
      },
    )
    .command(
      'plan',
      'print the per-layer hardware plan, totals and the model latency',
      (y) => y.option('config', commonConfig).option('alu-budget', commonBudget).option('json', { type: 'boolean', default: false, describe: 'print JSON' })
        .example('$0 plan --config ie120r', 'the IE120R plan at 100,000 rows/s'),
      (a) => {
        const net = loadSpec(a.config);
        const plan = makePlan(net, parseBudget(a.aluBudget));
        const { latency } = scheduleNetwork(net, plan, 1);
        const cycles = latency.perFrame[0]!;
        if (a.json) {
          const layers = plan.layers.map((p) => ({
            index: p.index, name: p.name, strips: p.strips, ocmux: p.ocmux, cyclesPerRow: p.cyclesPerRow,
            cyclesAvailable: p.cyclesAvailable, utilization: Number(p.utilization.toFixed(4)), alus: p.alus,
            weightBits: p.weightBits, rowBufferBits: p.rowBufferBits,
          }));
          process.stdout.write(JSON.stringify({ config: net.name, layers, totals: plan.totals, latency: { cycles, ms: Number(((cycles / net.clockHz) * 1000).toFixed(6)) } }, null, 2) + '\n');
        } else {
          process.stdout.write(formatPlanTable(net, plan, cycles) + '\n');
        }
      },
    )
    .command(
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
        const { manifest, outDir, backend } = await runVectors({ config: a.config, image: a.image, weights: a.weights, out: a.out, quant: a.quant as 'rne' | 'truncate', log });
        log.end();
        process.stdout.write(`wrote ${manifest.layers.length} layers of vectors for ${manifest.config} to ${outDir} (golden on tfjs-${backend})\n`);
      },
    )
    .command(
      'emit',
      'write the Verilog (FPUs, one module per layer, rs_top), the C++ bench and the weight/bias .memh ROM images',
      (y) => y
        .option('config', commonConfig)
        .option('weights', commonWeights)
        .option('alu-budget', commonBudget)
        .option('out', { type: 'string', demandOption: 'pass --out <dir>', describe: 'folder to write into' })
        .example('$0 emit --config ie120r-mini --out rtl-mini/', 'the mini encoder as Verilog'),
      (a) => {
        const { outDir, files } = runEmit({ config: a.config, weights: a.weights, out: a.out, aluBudget: parseBudget(a.aluBudget) });
        process.stdout.write(`wrote ${files.length} files to ${outDir} (top module rs_top)\n`);
      },
    )
    .command(
      'compare <dirA> <dirB>',
      'compare two folders of activation{N}.memh layer by layer (A is expected, B actual)',
      (y) => y
        .positional('dirA', { type: 'string', demandOption: true, describe: 'expected activations (e.g. simrun vectors output)' })
        .positional('dirB', { type: 'string', demandOption: true, describe: 'actual activations (e.g. another simulator\'s dump)' })
        .option('config', { type: 'string', describe: 'layer shapes from this preset or spec when neither folder has vectors.json' })
        .option('out', { type: 'string', describe: 'also write <out>/report.json' })
        .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON' })
        .example('$0 compare golden/ dut-dump/', 'an external simulator against rowsim\'s golden'),
      (a) => {
        const { report } = compareDirs(a.dirA!, a.dirB!, { config: a.config, out: a.out });
        process.stdout.write(a.json ? JSON.stringify(report, null, 2) + '\n' : formatDirCompare(report) + '\n');
        process.exitCode = report.pass ? 0 : 1;
      },
    )
    .command(
      'regress',
      'run a suite of cases in parallel processes; JUnit XML for CI; deterministic sharding',
      (y) => y
        .option('suite', { type: 'string', demandOption: 'pass --suite <file>', describe: 'suite file (JSON or YAML): name and cases' })
        .option('shard', { type: 'string', describe: 'run shard i of n (i/n), e.g. 1/4' })
        .option('junit', { type: 'string', describe: 'write JUnit XML here' })
        .option('out', { type: 'string', describe: 'folder for the cases\' reports' })
        .option('jobs', { type: 'number', describe: 'parallel cases (default: the machine\'s cores)' })
        .example('$0 regress --suite examples/suite.yaml --junit junit.xml', 'the shipped CI suite'),
      async (a) => {
        const { passed, failed } = await regress({ suite: a.suite, shard: a.shard, junit: a.junit, out: a.out, jobs: a.jobs, log: (l) => process.stdout.write(`${l}\n`) });
        process.stdout.write(`regress: ${passed} passed, ${failed} failed\n`);
        process.exitCode = failed === 0 ? 0 : 1;
      },
    )
    .strictCommands()
    .strictOptions()
    .demandCommand(0)
    .help()
    .version(false)
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((msg, err) => {
      if (err) fail(err);
      process.stderr.write(`simrun: error [USAGE]: ${msg.split('\n')[0]}; see 'simrun --help'\n`);
      process.exit(2);
    })
    .parseAsync();
}

main().catch(fail);
