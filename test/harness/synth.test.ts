// simrun synth through Yosys on a two-layer 8×8 network (micro): per-module counts times their instances add up to the
// total Yosys reports for the hierarchy, flip-flops and multipliers appear where the design has them; bad targets,
// designs too large to synthesize outright and a missing Yosys are one-line errors with nothing presented as complete.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { classify, type SynthReport } from '../../harness/synth.js';
import type { EstimateReport } from '../../harness/synthEstimate.js';
import { simrun } from '../support/cli.js';
import { describeRtl } from '../support/rtl.js';

const dir = mkdtempSync(join(tmpdir(), 'rowsim-synth-'));
const micro = join(dir, 'micro.json');
writeFileSync(micro, JSON.stringify({
  name: 'micro', input: { height: 8, width: 8, channels: 3 }, clockHz: 100_000_000, rowRateHz: 100_000,
  layers: [{ name: 'm1', kernel: 3, stride: 1, pad: 1, outChannels: 2, batchnorm: true }, { name: 'm2', kernel: 1, stride: 2, pad: 0, outChannels: 2, relu: false }],
}));

it('classify: DFFs, LUT4s, SB_MAC16 and 4 kbit RAMs on ice40; ALUTs (and the $lut cells of ABC), MISTRAL_FF, M10K and MLAB (LUT RAM, apart) on intel; generic gates', () => {
  expect(classify({ SB_LUT4: 10, SB_DFFE: 3, SB_DFF: 2, SB_MAC16: 1, SB_RAM40_4K: 2, SB_CARRY: 4 }, 'ice40')).toEqual({ cells: 22, logic: 10, flipFlops: 5, multipliers: 1, ramBlocks: 2, ramBits: 8192, lutRamBlocks: 0 });
  expect(classify({ MISTRAL_ALUT6: 5, MISTRAL_ALUT_ARITH: 2, $lut: 4, MISTRAL_FF: 7, MISTRAL_MUL27X27: 1, MISTRAL_M10K: 1, MISTRAL_MLAB: 3 }, 'intel')).toEqual({ cells: 23, logic: 11, flipFlops: 7, multipliers: 1, ramBlocks: 1, ramBits: 10240, lutRamBlocks: 3 });
  expect(classify({ $_AND_: 4, $_MUX_: 2, $_DFFE_PP_: 3, $_SDFF_PP0_: 1 }, 'generic')).toEqual({ cells: 10, logic: 6, flipFlops: 4, multipliers: 0, ramBlocks: 0, ramBits: 0, lutRamBlocks: 0 });
});

