// `simrun plan`: the per-layer hardware plan, totals and the model's latency, as JSON and as a table.
import { loadSpec, type NetworkSpec } from '../core/spec.js';
import type { NetworkPlan } from '../core/plan.js';
import { expectedRun } from '../sim/schedule.js';
import { makePlan } from './plan.js';
import { formatPlanTable, latencyShares, planColumns, type LatencyShare, type PlanColumns } from './report.js';

/** What `simrun plan --json` prints. */
export interface PlanReport {
  readonly config: string;
  readonly clockHz: number;
  readonly rowRateHz: number;
  readonly layers: readonly ({ readonly index: number; readonly name: string } & PlanColumns)[];
  readonly totals: NetworkPlan['totals'];
  readonly latency: { readonly cycles: number; readonly ms: number; readonly perLayer: readonly LatencyShare[] };
}

/** Plans `config` (with an optional ALU budget) and measures one frame's latency on the model's schedule. */
export function planReport(config: string, budget?: number | 'min'): PlanReport & { readonly net: NetworkSpec; readonly plan: NetworkPlan } {
  const net = loadSpec(config);
  const plan = makePlan(net, budget);
  const e = expectedRun(net, plan, { kind: 'uniform' }, 1);
  const cycles = e.perFrameLatency[0]!;
  return {
    config: net.name, clockHz: net.clockHz, rowRateHz: net.rowRateHz,
    layers: plan.layers.map((p) => ({ index: p.index, name: p.name, ...planColumns(plan, p.index) })),
    totals: plan.totals,
    latency: { cycles, ms: Number(((cycles / net.clockHz) * 1000).toFixed(6)), perLayer: latencyShares(e.chain, net.clockHz) },
    net, plan,
  };
}

/** The plan as a terminal table. */
export function formatPlanReport(p: ReturnType<typeof planReport>): string {
  return formatPlanTable(p.net, p.plan, p.latency.perLayer);
}
