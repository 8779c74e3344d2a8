// Waveforms from another simulator for the waveform check's tests: a design folder run under Icarus Verilog by a plain
// Verilog testbench written here (uniform pacing, frames of one image back to back, $dumpvars of everything), the way a
// team's own testbench would produce a VCD. Nothing of rowsim's C++ bench is used.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { formatMemh } from '../../core/memh.js';
import type { NetworkSpec } from '../../core/spec.js';
import type { HwLayerWeights } from '../../core/weights/types.js';
import { writableRom } from '../../rtl/emit.js';

/** Ports of the design's top the testbench drives and leaves open. */
export interface DumpPorts {
  readonly top: string;
  readonly clock: string;
  readonly reset: string;
  readonly valid: string;
  readonly col: string;
  readonly colBits: number;
  readonly data: string;
}

/**
 * Runs `sources` (in `srcDir`) under Icarus with `frames` frames of `input` at uniform pacing and returns the VCD path.
 * The design's ROM images named in `roms` are written from `weights` into the run folder.
 */
export function icarusVcd(dir: string, srcDir: string, sources: readonly string[], roms: readonly string[], p: DumpPorts, net: NetworkSpec, weights: readonly HwLayerWeights[], input: Float32Array, frames: number): string {
  mkdirSync(dir, { recursive: true });
  for (const r of roms) {
    mkdirSync(dirname(join(dir, r)), { recursive: true });
    writeFileSync(join(dir, r), writableRom(net, weights, r)!);
  }
  const { height: H, width: W } = net.input;
  const P = net.rowPeriod;
  writeFileSync(join(dir, 'input.memh'), formatMemh(new Uint32Array(input.buffer, input.byteOffset, input.length), 3, 'highFirst'));
  const cycles = frames * H * P + 4 * P;
  writeFileSync(join(dir, 'tb.v'), `module tb;
  reg clk = 0, rst = 1, valid = 0;
  reg [${p.colBits - 1}:0] col = 0;
  reg [95:0] data = 0;
  reg [95:0] img [0:${H * W - 1}];
  integer t, r, c;
  ${p.top} dut (.${p.clock}(clk), .${p.reset}(rst), .${p.valid}(valid), .${p.col}(col), .${p.data}(data));
  initial begin
    $dumpfile("wave.vcd"); $dumpvars(0, tb);
    $readmemh("input.memh", img);
    repeat (4) begin #5 clk = 1; #5 clk = 0; end
    rst = 0;
    for (t = 0; t < ${cycles}; t = t + 1) begin
      r = (t / ${P}) % ${H}; c = t % ${P};
      valid = t < ${frames * H * P} && c < ${W};
      col = valid ? c : 0;
      if (valid) data = img[r * ${W} + c];
      #5 clk = 1; #5 clk = 0;
    end
    $finish;
  end
endmodule
`);
  execFileSync('iverilog', ['-g2012', '-o', 'sim.vvp', '-s', 'tb', 'tb.v', ...sources.map((s) => join(srcDir, s))], { cwd: dir, stdio: 'pipe' });
  execFileSync('vvp', ['-n', 'sim.vvp'], { cwd: dir, stdio: 'pipe' });
  return join(dir, 'wave.vcd');
}
