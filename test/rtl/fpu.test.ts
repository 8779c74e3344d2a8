// The floating-point units alone under Verilator against the host's IEEE arithmetic plus the contract's flush and NaN rules.
import { expect, it } from 'vitest';
import { fpuBenchSpec } from '../../bench/fpuBench.js';
import { runTool } from '../../core/proc.js';
import { buildVerilated, lintVerilog } from '../../rtl/verilator.js';
import { describeRtl } from '../support/rtl.js';

describeRtl('fpu under verilator', () => {
  it('rs_fmul and rs_fadd are lint clean (-Wall)', async () => {
    expect(await lintVerilog('rs_fpu_top', fpuBenchSpec().verilog)).toBe('');
  });
  it('10,000,000 vectors (random, ties, carries, subnormal boundary, overflow, signed zeros, Inf/NaN): 0 mismatches', async () => {
    const r = await runTool((await buildVerilated(fpuBenchSpec())).exe, ['5000000']);
    const m = /vectors (\d+) mismatches (\d+) ties (\d+)/.exec(r.stdout)!;
    expect(m, r.all).not.toBeNull();
    expect(Number(m[1])).toBeGreaterThanOrEqual(10_000_000);
    expect(Number(m[2])).toBe(0);
    expect(Number(m[3])).toBeGreaterThan(1000); // exact rounding ties were exercised
  });
});
