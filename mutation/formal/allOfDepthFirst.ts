// A memoized "this node and everything below it pass" search over a netlist graph, depth first on an explicit stack so
// a chain of thousands of cells (a gate-level netlist) cannot overflow the call stack. Invariant: a node counts as
// failing while it is open, so a path back to it (a loop) fails, and every node settled on the way is remembered (if
// `expand` throws, the nodes still open stay remembered as failing).

/**
 * Whether `start` passes: `expand(n)` settles a node outright (a boolean) or lists the nodes it depends on, and a node
 * passes when every one of those passes (the first failure settles it). Verdicts go into `memo` under `key(n)` and are
 * read from it first, so repeated questions over one netlist cost nothing.
 */
export function allOfDepthFirst<N, K>(start: N, memo: Map<K, boolean>, key: (n: N) => K, expand: (n: N) => readonly N[] | boolean): boolean {
  const frames: { readonly node: N; readonly below: readonly N[]; next: number }[] = [];
  const open = (n: N): boolean | undefined => {
    const known = memo.get(key(n));
    if (known !== undefined) return known;
    memo.set(key(n), false);
    const below = expand(n);
    if (typeof below === 'boolean') {
      memo.set(key(n), below);
      return below;
    }
    frames.push({ node: n, below, next: 0 });
    return undefined; // settled when its frame is
  };
  let last = open(start);
  while (frames.length > 0) {
    const f = frames[frames.length - 1]!;
    // `last`: the verdict of the node just settled below f, or undefined when f was just opened.
    if (last === false || f.next === f.below.length) {
      const pass = last !== false;
      memo.set(key(f.node), pass);
      frames.pop();
      last = pass;
    } else last = open(f.below[f.next++]!);
  }
  return last!;
}
