// The house's import graph, read from the sources: no import cycle between files (type imports included), golden, sim
// and rtl never import each other, core imports nothing outside core, the engines never import the harness or the
// mutation campaign, the harness never imports the campaign, and mutation/formal imports only core and itself. A new
// cycle or a forbidden edge fails here.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const FOLDERS = ['api', 'bin', 'core', 'golden', 'harness', 'mutation', 'rtl', 'sim', 'vectors', 'bench'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** file → the project files it imports (static and dynamic, values and types). */
function graph(): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const f of FOLDERS.flatMap(sources)) {
    const text = readFileSync(f, 'utf8');
    const targets = [...text.matchAll(/(?:from|import\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => normalize(join(dirname(f), m[1]!.replace(/\.js$/, '.ts'))));
    g.set(f, [...new Set(targets)]);
  }
  return g;
}

/** The cycles of a graph, each once, as file lists (Tarjan's strongly connected components of more than one file). */
function cycles(g: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], on = new Set<string>(), out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue;
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do { w = stack.pop()!; on.delete(w); comp.push(w); } while (w !== v);
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  return out;
}

/** Edges that break the layering: what may import what, beyond the engines' mutual independence. */
function forbiddenLayerEdges(g: Map<string, string[]>): string[] {
  const bad: string[] = [];
  for (const [from, tos] of g) {
    const a = from.split('/')[0]!;
    for (const to of tos) {
      const b = to.split('/')[0]!;
      const engineOrVectors = ['golden', 'sim', 'rtl', 'vectors'].includes(a);
      const wrong = (engineOrVectors && (b === 'harness' || b === 'mutation'))
        || (a === 'harness' && b === 'mutation')
        || (from.startsWith('mutation/formal/') && !(to.startsWith('mutation/formal/') || b === 'core'));
      if (wrong) bad.push(`${from} → ${relative('.', to)}`);
    }
  }
  return bad;
}

describe('the import graph', () => {
  const g = graph();

  it('has no cycle between source files (type imports included)', () => {
    expect(cycles(g)).toEqual([]);
  });

  it('golden, sim and rtl never import each other; core imports only core', () => {
    const bad: string[] = [];
    for (const [from, tos] of g) {
      const a = from.split('/')[0]!;
      for (const to of tos) {
        const b = to.split('/')[0]!;
        const engines = ['golden', 'sim', 'rtl'];
        if ((engines.includes(a) && engines.includes(b) && a !== b) || (a === 'core' && b !== 'core')) bad.push(`${from} → ${relative('.', to)}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('layers: engines and vectors import neither harness/ nor mutation/; harness/ never imports mutation/; mutation/formal/ imports only core/ and itself', () => {
    expect(forbiddenLayerEdges(g)).toEqual([]);
  });

  it('finds a forbidden layer edge when there is one (the check can fail)', () => {
    expect(forbiddenLayerEdges(new Map([['rtl/a.ts', ['mutation/b.ts']], ['mutation/formal/c.ts', ['rtl/d.ts', 'core/e.ts']], ['harness/f.ts', ['mutation/g.ts']]]))).toEqual([
      'rtl/a.ts → mutation/b.ts', 'mutation/formal/c.ts → rtl/d.ts', 'harness/f.ts → mutation/g.ts',
    ]);
  });

  it('finds a cycle when there is one (the check can fail)', () => {
    expect(cycles(new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]]))).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });
});
