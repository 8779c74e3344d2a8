// The stimulus's xorshift32: Marsaglia's (13, 17, 5) sequence, checked against values worked out by hand.
import { expect, it } from 'vitest';
import { prng, xorshift32 } from '../../../mutation/stimulus/prng.js';

it('xorshift32 from state 1: first outputs 270369 and 67634689 (×2^-32); state 0 runs as 1', () => {
  // 1 → 1 ^ 1<<13 = 8193 → ^ 8193>>>17 = 8193 → ^ 8193<<5 = 8193 ^ 262176 = 270369.
  const r = xorshift32(1);
  expect(r() * 2 ** 32).toBe(270369);
  // 270369 → ^ <<13 (2214862848) = 2215133217 → ^ >>>17 (16900) = 2215116325 → ^ <<5 (mod 2^32) = 67634689.
  expect(r() * 2 ** 32).toBe(67634689);
  const z = xorshift32(0);
  expect(z() * 2 ** 32).toBe(270369);
});

it('prng(seed) is xorshift32 from (seed · 2654435761) mod 2^32, for seeds 1 and 2909', () => {
  for (const seed of [1, 2909]) {
    const a = prng(seed), b = xorshift32(Number((BigInt(seed) * 2654435761n) % 4294967296n));
    for (let i = 0; i < 4; i++) expect(a()).toBe(b());
  }
});
