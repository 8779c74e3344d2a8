// The emitted layers' clocked blocks read each register before they write it (resetLast), so Verilator keeps no shadow
// copy of any: a shadow is made and committed every cycle, busy or idle, and a reordering that brings them back (as
// testing the output stage on beat_now alone did: 85 of them on ie120r-mini) makes every cycle dearer.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadSpec } from '../../../core/spec.js';
import { makePlan } from '../../../harness/plan.js';
import { emitDesign } from '../../../rtl/emit.js';
import { SINGLE_THREAD_FLAGS } from '../../../rtl/engine.js';
import { MODEL_FLAGS } from '../../../rtl/verilator.js';
import { describeRtl } from '../../support/rtl.js';

/** The registers Verilator keeps a shadow copy of (`__Vdly__…`) in the C++ of the design's top, as the build makes it. */
function shadowedRegisters(config: string): string[] {
  const net = loadSpec(config);
  const dir = mkdtempSync(join(tmpdir(), 'rowsim-shadows-'));
  try {
    const paths = emitDesign(net, makePlan(net)).filter((f) => f.name.endsWith('.v')).map((f) => {
      writeFileSync(join(dir, f.name), f.text);
      return join(dir, f.name);
    });
    // The build's own flags (rtl/verilator.ts, and those rtl/engine.ts adds for a design of this size); the C++ only,
    // not compiled. How Verilator splits functions decides which registers get a shadow.
    execFileSync('verilator', ['--cc', ...MODEL_FLAGS, ...SINGLE_THREAD_FLAGS, '--top-module', 'rs_top', '-Mdir', join(dir, 'obj'), ...paths], { stdio: 'pipe' });
    const header = readFileSync(join(dir, 'obj', 'Vrs_top___024root.h'), 'utf8');
    return [...header.matchAll(/__Vdly__(\w+);/g)].map((m) => m[1]!.replace(/^rs_top__DOT__/, '').replace(/__DOT__/g, '.'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describeRtl('Verilator keeps no shadow copy of a layer register', () => {
  for (const config of ['tiny', 'ie120r-mini']) {
    it(`${config}: no __Vdly__ variable in the Verilated C++ (in_beats, wslot, rows_in, rows_out, need_row, out_r, phase... written in place)`, () => {
      expect(shadowedRegisters(config)).toEqual([]);
    }, 120_000);
  }
});
