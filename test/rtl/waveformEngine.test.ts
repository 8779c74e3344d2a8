// Verifying designs simulated anywhere from their waveforms: an emitted tiny design and an independently written one run
// under Icarus by a plain Verilog testbench (VCD), and the emitted one traced by Verilator (FST, read through fst2vcd):
// checked like a Verilator run, bit for bit and cycle for cycle; a bug is found at its layer from the dump alone and
// explain reads the dump's own registers; a dump missing a signal or without a clock edge is a clear exit 2.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadSpec } from '../../core/spec.js';
import { loadWeights } from '../../core/weights/load.js';
import { makePlan } from '../../harness/plan.js';
import type { ExplainReport } from '../../harness/explain.js';
import type { RunReport } from '../../harness/report.js';
import { runPipeline } from '../../harness/run.js';
import { emittedTaps, romFiles, type DesignExtras } from '../../rtl/emit.js';
import { aluSignals } from '../../rtl/explain.js';
import { runIcarus } from '../../bench/icarus.js';
import { loadStimulus } from '../../vectors/image.js';
import { expectAllAgree } from '../support/agree.js';
import { simrun } from '../support/cli.js';
import { icarusVcd } from '../support/icarusDump.js';
import { writeOwnDesign } from '../support/ownDesign.js';
import { describeRtl } from '../support/rtl.js';
import { formatMemh } from '../../core/memh.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rowsim-wave-'));
const IMAGE = 'examples/coffee.png';

/**
 * An Icarus VCD of tiny's emitted design (2 frames, uniform), with any faults built in and any array words dumped
 * besides everything else; returns the dump and a taps.json.
 */
async function tinyVcd(extras: DesignExtras = {}, dumpWords: readonly string[] = []): Promise<{ vcd: string; taps: string }> {
  const net = loadSpec('tiny');
  const plan = makePlan(net, 'min');
  const w = loadWeights(net, 'synthetic:0');
  const x = (await loadStimulus(IMAGE, net)).data;
  const dir = tmp();
  for (const f of romFiles(net, w)) {
    const p = join(dir, f.name);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, f.text);
  }
  writeFileSync(join(dir, 'input.memh'), formatMemh(new Uint32Array(x.buffer), 3, 'highFirst'));
  writeFileSync(join(dir, 'taps.json'), JSON.stringify(emittedTaps(net)));
  await runIcarus(net, plan, dir, 2 ** 31 - 1, { frames: 2, dump: 'wave.vcd', dumpWords, extras });
  return { vcd: join(dir, 'wave.vcd'), taps: join(dir, 'taps.json') };
}

function check(args: string[]): { code: number; report: RunReport | null; stderr: string; out: string } {
  const out = tmp();
  const r = simrun(['check', ...args, '--image', IMAGE, '--out', out, '--json']);
  return { code: r.code, report: r.code <= 1 ? JSON.parse(r.stdout) as RunReport : null, stderr: r.stderr, out };
}

