// Emits the whole design: FPUs, one module per layer, and rs_top, which chains the layers on the stream interface.
import type { NetworkPlan } from '../core/plan.js';
import type { NetworkSpec } from '../core/spec.js';
import { emitLayer, type RtlFault } from './emitLayer.js';
import type { SourceFile } from './verilator.js';

/** Lanes of layer `i`'s output stream (layer 0 = the top input: 3 channels, one group). */
export function streamLanes(net: NetworkSpec, plan: NetworkPlan, i: number): { lanes: number; ocmux: number } {
  return i === 0 ? { lanes: 3, ocmux: 1 } : { lanes: plan.layers[i - 1]!.lanes, ocmux: plan.layers[i - 1]!.ocmux };
}

function emitTop(net: NetworkSpec, plan: NetworkPlan): string {
  const ports: string[] = [];
  const body: string[] = [];
  for (const l of net.layers) {
    const n = l.index;
    const lanes = plan.layers[n - 1]!.lanes;
    ports.push(
      `  output wire o${n}_valid, output wire [31:0] o${n}_row, output wire [31:0] o${n}_col, output wire [31:0] o${n}_grp,`,
      `  output wire o${n}_last, output wire [${lanes * 32 - 1}:0] o${n}_data,`,
    );
    const src = n === 1
      ? `.in_valid(s_valid), .in_col(s_col), .in_grp(32'd0), .in_data(s_data)`
      : `.in_valid(o${n - 1}_valid), .in_col(o${n - 1}_col), .in_grp(o${n - 1}_grp), .in_data(o${n - 1}_data)`;
    body.push(`  rs_layer${n} u_layer${n} (.clk(clk), .rst(rst), ${src},
    .out_valid(o${n}_valid), .out_row(o${n}_row), .out_col(o${n}_col), .out_grp(o${n}_grp), .out_last(o${n}_last), .out_data(o${n}_data));`);
  }
  const last = ports.pop()!.replace(/,$/, '');
  ports.push(last);
  return `
// rs_top: ${net.name}, ${net.layers.length} layers. Input beat: one pixel (s_data = channel 2, 1, 0 from the top word down).
// Every layer's output stream is a port so the test bench can record all of them.
module rs_top (
  input  wire clk,
  input  wire rst,
  input  wire s_valid,
  input  wire [31:0] s_col,
  input  wire [95:0] s_data,
${ports.join('\n')}
);
${body.join('\n')}
endmodule
`;
}

/** All Verilog sources of a network: FPUs, layers, top. */
export function emitDesign(net: NetworkSpec, plan: NetworkPlan, fault?: RtlFault): SourceFile[] {
  return [
    ...net.layers.map((l) => ({ name: `rs_layer${l.index}.v`, text: emitLayer(l, plan.layers[l.index - 1]!, streamLanes(net, plan, l.index - 1), fault) })),
    { name: 'rs_top.v', text: emitTop(net, plan) },
  ];
}
