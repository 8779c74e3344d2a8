// The golden's backend selection: every backend the golden may use passes the start-up known-answer check of the
// contract's binary32 edge cases, and a run says which backend it used and why.
import { describe, expect, it } from 'vitest';
import { backendReason, knownAnswerFailure, useBackend } from '../../golden/backend.js';

describe('golden backend known-answer check', () => {
  for (const b of ['cpu', 'wasm'] as const) {
    it(`tfjs-${b}: ties to even, the product that rounds up to 2^-126, signed zeros and Inf − Inf all as the contract needs`, async () => {
      expect(await useBackend(b)).toBe(b);
      expect(knownAnswerFailure()).toBeNull();
      expect(backendReason()).toBe('asked for');
    });
  }
  it('auto picks the first backend that loads and passes, and says so (tfjs-node is not installed here)', async () => {
    const b = await useBackend('auto');
    expect(['tensorflow', 'wasm', 'cpu']).toContain(b);
    expect(backendReason()).toMatch(/^the first to load and pass the known-answer check/);
  });
});
