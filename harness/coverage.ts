// Contract coverage for users: merged across frames, runs, regress cases and shards (counts add; only coverage of the
// same network and case list merges), read back from any report, and shown as one terminal line per layer and as an
// HTML grid of sites × cases. Invariant: a merge never drops a site; a hole is a reachable case with a count of zero.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CONTRACT_CASES, COVERAGE_VERSION, SITE_KINDS, siteTally, type ContractCoverage, type SiteCoverage } from '../core/coverage.js';
import type { StimulusSource } from '../core/engine.js';
import { SimrunError } from '../core/errors.js';
import type { NetworkSpec } from '../core/spec.js';
import type { HwLayerWeights } from '../core/weights/types.js';
import { contractCoverage } from '../sim/coverage.js';
import { esc } from './htmlEscape.js';

const siteKey = (s: SiteCoverage) => `${s.layer}|${s.site}`;

/**
 * Sums coverages of one network: counts and frames add; `what` names the inputs in the error when two differ in
 * network or version (a coverage of another network has other sites and merges into nothing).
 */
export function mergeCoverage(all: readonly ContractCoverage[], what = 'the coverages'): ContractCoverage {
  const first = all[0];
  if (!first) throw new SimrunError('USAGE', `${what}: nothing to merge; pass reports that were run with --coverage`);
  for (const c of all) {
    if (c.version !== COVERAGE_VERSION) throw new SimrunError('USAGE', `${what}: coverage of version ${c.version}, this rowsim writes ${COVERAGE_VERSION}; rerun with this rowsim`);
    if (c.network !== first.network) throw new SimrunError('USAGE', `${what}: coverage of '${first.network}' and of '${c.network}' do not merge; merge runs of one network`);
  }
  // Same name is not same network: the sites and what each cannot reach must match too, whichever comes first.
  const shape = (c: ContractCoverage) => JSON.stringify(c.sites.map((s) => [s.layer, s.site, s.counts.length, Object.keys(s.unreachable).sort()]));
  const odd = all.find((c) => shape(c) !== shape(first));
  if (odd) throw new SimrunError('USAGE', `${what}: two coverages of '${first.network}' come from different specs (their layers' sites or unreachable cases differ); merge runs of one spec`);
  const sum = new Map<string, number[]>(first.sites.map((s) => [siteKey(s), s.counts.map(() => 0)]));
  for (const c of all) {
    for (const s of c.sites) {
      const into = sum.get(siteKey(s));
      if (!into || into.length !== s.counts.length) throw new SimrunError('USAGE', `${what}: layer ${s.layer}'s ${s.site} site differs between two coverages of '${first.network}' (a changed spec); merge runs of one spec`);
      s.counts.forEach((n, i) => { into[i]! += n; });
    }
  }
  return { ...first, frames: all.reduce((a, c) => a + c.frames, 0), sites: first.sites.map((s) => ({ ...s, counts: sum.get(siteKey(s))! })) };
}

/**
 * The coverage of a run's stimulus, computed by the model: each distinct image once (frames that show the same image
 * reach the same cases), its counts weighted by how many frames show it.
 */
export function stimulusCoverage(net: NetworkSpec, weights: readonly HwLayerWeights[], stimulus: StimulusSource): ContractCoverage {
  const firstFrameOf = new Map<number, { frame: number; times: number }>();
  for (let f = 0; f < stimulus.frames; f++) {
    const seen = firstFrameOf.get(stimulus.imageOf(f));
    if (seen) seen.times++;
    else firstFrameOf.set(stimulus.imageOf(f), { frame: f, times: 1 });
  }
  const parts = [...firstFrameOf.values()].map(({ frame, times }) => {
    const c = contractCoverage(net, weights, [stimulus.frame(frame)]);
    return { ...c, frames: times, sites: c.sites.map((s) => ({ ...s, counts: s.counts.map((n) => n * times) })) };
  });
  return mergeCoverage(parts);
}

/** Merges coverages per network (a regress suite may run several networks), in first-seen order. */
export function mergeByNetwork(all: readonly ContractCoverage[], what?: string): ContractCoverage[] {
  const networks = [...new Set(all.map((c) => c.network))];
  return networks.map((n) => mergeCoverage(all.filter((c) => c.network === n), what));
}

/** Covered and reachable cases of a whole coverage, and per layer. */
export interface CoverageSummary {
  readonly network: string;
  readonly covered: number;
  readonly reachable: number;
  readonly layers: readonly { readonly layer: number; readonly covered: number; readonly reachable: number; readonly sites: Readonly<Record<string, string>> }[];
}

