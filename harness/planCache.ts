// Plans kept between runs: planning the full IE120R with its ALU budget walks thousands of candidate schedules (about
// 0.6 s), and an unchanged spec plans to the same plan. The key is the spec as a file would hold it, the budget, and the
// planner's own compiled code, so a changed planner never serves a stale plan. Invariant: a cached plan is used only
// if it parses and describes every layer of the spec; anything else is planned afresh (the cache is never trusted
// over the planner).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot, writeCacheFile } from '../core/cacheDir.js';
import { codeHash, importClosure } from '../core/codeHash.js';
import type { NetworkPlan } from '../core/plan.js';
import { specSource, type NetworkSpec } from '../core/spec.js';

/**
 * The entry of the code that decides a plan (relative to this file): the planner's wiring, and through its imports the
 * planner, its latency oracle, the timing it schedules with and the pacing it sizes buffers under.
 */
const PLANNER_ENTRY = './plan.js';

/** `make()`'s plan for `net` at `budget`, from the cache when this planner made it before for the same spec. */
export function cachedPlan(net: NetworkSpec, budget: number | 'min' | undefined, make: () => NetworkPlan): NetworkPlan {
  const key = createHash('sha256').update(codeHash(importClosure([PLANNER_ENTRY], import.meta.url), import.meta.url)).update(JSON.stringify(specSource(net))).update(JSON.stringify(budget ?? null)).digest('hex').slice(0, 24);
  const path = join(cacheRoot(), 'plans', `${key}.json`);
  try {
    const p = JSON.parse(readFileSync(path, 'utf8')) as NetworkPlan;
    if (Array.isArray(p.layers) && p.layers.length === net.layers.length && p.layers.every((l, i) => l.index === i + 1)) return p;
  } catch {
    // not cached (or unreadable): plan below
  }
  const plan = make();
  writeCacheFile(path, JSON.stringify(plan));
  return plan;
}
