// Designs rowsim did not write: a design folder through --rtl gives the same per-layer report as the built-in path; hand
// edits that keep behaviour pass, real bugs fail where they are, and bad tap maps are refused naming the signal.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runPipeline } from '../../harness/run.js';
import type { RunReport } from '../../harness/report.js';
import { simrun } from '../support/cli.js';
import { describeRtl } from '../support/rtl.js';
import { expectAllAgree } from '../support/agree.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rowsim-ext-'));
const IMAGES = ['examples/coffee.png', 'examples/chelsea.png'];

/** Emits `config` into a fresh folder and returns it. */
function emit(config: string, weights = 'synthetic:0'): string {
  const d = join(tmp(), 'design');
  const r = simrun(['emit', '--config', config, '--weights', weights, '--out', d]);
  expect(r.code, r.stderr).toBe(0);
  return d;
}

function edit(file: string, from: RegExp | string, to: string): void {
  const text = readFileSync(file, 'utf8');
  const next = text.replaceAll(from as string, to);
  expect(next, `${file}: nothing to replace`).not.toBe(text);
  writeFileSync(file, next);
}

/** What a report says, without where it was written: every pair's verdict and counts, and the latencies. */
function essence(r: RunReport): unknown {
  return { layers: r.layers.map((l) => l.pairs.map((p) => [p.a, p.b, p.kind, p.compared, p.mismatches, p.status])), latency: r.latency.measured, timing: r.layers.map((l) => l.timing) };
}

