// The layer's datapath: ROM reads (every lane's weight of this tap, every lane's bias), the floating-point units, and
// per strip the ALUs — multiply in taps 0..N−1, accumulate in 1..N, bias + ReLU at N+1 — into p_reg, acc and res (with
// kernel-row passes, a pass's sums go to the strip's partial-sum memory instead, until the row's last pass). The ALU
// registers are read and written at constant indices only, so Verilator keeps each word as a register of its own.
import { LAYER_SIGNALS, laneBlockName, layerModules, stripInputName } from '../../core/layerSignals.js';
import { vConcat, vIf, type VModule, type VSection, type VStmt } from '../../core/vbuild.js';
import { addOrderSite } from '../catalogueKinds.js';
import { addrBits } from '../emitRom.js';
import { FADD_FN, FADD_ROUND_MUTANT, faddOrderMutant, FMUL_FN, FMUL_ROUND_MUTANT, FMUL_SUBNORMAL_MUTANT } from '../fpu.js';
import type { LayerContext, StripBank } from './context.js';
import { flipsBeatBits } from './faultHooks.js';
import { k, times } from './literals.js';

const { product: P_REG, accumulator: ACC, result: RES, laneWeight: W, laneBias: BIAS } = LAYER_SIGNALS;

/** rs_wrom / rs_brom instances: this cycle's weights of every lane (tap, grp) and the biases of grp. */
export function romReads(m: VModule, c: LayerContext): void {
  const { l, w, lanes } = c;
  m.section('weights and biases: rs_wrom / rs_brom read every lane at once')
    .isolated('active', [{ name: 'wbase', width: w.wbase, expr: c.v.pick('wrom-addr', `${times('tap', l.outC, w.wbase)} + grp`, `${times("(tap + 1'd1)", l.outC, w.wbase)} + grp`) }])
    .wire('wvec', lanes * 18).wire('bvec', lanes * 32)
    .instance(layerModules(l.index).weights, 'u_wrom', { en: 'active', base: 'wbase', w: 'wvec' })
    // The bias is read as a slot's result is taken: by the slot tail's group when that happens in the tail.
    // (The bias-first mutant adds the bias at phase 1 instead, by the controller's group: while it is selected the ROM
    // reads every cycle.) Read from that phase to the slot's end only: in any other cycle the ROM's lanes cost
    // Verilator one test. The enable is a comparison of its own (≥, not the == that loads res), so synthesis does
    // not merge it with that one and a mutant of res's enable stays a mutant of res's line.
    .instance(layerModules(l.index).bias, 'u_brom', {
      en: c.v.pick('bias-first', resultInTail(c) ? `t_busy && t_phase >= ${k(c.N + 1, w.slotPhase)}` : `phase >= ${k(c.N + 1, w.phase)}`, "1'b1"),
      grp: resultInTail(c) ? c.v.pick('bias-first', 'b_grp', 'grp') : 'grp',
      b: 'bvec',
    });
}

/** Whether a slot's bias + ReLU (phase TAPS + 1) falls in its tail: pipelined slots only TAPS + 1 cycles apart. */
function resultInTail(c: LayerContext): boolean {
  return c.N + 1 >= c.I;
}

/** The floating-point functions every ALU calls (one shared routine each), plus mutated copies when mutants need them. */
export function floatUnits(m: VModule, c: LayerContext): void {
  const relu = c.l.relu ? "v[31] ? 32'd0 : v;                   // ReLU by the sign bit: negatives and -0 become +0" : 'v;                                      // no ReLU on this layer';
  const s = m.section('floating-point units (rtl/fpu.ts) and the final stage', FMUL_FN, FADD_FN)
    .func('[31:0] biasRelu(input [31:0] v)', `biasRelu = ${relu}`);
  if (c.v.has('mul-round')) s.raw(FMUL_ROUND_MUTANT);
  if (c.v.has('subnormal-round')) s.raw(FMUL_SUBNORMAL_MUTANT);
  if (c.v.has('add-round')) s.raw(FADD_ROUND_MUTANT);
  if (c.v.has('add-order-bit')) { const o = addOrderSite(c.l.index); s.raw(faddOrderMutant(o.bit, o.value)); }
  if (c.v.has('relu-last')) s.func('[31:0] reluAlways(input [31:0] v)', "reluAlways = v[31] ? 32'd0 : v;");
}

