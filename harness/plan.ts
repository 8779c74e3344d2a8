// Wires the planner to the model's row-level schedule, so an ALU budget is spent where it lowers latency most.
import { planNetwork, type NetworkPlan } from '../core/plan.js';
import type { NetworkSpec } from '../core/spec.js';
import { frameLatency } from '../sim/timing.js';

/**
 * The plan a run uses: fewest ALUs, or — with a budget from `--alu-budget` or the spec's `aluBudget` — the
 * lowest latency the budget buys. `budget` 'min' forces the fewest-ALU plan.
 */
export function makePlan(net: NetworkSpec, budget?: number | 'min'): NetworkPlan {
  const aluBudget = budget === 'min' ? undefined : (budget ?? net.aluBudget);
  return planNetwork(net, aluBudget === undefined ? {} : { aluBudget, latencyOf: (p) => frameLatency(net, p) });
}
