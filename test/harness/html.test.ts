// report.html in a real browser: headless Chromium renders it and it shows the plan table and the timeline, with no
// console errors, for a passing run and for a run with a deliberate mismatch (which must show a heat map).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../harness/run.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function render(file: string, shot: string): Promise<{ errors: string[]; rows: number; bars: number; heat: number; title: string; notCompared: number }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
    await page.goto(`file://${file}`);
    const rows = await page.locator('#plan tbody tr').count();
    const bars = await page.locator('#timeline rect.sim').count();
    const heat = await page.locator('figure.heat svg rect').count();
    const title = await page.locator('h1').innerText();
    const notCompared = await page.locator('#plan td.na').count();
    expect(await page.locator('#timeline').boundingBox()).not.toBeNull();
    await page.screenshot({ path: shot, fullPage: true });
    return { errors, rows, bars, heat, title, notCompared };
  } finally {
    await browser.close();
  }
}

describe('report.html in headless Chromium', () => {
  it('tiny, golden+sim, 2 frames: plan table with 4 layers and a timeline bar per output row, no console errors', async () => {
    const out = mkdtempSync(join(tmpdir(), 'rowsim-html-'));
    await runPipeline({ config: 'tiny', images: ['examples/coffee.png'], weights: 'synthetic:0', engines: ['golden', 'sim'], frames: 2, out });
    const r = await render(join(out, 'report.html'), join(out, 'report.png'));
    expect(r.errors).toEqual([]);
    expect(r.rows).toBe(4);
    expect(r.bars).toBe(2 * (16 + 8 + 8 + 8)); // one bar per output row of every layer, both frames
    expect(r.title).toMatch(/PASS/);
    expect(r.heat).toBe(0);
  });

  it('a deliberate bit flip in layer 2 shows FAIL and a heat map', async () => {
    const out = mkdtempSync(join(tmpdir(), 'rowsim-html-'));
    await runPipeline({ config: 'tiny', images: ['examples/coffee.png'], weights: 'synthetic:0', engines: ['golden', 'sim'], frames: 1, out, inject: ['sim@bit:2:4:5:1:3'] });
    const r = await render(join(out, 'report.html'), join(out, 'report.png'));
    expect(r.errors).toEqual([]);
    expect(r.title).toMatch(/FAIL/);
    expect(r.heat).toBeGreaterThan(1);
  });

  it('a run of one engine (sim only) says NOT COMPARED, never PASS', async () => {
    const out = mkdtempSync(join(tmpdir(), 'rowsim-html-'));
    const { report } = await runPipeline({ config: 'tiny', images: ['examples/coffee.png'], engines: ['sim'], frames: 1, out });
    expect(report.pass).toBeNull();
    const r = await render(join(out, 'report.html'), join(out, 'report.png'));
    expect(r.errors).toEqual([]);
    expect(r.title).toMatch(/NOT COMPARED/);
    expect(r.title).not.toMatch(/PASS/);
  });

  it('tiny, --coverage, 3 frames of one image: the coverage grid has a row per layer for each site kind, holes and unreachable cases shown', async () => {
    const out = mkdtempSync(join(tmpdir(), 'rowsim-html-'));
    const { report } = await runPipeline({ config: 'tiny', images: ['examples/coffee.png'], weights: 'synthetic:0', engines: ['golden', 'sim'], frames: 3, out, coverage: true });
    const one = await runPipeline({ config: 'tiny', images: ['examples/coffee.png'], weights: 'synthetic:0', engines: ['sim'], frames: 1, out: `${out}-one`, coverage: true });
    // Three frames of one image reach each case three times as often as one frame.
    expect(report.coverage!.frames).toBe(3);
    expect(report.coverage!.sites.map((s) => s.counts.map((n) => n / 3))).toEqual(one.report.coverage!.sites.map((s) => s.counts));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`file://${join(out, 'report.html')}`);
      expect(await page.locator('table.coverage').count()).toBe(4); // multiply, accumulate, bias-add, relu
      expect(await page.locator('table.coverage').nth(0).locator('tbody tr').count()).toBe(4); // tiny's four layers multiply
      expect(await page.locator('table.coverage').nth(3).locator('tbody tr').count()).toBe(3); // layers 1-3 have a ReLU
      expect(await page.locator('table.coverage td.bad').count()).toBeGreaterThan(0);
      expect(await page.locator('table.coverage td.na').count()).toBeGreaterThan(0);
      expect(await page.locator('table.coverage td.ok').count()).toBe(report.coverageSummary!.covered);
      expect(errors).toEqual([]);
      await page.screenshot({ path: join(out, 'coverage.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