/** The ALU registers of every strip and lane, then each strip's ALUs. */
export function alus(m: VModule, c: LayerContext): void {
  const sec = m.section('ALUs: registers of every strip and lane')
    .registerArray(P_REG, 32, 'STRIPS*LANES-1').registerArray(ACC, 32, 'STRIPS*LANES-1');
  // Results are read at constant indices too, unless the layer flips bits of its beats at a lane a fault names.
  if (flipsBeatBits(c)) sec.memory(RES, 32, 'STRIPS*LANES-1');
  else sec.registerArray(RES, 32, 'STRIPS*LANES-1');
  if (c.passes > 1) partialSumAddresses(sec, c);
  if (wideBank(c)) bankLane(sec, c);
  sec.raw('genvar gj;');
  for (const s of c.strips) stripAlus(m, c, s);
}

/** A row-buffer word holds several channels (one per lane of the input beat): a tap's read selects its lane. */
function wideBank(c: LayerContext): boolean {
  return c.input.lanes > 1;
}

/**
 * Where input channel ci sits in a row-buffer word that holds a whole input beat: channel j·IN_OCMUX + g came in lane j
 * of group g's beat. IN_OCMUX is a constant: a power of two makes these bit selects; any other, a small divider by a
 * constant (a counter pair stepping with ci would do the same with fewer gates).
 */
function bankLane(sec: VSection, c: LayerContext): void {
  const { w, input } = c;
  const shift = Math.log2(input.ocmux);
  const [grp, lane] = input.ocmux === 1 ? ["1'b0", 'ci']
    : Number.isInteger(shift) ? [`ci[${shift - 1}:0]`, `ci >> ${shift}`]
      : [`ci % ${k(input.ocmux, w.inChan)}`, `ci / ${k(input.ocmux, w.inChan)}`];
  sec.wire('ci_grp', w.inGrp, grp, "the input beat's group that brought channel ci")
    .wire('ci_lane', addrBits(input.lanes), lane, 'its lane in that beat');
}

/**
 * Kernel-row passes: each ALU keeps its slots' partial sums, (row mod Q, pos, grp), between its row's passes (in its
 * strip's memory: partialSumMemory). A pass reads the sum at its phase 1 (the controller's slot) and writes it back at phase
 * TAPS + 1, where the result is taken (the slot tail's slot when that falls in the tail). A row's first pass starts
 * from its first product, as one pass does.
 */
function partialSumAddresses(sec: VSection, c: LayerContext): void {
  const { p, w, Q } = c;
  const tail = resultInTail(c);
  const at = (row: string, pos: string, grp: string) => {
    const q = Q === 1 ? '' : `${times(`(${row} % ${k(Q, w.outRow)})`, p.colsPerStrip, w.psum)} + `;
    return `${times(`(${q}${pos})`, p.ocmux, w.psum)} + ${grp}`;
  };
  sec.raw(`// Partial sums between a row's ${c.passes} kernel-row passes: ${Q} row(s) x ${p.colsPerStrip} positions x ${p.ocmux} groups, one word of the strip's lanes per slot.`)
    .wire('ps_first', 'bit', `ky == ${k(0, w.kernel)}`, "the row's first pass: the accumulator loads its first product")
    .wire('ps_rd', w.psum, at('out_r', 'pos', 'grp'), "the controller's slot, read at phase 1")
    .wire('ps_wr', w.psum, tail ? at('t_r', 't_pos', 't_grp') : at('out_r', 'pos', 'grp'), 'the slot whose result is taken, written at phase TAPS + 1');
}

/**
 * Strip `s` computes column st·WPS + pos; its lane j computes channel j·OCMUX + grp. The lanes' registers are written
 * in one block per strip, lane by lane under the strip's enables: an idle strip costs Verilator one test per enable, not
 * one per lane (a block per lane made the full IE120R spend most of each cycle testing idle ALUs). The block writes the
 * pipeline back to front — res, then acc, then p_reg — so no register is read in it after it is written: Verilator
 * then writes each in place instead of through a shadow copy made and committed every cycle (the full IE120R's first
 * 300,000 cycles: 18.6–21.0 s → 14.7–16.0 s, beats identical). Non-blocking writes make the order mean nothing else.
 */
