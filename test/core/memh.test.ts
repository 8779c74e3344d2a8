// .memh codec: round trip in both word orders and rejection of malformed files with file:line.
import { describe, expect, it } from 'vitest';
import { formatMemh, parseMemh } from '../../core/memh.js';

describe('memh', () => {
  it('round trip words=6 perLine=3 highFirst', () => {
    const w = Uint32Array.from([1, 0xdeadbeef, 0x7fc00000, 0x80000000, 0, 0xffffffff]);
    const text = formatMemh(w, 3, 'highFirst');
    expect(text.split('\n')[0]).toBe('7fc00000deadbeef00000001');
    expect(Array.from(parseMemh(text, 'x.memh', 3, 'highFirst', 2))).toEqual(Array.from(w));
  });
  it('round trip lowFirst with spaces and comments accepted', () => {
    const text = '// header\n00000001 00000002\n\n00000003_00000004\n';
    expect(Array.from(parseMemh(text, 'a.memh', 2, 'lowFirst'))).toEqual([1, 2, 3, 4]);
  });
  it('rejects a short line naming file:line', () => {
    expect(() => parseMemh('0000000100000002\n00000003\n', 'w.memh', 2, 'lowFirst')).toThrow(/^w\.memh:2: expected 2 words/);
  });
  it('rejects non-hex naming file:line', () => {
    expect(() => parseMemh('0000000100000002\nzz000003000000004\n', 'w.memh', 2, 'lowFirst')).toThrow(/^w\.memh:2: not hexadecimal/);
  });
  it('rejects a truncated file', () => {
    expect(() => parseMemh('0000000100000002\n', 'w.memh', 2, 'lowFirst', 3)).toThrow(/expected 3 lines of data, found 1/);
  });
});
