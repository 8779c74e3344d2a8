// Input pacing profiles: every pixel of a frame arrives inside the frame, in raster order, at most one per cycle, with
// the profile's own shape; worked by hand on tiny (16×16, P = 100 cycles per row).
import { describe, expect, it } from 'vitest';
import { frameArrivals, frameRowArrivals, lastInputPixel, parsePacing, type Pacing } from '../../core/pacing.js';
import { loadSpec } from '../../core/spec.js';

const tiny = loadSpec('tiny');
const mini = loadSpec('ie120r-mini');

describe('every profile keeps raster order, one pixel per cycle, inside its frame period', () => {
  for (const text of ['uniform', 'jitter:1', 'jitter:4294967295', 'stall:7:60', 'burst', 'burst:3', 'burst:16']) {
    for (const net of [tiny, mini]) {
      it(`${text} on ${net.name}, frames 0 and 5`, () => {
        const p = parsePacing(text, net);
        const period = net.input.height * net.rowPeriod;
        for (const f of [0, 5]) {
          const a = frameArrivals(net, p, f);
          expect(a.length).toBe(net.input.height * net.input.width);
          expect(a[0]!).toBeGreaterThanOrEqual(f * period);
          expect(a[a.length - 1]!).toBeLessThan((f + 1) * period);
          for (let i = 1; i < a.length; i++) if (!(a[i]! > a[i - 1]!)) throw new Error(`pixel ${i} at ${a[i]} not after ${a[i - 1]}`);
          const rows = frameRowArrivals(net, p, f);
          expect(rows.last[net.input.height - 1]).toBe(a[a.length - 1]);
          expect(lastInputPixel(net, p, f)).toBe(a[a.length - 1]);
        }
      });
    }
  }
});

describe('profiles worked by hand on tiny', () => {
  const at = (p: Pacing, r: number, c: number, f = 0) => frameArrivals(tiny, p, f)[r * 16 + c]!;
  it('uniform: pixel (r, c) of frame f at f·1600 + r·100 + c', () => {
    expect([at({ kind: 'uniform' }, 0, 0), at({ kind: 'uniform' }, 3, 15), at({ kind: 'uniform' }, 2, 4, 1)]).toEqual([0, 315, 1804]);
  });
  it('stall:1:50: row 1 pauses 50 cycles at column 8 (pixels 8..15 at 158..165), row 2 is on time', () => {
    const p = parsePacing('stall:1:50', tiny);
    expect([at(p, 1, 7), at(p, 1, 8), at(p, 1, 15), at(p, 2, 0)]).toEqual([107, 158, 165, 200]);
  });
  it('stall:1:95: the stall spills into row 2, whose first pixels catch up in its blanking', () => {
    const p = parsePacing('stall:1:95', tiny);
    expect([at(p, 1, 8), at(p, 1, 15), at(p, 2, 0), at(p, 2, 1), at(p, 2, 15), at(p, 3, 0)]).toEqual([203, 210, 211, 212, 226, 300]);
  });
  it('burst:2: rows 0 and 1 back to back at 0..31, rows 2 and 3 at 200..231', () => {
    const p = parsePacing('burst:2', tiny);
    expect([at(p, 0, 0), at(p, 1, 0), at(p, 1, 15), at(p, 2, 0), at(p, 3, 15)]).toEqual([0, 16, 31, 200, 231]);
  });
  it('jitter:3: each row inside its own period, not uniform, and the same every time', () => {
    const p = parsePacing('jitter:3', tiny);
    const a = frameArrivals(tiny, p, 0);
    for (let r = 0; r < 16; r++) {
      expect(a[r * 16]!).toBeGreaterThanOrEqual(r * 100);
      expect(a[r * 16 + 15]!).toBeLessThan((r + 1) * 100);
    }
    expect(Array.from(a).some((v, i) => v !== Math.floor(i / 16) * 100 + (i % 16))).toBe(true);
    expect(Array.from(frameArrivals(tiny, p, 0))).toEqual(Array.from(a));
    expect(Array.from(frameArrivals(tiny, parsePacing('jitter:4', tiny), 0))).not.toEqual(Array.from(a));
  });
});

describe('bad profiles', () => {
  for (const [text, msg] of [['fast', /not a pacing profile/], ['jitter', /needs a seed/], ['jitter:x', /seed 'x' is not a whole number/], ['stall:3', /needs a row and a cycle count/], ['stall:16:5', /row 16 does not exist/], ['stall:2:0', /0 cycles is uniform/], ['burst:0', /burst of 0 rows/], ['burst:17', /burst of 17 rows/], ['stall:15:1000', /past the 1600-cycle frame period/]] as const) {
    it(`'${text}' is refused: ${msg.source}`, () => expect(() => parsePacing(text, tiny)).toThrow(msg));
  }
});
