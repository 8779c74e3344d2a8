// npm run bench: one full frame through the golden and the model, timed beside a native AVX2 MAC loop built and run in the same session.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { makePlan } from '../harness/plan.js';
import { loadSpec } from '../core/spec.js';
import { loadWeights } from '../core/weights/load.js';
import { runGolden } from '../golden/run.js';
import { compareBits } from '../harness/compare.js';
import { runModel } from '../sim/model.js';
import { loadStimulus } from '../vectors/image.js';
import { formatMemh } from '../core/memh.js';
import { runIcarus } from '../rtl/icarus.js';
import { rtlBuildSpec, runRtl, writeRoms } from '../rtl/run.js';
import { buildVerilated } from '../rtl/verilator.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

const args = process.argv.slice(2);
const config = args.includes('--config') ? args[args.indexOf('--config') + 1]! : 'ie120r';
const skipGolden = args.includes('--skip-golden');
const skipRtl = args.includes('--skip-rtl');
const rtlOnly = args.includes('--rtl-only');

function line(label: string, value: string, note = ''): void {
  process.stdout.write(`${label.padEnd(34)} ${value.padStart(14)}  ${note}\n`);
}

async function nativeReference(): Promise<number> {
  const dir = join('.cache', 'bench');
  mkdirSync(dir, { recursive: true });
  const exe = join(dir, 'macloop');
  await execa('gcc', ['-O3', '-mavx2', '-ffp-contract=off', '-o', exe, 'bench/macloop.c']);
  const { stdout } = await execa(exe, ['40000']);
  return JSON.parse(stdout).gmacs as number;
}

/** ie120r-mini under Verilator (cold and cached build, one frame) and the same RTL under Icarus on a window. */
async function rtlBench(): Promise<void> {
  const net = loadSpec('ie120r-mini');
  const plan = makePlan(net);
  const w = loadWeights(net, 'synthetic:0');
  const x = (await loadStimulus('examples/coffee.png', net)).data;
  process.stdout.write(`\nRTL: ${net.name}, ${plan.totals.alus} ALUs, one frame\n`);
  process.env.SIMRUN_CACHE = mkdtempSync(join(tmpdir(), 'rowsim-bench-cache-'));
  const cold = await buildVerilated(rtlBuildSpec(net, plan));
  line('verilator build, cold', `${cold.seconds.toFixed(1)} s`);
  let t = performance.now();
  const warm = await buildVerilated(rtlBuildSpec(net, plan));
  const warmS = (performance.now() - t) / 1000;
  line('verilator build, cached', `${warmS.toFixed(3)} s`, warm.cached ? 'cache hit' : 'REBUILT');
  t = performance.now();
  const r = await runRtl(net, plan, w, [x], { watchdog: 10_000_000 });
  const totalWarm = (performance.now() - t) / 1000;
  const vRate = r.cycles / r.runSeconds;
  line('verilator run', `${r.runSeconds.toFixed(2)} s`, `${r.cycles} cycles, ${(vRate / 1e3).toFixed(0)} k cycles/s`);
  line('build + run, warm cache', `${totalWarm.toFixed(2)} s`, 'target ≤ 60 s');
  const dir = mkdtempSync(join(tmpdir(), 'rowsim-icarus-'));
  writeRoms(dir, net, w);
  writeFileSync(join(dir, 'input.memh'), formatMemh(new Uint32Array(x.buffer), 3, 'highFirst'));
  const window = 60_000;
  const ic = await runIcarus(net, plan, dir, window);
  const iRate = ic.cycles / ic.runSeconds;
  line('icarus (iverilog) run', `${(r.cycles / iRate).toFixed(0)} s`, `extrapolated from ${ic.cycles} cycles in ${ic.runSeconds.toFixed(1)} s = ${(iRate / 1e3).toFixed(1)} k cycles/s`);
  line('verilator / icarus', `${(vRate / iRate).toFixed(0)}x`, 'simulated cycles per second');
}

async function main(): Promise<void> {
  if (rtlOnly) return rtlBench();
  const net = loadSpec(config);
  const plan = makePlan(net);
  const macs = net.layers.reduce((a, l) => a + l.outH * l.outW * l.outC * l.kernel * l.kernel * l.inC, 0);
  process.stdout.write(`rowsim bench: ${net.name}, ${(macs / 1e9).toFixed(3)} G MAC per frame\n`);
  const ref = await nativeReference();
  line('native AVX2 loop (1 core)', `${ref.toFixed(2)} GMAC/s`, 'contract order, no FMA, no flush');
  line('  → physical floor, 2 cores', `${(macs / (ref * 2e9)).toFixed(3)} s`);
  const w = loadWeights(net, 'synthetic:0');
  const st = await loadStimulus('examples/coffee.png', net);

  let t = performance.now();
  const m = await runModel(net, plan, w, [st.data], { workers: 2 });
  const simS = (performance.now() - t) / 1000;
  line('model (sim), 2 workers', `${simS.toFixed(2)} s`, `${(macs / simS / 1e9).toFixed(3)} GMAC/s = ${((macs / simS / 1e9) / (2 * ref) * 100).toFixed(1)}% of the 2-core native loop; target ≤ 5 s`);

  if (!skipGolden) {
    t = performance.now();
    const g = await runGolden(net, w, st.data, { mode: 'exact' });
    const gS = (performance.now() - t) / 1000;
    line(`golden exact (tfjs-${g.backend})`, `${gS.toFixed(2)} s`, `${(macs / gS / 1e9).toFixed(3)} GMAC/s; target ≤ 30 s`);
    let bad = 0;
    for (const l of net.layers) bad += compareBits(g.activations[l.index - 1]!, m.activations[0]![l.index - 1]!, l.outW, l.outC).mismatches;
    line('golden vs model, all layers', `${bad} mismatches`, bad === 0 ? 'bit-exact' : 'MISMATCH');
    if (bad) process.exitCode = 1;
  }
  const cycles = m.latency.perFrame[0]!;
  line('model latency', `${((cycles / net.clockHz) * 1000).toFixed(6)} ms`, `${cycles} cycles, ${plan.totals.alus} ALUs (published IE120R: 11.572740 ms, 3960 ALUs)`);
  if (!skipRtl) await rtlBench();
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error).message}\n`);
  process.exit(3);
});
