// One mutation as Yosys lists it: a type apart, read by the Yosys driver and by the analyses of a mutation.

/** One mutation as Yosys lists it: the arguments of its `mutate` command, plus where it is. */
export interface YosysMutation {
  /** 1-based; the value of mutsel that activates it in the folded netlist. */
  readonly id: number;
  /** The `mutate -mode ...` arguments (without -ctrl). */
  readonly args: string;
  readonly mode: string;
  readonly module: string;
  readonly cell: string;
  /** Source locations Yosys attached ('file:line.col-line.col'). */
  readonly src: readonly string[];
  /** Yosys's error when it could not fold the mutation into a netlist: the mutant is never built (absent: folded). */
  readonly refused?: string;
}
