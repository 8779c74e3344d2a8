// SAT witnesses of Yosys mutants in an emitted layer (real Yosys), checked against the golden: for mutants at the
// bias adder, the accumulator and the multiplier of a two-layer design, the witness's "original" register value must be
// what tfjs computes on the stimulus witnessStimulus builds from it (SAT ran on the RTL netlist, the golden on the
// weights: two implementations), and the mutant's value must differ. A control mutant has no ALU witness.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadSpec } from '../../../core/spec.js';
import { loadWeights } from '../../../core/weights/load.js';
import { runGolden } from '../../../golden/run.js';
import { witnessStimulus } from '../../../mutation/stimulus/witnessRun.js';
import { loadDesign } from '../../../rtl/design.js';
import { findWitness, type Witness } from '../../../mutation/formal/witness.js';
import type { YosysMutation } from '../../../mutation/formal/yosys.js';
import { listMutations } from '../../../mutation/yosysMutants.js';
import { simrun } from '../../support/cli.js';
import { describeRtl } from '../../support/rtl.js';

/** Two layers on an 8×8 image: layer 2 reads layer 1's outputs (ReLU), so both input paths are exercised. */
const MICRO = {
  name: 'micro', input: { height: 8, width: 8, channels: 3 }, clockHz: 100_000_000, rowRateHz: 100_000,
  layers: [
    { name: 'm1', kernel: 3, stride: 1, pad: 1, outChannels: 2, batchnorm: true },
    { name: 'm2', kernel: 3, stride: 1, pad: 1, outChannels: 2, relu: false },
  ],
};

const F = new Float32Array(1);
const U = new Uint32Array(F.buffer);
const bits = (v: number) => { F[0] = v; return U[0]!; };

/** What the layer's output shows of a register value after + (+0) (an exponent-0 operand counts as zero) and the layer's ReLU. */
function shown(v: number, relu: boolean): number {
  const e = (v >>> 23) & 0xff;
  if (e === 0xff && (v & 0x7fffff) !== 0) return 0x7fc00000;
  if (e === 0 || (relu && v >>> 31)) return 0;
  return v >>> 0;
}

