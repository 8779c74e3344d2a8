// rtl/layer/resetLast.ts: the reset-last block form, and the check that makes it equal to reset-first.
import { describe, expect, it } from 'vitest';
import { SimrunError } from '../../../core/errors.js';
import { renderStmts, vFor, vIf } from '../../../core/vbuild.js';
import { assignedRegisters, resetLast } from '../../../rtl/layer/resetLast.js';

describe('resetLast', () => {
  it('a reset covering every register: the run statements, then if (rst) with the reset', () => {
    const out = renderStmts(resetLast(["a <= 2'd0; b <= 1'b0;"], [vIf('go', ["a <= a + 1'd1;"], ["b <= !b;"])]), '');
    expect(out).toEqual(['if (go) a <= a + 1\'d1;', 'else b <= !b;', 'if (rst) begin', "  a <= 2'd0; b <= 1'b0;", 'end']);
  });

  it('a memory (bank0) written under !rst and named as a memory: no reset for it is asked; unnamed, it is INTERNAL', () => {
    const run = [vIf('in_valid', ["if (!rst) bank0[wa] <= d;", "a <= a + 1'd1;"])];
    expect(renderStmts(resetLast(["a <= 2'd0;"], run, ['bank0']), '')).toEqual(['if (in_valid) begin', '  if (!rst) bank0[wa] <= d;', "  a <= a + 1'd1;", 'end', "if (rst) a <= 2'd0;"]);
    expect(() => resetLast(["a <= 2'd0;"], run)).toThrow(/reset leaves bank0 out/);
  });

  it('a reset leaving out register b (written only in a nested else): INTERNAL, naming b and not a', () => {
    const call = () => resetLast(["a <= 2'd0;"], [vIf('go', ["a <= a + 1'd1;"], [vIf('x', ["b <= 1'b1;"])])]);
    expect(call).toThrow(SimrunError);
    expect(call).toThrow(/reset leaves b out/);
  });
});

describe('assignedRegisters', () => {
  it('finds writes in nested ifs, a for, inline ifs, after else and with indices; not comparisons or comments', () => {
    const stmts = [
      "p <= 1'b0; q[3] <= 8'd1;",
      vIf('c <= 3', ["if (frame_end) f <= f + 1'd1;   // g <= 1 is only a comment"]),
      vFor('i', '0', 'i < 4', ['m[i * 8 +: 8] <= 0;']),
      "if (a <= b) r <= 1'b1; else s <= 1'b0;",
      "t <= (u <= v) ? 1'b1 : 1'b0;",
    ];
    expect([...assignedRegisters(stmts)].sort()).toEqual(['f', 'm', 'p', 'q', 'r', 's', 't']);
  });
});
