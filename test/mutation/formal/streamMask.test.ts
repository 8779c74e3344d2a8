// The stream-contract wrapper's naming rules: which outputs it masks, by which valid, and when it declines to wrap.
import { describe, expect, it } from 'vitest';
import type { RtlilPort } from '../../../mutation/formal/rtlilPorts.js';
import { streamMask } from '../../../mutation/formal/streamMask.js';

const ports = (spec: Record<string, [RtlilPort['direction'], number]>) =>
  new Map(Object.entries(spec).map(([n, [direction, width]]) => [n, { direction, width }]));

/** The outputs the wrapper masks, read back from the names it keeps out of matching. */
const maskedOf = (m: ReturnType<typeof streamMask>) => (m ? m.unmatched.filter((n) => n.startsWith('u.')).map((n) => n.slice(2)).sort() : null);

describe('streamMask', () => {
  it('a layer (out_valid with row, col, grp, last, data; in_* inputs): masks exactly the five out_* fields, each by out_valid', () => {
    const m = streamMask(ports({ clk: ['input', 1], in_valid: ['input', 1], in_data: ['input', 96], out_valid: ['output', 1], out_row: ['output', 3], out_col: ['output', 3], out_grp: ['output', 1], out_last: ['output', 1], out_data: ['output', 256] }), 'g', 'gv');
    expect(maskedOf(m)).toEqual(['out_col', 'out_data', 'out_grp', 'out_last', 'out_row']);
    expect(m!.verilog).toContain("assign out_row = out_valid ? rs_raw_out_row : 3'd0;");
    expect(m!.verilog).toContain("assign out_data = out_valid ? rs_raw_out_data : 256'd0;");
    expect(m!.verilog).toMatch(/output\s+wire\s+out_valid\b/);
    expect(m!.verilog).not.toMatch(/assign out_valid/);
  });

  it('two streams (m_valid and out_valid): each field masked by its own valid; other outputs (busy, m_ready) untouched', () => {
    const m = streamMask(ports({ m_valid: ['output', 1], m_data: ['output', 32], m_ready: ['output', 1], out_valid: ['output', 1], out_data: ['output', 8], busy: ['output', 1] }), 'g', 'gv');
    expect(maskedOf(m)).toEqual(['m_data', 'out_data']);
    expect(m!.verilog).toContain('assign m_data = m_valid ?');
    expect(m!.verilog).toContain('assign out_data = out_valid ?');
  });

  it("declines: a bare 'valid' (no stream prefix), an 'invalid' flag, a 2-bit out_valid, an input out_valid, a port named u or rs_raw_x or reg", () => {
    expect(streamMask(ports({ valid: ['output', 1], data: ['output', 8], ready: ['output', 1] }), 'g', 'gv')).toBeNull();
    expect(streamMask(ports({ invalid: ['output', 1], in_ready: ['output', 1] }), 'g', 'gv')).toBeNull();
    expect(streamMask(ports({ out_valid: ['output', 2], out_data: ['output', 8] }), 'g', 'gv')).toBeNull();
    expect(streamMask(ports({ out_valid: ['input', 1], out_data: ['output', 8] }), 'g', 'gv')).toBeNull();
    for (const clash of ['u', 'rs_raw_x', 'reg']) {
      expect(streamMask(ports({ out_valid: ['output', 1], out_data: ['output', 8], [clash]: ['input', 1] }), 'g', 'gv')).toBeNull();
    }
  });
});
