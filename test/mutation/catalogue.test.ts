// Catalogue mutants as builder variants: a campaign design selects each by mutsel; an equivalence pair builds the same
// module with the mutant fixed off and on — and the two agree with the selected build read at mutsel ≠ id and = id.
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../core/spec.js';
import { streamShape } from '../../core/stream.js';
import { makePlan } from '../../harness/plan.js';
import { byLayer, catalogueFor, equivalencePair } from '../../mutation/catalogue.js';
import { emitLayer } from '../../rtl/emitLayer.js';

describe.each(['tiny', 'ie120r-mini'])('catalogue variants on %s', (config) => {
  const net = loadSpec(config);
  const plan = makePlan(net);
  const all = catalogueFor(net, plan, 'all');

  it('every mutant has a selector in its layer of the campaign design, and no other layer mentions it', () => {
    const layers = byLayer(all);
    for (const l of net.layers) {
      const text = emitLayer(l, plan.layers[l.index - 1]!, streamShape(net, plan, l.index - 1), { mutants: layers.get(l.index) ?? [], mutselWidth: 9 });
      for (const m of all) expect(new RegExp(`mutsel == ${m.id}\\b`).test(text), `${m.kind} ${m.id} in layer ${l.index}`).toBe(m.layer === l.index);
    }
  });

  it('each equivalence pair is the selected build with its selector fixed: off = (mutsel ≠ id), on = (mutsel = id)', () => {
    for (const m of all) {
      const l = net.layers[m.layer - 1]!;
      const selected = emitLayer(l, plan.layers[m.layer - 1]!, streamShape(net, plan, m.layer - 1), { mutants: [{ id: m.id, kind: m.kind }], mutselWidth: 9 });
      const pair = equivalencePair(net, plan, m, 9);
      expect(pair.gold).not.toBe(pair.gate);
      expect(pair.gold).not.toMatch(/mutsel ==/);
      expect(selected.replaceAll(`mutsel == ${m.id}`, "1'b0")).toBe(pair.gold);
      expect(selected.replaceAll(`mutsel == ${m.id}`, "1'b1")).toBe(pair.gate);
    }
  });
});
