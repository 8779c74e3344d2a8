// simrun synth through Yosys on a two-layer 8×8 network (micro): per-module counts times their instances add up to the
// total Yosys reports for the hierarchy, flip-flops and multipliers appear where the design has them; bad targets,
// designs too large to synthesize outright and a missing Yosys are one-line errors with nothing presented as complete.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { classify, type SynthReport } from '../../harness/synth.js';
import { simrun } from '../support/cli.js';
import { describeRtl } from '../support/rtl.js';

const dir = mkdtempSync(join(tmpdir(), 'rowsim-synth-'));
const micro = join(dir, 'micro.json');
writeFileSync(micro, JSON.stringify({
  name: 'micro', input: { height: 8, width: 8, channels: 3 }, clockHz: 100_000_000, rowRateHz: 100_000,
  layers: [{ name: 'm1', kernel: 3, stride: 1, pad: 1, outChannels: 2, batchnorm: true }, { name: 'm2', kernel: 1, stride: 2, pad: 0, outChannels: 2, relu: false }],
}));

it('classify: DFFs, LUT4s, SB_MAC16 and 4 kbit RAMs on ice40; ALUTs, MISTRAL_FF, M10K on intel; generic gates', () => {
  expect(classify({ SB_LUT4: 10, SB_DFFE: 3, SB_DFF: 2, SB_MAC16: 1, SB_RAM40_4K: 2, SB_CARRY: 4 }, 'ice40')).toEqual({ cells: 22, logic: 10, flipFlops: 5, multipliers: 1, ramBlocks: 2, ramBits: 8192 });
  expect(classify({ MISTRAL_ALUT6: 5, MISTRAL_ALUT_ARITH: 2, MISTRAL_FF: 7, MISTRAL_MUL27X27: 1, MISTRAL_M10K: 1 }, 'intel')).toEqual({ cells: 16, logic: 7, flipFlops: 7, multipliers: 1, ramBlocks: 1, ramBits: 10240 });
  expect(classify({ $_AND_: 4, $_MUX_: 2, $_DFFE_PP_: 3, $_SDFF_PP0_: 1 }, 'generic')).toEqual({ cells: 10, logic: 6, flipFlops: 4, multipliers: 0, ramBlocks: 0, ramBits: 0 });
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
    ] as const) {
      const out = join(dir, `bad-${args[1]}`);
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

  it('no yosys on PATH: YOSYS_MISSING naming the package, exit 3', () => {
    const r = simrun(['synth', '--config', micro, '--out', join(dir, 'nopath')], { PATH: '/nonexistent' });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/YOSYS_MISSING.*apt-get install -y yosys/);
  }, 120_000);
});
