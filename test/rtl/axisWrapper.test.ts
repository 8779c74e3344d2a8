// rs_axis_top (simrun emit --axis): rs_top behind AXI4-Stream ports is lint clean, passes the harness bit and cycle
// exact on tiny (its AXI4-Stream input tap, its output beats with the bench holding m_axis_tready high), and under
// Icarus Verilog — a second simulator — its assertion fires when the consumer drops m_axis_tready, and not otherwise.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadDesign } from '../../rtl/design.js';
import { lintVerilog } from '../../rtl/verilator.js';
import { simrun } from '../support/cli.js';
import { describeRtl } from '../support/rtl.js';

/** A bench that resets, offers 256 pixels (one each 6 cycles, rows of 16, tuser on the first, tlast on each row's last), counts output beats, and holds m_axis_tready at +ready. */
const TB = `\`timescale 1ns/1ps
module tb;
  reg aclk = 0, aresetn = 0, tvalid = 0, tuser = 0, tlast = 0, ready = 0;
  reg [95:0] tdata = 0;
  wire s_ready, m_valid, m_user, m_last;
  wire [127:0] m_data; wire [31:0] m_row, m_col, m_grp;
  integer beats = 0, sof = 0, k = 0, r;
  rs_axis_top dut(.aclk(aclk), .aresetn(aresetn), .s_axis_tvalid(tvalid), .s_axis_tdata(tdata), .s_axis_tuser(tuser), .s_axis_tlast(tlast),
    .s_axis_tready(s_ready), .m_axis_tvalid(m_valid), .m_axis_tdata(m_data), .m_axis_tuser(m_user), .m_axis_tlast(m_last),
    .m_axis_tready(ready), .m_axis_row(m_row), .m_axis_col(m_col), .m_axis_grp(m_grp));
  always #2 aclk = ~aclk;
  always @(posedge aclk) begin if (m_valid) beats = beats + 1; if (m_valid && m_user) sof = sof + 1; end
  initial begin
    if (!$value$plusargs("ready=%d", r)) r = 0;
    ready = r[0];
    repeat (4) @(posedge aclk);
    aresetn = 1;
    for (k = 0; k < 256; k = k + 1) begin
      @(negedge aclk); tvalid = 1; tuser = (k == 0); tlast = (k % 16 == 15); tdata = {3{32'h3f800000}};
      @(negedge aclk); tvalid = 0; tuser = 0; tlast = 0;
      repeat (4) @(negedge aclk);
    end
    repeat (3000) @(posedge aclk);
    $display("beats %0d sof %0d", beats, sof);
    $finish;
  end
endmodule
`;

describeRtl('simrun emit --axis', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'rowsim-axis-')), 'd');

  it('tiny: emits rs_axis_top as the top, lint clean under verilator -Wall', async () => {
    const r = simrun(['emit', '--config', 'tiny', '--axis', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const d = loadDesign(out);
    expect(d.manifest.top).toBe('rs_axis_top');
    expect(await lintVerilog('rs_axis_top', d.manifest.sources.map((f) => ({ name: f, text: readFileSync(join(out, f), 'utf8') })))).toBe('');
  }, 120_000);

  it('tiny, 2 frames of coffee.png through the AXI4-Stream ports: golden, sim and rtl agree bit for bit and cycle for cycle', () => {
    const r = simrun(['--rtl', out, '--image', 'examples/coffee.png', '--frames', '2', '--engines', 'golden,sim,rtl', '--out', join(out, '..', 'run')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/PASS: every compared pair agrees in every layer \(golden~sim bits, golden~rtl bits, sim~rtl bits, sim~rtl cycles\)/);
  }, 300_000);

  it('Icarus Verilog, 256 pixels: m_axis_tready high — 64 beats, one tuser, no error; held low — the assertion names m_axis_tready at the first beat', () => {
    const sim = join(out, '..', 'tb.vvp');
    writeFileSync(join(out, '..', 'tb.v'), TB);
    execFileSync('iverilog', ['-g2012', '-o', sim, '-s', 'tb', join(out, '..', 'tb.v'), ...loadDesign(out).manifest.sources], { cwd: out, stdio: 'pipe' });
    const run = (ready: number) => execFileSync('vvp', ['-n', sim, `+ready=${ready}`], { cwd: out, encoding: 'utf8' });
    const high = run(1);
    expect(high).toMatch(/beats 64 sof 1/);
    expect(high).not.toMatch(/ERROR/);
    const low = run(0);
    const errors = low.split('\n').filter((l) => /ERROR: .*rs_axis_top\.v.*m_axis_tready low while m_axis_tvalid is high/.test(l));
    expect(errors).toHaveLength(64);
  }, 300_000);
});
