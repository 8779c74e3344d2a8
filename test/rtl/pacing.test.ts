// Input timing profiles through all three engines: the RTL bench drives exactly the arrivals the model schedules from,
// so bits and cycles agree in every layer under every profile (2 frames of 2 photos).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runPipeline } from '../../harness/run.js';
import { expectAllAgree } from '../support/agree.js';
import { describeRtl } from '../support/rtl.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rowsim-pace-'));

describeRtl('pacing profiles: 0 bit and 0 cycle mismatches through golden, sim and rtl', () => {
  for (const config of ['tiny', 'ie120r-mini']) {
    for (const pacing of ['uniform', 'jitter:1', config === 'tiny' ? 'stall:5:60' : 'stall:40:2000', 'burst']) {
      it(`${config}, --pacing ${pacing}, 2 frames (coffee, chelsea)`, async () => {
        const { report } = await runPipeline({ config, images: ['examples/coffee.png', 'examples/chelsea.png'], engines: ['golden', 'sim', 'rtl'], frames: 2, out: tmp(), pacing, floatReference: false });
        expect(report.pacing).toBe(pacing === 'burst' ? 'burst:2' : pacing);
        expectAllAgree(report, pacing);
        expect(report.latency.measured.rtl).toEqual(report.latency.perFrameCycles);
      });
    }
  }
  it('jitter moves beats: tiny under jitter:1 and uniform have different layer-1 beat cycles', async () => {
    const a = await runPipeline({ config: 'tiny', images: ['examples/coffee.png'], engines: ['sim'], frames: 1, out: tmp(), pacing: 'jitter:1' });
    const b = await runPipeline({ config: 'tiny', images: ['examples/coffee.png'], engines: ['sim'], frames: 1, out: tmp() });
    expect(a.report.layers[0]!.timing.sim!.firstBeatCycle).not.toBe(b.report.layers[0]!.timing.sim!.firstBeatCycle);
  });
});
