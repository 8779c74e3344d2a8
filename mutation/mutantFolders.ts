// Design folders a Yosys fold runs in: the whole design folded into one netlist, or one mutated module's netlist beside
// every other module's own source (a hybrid), with the original's ROM modules, spec, taps and ROM images.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DesignFolder } from '../rtl/design.js';
import type { ModuleFold } from './yosysMutants.js';

/**
 * A design folder around a folded netlist: the original's ROM modules, spec and taps, folded.v, and ROM images — the
 * campaign's own when given, else the original's; `keptSources` are original files for modules the netlist leaves out.
 */
export function writeFoldedFolder(orig: DesignFolder, folded: string, dir: string, images: readonly { name: string; text: string }[], keptSources: readonly string[] = []): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const roms = orig.manifest.romSources ?? [];
  // Headers go along: kept sources may include them (the folded netlist has them inlined), and the manifest lists them.
  for (const f of [...keptSources, ...orig.manifest.headers, ...roms, ...(images.length ? [] : orig.manifest.roms), orig.manifest.spec, orig.manifest.taps]) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(join(orig.dir, f), join(dir, f));
  }
  for (const f of images) {
    mkdirSync(dirname(join(dir, f.name)), { recursive: true });
    writeFileSync(join(dir, f.name), f.text);
  }
  cpSync(folded, join(dir, 'folded.v'));
  const { emitted: _e, ...manifest } = orig.manifest;
  writeFileSync(join(dir, 'design.json'), JSON.stringify({ ...manifest, sources: ['folded.v', ...keptSources, ...roms], romSources: roms }, null, 2) + '\n');
}

/** The modules each RTL source file of a design defines (ROM sources excluded). */
function modulesByFile(d: DesignFolder): Map<string, string[]> {
  const roms = new Set(d.manifest.romSources ?? []);
  const out = new Map<string, string[]>();
  for (const f of d.manifest.sources) {
    if (roms.has(f)) continue;
    const text = readFileSync(join(d.dir, f), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    out.set(f, [...text.matchAll(/^\s*module\s+([A-Za-z_][A-Za-z0-9_$]*)/gm)].map((m) => m[1]!));
  }
  return out;
}

/**
 * A design folder for one mutated module: its netlist (and the modules carrying mutsel to it) from `fold`, every other
 * module from the design's own files, plus ROM modules, spec, taps and ROM images as in writeFoldedFolder. False when a
 * source file defines both a module of the netlist and one kept as designed (the file cannot be left out or kept whole).
 */
export function writeHybridFolder(orig: DesignFolder, fold: ModuleFold, dir: string, images: readonly { name: string; text: string }[]): boolean {
  const fromNetlist = new Set(fold.modules);
  const kept: string[] = [];
  for (const [file, modules] of modulesByFile(orig)) {
    const swapped = modules.filter((m) => fromNetlist.has(m));
    if (swapped.length && swapped.length !== modules.length) return false;
    if (!swapped.length) kept.push(file);
  }
  writeFoldedFolder(orig, fold.file, dir, images, kept);
  return true;
}