describeRtl('a design folder through --rtl', () => {
  it('the emitted tiny folder gives exactly the built-in path\'s report (2 frames, every pair, every cycle)', async () => {
    const d = emit('tiny');
    const builtIn = await runPipeline({ config: 'tiny', images: IMAGES, engines: ['golden', 'sim', 'rtl'], frames: 2, out: tmp() });
    const viaFolder = await runPipeline({ rtl: d, images: IMAGES, engines: ['golden', 'sim', 'rtl'], frames: 2, out: tmp() });
    expectAllAgree(viaFolder.report);
    expect(essence(viaFolder.report)).toEqual(essence(builtIn.report));
  });

  it('a hand-edited copy that only renames internal signals and an instance (tap map updated) passes', async () => {
    const d = emit('tiny');
    edit(join(d, 'rs_layer2.v'), /\bout_valid\b/g, 'dout_vld');
    edit(join(d, 'rs_layer2.v'), /\bout_data\b/g, 'dout_lanes');
    edit(join(d, 'rs_top.v'), '.out_valid(o2_valid)', '.dout_vld(o2_valid)');
    edit(join(d, 'rs_top.v'), '.out_data(o2_data)', '.dout_lanes(o2_data)');
    edit(join(d, 'rs_top.v'), 'rs_layer2 u_layer2', 'rs_layer2 u_conv2');
    edit(join(d, 'taps.json'), 'rs_top.u_layer2.out_valid', 'rs_top.u_conv2.dout_vld');
    edit(join(d, 'taps.json'), 'rs_top.u_layer2.out_data', 'rs_top.u_conv2.dout_lanes');
    edit(join(d, 'taps.json'), /rs_top\.u_layer2\./g, 'rs_top.u_conv2.');
    const { report } = await runPipeline({ rtl: d, images: IMAGES, engines: ['golden', 'sim', 'rtl'], frames: 2, out: tmp() });
    expectAllAgree(report);
  });

  it('one corrupted weight ROM word (layer 2, tap 13, channel 6) fails at layer 2, first at an output of channel 6; layer 1 agrees', async () => {
    const d = emit('tiny');
    const f = join(d, 'rom', 'w2.memh');
    const lines = readFileSync(f, 'utf8').split('\n');
    // One code per line, line tap·Cout + channel: tap 13, channel 6 of 8 is line 13·8 + 6; flip one mantissa bit.
    const i = 13 * 8 + 6;
    lines[i] = (parseInt(lines[i]!, 16) ^ 0x100).toString(16).padStart(5, '0');
    writeFileSync(f, lines.join('\n'));
    const { report } = await runPipeline({ rtl: d, images: IMAGES, engines: ['golden', 'sim', 'rtl'], frames: 1, out: tmp() });
    expect(report.pass).toBe(false);
    expect(report.layers[0]!.pairs.every((p) => p.status === 'agree')).toBe(true);
    const bad = report.layers[1]!.pairs.filter((p) => p.status === 'differ').map((p) => `${p.a}~${p.b} ${p.kind}`);
    expect(bad).toEqual(['golden~rtl bits', 'sim~rtl bits']);
    for (const p of report.layers[1]!.pairs.filter((q) => q.status === 'differ')) expect((p.first as { chan: number }).chan).toBe(6);
  });

  it('an end-of-frame flag raised one beat early (layer 2, on the final beat of strip 0 instead of strip 1) fails sim~rtl cycles at layer 2 on the flag alone; values agree', async () => {
    const d = emit('tiny');
    // tiny's layer 2 has 2 strips: its frame ends on strip 1's beat; the edit raises the flag on strip 0's beat instead.
    edit(join(d, 'rs_layer2.v'), "ost == 1'd1;", "ost == 1'd0;");
    const { report } = await runPipeline({ rtl: d, images: IMAGES, engines: ['golden', 'sim', 'rtl'], frames: 1, out: tmp() });
    const l2 = report.layers[1]!;
    expect(l2.pairs.filter((p) => p.status === 'differ').map((p) => `${p.a}~${p.b} ${p.kind}`)).toEqual(['sim~rtl cycles']);
    const first = l2.pairs.find((p) => p.kind === 'cycles')!.first as { differs: string; row: number; expectedCycle: number; actualCycle: number };
    expect(first.differs).toBe('last');
    expect(first.expectedCycle).toBe(first.actualCycle);
    // Two beats carry a wrong flag: strip 0's (raised) and strip 1's (missing).
    expect(l2.pairs.find((p) => p.kind === 'cycles')!.mismatches).toBe(2);
  });

  it('a header the top includes, listed in "headers" (inc/rs_extra.vh): the design builds and agrees, and a change to the header alone makes a new build', async () => {
    const d = emit('tiny');
    mkdirSync(join(d, 'inc'));
    writeFileSync(join(d, 'inc', 'rs_extra.vh'), '`define RS_EXTRA 1\n');
    edit(join(d, 'rs_top.v'), /^module rs_top/gm, '`include "inc/rs_extra.vh"\nmodule rs_top');
    edit(join(d, 'design.json'), '"spec": "spec.json"', '"headers": ["inc/rs_extra.vh"],\n  "spec": "spec.json"');
    const run = () => runPipeline({ rtl: d, images: IMAGES.slice(0, 1), engines: ['golden', 'sim', 'rtl'], frames: 1, out: tmp() });
    // A cache of its own: builds of these exact texts from an earlier run elsewhere must not count as reused here.
    const saved = process.env.SIMRUN_CACHE;
    process.env.SIMRUN_CACHE = tmp();
    try {
      const first = (await run()).report;
      expectAllAgree(first);
      writeFileSync(join(d, 'inc', 'rs_extra.vh'), '`define RS_EXTRA 1   // changed\n');
      const second = (await run()).report;
      expectAllAgree(second);
      expect(second.engineInfo.rtl!.facts.cached).toBe(false);
      expect(second.engineInfo.rtl!.facts.build).not.toBe(first.engineInfo.rtl!.facts.build);
    } finally {
      if (saved === undefined) delete process.env.SIMRUN_CACHE;
      else process.env.SIMRUN_CACHE = saved;
    }
  });

  it('a layer left out of the tap map is not compared (never a pass for it); the next tapped layer still is', async () => {
    const d = emit('tiny');
    const t = JSON.parse(readFileSync(join(d, 'taps.json'), 'utf8'));
    delete t.layers['2'];
    writeFileSync(join(d, 'taps.json'), JSON.stringify(t));
    const { report } = await runPipeline({ rtl: d, images: IMAGES, engines: ['golden', 'sim', 'rtl'], frames: 1, out: tmp() });
    expect(report.pass).toBe(true);
    expect(report.layers[1]!.observedBy).toEqual(['golden', 'sim']);
    expect(report.layers[1]!.pairs.filter((p) => p.status === 'not compared').map((p) => `${p.a}~${p.b} ${p.kind}`)).toEqual(['golden~rtl bits', 'sim~rtl bits', 'sim~rtl cycles']);
    expect(report.layers[2]!.pairs.every((p) => p.status === 'agree' && p.compared > 0)).toBe(true);
    // The verdict says which layers went unseen instead of "every layer".
    expect(report.summary).toMatch(/^PASS: every compared pair agrees in every compared layer \(.*\); layer\(s\) 2 not compared \(no tap\)$/);
  });

  it('--rtl alone brings the rtl engine in; the acceptance command (jitter:7, 2 frames) passes on ie120r-mini', () => {
    const d = emit('ie120r-mini');
    const out = tmp();
    const r = simrun(['--rtl', d, '--image', IMAGES[0]!, '--image', IMAGES[1]!, '--pacing', 'jitter:7', '--frames', '2', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout) as RunReport;
    expect(rep.engines).toEqual(['golden', 'sim', 'rtl']);
    expect(rep.pacing).toBe('jitter:7');
    expectAllAgree(rep);
  });

  it('a regress case with an rtl field runs that design folder', () => {
    const d = emit('tiny');
    const s = tmp();
    cpSync('examples/coffee.png', join(s, 'coffee.png'));
    cpSync(d, join(s, 'mine'), { recursive: true });
    writeFileSync(join(s, 'suite.yaml'), ['name: ext', 'cases:', '  - { name: mine, rtl: mine, images: [coffee.png], engines: "golden,sim,rtl", pacing: "burst:2", frames: 2 }', ''].join('\n'));
    const r = simrun(['regress', '--suite', join(s, 'suite.yaml'), '--out', join(s, 'out')]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const rep = JSON.parse(readFileSync(join(s, 'out', 'mine', 'report.json'), 'utf8')) as RunReport;
    expect(rep.engineInfo.rtl!.facts.design).toBe(join(s, 'mine'));
    expectAllAgree(rep);
  });
});

describeRtl('bad design folders are refused before any build (exit 2, the signal named)', () => {
  const bad = (mutate: (d: string) => void, what: RegExp) => {
    const d = emit('tiny');
    mutate(d);
    const out = join(tmp(), 'o');
    const r = simrun(['--rtl', d, '--image', 'examples/coffee.png', '--out', out]);
    expect(r.code, r.stderr + r.stdout).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(what);
    // Refused before any engine folder is made: no empty rtl/ (or any other) folder is left in --out.
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  };
  it('a tap naming a missing signal', () => bad((d) => edit(join(d, 'taps.json'), 'rs_top.u_layer2.out_valid', 'rs_top.u_layer2.no_such'), /DESIGN_INVALID.*tap layers\.2\.valid: 'rs_top\.u_layer2\.no_such': module 'rs_layer2' has no signal 'no_such'/));
  it('a tap through a missing instance', () => bad((d) => edit(join(d, 'taps.json'), 'rs_top.u_layer3.out_col', 'rs_top.u_nope.out_col'), /DESIGN_INVALID.*tap layers\.3\.col: .*module 'rs_top' has no instance 'u_nope'/));
  it('a data tap of the wrong width', () => bad((d) => edit(join(d, 'taps.json'), 'rs_top.u_layer2.out_data', 'rs_top.u_layer2.out_row'), /DESIGN_INVALID.*tap layers\.2\.data 'rs_top\.u_layer2\.out_row' is \d+ bits wide, expected 256 bits \(8 lanes of 32\)/));
  it('a top without the documented input port', () => bad((d) => edit(join(d, 'rs_top.v'), /\bs_valid\b/g, 's_vld'), /DESIGN_INVALID.*tap input\.valid: .*no signal 's_valid'/));
  it('an input tap that is not a top-level port', () => bad((d) => edit(join(d, 'taps.json'), '"valid": "s_valid"', '"valid": "rs_top.u_layer1.in_valid"'), /DESIGN_INVALID.*tap input\.valid 'rs_top\.u_layer1\.in_valid' must be an input port of the top module 'rs_top'/));
  it('three bad taps (a missing signal, a wrong width, a non-port input) are named in one line, numbered in tap-map order', () => bad((d) => {
    edit(join(d, 'taps.json'), '"valid": "s_valid"', '"valid": "rs_top.u_layer1.in_valid"');
    edit(join(d, 'taps.json'), 'rs_top.u_layer2.out_valid', 'rs_top.u_layer2.no_such');
    edit(join(d, 'taps.json'), 'rs_top.u_layer2.out_data', 'rs_top.u_layer2.out_row');
  }, /DESIGN_INVALID.*: 3 problems with its taps: \(1\) tap input\.valid 'rs_top\.u_layer1\.in_valid' must be an input port .*\(2\) tap layers\.2\.valid: 'rs_top\.u_layer2\.no_such': module 'rs_layer2' has no signal 'no_such'.*\(3\) tap layers\.2\.data 'rs_top\.u_layer2\.out_row' is \d+ bits wide, expected 256 bits \(8 lanes of 32\); fix the design or taps\.json\n$/));
  it('a tap map that is not JSON', () => bad((d) => writeFileSync(join(d, 'taps.json'), '{ "clock": '), /DESIGN_INVALID.*taps\.json is not valid JSON/));
  it('a folder without design.json', () => bad((d) => rmSync(join(d, 'design.json')), /DESIGN_INVALID.*is not a design folder \(no design\.json\)/));
  it('a design.json with a wrong format field names the field', () => bad((d) => edit(join(d, 'design.json'), 'rowsim-design/1', 'rowsim-design/9'), /DESIGN_INVALID.*design\.json: field 'format'/));
  it('a design.json listing a source that is not there', () => bad((d) => rmSync(join(d, 'rs_layer3.v')), /DESIGN_INVALID.*lists 'rs_layer3\.v' but it is not there/));
  it('a source including a file design.json does not list (rs_extra.vh) is refused, naming the file and "headers"', () => bad((d) => {
    writeFileSync(join(d, 'rs_extra.vh'), '`define RS_EXTRA 1\n');
    edit(join(d, 'rs_top.v'), /^module rs_top/gm, '`include "rs_extra.vh"\nmodule rs_top');
  }, /DESIGN_INVALID.*the sources include 'rs_extra\.vh', which design\.json does not list; add it to "headers"/));
  it('a module file design.json does not list (rs_extra.v, found by its name) is refused, saying to add it to "sources"', () => bad((d) => {
    writeFileSync(join(d, 'rs_extra.v'), 'module rs_extra(input a, output y);\n  assign y = a;\nendmodule\n');
    edit(join(d, 'rs_top.v'), /^endmodule/gm, "  wire extra_y;\n  rs_extra u_extra(.a(1'b0), .y(extra_y));\nendmodule");
  }, /DESIGN_INVALID.*uses a module from 'rs_extra\.v', which design\.json does not list; add it to "sources"/));
  it('a header included by an absolute path into the folder is refused (a build would read the original, outside its copy)', () => bad((d) => {
    writeFileSync(join(d, 'rs_extra.vh'), '`define RS_EXTRA 1\n');
    edit(join(d, 'rs_top.v'), /^module rs_top/gm, `\`include "${join(d, 'rs_extra.vh')}"\nmodule rs_top`);
  }, /DESIGN_INVALID.*the sources read '\/.*rs_extra\.vh' by a path that is absolute or leaves the folder/));
  it('Verilog that does not elaborate names the error', () => bad((d) => edit(join(d, 'rs_layer3.v'), 'endmodule', 'wire oops = ;\nendmodule'), /DESIGN_INVALID.*does not elaborate/));
});