/** `simrun explain --json` of one output of a run folder. */
function explainJson(run: string, layer: number, row: number, col: number, chan: number, frame = 0): ExplainReport {
  const r = simrun(['explain', run, '--layer', String(layer), '--row', String(row), '--col', String(col), '--chan', String(chan), '--frame', String(frame), '--json', '--quiet']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as ExplainReport;
}

describeRtl('simrun check --waveform', () => {
  it('tiny emitted, run by Icarus (VCD, 2 frames): bit for bit and cycle for cycle the same verdicts, beats and latencies as the Verilator run; the report names the simulator', async () => {
    const { vcd, taps } = await tinyVcd();
    const r = check(['--waveform', vcd, '--taps', taps, '--config', 'tiny', '--frames', '2', '--timing', 'exact']);
    expect(r.code, r.stderr).toBe(0);
    expectAllAgree(r.report!, 'icarus vcd');
    expect(r.report!.rtlSource).toEqual({ engine: 'waveform', file: vcd, simulator: 'Icarus Verilog' });
    const verilator = (await runPipeline({ config: 'tiny', images: [IMAGE], engines: ['golden', 'sim', 'rtl'], frames: 2, out: tmp(), floatReference: false })).report;
    expect(r.report!.layers.map((l) => l.timing.rtl)).toEqual(verilator.layers.map((l) => l.timing.rtl));
    expect(r.report!.latency.measured.rtl).toEqual(verilator.latency.measured.rtl);
    // Icarus leaves arrays out of $dumpvars: explain shows the delivered word and says which register it lacks, and where.
    const e = explainJson(r.out, 3, 1, 2, 3, 1);
    expect(e.rtlDelivered).toMatchObject({ found: true, from: 'the waveform', word: e.golden.out });
    expect(e.rtl).toMatchObject({ found: false, reason: expect.stringMatching(/no signal p_reg\[\d+\].*tb_icarus\.dut\.u_layer3/) });
  });

  it('a bug in the design (bit 30 of layer 2, row 3 col 4 chan 5, built into the Verilog) is found at layer 2 from the VCD alone; explain, from the dump\'s ALU registers, places it at the output register', async () => {
    const alu = aluSignals(makePlan(loadSpec('tiny'), 'min').layers[1]!, 4, 5).filter((n) => n.includes('['));
    const { vcd, taps } = await tinyVcd({ faults: [{ kind: 'bit', layer: 2, row: 3, col: 4, chan: 5, bit: 30 }] }, alu.map((n) => `u_layer2.${n}`));
    const r = check(['--waveform', vcd, '--taps', taps, '--config', 'tiny', '--frames', '2']);
    expect(r.code).toBe(1);
    const l2 = r.report!.layers[1]!.pairs.find((p) => p.a === 'golden' && p.b === 'rtl')!;
    expect(l2.status).toBe('differ');
    expect(l2.first).toMatchObject({ frame: 0, row: 3, col: 4, chan: 5 });
    expect(r.report!.layers[0]!.pairs.every((p) => p.status !== 'differ')).toBe(true);
    // explain on the check's folder reads the dump, never a Verilator re-run of rowsim's own (bug-free) design.
    const e = explainJson(r.out, 2, 3, 4, 5);
    expect(e.rtlDelivered).toMatchObject({ found: true, from: 'the waveform', word: (e.golden.out ^ (1 << 30)) >>> 0 });
    expect(e.rtl).toMatchObject({ found: true, out: e.golden.out, outRegister: (e.golden.out ^ (1 << 30)) >>> 0 });
    expect(e.differences).toEqual([]);
    expect(e.entry?.stage).toBe('output register');
  });

  it('the same design traced by Verilator as FST (read through fst2vcd) passes exact', () => {
    const out = tmp();
    expect(simrun(['--image', IMAGE, '--config', 'tiny', '--engines', 'golden,sim,rtl', '--frames', '2', '--trace', 'fst', '--out', out, '--quiet']).code).toBe(0);
    const taps = join(tmp(), 'taps.json');
    writeFileSync(taps, JSON.stringify(emittedTaps(loadSpec('tiny'))));
    const r = check(['--waveform', join(out, 'rtl', 'run', 'wave.fst'), '--taps', taps, '--config', 'tiny', '--frames', '2', '--timing', 'exact']);
    expect(r.code, r.stderr).toBe(0);
    expectAllAgree(r.report!, 'verilator fst');
    // explain of layer 3 (row 1, col 2, chan 3, frame 1) from the FST's registers equals explain from the Verilator run's own VCD.
    const fromDump = explainJson(r.out, 3, 1, 2, 3, 1);
    const fromRun = explainJson(out, 3, 1, 2, 3, 1);
    expect(fromDump.rtlDelivered).toMatchObject({ found: true, from: 'the waveform' });
    expect(fromDump.rtl).toMatchObject({ found: true });
    expect(fromDump.rtl).toEqual(fromRun.rtl);
    expect(fromDump.differences).toEqual([]);
  });

  it('an independently written design with its own timing, run by Icarus: passes own from its VCD', async () => {
    const d = writeOwnDesign(join(tmp(), 'own'));
    const net = loadSpec(join(d, 'spec.json'));
    const w = loadWeights(net, 'synthetic:0');
    const x = (await loadStimulus(IMAGE, net)).data;
    const design = JSON.parse(readFileSync(join(d, 'design.json'), 'utf8')) as { sources: string[]; roms: string[] };
    const vcd = icarusVcd(tmp(), d, design.sources, design.roms, { top: 'own_top', clock: 'clk', reset: 'rst', valid: 's_valid', col: 's_col', colBits: 16, data: 's_data' }, net, w, x, 2);
    const r = check(['--waveform', vcd, '--taps', join(d, 'taps.json'), '--config', join(d, 'spec.json'), '--frames', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.report!.pass, r.report!.summary).toBe(true);
    expect(r.report!.ownTiming!.mode).toBe('own');
  });

  it('a dump without a tapped signal, and one whose clock never rises, are exit 2 naming the signal', async () => {
    const { vcd, taps } = await tinyVcd();
    const t = JSON.parse(readFileSync(taps, 'utf8'));
    t.layers['2'].valid = 'rs_top.u_layer2.no_such_valid';
    const bad = join(tmp(), 'taps.json');
    writeFileSync(bad, JSON.stringify(t));
    const r1 = check(['--waveform', vcd, '--taps', bad, '--config', 'tiny', '--frames', '2']);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/DESIGN_INVALID.*no signal '.*u_layer2\.no_such_valid'/);
    const flat = join(tmp(), 'flat.vcd');
    writeFileSync(flat, '$timescale 1ns $end\n$scope module tb $end\n$scope module dut $end\n' + ['clk', 'rst', 'm_valid', 'm_row', 'm_col', 'm_grp', 'm_data', 'm_last', 's_valid'].map((n, i) => `$var wire ${n === 'm_data' ? 128 : 1} ${String.fromCharCode(33 + i)} ${n} $end`).join('\n') + '\n$upscope $end\n$upscope $end\n$enddefinitions $end\n#0\n0!\n#10\n0!\n');
    const t2 = { clock: 'clk', reset: 'rst', input: { valid: 's_valid', col: 's_valid', data: 's_valid' }, output: { valid: 'm_valid', row: 'm_row', col: 'm_col', group: 'm_grp', data: 'm_data', last: 'm_last' } };
    const tf = join(tmp(), 'taps.json');
    writeFileSync(tf, JSON.stringify(t2));
    const r2 = check(['--waveform', flat, '--taps', tf, '--config', 'tiny']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/DESIGN_INVALID.*the clock 'clk' never rises/);
  });
});
