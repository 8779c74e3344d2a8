// A bounded pool for async work: at most `jobs` items in flight, taken in order; no threads, just interleaved promises.

/**
 * Runs `work` on every item, at most `jobs` at a time (at least one), items taken in order. The first failure rejects;
 * the other lanes finish the item they hold and take no new one.
 */
export async function forEachLimited<T>(items: readonly T[], jobs: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        await work(items[i]!, i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, lane));
}
