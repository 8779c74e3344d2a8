// The proofs a survivor gets when induction on equal states fails and its witness run shows nothing: each carries a
// relation between the original's and the mutant's states other than equality — equality up to flush-to-zero of
// binary32 registers (mutation/formal/ftzProof.ts), then the exact relation reachable from reset in the mutated cone
// (mutation/formal/reachProof.ts). Either one proving it makes the mutant equivalent; the detail names the relation used.
import { Worker } from 'node:worker_threads';
import { SimrunError, type ErrorCode } from '../../core/errors.js';
import { FTZ_LIMITS, provesUpToFlush } from './ftzProof.js';
import { provesByReachability, REACH_LIMITS, type ReachLimits } from './reachProof.js';
import { withBudget, type Proof, type YosysMutation } from './yosys.js';

/** The design's top module and reset port (a top input, with or without the top's name in front). */
export interface ResetOf {
  readonly top: string;
  readonly reset: string;
  /** Wire names the tap map reads (last path components): a value that reaches one is observed. */
  readonly tapped?: readonly string[];
}

/**
 * Tries the relational proofs on mutation `m` of the design listMutations prepared (`prepared`). With `onThread`, the
 * reachability search runs on a worker thread (from the compiled build only: the thread loads reachWorker.js).
 */
export async function provesByInvariant(prepared: string, m: YosysMutation, design: ResetOf, work: string, onThread = false, budget = 1): Promise<Proof> {
  const flush = await provesUpToFlush(prepared, m, work, withBudget(FTZ_LIMITS, budget));
  if (flush.equivalent) return flush;
  const reset = design.reset.startsWith(`${design.top}.`) ? design.reset.slice(design.top.length + 1) : design.reset;
  const limits: ReachLimits = { ...REACH_LIMITS, evaluations: Math.round(REACH_LIMITS.evaluations * budget), states: Math.round(REACH_LIMITS.states * budget), rounds: Math.max(1, Math.round(REACH_LIMITS.rounds * Math.max(1, budget))) };
  const tapped = design.tapped ?? [];
  const reach = onThread ? await reachOnThread({ prepared, m, top: design.top, reset, work, limits, tapped }) : await provesByReachability(prepared, m, design.top, reset, work, limits, tapped);
  return reach.equivalent ? reach : { equivalent: false, detail: `${flush.detail}; ${reach.detail}`, limited: reach.limited ?? flush.limited, ...(reach.trace ? { trace: reach.trace } : {}) };
}

/** provesByReachability on a worker thread of its own. */
function reachOnThread(args: { prepared: string; m: YosysMutation; top: string; reset: string; work: string; limits: ReachLimits; tapped: readonly string[] }): Promise<Proof> {
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
