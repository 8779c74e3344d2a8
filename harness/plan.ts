// Wires the planner to the model's row-level schedule, so an ALU budget is spent where it lowers latency most and
// every plan is checked to run frames back to back before anything runs.
import { planNetwork, type NetworkPlan } from '../core/plan.js';
import type { NetworkSpec } from '../core/spec.js';
import { latencyOracle, steadyStateHighWater, steadyStateProblem } from '../sim/schedule.js';
import { cachedPlan } from './planCache.js';

/**
 * The plan a run uses: fewest ALUs, or — with a budget from `--alu-budget` or the spec's `aluBudget` — the
 * lowest latency the budget buys. `budget` 'min' forces the fewest-ALU plan.
 */
export function makePlan(net: NetworkSpec, budget?: number | 'min'): NetworkPlan {
  const aluBudget = budget === 'min' ? undefined : (budget ?? net.aluBudget);
  const steadyState = (p: NetworkPlan) => steadyStateProblem(net, p);
  const highWater = (p: NetworkPlan) => steadyStateHighWater(net, p);
  // An unchanged spec plans to the same plan: the cache saves the budget search (about 0.6 s on the full IE120R).
  return cachedPlan(net, aluBudget ?? 'min', () => planNetwork(net, aluBudget === undefined ? { steadyState, highWater } : { aluBudget, latencyOf: latencyOracle(net), steadyState, highWater }));
}
