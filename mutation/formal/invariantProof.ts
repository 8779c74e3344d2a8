// The proofs a survivor gets when induction on equal states fails and its witness run shows nothing: each carries a
// relation between the original's and the mutant's states other than equality — equality up to flush-to-zero (or,
// second, up to the sign of zero; third, up to the payload of NaN) of binary32 registers (mutation/formal/ftzProof.ts),
// then the exact relation reachable from reset in the mutated cone (mutation/formal/reachProof.ts; a quick search with
// part of its budget, or the whole of it on a register's output, also runs before the SAT proofs). Either one proving
// it makes the mutant equivalent; the detail names the relation used.
import { Worker } from 'node:worker_threads';
import { SimrunError, type ErrorCode } from '../../core/errors.js';
import { FTZ_LIMITS, provesUpToFlush } from './ftzProof.js';
import { provesByReachability, REACH_LIMITS, type ReachLimits, type ResetOf } from './reachProof.js';
import { withBudget, type Proof, type YosysMutation } from './yosys.js';

export type { ResetOf } from './reachProof.js';

/**
 * The share of the reachability budget a first, quick search gets before the SAT proofs (5·10⁵ of 2·10⁷ cell
 * evaluations). Measured (docs/mutation.md): every mutant the search proved on tiny and ie120r-mini campaigns needed
 * at most 20 state pairs and was proven within 3 s at this share, while a datapath mutant it cannot prove spent 40 to
 * 95 s of a quarter share before the SAT proofs. A mutant the quick search misses is still proven by the full search
 * after them: the share changes time, never a verdict.
 */
export const QUICK_REACH_SHARE = 0.025;

/**
 * The reachability search from reset (mutation/formal/reachProof.ts) on mutation `m`, with `share` of the budget that
 * `budget` (--proof-budget) gives it. With `onThread`, it runs on a worker thread (from the compiled build only: the
 * thread loads reachWorker.js).
 */
export async function reachFromReset(prepared: string, m: YosysMutation, design: ResetOf, work: string, onThread = false, budget = 1, share = 1): Promise<Proof> {
  const limits: ReachLimits = { ...REACH_LIMITS, evaluations: Math.round(REACH_LIMITS.evaluations * budget * share), states: Math.round(REACH_LIMITS.states * budget), rounds: Math.max(1, Math.round(REACH_LIMITS.rounds * Math.max(1, budget))) };
  return onThread ? reachOnThread({ prepared, m, design, work, limits }) : provesByReachability(prepared, m, design, work, limits);
}

/**
 * Tries the relational proofs on mutation `m` of the design listMutations prepared (`prepared`): flush-to-zero, then
 * the full reachability search — unless `earlier`, an earlier search's result, already found a difference (a search
 * that did not stop at its budget finds the same one again), or `earlierFull`: `earlier` was itself the full search
 * (with the whole budget) and ended on a difference or at its budget, so running it again would end the same way.
 */
export async function provesByInvariant(prepared: string, m: YosysMutation, design: ResetOf, work: string, onThread = false, budget = 1, earlier?: Proof, earlierFull = false): Promise<Proof> {
  const flush = await provesUpToFlush(prepared, m, work, withBudget(FTZ_LIMITS, budget));
  if (flush.equivalent) return flush;
  // A quick search is reused only when it ended on a difference (its path, no limit): one that stopped at its share
  // of the budget — even after finding differences in earlier rounds of cone growth — runs again, with the whole
  // budget. A full one is reused when it ended on a difference or at its budget. Either runs again when its Yosys step
  // failed (no path, no limit: a busy machine's timeout looks like this).
  const reusable = earlier && !earlier.equivalent && (earlierFull ? Boolean(earlier.trace || earlier.limited) : Boolean(earlier.trace && !earlier.limited));
  const reach = reusable ? earlier : await reachFromReset(prepared, m, design, work, onThread, budget);
  return reach.equivalent ? reach : { equivalent: false, detail: `${flush.detail}; ${reach.detail}`, limited: reach.limited ?? flush.limited, ...(reach.trace ? { trace: reach.trace } : {}) };
}

/** provesByReachability on a worker thread of its own. */
function reachOnThread(args: { prepared: string; m: YosysMutation; design: ResetOf; work: string; limits: ReachLimits }): Promise<Proof> {
  const w = new Worker(new URL('./reachWorker.js', import.meta.url));
  return new Promise<Proof>((resolve, reject) => {
    w.once('message', (r: { ok?: Proof; error?: { code: ErrorCode; message: string } }) => {
      if (r.ok) resolve(r.ok);
      else reject(new SimrunError(r.error!.code, r.error!.message));
    });
    w.once('error', (e) => reject(new SimrunError('INTERNAL', `reachability thread failed: ${e.message}`)));
    w.postMessage(args);
  }).finally(() => void w.terminate());
}
