// rtl/vcd.ts on hand-written VCD text: the layouts Verilator writes (padded width column, scalars, vectors, array
// elements, words of split arrays) read back to the values written.
import { describe, expect, it } from 'vitest';
import { readVcd, valueAt } from '../../rtl/vcd.js';

const TEXT = [
  '$timescale 1ns $end',
  ' $scope module TOP $end',
  '  $scope module u $end',
  '   $var wire  1 ! busy $end',
  '   $var wire  3 " have [2:0] $end',
  '   $var wire 32 # acc[5] [31:0] $end',
  '   $var wire 32 $ p_reg(12) [31:0] $end',
  '  $upscope $end',
  ' $upscope $end',
  '$enddefinitions $end',
  '#0',
  '0!',
  'b000 "',
  'b0 #',
  'b0 $',
  '#10',
  '1!',
  'b101 "',
  '#20',
  'b1111 #',
  'b110 $',
  'x!',
  '',
].join('\n');

describe('readVcd', () => {
  const sig = readVcd(TEXT, ['TOP.u.busy', 'TOP.u.have', 'TOP.u.acc[5]', 'TOP.u.p_reg[12]', 'TOP.u.absent']);
  it('a 1-bit wire declared with a padded width column (busy: 0 at 0, 1 from 10; x leaves the last known value)', () => {
    expect(valueAt(sig.get('TOP.u.busy'), 5)).toBe(0);
    expect(valueAt(sig.get('TOP.u.busy'), 10)).toBe(1);
    expect(valueAt(sig.get('TOP.u.busy'), 25)).toBe(1);
  });
  it('a 3-bit vector (have = 0b101 = 5 from 10)', () => {
    expect(valueAt(sig.get('TOP.u.have'), 9)).toBe(0);
    expect(valueAt(sig.get('TOP.u.have'), 10)).toBe(5);
  });
  it('an array element by its dotted name (acc[5] = 0b1111 = 15 from 20)', () => {
    expect(valueAt(sig.get('TOP.u.acc[5]'), 19)).toBe(0);
    expect(valueAt(sig.get('TOP.u.acc[5]'), 20)).toBe(15);
  });
  it('a word of an array Verilator split into registers, written p_reg(12), by its array name (p_reg[12] = 0b110 = 6 from 20)', () => {
    expect(valueAt(sig.get('TOP.u.p_reg[12]'), 19)).toBe(0);
    expect(valueAt(sig.get('TOP.u.p_reg[12]'), 20)).toBe(6);
  });
  it('a signal not in the file is absent, and nothing is known before the first change', () => {
    expect(sig.has('TOP.u.absent')).toBe(false);
    expect(valueAt(sig.get('TOP.u.busy'), -1)).toBeUndefined();
  });
});

describe('readVcd scopes', () => {
  it('a signal inside an Icarus generate scope (\\g_lane_s0[1]) is found by the design\'s name (TOP.u.g_lane_s0[1].w = 7 from 5)', () => {
    const text = ['$scope module TOP $end', '$scope module u $end', '$scope module \\g_lane_s0[1] $end', '$var wire 32 ! w [31:0] $end',
      '$upscope $end', '$upscope $end', '$upscope $end', '$enddefinitions $end', '#0', 'b0 !', '#5', 'b111 !', ''].join('\n');
    const sig = readVcd(text, ['TOP.u.g_lane_s0[1].w']);
    expect(valueAt(sig.get('TOP.u.g_lane_s0[1].w'), 4)).toBe(0);
    expect(valueAt(sig.get('TOP.u.g_lane_s0[1].w'), 5)).toBe(7);
  });
});