function stripAlus(m: VModule, c: LayerContext, s: StripBank): void {
  const { l, p, w, N, v, lanes } = c;
  const ixMax = (s.st * p.colsPerStrip + p.colsPerStrip - 1) * l.stride + l.kernel - 1;   // the strip's last kernel column
  const ix = `ix_s${s.st}`, inS = `in_s${s.st}`, x = stripInputName(s.st), padQ = `pad_q_s${s.st}`;
  const readCond = s.used ? ['row_in', l.pad + s.lo > 0 ? `${ix} >= ${k(l.pad + s.lo, w.ix)}` : '', ixMax > l.pad + s.hi ? `${ix} <= ${k(l.pad + s.hi, w.ix)}` : ''].filter(Boolean).join(' && ') : "1'b0";
  // Lane j's ALU: its register words, and its operand wires in the lane's generate block (g_lane_s{st}[j].w / .bias).
  const alu = (j: number) => {
    const i = s.st * lanes + j;
    const lane = `${laneBlockName(s.st)}[${j}]`;
    return { pr: `${P_REG}[${i}]`, acc: `${ACC}[${i}]`, res: `${RES}[${i}]`, w: `${lane}.${W}`, bias: `${lane}.${BIAS}`, j };
  };
  type Alu = ReturnType<typeof alu>;
  const mul = (a: Alu) => v.pick('subnormal-round', v.pick('mul-round', `fmul(${a.w}, ${x})`, `fmul_round(${a.w}, ${x})`), `fmul_subn(${a.w}, ${x})`);
  const add = (a: string, b: string) => v.pick('add-round', `fadd(${a}, ${b})`, `fadd_round(${a}, ${b})`);
  // The add-order-bit mutant lives at one add site of one ALU (strip 0, lane 0), as a Yosys mutant of one inlined call
  // of the add would: the accumulate or the bias add. With passes the accumulate's adder also joins a pass's first
  // product to the kept sum (one adder, its operand chosen), so the mutant reaches that add too.
  const order = v.has('add-order-bit') && s.st === 0 ? addOrderSite(l.index).site : null;
  const addAt = (site: 'accumulate' | 'bias-add', a: Alu, x1: string, x2: string) => (order === site && a.j === 0 ? `(${v.selector('add-order-bit')} ? fadd_order(${x1}, ${x2}) : ${add(x1, x2)})` : add(x1, x2));
  const load = (a: Alu) => v.pick('bias-first', a.pr, add(a.bias, a.pr));
  // A delay fault holds the controller: the multiply and the accumulate must hold too (with pipelined slots a held beat
  // can fall in the next slot's taps, and a product taken again or a sum added again would change the result, not just
  // the beat's cycle).
  const held = c.faults.delay ? ' && !f_stall' : '';
  const accumulating = `phase >= ${k(1, w.phase)} && phase <= ${k(N, w.phase)}${held}`;
  const accEnable = v.has('pad-skip') ? `${accumulating} && !(${v.selector('pad-skip')} && ${padQ})` : accumulating;
  const biased = (a: Alu) => v.pick('bias-first', addAt('bias-add', a, a.acc, a.bias), a.acc);
  const passes = c.passes > 1;
  // With passes, a later pass's first tap adds its product to the sum the earlier passes kept: the accumulator's one
  // adder takes that sum instead of its own (one adder, and Verilator calls one add a cycle, not both and a choice).
  const loads = passes ? `phase == ${k(1, w.phase)} && ps_first` : `phase == ${k(1, w.phase)}`;
  const addend = (a: Alu) => (passes ? `(phase == ${k(1, w.phase)}) ? ps_q_s${s.st}[${a.j * 32} +: 32] : ${a.acc}` : a.acc);
  const result = (a: Alu): VStmt => `${a.res} <= ${v.pick('relu-last', `biasRelu(${biased(a)})`, `reluAlways(${biased(a)})`)};`;
  const lastPass = resultInTail(c) ? 't_last_pass' : 'last_pass';
  const takenAt = resultInTail(c) ? `t_busy && t_phase == ${k(N + 1, w.slotPhase)}` : `phase == ${k(N + 1, w.phase)}`;
  const alus = Array.from({ length: lanes }, (_, j) => alu(j));
  const results = alus.map(result);
  const read = wideBank(c) ? `bank${s.st}[baddr${s.st}(slot_r, bc_s${s.st}, ci_grp)][ci_lane * 32 +: 32]` : `bank${s.st}[baddr${s.st}(slot_r, bc_s${s.st}, ci)]`;
  // The strip's operands of this tap, isolated (0) while the controller is idle: an idle layer reads no row buffer. In a
  // layer of several strips they are computed in a block of the strip's own, which only the strip's ALU block reads: in
  // one block per layer, every strip's reads waited for all of the layer's ALU blocks, and Verilator's threads ran all
  // layers' reads last, one thread idle (the full IE120R in npm run bench, profile-guided: 1.62× its plain build's
  // speed, where it was 1.43×). A one-strip layer keeps one block: a second one cost ie120r-mini 2.3 % more instructions.
  const sec = m.section(`strip ${s.st}: column ${s.st * p.colsPerStrip} + pos`);
  if (passes) partialSumMemory(sec, c, s);
  sec.isolated('active', [
    { name: ix, width: w.ix, expr: `${times(s.st * p.colsPerStrip > 0 ? `(${k(s.st * p.colsPerStrip, w.ix)} + pos)` : 'pos', l.stride, w.ix)} + kx`, comment: 'input column + P' },
    { name: inS, width: 'bit', expr: readCond },
    ...(s.used ? [{ name: `bc_s${s.st}`, width: w.inCol, expr: `${ix}${w.ix > w.inCol ? `[${w.inCol - 1}:0]` : ''}${l.pad + s.lo > 0 ? ` - ${k(l.pad + s.lo, w.inCol)}` : ''}`, comment: `bank column while ${inS} (modular: low bits suffice)` }] : []),
    { name: x, width: 32, expr: s.used ? `${inS} ? ${read} : 32'd0` : "32'd0", comment: 'padding taps see +0' },
    ...(passes ? [{ name: `ps_q_s${s.st}`, width: lanes * 32, expr: `psum_s${s.st}[ps_rd]`, comment: "the controller's slot, read at phase 1" }] : []),
  ], c.strips.length > 1 ? `strip ${s.st}` : '');
  if (v.has('pad-skip')) sec.reg(padQ, 'bit', 'the tap now in p_reg was padding').always('posedge clk', [`if (active && phase < ${k(N, w.phase)}${held}) ${padQ} <= !${inS};`]);
  sec.generateFor('gj', 'LANES', laneBlockName(s.st), (g) => g
    .wire(W, 32, `{wvec[gj * 18 +: 18], 14'd0}`)
    .wire(BIAS, 32, 'bvec[gj * 32 +: 32]'));
  // A pass that is not the row's last keeps its sums in the strip's partial-sum memory instead of taking results.
  const psumWrite = `psum_s${s.st}[ps_wr] <= ${vConcat([...alus].reverse().map((a) => a.acc), '    ')};`;
  // Every enable below implies the gate (phase ≥ 1 only while busy; a result in the slot tail while t_busy): an idle
  // layer's strip costs one test a cycle instead of three.
  sec.always('posedge clk', [vIf(resultInTail(c) ? 'active || t_busy' : 'active', [
    vIf(takenAt, passes ? [vIf(lastPass, results, [psumWrite])] : results),
    vIf(accEnable, alus.map((a) => `${a.acc} <= (${loads}) ? ${load(a)} : ${addAt('accumulate', a, addend(a), a.pr)};`)),
    vIf(`active && phase < ${k(N, w.phase)}${held}`, alus.map((a) => `${a.pr} <= ${mul(a)};`)),
  ])]);
}

/**
 * A strip's partial sums: one memory word per slot (row mod Q, pos, grp) holding every lane's sum, lane j at bits
 * 32j..32j+31, written (stripAlus) when a pass that is not the row's last takes its sums: one write of the whole strip,
 * as Verilator tests a write's enable once per write statement and cycle, taken or not. Its read (`ps_q_s{st}`, phase 1)
 * is one of the strip's isolated operands.
 */
function partialSumMemory(sec: VSection, c: LayerContext, s: StripBank): void {
  const { p, lanes } = c;
  sec.memory(`psum_s${s.st}`, lanes * 32, c.Q * p.colsPerStrip * p.ocmux, "the strip's partial sums between passes, one word per slot");
}