/** The summary report.json carries beside the counts. */
export function summarizeCoverage(c: ContractCoverage): CoverageSummary {
  const layers = [...new Set(c.sites.map((s) => s.layer))].map((layer) => {
    const sites = c.sites.filter((s) => s.layer === layer);
    const tallies = sites.map((s) => [s.site, siteTally(s)] as const);
    return {
      layer, covered: tallies.reduce((a, [, t]) => a + t.covered, 0), reachable: tallies.reduce((a, [, t]) => a + t.reachable, 0),
      sites: Object.fromEntries(tallies.map(([s, t]) => [s, `${t.covered}/${t.reachable}`])),
    };
  });
  return { network: c.network, covered: layers.reduce((a, l) => a + l.covered, 0), reachable: layers.reduce((a, l) => a + l.reachable, 0), layers };
}

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)} %` : '-');

/** Terminal lines: the total, then one line per layer (covered / reachable, and per site). */
export function coverageLines(c: ContractCoverage): string[] {
  const s = summarizeCoverage(c);
  return [
    `contract coverage of ${c.network} over ${c.frames} frame(s): ${s.covered}/${s.reachable} reachable cases (${pct(s.covered, s.reachable)})`,
    ...s.layers.map((l) => `  layer ${String(l.layer).padStart(2)}: ${String(l.covered).padStart(3)}/${String(l.reachable).padEnd(3)} ${Object.entries(l.sites).map(([k, v]) => `${k} ${v}`).join(', ')}`),
  ];
}

/** The HTML section: per site kind, a grid of the layer's sites (rows) × the cases (columns, grouped). */
export function coverageHtml(c: ContractCoverage): string {
  const s = summarizeCoverage(c);
  const kinds = [...new Set(c.sites.map((x) => x.site))];
  const grids = kinds.map((kind) => {
    const cases = CONTRACT_CASES[kind];
    const groups: { name: string; span: number }[] = [];
    for (const k of cases) {
      const last = groups[groups.length - 1];
      if (last && last.name === k.group) last.span++;
      else groups.push({ name: k.group, span: 1 });
    }
    const rows = c.sites.filter((x) => x.site === kind).map((site) => {
      const t = siteTally(site);
      const cells = cases.map((k, i) => {
        const why = site.unreachable[k.id];
        if (why !== undefined) return `<td class="na" title="${esc(`${k.id}: unreachable — ${why}`)}"></td>`;
        const n = site.counts[i]!;
        return `<td class="${n ? 'ok' : 'bad'}" title="${esc(`layer ${site.layer} ${kind}: ${k.id}: ${n}`)}">${n ? '' : '·'}</td>`;
      });
      return `<tr><th>layer ${esc(String(site.layer))}</th>${cells.join('')}<td>${t.covered}/${t.reachable}</td></tr>`;
    });
    return `<h3>${esc(kind)}</h3><table class="coverage"><thead><tr><th></th>${groups.map((g) => `<th colspan="${g.span}">${esc(g.name)}</th>`).join('')}<th></th></tr>
<tr><th></th>${cases.map((k) => `<th class="case"><span>${esc(k.id)}</span></th>`).join('')}<th>covered</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
  });
  return `<h2>Contract coverage of ${esc(c.network)}</h2>
<p>${s.covered} of ${s.reachable} reachable cases (${pct(s.covered, s.reachable)}) over ${esc(String(c.frames))} frame(s), computed by the model from the contract. Green: reached; red: reachable but not reached (a hole); grey: unreachable for this network (hover for why).</p>
<style>table.coverage td{min-width:9px;height:14px;padding:0}table.coverage td.na{background:#ddd}table.coverage td.ok{background:#3a9a4a}table.coverage td.bad{background:#d33;color:#fff}table.coverage thead th{text-align:left}table.coverage th.case{height:150px;vertical-align:bottom;font-weight:normal;font-size:11px}table.coverage th.case span{writing-mode:vertical-rl;transform:rotate(180deg)}</style>
${grids.join('\n')}`;
}

/** The report file a path names: the path itself, or in a folder its report.json, regress.json or coverage.json. */
export function reportFile(path: string): string {
  if (!existsSync(path)) throw new SimrunError('USAGE', `'${path}' does not exist; pass a report.json, a regress.json, a coverage.json or their folders`);
  if (!statSync(path).isDirectory()) return path;
  return ['report.json', 'regress.json', 'coverage.json'].map((f) => join(path, f)).find((f) => existsSync(f)) ?? join(path, 'report.json');
}

/** A coverage as rowsim writes it: every field of the right type, each site's counts as long as its case list. */
function isCoverage(c: unknown): c is ContractCoverage {
  const x = c as ContractCoverage | null;
  return !!x && typeof x === 'object' && typeof x.version === 'number' && typeof x.network === 'string' && Number.isSafeInteger(x.frames) && Array.isArray(x.sites)
    && (x.sites as readonly SiteCoverage[]).every((s) => !!s && Number.isSafeInteger(s.layer) && (SITE_KINDS as readonly string[]).includes(s.site) && Array.isArray(s.counts)
      && s.counts.length === CONTRACT_CASES[s.site].length && s.counts.every((n: unknown) => typeof n === 'number' && Number.isFinite(n) && n >= 0) && !!s.unreachable && typeof s.unreachable === 'object');
}

/** The coverage a report file or output folder holds (a run's, a regress suite's, a campaign's or `simrun coverage`'s), or an error naming the file. */
export function readCoverage(path: string): ContractCoverage[] {
  const file = reportFile(path);
  let data: { coverage?: unknown; coverages?: unknown; stimulus?: { coverage?: unknown } } | null;
  try {
    data = JSON.parse(readFileSync(file, 'utf8')) as typeof data;
  } catch {
    throw new SimrunError('USAGE', `'${file}' is not a readable rowsim report; pass a report.json, a regress.json, a coverage.json or their folders`);
  }
  if (!data || typeof data !== 'object') throw new SimrunError('USAGE', `'${file}' is not a rowsim report; pass a report.json, a regress.json, a coverage.json or their folders`);
  const found: unknown[] = [...(data.coverage ? [data.coverage] : []), ...(Array.isArray(data.coverages) ? data.coverages : []), ...(data.stimulus?.coverage ? [data.stimulus.coverage] : [])];
  if (!found.length) throw new SimrunError('USAGE', `'${file}' holds no contract coverage; record it with simrun --coverage or regress --coverage (a campaign records it unless its network is too large for the model's pass)`);
  const bad = found.find((c) => !isCoverage(c));
  if (bad !== undefined) throw new SimrunError('USAGE', `'${file}' holds contract coverage that is not in the form this rowsim writes (version ${(bad as { version?: unknown })?.version ?? 'missing'}); record it again with this rowsim`);
  return found as ContractCoverage[];
}
