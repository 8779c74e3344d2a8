// Hostile input through the real CLI, one class at a time: every bad input exits 2 with one line naming the thing and
// the fix, writes nothing outside --out and leaves no report claiming a pass.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../core/presets.js';
import { simrun } from '../support/cli.js';

/** A fresh folder everybody may write (the unprivileged-user tests run in it too). */
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'rowsim-hostile-'));
  chmodSync(d, 0o777);
  return d;
};

/** A bad input: exit 2, exactly one line on stderr matching `what`, and no report.json in `out`. */
function expectBadInput(args: string[], what: RegExp, out?: string, opts: Parameters<typeof simrun>[1] = {}): void {
  const r = simrun(args, opts);
  expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines.length, r.stderr).toBe(1);
  expect(lines[0]).toMatch(what);
  if (out) expect(existsSync(join(out, 'report.json'))).toBe(false);
}

function tinyWith(dir: string, patch: (s: Record<string, unknown> & { layers: Record<string, unknown>[] }) => void, name = 'spec.json'): string {
  const s = structuredClone(PRESETS.tiny) as Record<string, unknown> & { layers: Record<string, unknown>[] };
  patch(s);
  const f = join(dir, name);
  writeFileSync(f, JSON.stringify(s));
  return f;
}

/** A safetensors file from a JSON header and raw bytes. */
function safetensors(path: string, header: unknown, data: Buffer): void {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(path, Buffer.concat([len, json, data]));
}

