// Beats from anywhere: the RTL's own beats of a real run (tiny, 2 frames, read from its beat log) written as JSON Lines
// and shuffled pass `simrun check --beats` and the scoreboard; one duplicated or one dropped beat fails, named.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { BeatLogReader } from '../../core/beatLog.js';
import { loadSpec } from '../../core/spec.js';
import { beatsPerFrame } from '../../core/stream.js';
import { makePlan } from '../../harness/plan.js';
import { runPipeline } from '../../harness/run.js';
import { simrun } from '../support/cli.js';
import { describeRtl } from '../support/rtl.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rowsim-check-'));

/** The beats tiny's emitted RTL sent in a real 2-frame run, as JSON Lines records. */
async function rtlBeats(): Promise<Record<string, unknown>[]> {
  const out = tmp();
  await runPipeline({ config: 'tiny', images: ['examples/coffee.png', 'examples/chelsea.png'], engines: ['rtl'], frames: 2, out });
  const net = loadSpec('tiny');
  const plan = makePlan(net, 'min');
  const lanes = plan.layers.map((p) => p.lanes);
  const reader = new BeatLogReader(lanes, net.layers.map((l, i) => beatsPerFrame(l, plan.layers[i]!)), 2, 'beats.bin', lanes.map(() => true));
  const log = readFileSync(join(out, 'rtl', 'run', 'beats.bin'));
  const frames = [...reader.push(new Uint32Array(log.buffer, log.byteOffset, log.byteLength / 4)), ...reader.end()];
  const out2: Record<string, unknown>[] = [];
  for (const fr of frames) {
    fr.beats.forEach((b, li) => {
      for (let i = 0; b && i < b.count; i++) {
        out2.push({ layer: li + 1, frame: fr.frame, row: b.row[i], col: b.col[i], group: b.group[i], cycle: b.cycle[i], last: b.last![i] === 1, data: Array.from(b.data!.subarray(i * b.lanes, (i + 1) * b.lanes), (w) => w.toString(16).padStart(8, '0')) });
      }
    });
  }
  return out2;
}

/** A deterministic shuffle (the order beats come in must not matter). */
function shuffled<T>(a: readonly T[], seed: number): T[] {
  const b = [...a];
  let s = seed;
  for (let i = b.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [b[i], b[j]] = [b[j]!, b[i]!];
  }
  return b;
}

const check = (lines: readonly Record<string, unknown>[]) => {
  const d = tmp();
  writeFileSync(join(d, 'beats.jsonl'), `# beats of tiny's RTL, shuffled\n${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  return simrun(['check', '--beats', join(d, 'beats.jsonl'), '--image', 'examples/coffee.png', '--image', 'examples/chelsea.png', '--config', 'tiny', '--frames', '2', '--out', join(d, 'out'), '--json']);
};

describeRtl('simrun check --beats (tiny, 2 frames of the RTL\'s own beats)', () => {
  it('shuffled beats pass: every layer agrees by coordinate, timing holds; report.json says engine "beats"', async () => {
    const beats = await rtlBeats();
    expect(beats.length).toBe(2 * (256 + 64 + 128 + 64));
    const r = check(shuffled(beats, 7));
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.engine).toBe('beats');
    expect(rep.pass).toBe(true);
    // Two frames: the steady-state rate and the constant latency were checked, and the verdict says so.
    expect(rep.ownTiming.steadyStateChecked).toBe(true);
    expect(rep.summary).toMatch(/keep their own timing: every tapped layer keeps up with the row rate and the latency is constant$/);
    expect(rep.layers.map((l: { values: { mismatches: number; compared: number } }) => [l.values.mismatches, l.values.compared])).toEqual([[0, 2 * 16 * 16 * 4], [0, 2 * 8 * 8 * 8], [0, 2 * 8 * 8 * 8], [0, 2 * 8 * 8 * 4]]);

    const dup = [...beats, beats.find((b) => b.layer === 2 && b.frame === 1 && b.row === 3 && b.col === 3)!];
    const rd = JSON.parse(check(shuffled(dup, 3)).stdout);
    expect(rd.pass).toBe(false);
    expect(rd.ownTiming.findings.find((f: { kind: string }) => f.kind === 'duplicate')).toMatchObject({ layer: 2, frame: 1 });

    const drop = beats.filter((b) => !(b.layer === 4 && b.frame === 0 && b.row === 5 && b.col === 6));
    const rm = JSON.parse(check(shuffled(drop, 5)).stdout);
    expect(rm.pass).toBe(false);
    expect(rm.layers[3].values.mismatches).toBe(4);
    expect(rm.layers[3].values.first).toMatchObject({ frame: 0, row: 5, col: 6, kind: 'missing' });
    expect(rm.ownTiming.findings.find((f: { kind: string }) => f.kind === 'missing')).toMatchObject({ layer: 4, frame: 0 });
  });

  it('a bad line is refused naming the file and line', () => {
    const d = tmp();
    writeFileSync(join(d, 'b.jsonl'), '{"layer":1,"frame":0,"row":0,"col":0,"group":0,"cycle":5,"data":["zz"]}\n');
    const r = simrun(['check', '--beats', join(d, 'b.jsonl'), '--image', 'examples/coffee.png', '--config', 'tiny']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/b\.jsonl:1: the line data\[0\] is not a 32-bit word/);
  });
});

