// rowsim as an installed dependency would be used: a script outside the package imports only 'rowsim' (resolved through
// package.json `exports`, with type declarations beside it) and runs a plan, a golden, the model, a compare and the
// scoreboard; nothing it does writes a report.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('the library entry point', () => {
  it('a consumer script (import from "rowsim") plans tiny, runs its golden and model, compares them, and scores the model\'s values as beats', () => {
    expect(existsSync('dist/api/index.d.ts'), 'type declarations are built').toBe(true);
    const d = mkdtempSync(join(tmpdir(), 'rowsim-consumer-'));
    mkdirSync(join(d, 'node_modules'));
    symlinkSync(resolve('.'), join(d, 'node_modules', 'rowsim'));
    writeFileSync(join(d, 'use.mjs'), `
import { loadSpec, plan, loadWeights, stimulus, golden, model, compare, Scoreboard, makeLayout, SimrunError } from 'rowsim';
const spec = loadSpec('tiny');
const p = await plan(spec);
const w = await loadWeights(spec, 'synthetic:3');
const x = await stimulus(${JSON.stringify(resolve('examples/coffee.png'))}, spec);
const g = await golden(spec, w, x);
const [m] = await model(spec, w, [x]);
const cmp = compare(spec, g, m);
// The last layer's model values as beats of a pixel-serial stream (every channel a lane), sent in reverse order.
const last = spec.layers[spec.layers.length - 1];
const sb = new Scoreboard({ spec, streams: new Map([[last.index, makeLayout(last.outC, 1, 'interleaved')]]), expected: () => g });
const words = new Uint32Array(m[last.index - 1].buffer);
let cycle = 10000;
for (let r = last.outH - 1; r >= 0; r--) for (let c = last.outW - 1; c >= 0; c--) {
  const at = (r * last.outW + c) * last.outC;
  sb.push({ layer: last.index, frame: 0, row: r, col: c, group: 0, cycle: cycle++, data: Array.from(words.subarray(at, at + last.outC)) });
}
const score = await sb.result();
let refused = '';
try { loadSpec('no-such-preset'); } catch (e) { refused = e instanceof SimrunError ? e.code : 'other'; }
console.log(JSON.stringify({ alus: p.totals.alus, layers: g.length, mismatches: cmp.map((c) => c.mismatches), compared: cmp.map((c) => c.compared), scorePass: score.layers[0].values.mismatches, refused }));
`);
    const out = JSON.parse(execFileSync(process.execPath, ['use.mjs'], { cwd: d, encoding: 'utf8' }));
    expect(out).toEqual({ alus: 68, layers: 4, mismatches: [0, 0, 0, 0], compared: [1024, 512, 512, 256], scorePass: 0, refused: 'CONFIG_UNKNOWN_PRESET' });
    expect(readdirSync(d).sort()).toEqual(['node_modules', 'use.mjs']);
  });
});
