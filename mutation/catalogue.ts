// rowsim's catalogue of semantic mutants: bugs a hardware engineer could plausibly write into this microarchitecture,
// each built into one layer and selected at run time (mutsel == id), so one Verilator build serves them all.
import { layerModules } from '../core/layerSignals.js';
import { SimrunError } from '../core/errors.js';
import type { LayerPlan, NetworkPlan } from '../core/plan.js';
import type { LayerSpec, NetworkSpec } from '../core/spec.js';
import { streamShape } from '../core/stream.js';
import { emitLayer } from '../rtl/emitLayer.js';

export { CATALOGUE, type CatalogueKind, type LayerMutant } from '../rtl/catalogueKinds.js';
import { addOrderSite, CATALOGUE, type CatalogueKind, type LayerMutant } from '../rtl/catalogueKinds.js';

/** Whether a kind can be built into a layer (some need padding, two lanes, no ReLU, or rows of two beats). */
export function applies(kind: CatalogueKind, l: LayerSpec, p: LayerPlan, inBeatsPerRow: number): boolean {
  switch (kind) {
    case 'swap-lanes': return p.lanes >= 2;
    case 'pad-skip': return l.pad > 0;
    case 'relu-last': return !l.relu;
    case 'pacing-off-by-one': return inBeatsPerRow >= 2;
    // The accumulate site needs a second tap to add; the bias add exists in every layer.
    case 'add-order-bit': return addOrderSite(l.index).site === 'bias-add' || l.kernel * l.kernel * l.inC >= 2;
    default: return true;
  }
}

/** A catalogue mutant of a design: its id (the mutsel value), kind and layer. */
export interface PlacedMutant extends LayerMutant {
  readonly layer: number;
}

/**
 * The catalogue for a network: every kind at its first applicable layer ('first'), or at every applicable layer ('all').
 * Ids count from 1 in layer order, then kind order.
 */
export function catalogueFor(net: NetworkSpec, plan: NetworkPlan, mode: 'first' | 'all'): PlacedMutant[] {
  const out: PlacedMutant[] = [];
  const done = new Set<CatalogueKind>();
  for (const l of net.layers) {
    const p = plan.layers[l.index - 1]!;
    const inBeats = l.inW * streamShape(net, plan, l.index - 1).ocmux;
    for (const kind of Object.keys(CATALOGUE) as CatalogueKind[]) {
      if (mode === 'first' && done.has(kind)) continue;
      if (!applies(kind, l, p, inBeats)) continue;
      out.push({ id: out.length + 1, kind, layer: l.index });
      done.add(kind);
    }
  }
  return out;
}

/** The catalogue as the emitter takes it: layer → its mutants. */
export function byLayer(mutants: readonly PlacedMutant[]): Map<number, LayerMutant[]> {
  const m = new Map<number, LayerMutant[]>();
  for (const x of mutants) m.set(x.layer, [...(m.get(x.layer) ?? []), { id: x.id, kind: x.kind }]);
  return m;
}

/** The mutated layer's module with the mutant built off (gold) and on (gate): the same module but for the selector. */
export function equivalencePair(net: NetworkSpec, plan: NetworkPlan, m: PlacedMutant, width: number): { module: string; gold: string; gate: string } {
  const l = net.layers[m.layer - 1]!;
  const built = (mutantMode: 'off' | 'on') => emitLayer(l, plan.layers[m.layer - 1]!, streamShape(net, plan, m.layer - 1), { mutants: [{ id: m.id, kind: m.kind }], mutselWidth: width, mutantMode });
  const [gold, gate] = [built('off'), built('on')];
  if (gold === gate) throw new SimrunError('INTERNAL', `catalogue mutant ${m.kind} changes nothing in layer ${m.layer}`);
  return { module: layerModules(m.layer).layer, gold, gate };
}
