// RTL tests run only with Verilator; they fail (not skip) when it is missing, unless SIMRUN_SKIP_RTL=1 is set on purpose.
import { describe } from 'vitest';

/** `describe` for tests that need Verilator: skipped only when SIMRUN_SKIP_RTL=1. */
export const describeRtl: typeof describe = (process.env.SIMRUN_SKIP_RTL === '1' ? describe.skip : describe) as typeof describe;
