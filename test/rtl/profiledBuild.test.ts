// Profile-guided Verilator builds: when auto chooses one, that the training's counters reach the second build (and a
// threaded build's macro-task times its schedule), that a failed training publishes nothing and falls back to a plain
// build, and that a profiled emitted design still agrees with the golden and the model in bits and cycles.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool } from '../../core/proc.js';
import { runPipeline } from '../../harness/run.js';
import { buildMaybeProfiled, withProfile, type ProfileContext } from '../../rtl/profiledBuild.js';
import { buildVerilated, type BuildSpec } from '../../rtl/verilator.js';
import { expectAllAgree } from '../support/agree.js';
import { describeRtl } from '../support/rtl.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rowsim-pgo-'));

// A counter the bench below runs for argv[1] cycles, exiting with argv[2] (a training run gets its first two arguments
// from the context: cycles, then an exit status); its branch is what the profile learns.
const COUNTER_V = `module pgo_top(input clk, output reg [31:0] n);
  initial n = 0;
  always @(posedge clk) n <= (n[3:0] == 4'd9) ? n + 32'd7 : n + 32'd1;
endmodule
`;
const COUNTER_CPP = `#include "Vpgo_top.h"
#include <cstdio>
#include <cstdlib>
int main(int argc, char **argv) {
  Vpgo_top *top = new Vpgo_top;
  const long cycles = argc > 1 ? atol(argv[1]) : 0;
  for (long t = 0; t < cycles; t++) { top->clk = 0; top->eval(); top->clk = 1; top->eval(); }
  printf("n %u\\n", (unsigned)top->n);
  delete top;
  return argc > 2 ? atoi(argv[2]) : 0;
}
`;

