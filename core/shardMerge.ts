// The checks of a merge: shards of one suite or campaign (same fingerprint, same rowsim), each index of 1..n once, every
// item exactly once. Pure over the shards' records, so regress and mutate merge by the same rules. Invariant: a merge
// that is not partial covers every item exactly once; anything else is an error naming the folder or the item.
import { SimrunError } from './errors.js';

/** What one shard folder says of itself. */
export interface ShardRecord {
  /** The shard's folder, as given to merge. */
  readonly folder: string;
  readonly index: number;
  readonly count: number;
  readonly scheduler: string;
  /** The suite's or campaign's fingerprint: what its results depend on. */
  readonly fingerprint: string;
  readonly rowsim: string;
  readonly host: string;
  readonly wallSeconds: number;
  /** Every item of the whole suite or campaign, in order. */
  readonly allItems: readonly string[];
  /** The items this shard ran. */
  readonly items: readonly string[];
}

/** What a merge covers: items in the whole run's order, each with the shard that ran it; and what is missing. */
export interface MergePlan {
  readonly order: readonly string[];
  readonly owner: ReadonlyMap<string, ShardRecord>;
  readonly missingShards: readonly number[];
  readonly missingItems: readonly string[];
}

/** Checks `shards` against each other; missing shards or items are an error unless `allowPartial`. */
export function planMerge(shards: readonly ShardRecord[], allowPartial: boolean): MergePlan {
  if (shards.length === 0) throw new SimrunError('USAGE', 'simrun merge needs at least one shard folder');
  const first = shards[0]!;
  for (const s of shards) {
    if (!Number.isSafeInteger(s.count) || s.count < 1 || !Number.isSafeInteger(s.index) || s.index < 1 || s.index > s.count) throw new SimrunError('USAGE', `shard folder '${s.folder}' says it is shard ${s.index}/${s.count}, which is not i/n with 1 <= i <= n; the folder is damaged`);
    if (s.fingerprint !== first.fingerprint) throw new SimrunError('USAGE', `shard folder '${s.folder}' is of another suite or campaign (fingerprint ${s.fingerprint}) than '${first.folder}' (${first.fingerprint}); merge shards of one run only`);
    if (s.rowsim !== first.rowsim) throw new SimrunError('USAGE', `shard folder '${s.folder}' was written by rowsim ${s.rowsim}, '${first.folder}' by ${first.rowsim}; run every shard with one rowsim`);
    if (s.count !== first.count) throw new SimrunError('USAGE', `shard folder '${s.folder}' is shard ${s.index}/${s.count}, '${first.folder}' is ${first.index}/${first.count}; every shard must be of the same count`);
    if (s.allItems.length !== first.allItems.length || s.allItems.some((x, k) => x !== first.allItems[k])) throw new SimrunError('USAGE', `shard folder '${s.folder}' lists other items than '${first.folder}' under the same fingerprint; merge shards of one run only`);
    // A shard holds exactly its share (every n-th item from the i-th): anything else is not a shard of this split.
    const share = first.allItems.filter((_, k) => k % s.count === s.index - 1);
    if (s.items.length !== share.length || s.items.some((x) => !share.includes(x))) throw new SimrunError('USAGE', `shard folder '${s.folder}' (shard ${s.index}/${s.count}) holds ${s.items.length} item(s), not its share of ${share.length}${s.items.find((x) => !share.includes(x)) ? ` ('${s.items.find((x) => !share.includes(x))}' belongs to another shard)` : ''}; the shard did not finish or the folder is damaged — run that shard again`);
  }
  const byIndex = new Map<number, ShardRecord>();
  for (const s of shards) {
    const twin = byIndex.get(s.index);
    if (twin) throw new SimrunError('USAGE', `shard ${s.index}/${s.count} appears twice: '${twin.folder}' and '${s.folder}'; give each shard once`);
    byIndex.set(s.index, s);
  }
  const owner = new Map<string, ShardRecord>();
  const known = new Set(first.allItems);
  for (const s of shards) {
    for (const item of s.items) {
      if (!known.has(item)) throw new SimrunError('USAGE', `shard folder '${s.folder}' holds '${item}', which its run does not list; the folder is damaged`);
      const twin = owner.get(item);
      if (twin) throw new SimrunError('USAGE', `'${item}' was run by two shards ('${twin.folder}' and '${s.folder}'); merge each shard once`);
      owner.set(item, s);
    }
  }
  const missingShards = Array.from({ length: first.count }, (_, k) => k + 1).filter((i) => !byIndex.has(i));
  const missingItems = first.allItems.filter((i) => !owner.has(i));
  if (!allowPartial && (missingShards.length || missingItems.length)) {
    const shardText = missingShards.length ? `shard(s) ${missingShards.map((i) => `${i}/${first.count}`).join(', ')} missing` : 'every shard present';
    const shown = missingItems.slice(0, 8).join(', ') + (missingItems.length > 8 ? `, … (${missingItems.length} in all)` : '');
    throw new SimrunError('USAGE', `${shardText}; not merged: ${shown || 'no item'}${missingItems.length ? ' missing' : ''}; pass every shard's folder, or --allow-partial for a report marked partial`);
  }
  return { order: first.allItems.filter((i) => owner.has(i)), owner, missingShards, missingItems };
}

/** The merged report's shard table: each shard's index, count, host, wall time and item count, by index. */
export function shardTable(shards: readonly ShardRecord[]): { index: number; count: number; scheduler: string; host: string; wallSeconds: number; items: number }[] {
  return [...shards].sort((a, b) => a.index - b.index).map((s) => ({ index: s.index, count: s.count, scheduler: s.scheduler, host: s.host, wallSeconds: s.wallSeconds, items: s.items.length }));
}
