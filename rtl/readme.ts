// The README written into every emitted design folder: the interface a hand edit must keep (ports, widths, pacing,
// ROM formats, tap map), so the folder explains itself without rowsim's docs at hand.
import type { NetworkPlan } from '../core/plan.js';
import type { NetworkSpec } from '../core/spec.js';

/** README.md of an emitted design folder; `extras` says whether rs_axis_top is the top and which ROM exports exist. */
export function designReadme(net: NetworkSpec, plan: NetworkPlan, extras: { readonly axis?: boolean; readonly romExports?: readonly string[] } = {}): string {
  const L = net.layers.length;
  const rows = net.layers.map((l) => {
    const p = plan.layers[l.index - 1]!;
    return `| ${l.index} | ${l.name} | ${l.outH}×${l.outW}×${l.outC} | ${p.strips} | ${p.ocmux} | ${p.passes} | ${p.lanes} | ${p.lanes * 32} |`;
  });
  return `# Design folder: ${net.name}

Written by \`simrun emit\`. Run it, or an edited copy, with \`simrun --rtl <this folder> --image <photo>\`:
rowsim's bench drives the input and reads every tapped layer, and the report compares each layer's bits with the
golden and its cycles with the model. The format is described in rowsim's \`docs/design-folder.md\`.

## Files

- \`design.json\` — the manifest: top module, sources, the spec and plan the design implements, ROM images, tap map.
- \`spec.json\` — the network (with every layer's strips and ocmux, and its passes where it may run several, pinned to this plan).
- \`taps.json\` — which signal carries each layer's output stream.
- \`rs_layer{N}.v\`, \`rs_top.v\` — the Verilog; \`rs_wrom{N}.v\`, \`rs_brom{N}.v\` — each layer's weight and bias ROMs.
- \`rom/w{N}.memh\`, \`rom/b{N}.memh\` — the ROM images they load with \`$readmemh\`.
${extras.romExports?.length ? `- ${[...new Set(extras.romExports.map((f) => f.replace(/\d+\./, '{N}.')))].map((f) => `\`${f}\``).join(', ')} — the same images as Memory Initialization Files (.mif) or Intel HEX (.hex, one record per word at its word address) for an FPGA flow; no simulator reads them.\n` : ''}${extras.axis ? `- \`rs_axis_top.v\` — the top: \`rs_top\` behind AXI4-Stream ports (active-low \`aresetn\`; \`s_axis_*\` one pixel a beat with \`tuser\` on a frame's first and \`tlast\` on a row's last; \`m_axis_*\` the last layer's beats with \`tuser\`/\`tlast\` on a frame's first/last and the coordinates on \`m_axis_row\`, \`_col\`, \`_grp\`). \`m_axis_tready\` must stay high: an assertion stops the simulation when it drops while a beat is offered. The ports below are \`rs_top\`'s, inside it as \`u_core\`.\n` : ''}
## Top-level ports (module \`rs_top\`)

| port | dir | bits | meaning |
|---|---|---|---|
| clk | in | 1 | clock; everything is on its rising edge |
| rst | in | 1 | synchronous reset, active high; held for 4 cycles before cycle 0 |
| s_valid | in | 1 | an input pixel is on s_col/s_data this cycle |
| s_col | in | 32 | its column (rows are counted by the design) |
| s_data | in | 96 | channel 0 in bits 31:0, channel 1 in 63:32, channel 2 in 95:64 (binary32) |
| m_valid, m_row, m_col, m_grp, m_last | out | 1, 32, 32, 32, 1 | layer ${L}'s output beat |
| m_data | out | ${plan.layers[L - 1]!.lanes * 32} | its lanes; lane i of group g is channel i·ocmux + g |

## Pacing

Pixels arrive in raster order, at most one per cycle, frames back to back without reset. Under the default
(uniform) profile pixel (r, c) of frame f arrives at cycle f·H·P + r·P + c with H = ${net.input.height} and
P = ${net.rowPeriod} cycles per row; other profiles (\`--pacing jitter:SEED\`, \`stall:ROW:CYCLES\`, \`burst[:ROWS]\`)
move pixels inside their row periods. A design must not assume more than: one pixel per cycle at most, rows in order.

## Output streams

Every layer's stream has valid, row, col, group (32 bits each but valid) and data: \`lanes\` binary32 words, lane i
carrying channel i·ocmux + group. The beat registered on a rising edge is observed in the following cycle. A layer
with more than one pass computes each row in kernel-row passes and sends the row's beats in its last pass.

| layer | name | output | strips | ocmux | passes | lanes | data bits |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}

## ROM images

\`rom/w{N}.memh\`: one bfloat18 code (the top 18 bits of a binary32) per line, 5 hex digits; line tap·Cout + channel + 1,
taps in the order (ky, kx, ci) with ci fastest. \`rom/b{N}.memh\`: one binary32 bias per line, 8 hex digits; line
channel + 1. Each lane reads its channel's word through the ROM module (rs_wrom{N} / rs_brom{N}), whose read enable
\`en\` is high while the layer fetches taps (weights) or finishes a slot (biases); the output is 0 while it is low. A
layer's tap operands (\`tap\`, \`iy\`, \`x_s{S}\`, …) are likewise 0 while its controller is idle (operand isolation:
nothing reads them then, and the simulator computes none of them). A ROM image missing from the
folder is written from the run's \`--weights\`. (The IE120R vector layout of \`simrun vectors\` is a different file.)

## Tap map

\`taps.json\` names, for layers 1..${L - 1}, the hierarchical signals of each output stream (from \`${extras.axis ? 'rs_axis_top.u_core' : 'rs_top'}\` down), and
for the top the clock, reset, input and output ports. rowsim makes exactly those signals readable (a generated
Verilator configuration marks them public), so renaming a signal means updating \`taps.json\`. A layer without a tap
is compared only through the next tapped layer.
`;
}
