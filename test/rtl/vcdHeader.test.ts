// rtl/vcdHeader.ts on hand-written headers: scopes and names as Icarus and Verilator spell them, keywords inline and
// over several lines, the end of the header, and a path declared twice.
import { describe, expect, it } from 'vitest';
import { designSignalName, VcdHeaderReader } from '../../rtl/vcdHeader.js';

function read(lines: readonly string[]): { ended: boolean; reader: VcdHeaderReader } {
  const reader = new VcdHeaderReader();
  let ended = false;
  for (const l of lines) if (!ended) ended = reader.line(l.trim());
  return { ended, reader };
}

describe('VcdHeaderReader', () => {
  it('an Icarus generate scope (\\g_lane_s0[1]) and a Verilator split word (acc(3)) read as the design spells them', () => {
    const { ended, reader } = read([
      '$scope module TOP $end', '$scope module \\g_lane_s0[1] $end', '$var wire 32 ! w [31:0] $end', '$upscope $end',
      '$var wire 32 " acc(3) [31:0] $end', '$var wire 8 # \\p_reg[2] $end', '$upscope $end', '$enddefinitions $end',
    ]);
    expect(ended).toBe(true);
    expect([...reader.header.vars.keys()]).toEqual(['TOP.g_lane_s0[1].w', 'TOP.acc[3]', 'TOP.p_reg[2]']);
    expect(reader.header.vars.get('TOP.acc[3]')).toEqual({ id: '"', width: 32, path: 'TOP.acc[3]' });
    expect(reader.header.vars.get('TOP.p_reg[2]')!.width).toBe(8);
  });
  it('$version over three lines and an inline $timescale (1ps) are kept; $date and $comment are skipped', () => {
    const { reader } = read(['$date today $end', '$version', 'Icarus Verilog', '$end', '$comment a $var wire 1 x y $end', '$timescale 1ps $end', '$enddefinitions $end']);
    expect(reader.header.version).toBe('Icarus Verilog');
    expect(reader.header.timescale).toBe('1ps');
    expect(reader.header.vars.size).toBe(0);
  });
  it('a path declared twice keeps its first id, and the header has not ended before $enddefinitions', () => {
    const { ended, reader } = read(['$scope module t $end', '$var wire 1 ! a $end', '$var wire 1 % a $end']);
    expect(ended).toBe(false);
    expect(reader.header.vars.get('t.a')!.id).toBe('!');
  });
});

describe('designSignalName', () => {
  it('plain, escaped (\\x[3]), split (x(3)) and a call-like name that is not a split word (f(x))', () => {
    expect(designSignalName('busy')).toBe('busy');
    expect(designSignalName('\\x[3]')).toBe('x[3]');
    expect(designSignalName('x(3)')).toBe('x[3]');
    expect(designSignalName('f(x)')).toBe('f(x)');
  });
});
