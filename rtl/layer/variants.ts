// Catalogue mutants as variants the layer emitter applies at named points: each point renders the original expression,
// or a choice between original and mutated guarded by the mutant's selector. The selector is `mutsel == id` in a
// campaign design, or a constant (1'b0 / 1'b1) when one mutant is built off or on for an equivalence proof.
import { LAYER_SIGNALS } from '../../core/layerSignals.js';
import type { LayerMutant } from '../catalogueKinds.js';

/** How a mutant's selector is built: compared with the mutsel input, or fixed off or on. */
export type VariantMode = 'select' | 'off' | 'on';

/** The catalogue mutants of one layer and how their selectors render. */
export class MutantVariants {
  private readonly applied = new Set<LayerMutant['kind']>();

  constructor(private readonly mutants: readonly LayerMutant[], private readonly mode: VariantMode = 'select') {}

  /** The layer carries a mutant of `kind`. */
  has(kind: LayerMutant['kind']): boolean {
    return this.mutants.some((x) => x.kind === kind);
  }

  /** The layer carries any mutant. */
  get any(): boolean {
    return this.mutants.length > 0;
  }

  /** The selector that is true when a mutant of `kind` is active (`(mutsel == 3 || mutsel == 9)`). */
  selector(kind: LayerMutant['kind']): string {
    this.applied.add(kind);
    const one = (id: number) => (this.mode === 'select' ? `${LAYER_SIGNALS.mutantSelect} == ${id}` : this.mode === 'on' ? "1'b1" : "1'b0");
    return `(${this.mutants.filter((x) => x.kind === kind).map((x) => one(x.id)).join(' || ')})`;
  }

  /** `selector ? mutated : original` for the mutants of `kind`, or `original` when there is none. */
  pick(kind: LayerMutant['kind'], original: string, mutated: string): string {
    return this.has(kind) ? `(${this.selector(kind)} ? ${mutated} : ${original})` : original;
  }

  /** Mutants the emitter never applied (a kind with no point in this layer): an emitter bug if not empty. */
  unapplied(): LayerMutant[] {
    return this.mutants.filter((x) => !this.applied.has(x.kind));
  }

  /** The mutants, for the module's header. */
  list(): readonly LayerMutant[] {
    return this.mutants;
  }
}