describeRtl('simrun synth', () => {
  it('micro, generic: every layer and ROM module listed; modules × instances add up to the total and to Yosys\'s own hierarchy count', () => {
    const out = join(dir, 'generic');
    const r = simrun(['synth', '--config', micro, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as SynthReport;
    expect(Object.keys(rep.modules).sort()).toEqual(['rs_brom1', 'rs_brom2', 'rs_layer1', 'rs_layer2', 'rs_top', 'rs_wrom1', 'rs_wrom2']);
    for (const k of ['cells', 'logic', 'flipFlops'] as const) {
      expect(Object.values(rep.modules).reduce((a, m) => a + m.instances * m[k], 0), k).toBe(rep.total[k]);
    }
    // Yosys's own count of the whole hierarchy, read from its stat output independently of the report.
    const stat = readFileSync(join(out, 'yosys', 'stat.json'), 'utf8');
    const design = stat.slice(stat.indexOf('"design"'));
    expect(Number(/"num_cells":\s+(\d+)/.exec(design)![1])).toBe(rep.total.cells);
    // The layers hold the registers (row buffers, ALUs) and the logic; a layer has far more of both than its ROMs.
    expect(rep.modules.rs_layer1!.flipFlops).toBeGreaterThan(100);
    expect(rep.modules.rs_layer1!.logic).toBeGreaterThan(rep.modules.rs_wrom1!.logic);
    expect(r.stdout).toMatch(/total \(rs_top\)/);
  }, 600_000);

  it('refused in one line, exit 2, no report.json: --target xilinx, ie120r (too many ALUs to synthesize outright), --config with --rtl, --alu-budget with --rtl, --out inside the design', () => {
    const folder = join(dir, 'generic', 'design');
    for (const [args, pattern] of [
      [['--target', 'xilinx', '--config', micro], /--target 'xilinx' is not one of generic, ice40, intel/],
      [['--config', 'ie120r'], /ALUs, above the .* that simrun synth synthesizes outright/],
      [['--config', micro, '--rtl', folder], /--config and --rtl name two designs/],
      [['--rtl', folder, '--alu-budget', 'min'], /--alu-budget plans a --config/],
      [['--config', 'ie120r', '--estimate', '--check'], /ie120r has \d+ ALUs, above .*; --check synthesizes it outright; drop --check/],
      [['--config', micro, '--check'], /--check belongs to an estimate: pass --estimate too/],
      [['--config', micro, '--calibration', 'tiny'], /--calibration belongs to an estimate: pass --estimate too/],
      [['--rtl', folder, '--estimate'], /--estimate costs a design rowsim emits from a --config/],
      [['--config', micro, '--estimate', '--calibration', 'ie120r'], /ie120r has \d+ ALUs, above .*; pass a smaller --calibration spec/],
    ] as const) {
      const out = join(dir, `bad-${args.join('-').replace(/[^\w-]/g, '_')}`);
      const r = simrun(['synth', ...args, '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
      expect(() => readFileSync(join(out, 'report.json'))).toThrow();
    }
    const inside = simrun(['synth', '--rtl', folder, '--out', join(folder, 'synth')]);
    expect(inside.code).toBe(2);
    expect(inside.stderr).toMatch(/lies inside the design folder/);
  }, 120_000);

  it('micro, generic, --estimate --check on a 4-layer calibration: the outright total is the plain synth\'s, the estimate within 10 %; a second run reuses the cached calibration', () => {
    const cal = join(dir, 'cal.json');
    writeFileSync(cal, JSON.stringify({
      name: 'cal', input: { height: 8, width: 8, channels: 3 }, clockHz: 100_000_000, rowRateHz: 50_000,
      layers: [
        { name: 'a1', kernel: 3, stride: 1, pad: 1, outChannels: 2, strips: 1, ocmux: 2 },
        { name: 'a2', kernel: 3, stride: 1, pad: 1, outChannels: 2, strips: 1, ocmux: 1 },
        { name: 'a3', kernel: 1, stride: 2, pad: 0, outChannels: 4, strips: 1, ocmux: 4 },
        { name: 'a4', kernel: 3, stride: 1, pad: 1, outChannels: 2, strips: 1, ocmux: 2, relu: false },
      ],
    }));
    const env = { SIMRUN_CACHE: join(dir, 'cache') };
    const first = simrun(['synth', '--config', micro, '--estimate', '--check', '--calibration', cal, '--out', join(dir, 'est1'), '--json'], env);
    expect(first.code, first.stderr).toBe(0);
    const est = JSON.parse(first.stdout) as EstimateReport;
    expect(est.kind).toBe('estimate');
    expect(est.calibration).toMatchObject({ spec: 'cal', cached: false, modules: 4 * 3 + 1 });
    // The outright synthesis inside --check is the same Yosys run as plain `simrun synth` (its report from the test above).
    const plain = JSON.parse(readFileSync(join(dir, 'generic', 'report.json'), 'utf8')) as SynthReport;
    expect(est.check!.synthesized).toEqual(plain.total);
    for (const k of ['logic', 'flipFlops'] as const) {
      expect(Math.abs(est.check!.error[k]!), k).toBeLessThan(0.10);
      expect(est.check!.error[k]).toBeCloseTo((est.total[k] - plain.total[k]) / plain.total[k], 9);
    }
    expect(est.perAlu.logic).toBeGreaterThan(500);
    expect(est.warnings).toEqual([]);
    const again = simrun(['synth', '--config', micro, '--estimate', '--calibration', cal, '--out', join(dir, 'est2'), '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    const est2 = JSON.parse(again.stdout) as EstimateReport;
    expect(est2.calibration.cached).toBe(true);
    expect(est2.total).toEqual(est.total);
    expect(est2.check).toBeNull();
  }, 900_000);

  it('no yosys on PATH: YOSYS_MISSING naming the package, exit 3', () => {
    const r = simrun(['synth', '--config', micro, '--out', join(dir, 'nopath')], { PATH: '/nonexistent' });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/YOSYS_MISSING.*apt-get install -y yosys/);
  }, 120_000);
});