describeRtl('findWitness', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rowsim-witness-'));
  const spec = join(dir, 'micro.json');
  writeFileSync(spec, JSON.stringify(MICRO));
  const net = loadSpec(spec);
  const weights = loadWeights(net, 'synthetic:3');
  const prepared = join(dir, 'yosys', 'prepared.il');

  /** Mutations Yosys lists (`count` of them, seed 1) in layer `n`'s module whose source is the line holding `what` (p_reg, acc or res). */
  const at = async (n: number, what: string, count = 2000): Promise<YosysMutation[]> => {
    const design = loadDesign(join(dir, 'design'));
    const listed = await listMutations(design, join(dir, 'yosys'), { count, seed: 1, module: `rs_layer${n}` });
    const text = readFileSync(join(dir, 'design', `rs_layer${n}.v`), 'utf8').split('\n');
    const line = text.findIndex((l) => (what === 'phase' ? l.includes('phase <= phase + ') : l.includes(`${what}[0] <= `))) + 1;
    expect(line, `layer ${n} assigns ${what}`).toBeGreaterThan(0);
    return listed.filter((m) => m.src.some((s) => s.includes(`rs_layer${n}.v:${line}.`)));
  };

  /** The first witness among `ms` (each one SAT search), with the layer context of layer `n`. */
  const first = async (ms: readonly YosysMutation[], n: number, site: Witness['site']): Promise<Witness> => {
    for (const m of ms) {
      const w = await findWitness(prepared, m, { relu: net.layers[n - 1]!.relu, firstLayer: n === 1, inputsNonNegative: n > 1 && net.layers[n - 2]!.relu }, join(dir, `w${m.id}`));
      expect(w, m.args).not.toMatchObject({ none: 'failed' });
      if (!('none' in w) && w.site === site) return w;
    }
    throw new Error(`no ${site} witness among ${ms.length} mutants of layer ${n}`);
  };

  /** The golden's output of layer `n` at inside pixel (1, 1), channel 0, on the stimulus built from `w`. */
  const goldenAt = async (n: number, w: Witness): Promise<number> => {
    const st = witnessStimulus(net, weights, n, w);
    expect(st, 'the witness can be set up').not.toBeNull();
    const g = await runGolden(net, st!.weights, st!.frame, { throughLayer: n });
    const l = net.layers[n - 1]!;
    return bits(g.activations[n - 1]![(1 * l.outW + 1) * l.outC]!);
  };

  it('micro (2 layers, 8×8): emits and lists', () => {
    expect(simrun(['emit', '--config', spec, '--out', join(dir, 'design')]).code).toBe(0);
  });

  for (const [n, what, site] of [[1, 'res', 'bias-add'], [2, 'res', 'bias-add'], [2, 'acc', 'accumulate'], [1, 'p_reg', 'multiply']] as const) {
    it(`micro layer ${n}, a mutant on the ${what} line: a ${site} witness whose original value is the golden's output on the stimulus built from it`, async () => {
      const w = await first(await at(n, what), n, site);
      expect(w.mutant).not.toBe(w.gold);
      const out = await goldenAt(n, w);
      const relu = net.layers[n - 1]!.relu;
      // The bias adder's register is the output; a sum or product reaches it through + (+0) and ReLU.
      expect(out.toString(16), `witness ${JSON.stringify(w)}`).toBe((site === 'bias-add' ? w.gold : shown(w.gold, relu)).toString(16));
      expect(shown(w.mutant, relu)).not.toBe(site === 'bias-add' ? out : shown(w.gold, relu));
    }, 300_000);
  }

  it('micro layer 1, a mutant of the $eq on the res line (the slot phase that loads res; res[0]\'s two next values may be joined by an $equiv in the miter): a bias-add witness whose original value is the golden\'s output', async () => {
    // $eq cells are few among the module's mutations: a list of 4,000 holds two on the res line. Which two follows the
    // seed's draw over every cell of the module, so the output inverted (res loads when it should hold and holds when
    // it should load, which always shows) is built from the listed cell and tried first.
    const ms = (await at(1, 'res', 4000)).filter((m) => m.cell.startsWith('$eq$'));
    expect(ms.length).toBeGreaterThan(0);
    const inverted: YosysMutation = { ...ms[0]!, mode: 'inv', args: ms[0]!.args.replace(/-mode \S+/, '-mode inv').replace(/-port \S+ -portbit \d+( -ctrlbit \d+)?/, '-port Y -portbit 0') };
    expect(inverted.args).toMatch(/^-mode inv -module rs_layer1 -cell \S+ -port Y -portbit 0 -src /);
    const w = await first([inverted, ...ms], 1, 'bias-add');
    expect(w.mutant).not.toBe(w.gold);
    expect((await goldenAt(1, w)).toString(16), `witness ${JSON.stringify(w)}`).toBe(w.gold.toString(16));
  }, 300_000);

  it('a bias register whose sign bit comes from its own XOR, outside the cone of a mutation that matters only at exponent 0xff (which no stimulus sets): no witness (unsat), not a difference in the sign bit the miter leaves undriven', async () => {
    const own = mkdtempSync(join(tmpdir(), 'rowsim-witness-sign-'));
    writeFileSync(join(own, 'd.v'), [
      'module rs_layer1(input clk, input [31:0] bias_in, input [31:0] a, output out);',
      '  reg [31:0] \\acc[0] ;',
      '  reg [31:0] \\res[0] ;',
      '  wire [31:0] \\g_lane_s0[0].bias ;',
      '  assign \\g_lane_s0[0].bias = bias_in;',
      '  always @(posedge clk) begin',
      '    \\acc[0] <= a;',
      "    \\res[0] <= {\\acc[0] [31] ^ \\g_lane_s0[0].bias [31], (&\\acc[0] [30:23]) ? 31'h7fc00000 : \\acc[0] [30:0] + \\g_lane_s0[0].bias [30:0]};",
      '  end',
      '  assign out = ^\\res[0] ;',
      'endmodule',
    ].join('\n'));
    execFileSync('yosys', ['-q', '-p', 'read_verilog d.v; prep -top rs_layer1; write_rtlil prepared.il'], { cwd: own });
    const il = join(own, 'prepared.il');
    const cell = /cell \$reduce_and (\S+)/.exec(readFileSync(il, 'utf8'))![1]!;
    const m: YosysMutation = { id: 1, args: `-mode const0 -module rs_layer1 -cell ${cell} -port A -portbit 0`, mode: 'const0', module: 'rs_layer1', cell, src: [] };
    expect(await findWitness(il, m, { relu: false, firstLayer: true, inputsNonNegative: false }, join(own, 'w'))).toEqual({ none: 'unsat' });
  }, 120_000);

  it('micro layer 1, mutants of the slot phase counter (control: no ALU register differs in the same step): no witness', async () => {
    const ms = (await at(1, 'phase')).slice(0, 4);
    expect(ms.length).toBeGreaterThan(0);
    for (const m of ms) expect(await findWitness(prepared, m, { relu: true, firstLayer: true, inputsNonNegative: false }, join(dir, `c${m.id}`)), m.args).toEqual({ none: 'no-sites' });
  }, 300_000);

  it('micro layer 1, mutants of a res register\'s output (a $dff, -port Q): register-output, answered without building a miter', async () => {
    const listed = await listMutations(loadDesign(join(dir, 'design')), join(dir, 'yosys'), { count: 2000, seed: 1, module: 'rs_layer1' });
    const ms = listed.filter((m) => /-port Q\b/.test(m.args) && /-wire res\[/.test(m.args)).slice(0, 3);
    expect(ms.length).toBeGreaterThan(0);
    for (const m of ms) {
      const work = join(dir, `q${m.id}`);
      expect(await findWitness(prepared, m, { relu: true, firstLayer: true, inputsNonNegative: false }, work), m.args).toEqual({ none: 'register-output' });
      expect(existsSync(join(work, 'witness-miter.log')), m.args).toBe(false);
    }
  }, 300_000);
});