describe('names that reach the file system and generated source', () => {
  it("a spec named '../../escape' writes only inside ./simrun-out/ (default --out)", () => {
    const d = tmp();
    const work = join(d, 'work');
    mkdirSync(work);
    const f = tinyWith(d, (s) => { s.name = '../../escape'; });
    const r = simrun(['--image', join(process.cwd(), 'examples/coffee.png'), '--config', f], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(work)).toEqual(['simrun-out']);
    expect(readdirSync(d).sort()).toEqual(['spec.json', 'work']);
    const runs = readdirSync(join(work, 'simrun-out'));
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatch(/^__\.\._escape-/);
  });
  it('a layer name with a newline is CONFIG_INVALID naming the field (it would reach Verilog and C++)', () => {
    const d = tmp();
    const f = tinyWith(d, (s) => { s.layers[1]!.name = 't2\n*/ module evil; /*'; });
    expectBadInput(['--image', 'examples/coffee.png', '--config', f, '--out', join(d, 'o')], /CONFIG_INVALID.*field 'layers\[1\]\.name'.*control character/, join(d, 'o'));
  });
  it('a spec name with an escape character is CONFIG_INVALID', () => {
    const d = tmp();
    const f = tinyWith(d, (s) => { s.name = 'bad\u001b[31mname'; });
    expectBadInput(['plan', '--config', f], /CONFIG_INVALID.*field 'name'/);
  });
  it("regress: a case named '../../evil' stays inside --out; two cases whose folders would clash are refused", () => {
    const d = tmp();
    writeFileSync(join(d, 'coffee.png'), readFileSync('examples/coffee.png'));
    writeFileSync(join(d, 'suite.yaml'), ['name: s', 'cases:', '  - { name: "../../evil", config: tiny, images: [coffee.png], engines: "golden,sim" }', ''].join('\n'));
    const out = join(d, 'out');
    const r = simrun(['regress', '--suite', join(d, 'suite.yaml'), '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(d).sort()).toEqual(['coffee.png', 'out', 'suite.yaml']);
    expect(existsSync(join(out, '__.._evil', 'report.json'))).toBe(true);
    writeFileSync(join(d, 'dup.yaml'), ['name: s', 'cases:', '  - { name: "a b", config: tiny, images: [coffee.png] }', '  - { name: "a/b", config: tiny, images: [coffee.png] }', ''].join('\n'));
    expectBadInput(['regress', '--suite', join(d, 'dup.yaml'), '--out', join(d, 'o2')], /CONFIG_INVALID.*cases 'a b' and 'a\/b' would share the output folder 'a_b'/);
  });
});

describe('bad files exit 2 naming the file and the reason', () => {
  it('a safetensors header that is JSON null', () => {
    const d = tmp();
    safetensors(join(d, 'w.safetensors'), 'null', Buffer.alloc(0));
    expectBadInput(['--image', 'examples/coffee.png', '--config', 'tiny', '--weights', join(d, 'w.safetensors'), '--out', join(d, 'o')], /WEIGHTS_INVALID.*header is not a JSON object/, join(d, 'o'));
  });
  it('a safetensors tensor entry that is a number', () => {
    const d = tmp();
    safetensors(join(d, 'w.safetensors'), { 't1.0.weight': 7 }, Buffer.alloc(0));
    expectBadInput(['--image', 'examples/coffee.png', '--config', 'tiny', '--weights', join(d, 'w.safetensors'), '--out', join(d, 'o')], /WEIGHTS_INVALID.*tensor 't1\.0\.weight' is not \{dtype, shape, data_offsets\}/, join(d, 'o'));
  });
  it('a negative running_var names the layer and the index', async () => {
    const d = tmp();
    const { loadSpec } = await import('../../core/spec.js');
    const { stateDictKeys } = await import('../../core/weights/safetensors.js');
    const keys = stateDictKeys(loadSpec('tiny').layers);
    const header: Record<string, unknown> = {};
    const chunks: Buffer[] = [];
    let off = 0;
    for (const k of keys) {
      const n = k.shape.reduce((a, b) => a * b, 1);
      const v = new Float32Array(n).fill(k.key.endsWith('running_var') ? 1 : 0.01);
      if (k.key === 't2.1.running_var') v[3] = -0.5;
      chunks.push(Buffer.from(v.buffer));
      header[k.key] = { dtype: 'F32', shape: k.shape, data_offsets: [off, off + n * 4] };
      off += n * 4;
    }
    safetensors(join(d, 'w.safetensors'), header, Buffer.concat(chunks));
    expectBadInput(['--image', 'examples/coffee.png', '--config', 'tiny', '--weights', join(d, 'w.safetensors'), '--out', join(d, 'o')], /WEIGHTS_INVALID.*layer 't2': running_var\[3\] is -0\.5; a variance cannot be negative/, join(d, 'o'));
  });
  it('an input.memh the user cannot read (EACCES, run as nobody): IMAGE_UNREADABLE, permission denied', () => {
    const d = tmp();
    const f = join(d, 'input.memh');
    writeFileSync(f, Array.from({ length: 256 }, () => '000000000000000000000000').join('\n'));
    chmodSync(f, 0o000);
    expectBadInput(['--image', f, '--config', 'tiny', '--out', join(d, 'o')], /IMAGE_UNREADABLE.*input\.memh' cannot be read \(permission denied\)/, join(d, 'o'), { uid: 65534, gid: 65534 });
  });
  it('an unreadable config file says permission denied, not missing', () => {
    const d = tmp();
    const f = tinyWith(d, () => {});
    chmodSync(f, 0o000);
    expectBadInput(['plan', '--config', f], /CONFIG_UNREADABLE.*cannot be read \(permission denied\)/, undefined, { uid: 65534, gid: 65534 });
  });
  it('an image that is a folder says so', () => {
    const d = tmp();
    expectBadInput(['--image', d, '--config', 'tiny', '--out', join(d, 'o')], /IMAGE_UNREADABLE.*is a folder, not a file/, join(d, 'o'));
  });
  it('an unwritable --out (run as nobody) is OUT_NOT_WRITABLE', () => {
    const d = mkdtempSync(join(tmpdir(), 'rowsim-ro-'));
    chmodSync(d, 0o555);
    expectBadInput(['--image', join(process.cwd(), 'examples/coffee.png'), '--config', 'tiny', '--out', join(d, 'o')], /OUT_NOT_WRITABLE.*permission denied/, undefined, { uid: 65534, gid: 65534, cwd: '/tmp' });
  });
});

describe('option values are checked and the option is named', () => {
  it("--quant foo names --quant and its choices", () => expectBadInput(['--image', 'examples/coffee.png', '--config', 'tiny', '--quant', 'foo'], /USAGE.*--quant 'foo' is not one of rne, truncate/));
  it('--rtl-pgo on without the rtl engine is a usage error naming --engines', () => expectBadInput(['--image', 'examples/coffee.png', '--config', 'tiny', '--rtl-pgo', 'on'], /USAGE.*--rtl-pgo on chooses how the RTL simulator is built; add rtl to --engines/));
  it("--rtl-pgo always names --rtl-pgo and its choices", () => expectBadInput(['--image', 'examples/coffee.png', '--config', 'tiny', '--engines', 'sim,rtl', '--rtl-pgo', 'always'], /USAGE.*--rtl-pgo 'always' is not one of auto, on, off/));
  it('--workers -1 is a usage error (it used to give all-zero outputs)', () => expectBadInput(['--image', 'examples/coffee.png', '--config', 'tiny', '--workers', '-1'], /USAGE.*--workers '-1' is not a decimal whole number/));
  it('--workers 2.5 is a usage error', () => expectBadInput(['--image', 'examples/coffee.png', '--config', 'tiny', '--workers', '2.5'], /USAGE.*--workers '2\.5' is not a decimal whole number/));
  it('--workers 1000 is capped at the cores with a notice, and the run still agrees', () => {
    const d = tmp();
    const r = simrun(['--image', 'examples/coffee.png', '--config', 'tiny', '--workers', '1000', '--out', d]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/notice: --workers 1000 is more than this machine's \d+ cores; using \d+/);
  });
  it('--frames 0, --frames abc and --frames 1e9 are usage errors', () => {
    expectBadInput(['--image', 'examples/coffee.png', '--config', 'tiny', '--frames', '0'], /USAGE.*--frames '0' is not a decimal whole number from 1/);
    expectBadInput(['--image', 'examples/coffee.png', '--config', 'tiny', '--frames', 'abc'], /USAGE.*--frames 'abc' is not a decimal whole number/);
    expectBadInput(['--image', 'examples/coffee.png', '--config', 'tiny', '--frames', '1000000000'], /USAGE.*--frames '1000000000' is not a decimal whole number from 1 to 1000000/);
  });
  it('--alu-budget -3 and --trace-layers x are usage errors naming the option', () => {
    expectBadInput(['--image', 'examples/coffee.png', '--config', 'tiny', '--alu-budget', '-3'], /USAGE.*--alu-budget '-3'/);
    expectBadInput(['--image', 'examples/coffee.png', '--config', 'tiny', '--engines', 'golden,sim,rtl', '--trace', 'vcd', '--trace-layers', 'x'], /USAGE.*--trace-layers 'x'/);
  });
  it('--pacing and --inject with bad values name themselves', () => {
    expectBadInput(['--image', 'examples/coffee.png', '--config', 'tiny', '--pacing', 'stall:99:5'], /USAGE.*--pacing 'stall:99:5': row 99 does not exist/);
    expectBadInput(['--image', 'examples/coffee.png', '--config', 'tiny', '--pacing', 'stall:15:99999'], /USAGE.*past the 1600-cycle frame period/);
    expectBadInput(['--image', 'examples/coffee.png', '--config', 'tiny', '--inject', 'bit:9:0:0:0:0'], /USAGE.*--inject 'bit:9:0:0:0:0': layer 9 does not exist/);
    expectBadInput(['--image', 'examples/coffee.png', '--config', 'tiny', '--inject', 'rtl@bit:1:0:0:0:0'], /USAGE.*aimed at rtl, which is not in --engines/);
  });
  it('a single-valued option given twice is refused by name (it used to become "tiny,ie120r-mini")', () => {
    expectBadInput(['plan', '--config', 'tiny', '--config', 'ie120r-mini'], /USAGE.*--config is given 2 times; give it once/);
    expectBadInput(['--image', 'examples/coffee.png', '--config', 'tiny', '--frames', '1', '--frames', '2'], /USAGE.*--frames is given 2 times/);
  });
  it('--version prints the package version', () => {
    const r = simrun(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });
});

describe('stimulus and plans that cannot work are refused up front', () => {
  it('a normalize.mean of 1e39 makes the stimulus non-finite after normalization: STIMULUS_NOT_FINITE naming normalize', () => {
    const d = tmp();
    const f = tinyWith(d, (s) => { s.normalize = { mean: [1e39, 0, 0], std: [1, 1, 1] }; });
    expectBadInput(['--image', 'examples/coffee.png', '--config', f, '--out', join(d, 'o')], /STIMULUS_NOT_FINITE.*channel 0 with mean 1e\+39.*fix normalize\.mean\/std/, join(d, 'o'));
  });
  it('a tiny normalize.std (1e-40) makes the stimulus non-finite: STIMULUS_NOT_FINITE', () => {
    const d = tmp();
    const f = tinyWith(d, (s) => { s.normalize = { mean: [0, 0, 0], std: [1, 1e-40, 1] }; });
    expectBadInput(['--image', 'examples/coffee.png', '--config', f, '--out', join(d, 'o')], /STIMULUS_NOT_FINITE.*channel 1/, join(d, 'o'));
  });
  it('a layer padded beyond (K−1)/2 (K 3, pad 2: more output rows than input rows) is planned to run frames back to back, 3 frames agree', () => {
    const d = tmp();
    const f = tinyWith(d, (s) => { s.layers[0]!.pad = 2; });
    const r = simrun(['--image', 'examples/coffee.png', '--config', f, '--frames', '3', '--out', join(d, 'o'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.pass).toBe(true);
    // 18 output rows must fit a 1600-cycle frame: at most 88 cycles each, not the 100 the stride alone allows.
    expect(rep.layers[0].plan.cyclesAvailable).toBe(Math.floor(1600 / 18));
  });
  it('a layer that cannot run frames back to back at its pinned plan is PLAN_INFEASIBLE naming it', () => {
    const d = tmp();
    const f = tinyWith(d, (s) => { s.layers[0]!.pad = 2; s.layers[0]!.strips = 1; s.layers[0]!.ocmux = 1; s.rowRateHz = 250_000_000 / 400; });
    expectBadInput(['plan', '--config', f], /PLAN_INFEASIBLE.*layer 't1'/);
  });
});

describe('inputs that used to pass silently or end as tool failures (exit 2 now, naming what was typed)', () => {
  it('--inject sim@delay:1:999999:5 (a beat that does not exist on tiny) is USAGE naming the beats that do', () => {
    expectBadInput(['--image', 'examples/coffee.png', '--config', 'tiny', '--inject', 'sim@delay:1:999999:5'], /USAGE.*--inject 'sim@delay:1:999999:5': beat 999999 does not exist; layer 1 sends 256 beats a frame, so this 1-frame run has beats 0\.\.255/);
  });
  it('a delay no compared pair can see (golden,sim: no cycles pair) runs with a warning saying so', () => {
    const d = tmp();
    const r = simrun(['--image', 'examples/coffee.png', '--config', 'tiny', '--inject', 'sim@delay:1:5:5', '--out', d]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: --inject 'sim@delay:1:5:5' only moves beats in time, and no cycles pair is compared here \(engines golden,sim\)/);
  });
  it('an empty image file is IMAGE_UNREADABLE (it was an internal error, exit 3)', () => {
    const d = tmp();
    writeFileSync(join(d, 'empty.png'), '');
    expectBadInput(['--image', join(d, 'empty.png'), '--config', 'tiny', '--out', join(d, 'o')], /IMAGE_UNREADABLE.*empty\.png' is empty \(0 bytes\)/, join(d, 'o'));
  });
  it('a GIF is IMAGE_UNSUPPORTED, as the docs say (sharp can read it; rowsim does not take it)', async () => {
    const d = tmp();
    const sharp = (await import('sharp')).default;
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#336699' } }).gif().toFile(join(d, 'a.gif'));
    expectBadInput(['--image', join(d, 'a.gif'), '--config', 'tiny', '--out', join(d, 'o')], /IMAGE_UNSUPPORTED.*a\.gif' is GIF, which rowsim does not take; use PNG, JPEG, TIFF or WebP/, join(d, 'o'));
  });
  it("'simrun compare' given a file is USAGE naming it (it was ENOTDIR, exit 3)", () => {
    expectBadInput(['compare', 'examples/coffee.png', 'examples/chelsea.png'], /USAGE.*'examples\/coffee\.png' is a file, not a folder/);
  });
  it("an unknown command ('simrun frobnicate') is refused, not run as the default command", () => {
    expectBadInput(['frobnicate', '--image', 'examples/coffee.png', '--config', 'tiny'], /USAGE.*unknown command 'frobnicate'/);
  });
  it('synthetic:4294967296 (2^32) is refused: it would quietly repeat synthetic:0', () => {
    expectBadInput(['--image', 'examples/coffee.png', '--config', 'tiny', '--weights', 'synthetic:4294967296'], /WEIGHTS_INVALID.*seed '4294967296' is not a decimal whole number below 2\^32/);
  });
  it("--frames 0x10 and --frames '' are refused quoting what was typed (0x10 used to run 16 frames)", () => {
    expectBadInput(['--image', 'examples/coffee.png', '--config', 'tiny', '--frames', '0x10'], /USAGE.*--frames '0x10' is not a decimal whole number/);
    expectBadInput(['--image', 'examples/coffee.png', '--config', 'tiny', '--frames', ''], /USAGE.*--frames '' is not a decimal whole number/);
    expectBadInput(['mutate', '--config', 'tiny', '--count', '1e2'], /USAGE.*--count '1e2' is not a decimal whole number/);
  });
  it('mutate --yosys-wire no_such_wire --catalogue none (a one-layer 8x8 spec) is USAGE: the campaign has no mutants, not a crash or a pass', () => {
    const d = tmp();
    const f = join(d, 'one.json');
    writeFileSync(f, JSON.stringify({ name: 'one', input: { height: 8, width: 8, channels: 3 }, clockHz: 250_000_000, rowRateHz: 2_500_000, layers: [{ name: 'c1', kernel: 1, stride: 1, pad: 0, outChannels: 2, relu: true }] }));
    const out = join(d, 'campaign');
    expectBadInput(['mutate', '--config', f, '--count', '5', '--catalogue', 'none', '--yosys-wire', 'no_such_wire', '--quiet', '--out', out], /USAGE.*the campaign has no mutants: Yosys found none to make under --yosys-wire 'no_such_wire'/, out);
  });
  it('regress --shard 7/7 of the 6-case shipped suite is refused: it would check nothing and pass', () => {
    expectBadInput(['regress', '--suite', 'examples/suite.yaml', '--shard', '7/7'], /USAGE.*--shard 7\/7 of the 6-case suite '.*' gets no case; use at most 6 shards/);
  });
  it('safetensors tensors whose data offsets overlap are WEIGHTS_INVALID naming both', () => {
    const d = tmp();
    safetensors(join(d, 'w.safetensors'), { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, Buffer.alloc(12));
    expectBadInput(['--image', 'examples/coffee.png', '--config', 'tiny', '--weights', join(d, 'w.safetensors')], /WEIGHTS_INVALID.*tensors 'a' and 'b' overlap \(data offsets 0\.\.8 and 4\.\.12\)/);
  });
  it('emit into a folder of an earlier emit (ie120r-mini, then tiny) leaves only tiny\'s files and counts them; a foreign folder is refused', () => {
    const d = join(tmp(), 'design');
    expect(simrun(['emit', '--config', 'ie120r-mini', '--out', d]).code).toBe(0);
    const r = simrun(['emit', '--config', 'tiny', '--out', d]);
    expect(r.code, r.stderr).toBe(0);
    const listed = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listed(join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name]));
    const files = listed(d);
    expect(files.filter((f) => /rs_layer\d+\.v/.test(f)).sort()).toEqual(['rs_layer1.v', 'rs_layer2.v', 'rs_layer3.v', 'rs_layer4.v']);
    expect(r.stdout).toMatch(new RegExp(`wrote a design folder of ${files.length} files`));
    const foreign = tmp();
    writeFileSync(join(foreign, 'notes.txt'), 'mine');
    expectBadInput(['emit', '--config', 'tiny', '--out', foreign], /USAGE.*is not empty and holds no design rowsim emitted \(notes\.txt\)/);
    expect(readdirSync(foreign)).toEqual(['notes.txt']);
  });
});