describeRtl('profile-guided builds', () => {
  let saved: string | undefined;
  beforeAll(() => {
    saved = process.env.SIMRUN_CACHE;
    process.env.SIMRUN_CACHE = tmp();   // a cache of this file's own: every first build is a real one
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.SIMRUN_CACHE;
    else process.env.SIMRUN_CACHE = saved;
  });
  const counter = (name: string): BuildSpec => ({ name, top: 'pgo_top', verilog: [{ name: 'pgo_top.v', text: COUNTER_V }], cpp: [{ name: 'main.cpp', text: COUNTER_CPP }] });

  // The counter beside one that steps by 1, in a block of its own: Verilator has two pieces of work to share out.
  const twoCounters = (name: string, handsOverArgs: boolean): BuildSpec => ({
    name, top: 'pgo_top', flags: ['--threads', '2'],
    verilog: [{ name: 'pgo_top.v', text: COUNTER_V.replace('output reg [31:0] n);', 'output reg [31:0] n, output reg [31:0] m);\n  initial m = 0;\n  always @(posedge clk) m <= m + 32\'d1;') }],
    cpp: [{ name: 'main.cpp', text: COUNTER_CPP.replace('Vpgo_top *top', `${handsOverArgs ? 'Verilated::commandArgs(argc, argv);\n  ' : ''}Vpgo_top *top`).replace('printf("n %u\\n", (unsigned)top->n);', 'printf("n %u m %u\\n", (unsigned)top->n, (unsigned)top->m);') }],
  });
  const ctx = (over: Partial<ProfileContext>): ProfileContext => ({ mode: 'auto', alus: 24, traced: false, runDir: tmp(), args: ['1000', '0'], watchdog: 1000, log: () => {}, ...over });
  const pgoFolders = (name: string) => readdirSync(process.env.SIMRUN_CACHE!).filter((d) => d.startsWith(`${name}-pgo-`) && !d.includes('.'));

  it('a counter trained for 1,000 cycles: every object has counters for the second build, which counts as the plain one (1,000 cycles → n = 1,600)', async () => {
    // Independently: n runs 0..9, jumps by 7 to 16, runs to 25, jumps to 32, ...: 16 every 10 cycles, 1,600 in 1,000.
    const lines: string[] = [];
    const b = await buildMaybeProfiled({ ...counter('pgo-counter'), log: (l) => lines.push(l) }, ctx({ mode: 'on', log: (l) => lines.push(l) }));
    expect(lines).toContain('rtl: profile-guided build: training the instrumented simulator on the first frame');
    const m = lines.map((l) => /counters for (\d+) of (\d+) objects/.exec(l)).find(Boolean);
    expect(Number(m![1])).toBeGreaterThan(0);
    expect(m![1]).toBe(m![2]);
    expect(b.profileCounters).toBe(Number(m![1]));
    expect(basename(b.dir)).toMatch(/^pgo-counter-pgo-[0-9a-f]{16}$/);
    expect((await runTool(b.exe, ['1000'])).stdout.trim()).toBe('n 1600');
    const plain = await buildVerilated(counter('pgo-counter'));
    expect(plain.dir).not.toBe(b.dir);
    expect(plain.profileCounters).toBeUndefined();
    expect((await runTool(plain.exe, ['25'])).stdout.trim()).toBe('n 37');   // 2 jumps of +7 (at 9 and 25): 25 + 2 × 6
    // Cached: the same folder, its record read back, no second training.
    const again = await buildMaybeProfiled(counter('pgo-counter'), ctx({ mode: 'on', log: (l) => lines.push(l) }));
    expect([again.cached, again.dir, again.profileCounters]).toEqual([true, b.dir, b.profileCounters]);
    expect(lines.filter((l) => l.includes('training the instrumented'))).toHaveLength(1);
  });

  it('two counters on --threads 2, trained for 1,000 cycles: the training times every macro-task, the second build shares them by those times and counts as before (n = 1,600, m = 1,000)', async () => {
    const lines: string[] = [];
    const b = await buildMaybeProfiled({ ...twoCounters('pgo-threads', true), log: (l) => lines.push(l) }, ctx({ mode: 'on', log: (l) => lines.push(l) }));
    const m = lines.map((l) => /sharing pgo-threads's (\d+) macro-tasks between its threads by the training's measured times/.exec(l)).find(Boolean);
    expect(Number(m![1])).toBeGreaterThan(0);
    expect(b.scheduledTasks).toBe(Number(m![1]));
    const schedule = readFileSync(join(b.dir, 'schedule.vlt'), 'utf8');
    expect(schedule.split('\n').filter((l) => /^profile_data -model "Vpgo_top" -mtask "\w+" -cost 64'd\d+$/.test(l))).toHaveLength(b.scheduledTasks!);
    expect((await runTool(b.exe, ['1000'])).stdout.trim()).toBe('n 1600 m 1000');
    // Cached: the record read back from the folder.
    expect((await buildVerilated({ ...twoCounters('pgo-threads', true), profile: { train: async () => {} } })).scheduledTasks).toBe(b.scheduledTasks);
  });

  it('a threaded bench that never hands Verilator its arguments times no macro-task: a notice, the static schedule, the same counts', async () => {
    const lines: string[] = [];
    const runDir = tmp();
    const b = await buildMaybeProfiled({ ...twoCounters('pgo-threads-deaf', false), log: (l) => lines.push(l) }, ctx({ mode: 'on', runDir, log: (l) => lines.push(l) }));
    expect(lines).toContain("verilator: the training of pgo-threads-deaf timed no macro-task; its threads keep Verilator's static estimate");
    expect(b.profileCounters).toBeGreaterThan(0);
    expect(b.scheduledTasks).toBeUndefined();
    expect(existsSync(join(b.dir, 'schedule.vlt'))).toBe(false);
    expect((await runTool(b.exe, ['1000'])).stdout.trim()).toBe('n 1600 m 1000');
  });

  it('a training run that exits with 4 (a deadlock\'s status) publishes no profiled build: the run gets a plain one and a notice', async () => {
    const lines: string[] = [];
    const b = await buildMaybeProfiled(counter('pgo-failing'), ctx({ mode: 'on', args: ['10', '4'], log: (l) => lines.push(l) }));
    expect(b.profileCounters).toBeUndefined();
    expect(basename(b.dir)).toMatch(/^pgo-failing-[0-9a-f]{16}$/);
    expect(lines.some((l) => /^notice: rtl: the profile-guided build failed, so this run builds plain .*its training run exited with 4/.test(l))).toBe(true);
    expect(pgoFolders('pgo-failing')).toEqual([]);
  });

  it('a training that never runs the simulator writes no counters: VERILATOR_FAILED, nothing published', async () => {
    const failed = buildVerilated({ ...counter('pgo-untrained'), profile: { train: async () => {} } });
    await expect(failed).rejects.toMatchObject({ code: 'VERILATOR_FAILED', message: expect.stringMatching(/the training of pgo-untrained wrote no counters beside its [1-9]\d* objects/) });
    expect(pgoFolders('pgo-untrained')).toEqual([]);
  });

  it('auto: a 1 M-cycle run of 24 ALUs is built plain, a 20 M-cycle run of 512 ALUs profiled (not 511 ALUs, not 19,999,999 cycles, not traced), and a profiled build in the cache is used', async () => {
    const at = (alus: number, expectedCycles: number, over: Partial<ProfileContext> = {}) => withProfile(counter('pgo-auto'), ctx({ alus, expectedCycles, ...over }));
    expect((await at(24, 1_000_000)).profile).toBeUndefined();
    expect((await at(512, 20_000_000)).profile).toBeDefined();
    expect((await at(511, 20_000_000)).profile).toBeUndefined();
    expect((await at(512, 19_999_999)).profile).toBeUndefined();
    expect((await at(512, 20_000_000, { traced: true })).profile).toBeUndefined();
    expect((await at(24, 1, { mode: 'on' })).profile).toBeDefined();
    expect((await at(512, 1e9, { mode: 'off' })).profile).toBeUndefined();
    await buildMaybeProfiled(counter('pgo-auto'), ctx({ mode: 'on' }));
    expect((await at(24, 1_000_000)).profile).toBeDefined();
  });

  it('tiny with --rtl-pgo on, 1 frame: trained on its own first frame, every pair agrees in bits and cycles; auto then reuses that build, off builds a plain one', { timeout: 300_000 }, async () => {
    const lines: string[] = [];
    const out = tmp();
    const { report } = await runPipeline({ config: 'tiny', images: ['examples/coffee.png'], engines: ['golden', 'sim', 'rtl'], frames: 1, rtlPgo: 'on', out, log: (l) => lines.push(l) });
    expectAllAgree(report);
    const facts = report.engineInfo.rtl!.facts;
    expect(Number(facts.profileCounters)).toBeGreaterThan(0);
    expect(lines.some((l) => l.endsWith('rtl: profile-guided build: training the instrumented simulator on the first frame'))).toBe(true);
    expect(lines.some((l) => /notice: rtl: the profile-guided build failed/.test(l))).toBe(false);
    const m = lines.map((l) => /counters for (\d+) of (\d+) objects/.exec(l)).find(Boolean);
    expect(m![1]).toBe(m![2]);
    const auto = await runPipeline({ config: 'tiny', images: ['examples/chelsea.png'], engines: ['sim', 'rtl'], frames: 1, out: tmp(), log: () => {} });
    expect([auto.report.pass, auto.report.engineInfo.rtl!.facts.cached, auto.report.engineInfo.rtl!.facts.build]).toEqual([true, true, facts.build]);
    const off = await runPipeline({ config: 'tiny', images: ['examples/coffee.png'], engines: ['sim', 'rtl'], frames: 1, rtlPgo: 'off', out: tmp(), log: () => {} });
    expect(off.report.pass).toBe(true);
    expect(off.report.engineInfo.rtl!.facts.build).not.toBe(facts.build);
    expect(off.report.engineInfo.rtl!.facts.profileCounters).toBeUndefined();
    expect(existsSync(String(off.report.engineInfo.rtl!.facts.build))).toBe(true);
  });
});
