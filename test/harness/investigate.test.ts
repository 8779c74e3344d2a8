// Investigating a run: where latency goes (per layer, summing exactly to the total, worked by hand on tiny), the
// latency-versus-ALUs sweep, explain's MAC sequence, and compare's report — all through the real CLI and browser.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { simrun } from '../support/cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rowsim-inv-'));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function inBrowser<T>(file: string, fn: (page: import('playwright-core').Page) => Promise<T>): Promise<T> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`file://${file}`);
    const r = await fn(page);
    expect(errors).toEqual([]);
    return r;
  } finally {
    await browser.close();
  }
}

type Share = { layer: number; name: string; cycles: number; us: number; percent: number; wait: number; compute: number; drain: number };

describe('where latency goes', () => {
  it('plan --json for tiny: per-layer shares sum exactly to the latency; t1 worked by hand (last pixel 1515, row 15 starts 1592, last beat 1667)', () => {
    const r = simrun(['plan', '--config', 'tiny', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout) as { latency: { cycles: number; perLayer: Share[] } };
    expect(p.latency.perLayer.map((s) => s.name)).toEqual(['t1', 't2', 't3', 't4']);
    expect(p.latency.perLayer.reduce((a, s) => a + s.cycles, 0)).toBe(p.latency.cycles);
    const t1 = p.latency.perLayer[0]!;
    // Row 15 of t1 waits for input row 15 (its last pixel at 15·100+15 = 1515) and for row 14's ALUs: starts at 1592.
    expect([t1.cycles, t1.wait, t1.compute, t1.drain]).toEqual([1667 - 1515, 1592 - 1515, 38 + 27, 3 + 7]);
    expect(t1.us).toBeCloseTo(152 / 250, 6);
    for (const s of p.latency.perLayer) expect(s.wait + s.compute + s.drain).toBe(s.cycles);
    expect(p.latency.perLayer.reduce((a, s) => a + s.percent, 0)).toBeCloseTo(100, 1);
  });

  it('plan for ie120r: 22 shares summing to the latency, in the table with µs and %', () => {
    const j = JSON.parse(simrun(['plan', '--config', 'ie120r', '--json']).stdout) as { latency: { cycles: number; perLayer: Share[] } };
    expect(j.latency.perLayer).toHaveLength(22);
    expect(j.latency.perLayer.reduce((a, s) => a + s.cycles, 0)).toBe(j.latency.cycles);
    const t = simrun(['plan', '--config', 'ie120r']).stdout;
    expect(t).toMatch(/latency\s+µs\s+%/);
    expect(t).toMatch(new RegExp(`total .* ${j.latency.cycles} `));
  });

  it('a run\'s report.json, terminal and report.html carry the shares (waterfall beside the timeline)', async () => {
    const out = tmp();
    const r = simrun(['--image', 'examples/coffee.png', '--config', 'tiny', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/latency share/);
    const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { latency: { cycles: number; perLayer: Share[] } };
    expect(rep.latency.perLayer.reduce((a, s) => a + s.cycles, 0)).toBe(rep.latency.cycles);
    const bars = await inBrowser(join(out, 'report.html'), async (page) => ({
      wait: await page.locator('#waterfall rect.wait').count(), compute: await page.locator('#waterfall rect.compute').count(),
      overlaps: await page.evaluate(() => {
        // Tick labels of the timeline must not overlap one another.
        const boxes = [...document.querySelectorAll('#timeline text.tick')].map((t) => t.getBoundingClientRect()).filter((b) => b.width > 0 && b.top > 0);
        const row = boxes.filter((b) => Math.abs(b.top - boxes[0]!.top) < 2).sort((a, b) => a.left - b.left);
        return row.slice(1).filter((b, i) => b.left < row[i]!.right).length;
      }),
    }));
    expect(bars.compute).toBe(4);
    expect(bars.wait).toBe(4);
    expect(bars.overlaps).toBe(0);
  });
});

describe('plan --sweep', () => {
  it('ie120r-mini: each point is exactly what --alu-budget plans; the chosen point is marked in the table, JSON and sweep.html', async () => {
    const out = tmp();
    const r = simrun(['plan', '--config', 'ie120r-mini', '--sweep', '--points', '4', '--alu-budget', '40', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { chosen: { budget: number; alus: number; cycles: number }; points: { budget: number | 'min'; alus: number; cycles: number }[]; html: string };
    expect(s.points.length).toBeGreaterThanOrEqual(4);
    expect(s.points.some((p) => p.budget === 40)).toBe(true);
    for (const p of s.points.filter((q) => q.budget !== 'min').slice(0, 3)) {
      const one = JSON.parse(simrun(['plan', '--config', 'ie120r-mini', '--alu-budget', String(p.budget), '--json']).stdout);
      expect([one.totals.alus, one.latency.cycles]).toEqual([p.alus, p.cycles]);
    }
    // More ALUs never plan slower than the fewest-ALU plan.
    for (const p of s.points) expect(p.cycles).toBeLessThanOrEqual(s.points[0]!.cycles);
    const text = simrun(['plan', '--config', 'ie120r-mini', '--sweep', '--points', '4', '--alu-budget', '40', '--out', tmp()]).stdout;
    expect(text).toMatch(/^\s*40\s+\d+\s+\d+.*← chosen/m);
    const html = await inBrowser(s.html, async (page) => ({ points: await page.locator('#sweep circle.pt').count(), chosen: await page.locator('#sweep #chosen').count() }));
    expect(html.points).toBe(s.points.length);
    expect(html.chosen).toBe(1);
  });
});

describe('explain', () => {
  it('a fault in the model\'s weight (sim@weight:3:13:5) is found at its tap: tap 1 (13 = 1·8 + 5), its w, channel 5', () => {
    const out = tmp();
    expect(simrun(['--image', 'examples/coffee.png', '--config', 'tiny', '--inject', 'sim@weight:3:13:5', '--out', out]).code).toBe(1);
    const r = simrun(['explain', out, '--layer', '3', '--row', '0', '--col', '0', '--chan', '5', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(e.differences[0]).toEqual(expect.objectContaining({ a: 'golden', b: 'sim', step: 1, field: 'w' }));
    expect(e.golden.taps).toHaveLength(8);
    expect(e.golden.taps[1]).toEqual(expect.objectContaining({ ky: 0, kx: 0, ci: 1 }));
    const text = simrun(['explain', out, '--layer', '3', '--row', '0', '--col', '0', '--chan', '5']).stdout;
    expect(text).toMatch(/FIRST DIFFERENCE golden~sim: tap 1 \(ky 0, kx 0, ci 1\), w:/);
    expect(text).toMatch(/← golden~sim w differ/);
  });

  it('without faults every step agrees, and the explained output is the word simrun vectors writes for it (layer 2 of tiny, row 3 col 6 chan 7)', () => {
    const vec = tmp();
    expect(simrun(['vectors', '--image', 'examples/chelsea.png', '--config', 'tiny', '--weights', 'synthetic:5', '--out', vec]).code).toBe(0);
    const r = simrun(['explain', '--image', 'examples/chelsea.png', '--config', 'tiny', '--weights', 'synthetic:5', '--layer', '2', '--row', '3', '--col', '6', '--chan', '7', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(e.differences).toEqual([]);
    expect(e.golden.taps).toHaveLength(3 * 3 * 4);
    // activation2.memh: one line per pixel (row 3, col 6 of an 8-wide layer is line 3·8 + 6), channel 0 first.
    const line = readFileSync(join(vec, 'activation2.memh'), 'utf8').split('\n')[3 * 8 + 6]!;
    expect(parseInt(line.slice(7 * 8, 8 * 8), 16)).toBe(e.golden.out);
    expect(e.sim.out).toBe(e.golden.out);
    // The running sum is built tap by tap: the first tap's product loads it.
    expect(e.golden.taps[0].sum).toBe(e.golden.taps[0].product);
  });

  it('a coordinate outside the layer is a usage error naming it', () => {
    const r = simrun(['explain', '--image', 'examples/coffee.png', '--config', 'tiny', '--layer', '2', '--row', '8', '--col', '0', '--chan', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/USAGE.*--row 8 is outside layer 2 't2' \(0\.\.7\)/);
  });
});

describe('compare writes report.json and report.html like run', () => {
  it('one changed word: totals "1 of N words differ", per-layer counts, a heat map with axes and a colour scale', async () => {
    const a = join(tmp(), 'a');
    expect(simrun(['vectors', '--image', 'examples/chelsea.png', '--config', 'tiny', '--out', a]).code).toBe(0);
    const b = join(tmp(), 'b');
    cpSync(a, b, { recursive: true });
    const f = join(b, 'activation4.memh');
    const lines = readFileSync(f, 'utf8').split('\n');
    lines[5] = (parseInt(lines[5]!.slice(0, 8), 16) ^ 0x80000000).toString(16).padStart(8, '0') + lines[5]!.slice(8);
    writeFileSync(f, lines.join('\n'));
    const out = tmp();
    const r = simrun(['compare', a, b, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/1 of 2304 words differ/);
    const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(rep.totals).toEqual({ compared: 2304, mismatches: 1 });
    expect(rep.layers[3].compare.categories.sign + rep.layers[3].compare.categories.zero).toBe(1);
    const page = await inBrowser(join(out, 'report.html'), async (p) => ({
      title: await p.locator('h1').innerText(), rows: await p.locator('#layers tbody tr').count(),
      heat: await p.locator('figure.heat svg rect:has(title)').count(), ticks: await p.locator('figure.heat text.tick').count(),
      legend: await p.locator('figure.heat linearGradient').count(),
    }));
    expect(page.title).toMatch(/FAIL/);
    expect(page.rows).toBe(4);
    expect(page.heat).toBe(1); // the one differing pixel
    expect(page.ticks).toBeGreaterThan(2);
    expect(page.legend).toBe(1);
  });
});
