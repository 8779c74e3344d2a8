// The WebAssembly text of the model's fast MAC kernel, generated here so the flush and the pixel block are written once.
// Same contract and order as sim/kernel.ts (its readable definition, which tests compare it against).
// WebAssembly float ops are IEEE binary32, round-to-nearest-even, gradual underflow, no FMA; the flush is explicit.
// Layouts (byte offsets): x HWC float32; w [tap][outC16]; bias [outC16]; out [row − rowStart][col][outC16];
// `zero` points at ≥ inC zero floats that padding taps read (x = +0 there, so w·x keeps its sign and w = Inf gives NaN).
// Each step computes PIXELS adjacent output pixels × 16 output channels in v128 accumulators held across all taps, so a
// weight vector loaded once serves every pixel of the block.

const SPLAT = (v: string) => `(v128.const i32x4 ${v} ${v} ${v} ${v})`;

/** ftz(E): lanes whose exponent field is 0 (zero or subnormal) keep only their sign bit. Uses local $t. */
const ftz = (e: string) =>
  `(v128.andnot (local.tee $t ${e}) (i32x4.shr_u (i32x4.eq (v128.and (local.get $t) ${SPLAT('0x7f800000')}) ${SPLAT('0')}) (i32.const 1)))`;

const LANES = [0, 1, 2, 3];
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Which flushes a kernel variant performs in its tap loop (the bias add is always flushed). */
export interface FlushVariant {
  /** Exported function name. */
  readonly name: string;
  /** Flush each product (needed unless every nonzero |w·x| ≥ 2^-126). */
  readonly products: boolean;
  /** Flush each running sum (needed unless every nonzero |w·x| ≥ 2^-103; see model.ts for the proof). */
  readonly sums: boolean;
}

/** The variants the module exports, exact first. */
const FLUSH_VARIANTS: readonly FlushVariant[] = [
  { name: 'conv_flush_all', products: true, sums: true },
  { name: 'conv_flush_sums', products: false, sums: true },
  { name: 'conv_flush_none', products: false, sums: false },
];

/** Output pixels per register block: 2 × 4 accumulators + 4 weights + 2 splats + 1 temporary fit 16 vector registers. */
const PIXELS = 2;

/** One block of `n` adjacent output pixels starting at column $c: all 16-channel groups, all taps, then bias and ReLU. */
function pixelBlock(n: number, v: FlushVariant): string {
  const px = range(n);
  const acc = (j: number, i: number) => `$a${j}_${i}`;
  const product = (j: number, i: number) => {
    const p = `(f32x4.mul (local.get $w${i}) (local.get $xs${j}))`;
    return v.products ? ftz(p) : p;
  };
  const sum = (j: number, i: number) => {
    const s = `(f32x4.add (local.get ${acc(j, i)}) ${product(j, i)})`;
    return v.sums ? ftz(s) : s;
  };
  return `
        (local.set $cb (i32.const 0))
        (block $cbDone (loop $cbs
          (br_if $cbDone (i32.ge_s (local.get $cb) (local.get $outC16)))
          ;; Accumulators start at −0, the additive identity: −0 + p = p for every p, signed zeros included.
          ${px.map((j) => LANES.map((i) => `(local.set ${acc(j, i)} ${SPLAT('0x80000000')})`).join(' ')).join('\n          ')}
          (local.set $waddr (i32.add (local.get $w) (i32.shl (local.get $cb) (i32.const 2))))
          (local.set $ky (i32.const 0))
          (block $kyDone (loop $kys
            (br_if $kyDone (i32.ge_s (local.get $ky) (local.get $k)))
            (local.set $iy (i32.add (i32.sub (i32.mul (local.get $r) (local.get $s)) (local.get $p)) (local.get $ky)))
            (local.set $rowIn (i32.and (i32.ge_s (local.get $iy) (i32.const 0)) (i32.lt_s (local.get $iy) (local.get $inH))))
            (local.set $kx (i32.const 0))
            (block $kxDone (loop $kxs
              (br_if $kxDone (i32.ge_s (local.get $kx) (local.get $k)))
              ${px.map((j) => `
              (local.set $ix (i32.add (i32.sub (i32.mul (i32.add (local.get $c) (i32.const ${j})) (local.get $s)) (local.get $p)) (local.get $kx)))
              (local.set $xa${j}
                (select
                  (i32.add (local.get $x)
                    (i32.shl (i32.mul (i32.add (i32.mul (local.get $iy) (local.get $inW)) (local.get $ix)) (local.get $inC)) (i32.const 2)))
                  (local.get $zero)
                  (i32.and (local.get $rowIn) (i32.and (i32.ge_s (local.get $ix) (i32.const 0)) (i32.lt_s (local.get $ix) (local.get $inW))))))`).join('')}
              (local.set $ci (i32.const 0))
              (block $ciDone (loop $cis
                (br_if $ciDone (i32.ge_s (local.get $ci) (local.get $inC)))
                ${LANES.map((i) => `(local.set $w${i} (v128.load offset=${16 * i} (local.get $waddr)))`).join(' ')}
                ${px.map((j) => `(local.set $xs${j} (v128.load32_splat (local.get $xa${j})))
                (local.set $xa${j} (i32.add (local.get $xa${j}) (i32.const 4)))
                ${LANES.map((i) => `(local.set ${acc(j, i)} ${sum(j, i)})`).join('\n                ')}`).join('\n                ')}
                (local.set $waddr (i32.add (local.get $waddr) (local.get $wstep)))
                (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
                (br $cis)))
              (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
              (br $kxs)))
            (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
            (br $kys)))
          ;; Bias last; NaN made canonical (positive); then ReLU by the sign bit (sign set → +0).
          ${px.map((j) => LANES.map((i) => `
          (local.set $v ${ftz(`(f32x4.add (local.get ${acc(j, i)}) (v128.load offset=${16 * i} (i32.add (local.get $b) (i32.shl (local.get $cb) (i32.const 2)))))`)})
          (local.set $v (v128.bitselect ${SPLAT('0x7fc00000')} (local.get $v) (f32x4.ne (local.get $v) (local.get $v))))
          (if (local.get $relu) (then (local.set $v (v128.andnot (local.get $v) (i32x4.lt_s (local.get $v) ${SPLAT('0')})))))
          (v128.store offset=${16 * i} (i32.add (i32.add (local.get $oaddr) (i32.mul (local.get $wstep) (i32.const ${j}))) (i32.shl (local.get $cb) (i32.const 2))) (local.get $v))`).join('')).join('')}
          (local.set $cb (i32.add (local.get $cb) (i32.const 16)))
          (br $cbs)))
        (local.set $oaddr (i32.add (local.get $oaddr) (i32.mul (local.get $wstep) (i32.const ${n}))))
        (local.set $c (i32.add (local.get $c) (i32.const ${n})))`;
}

/** One exported conv function: blocks of PIXELS pixels along each output row, single pixels for the remainder. */
function convFunc(v: FlushVariant): string {
  const px = range(PIXELS);
  return `
  (func (export "${v.name}")
    (param $x i32) (param $w i32) (param $b i32) (param $out i32)
    (param $inH i32) (param $inW i32) (param $inC i32) (param $outW i32) (param $outC16 i32)
    (param $k i32) (param $s i32) (param $p i32) (param $rowStart i32) (param $rowEnd i32)
    (param $relu i32) (param $zero i32)
    (local $r i32) (local $c i32) (local $cb i32) (local $ky i32) (local $kx i32) (local $ci i32)
    (local $iy i32) (local $ix i32) (local $rowIn i32)
    (local $waddr i32) (local $oaddr i32) (local $wstep i32)
    ${px.map((j) => `(local $xa${j} i32) (local $xs${j} v128)`).join(' ')}
    (local $t v128) (local $v v128)
    ${LANES.map((i) => `(local $w${i} v128)`).join(' ')}
    ${px.map((j) => LANES.map((i) => `(local $a${j}_${i} v128)`).join(' ')).join(' ')}
    (local.set $wstep (i32.shl (local.get $outC16) (i32.const 2)))
    (local.set $oaddr (local.get $out))
    (local.set $r (local.get $rowStart))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_s (local.get $r) (local.get $rowEnd)))
      (local.set $c (i32.const 0))
      (block $colsDone (loop $cols
        (br_if $colsDone (i32.gt_s (i32.add (local.get $c) (i32.const ${PIXELS})) (local.get $outW)))
        ${pixelBlock(PIXELS, v)}
        (br $cols)))
      (block $tailDone (loop $tail
        (br_if $tailDone (i32.ge_s (local.get $c) (local.get $outW)))
        ${pixelBlock(1, v)}
        (br $tail)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))`;
}

/** WAT source of the SIMD conv kernel: one exported function per flush variant. */
export const KERNEL_WAT = `
(module
  (memory (export "mem") 1)
  ${FLUSH_VARIANTS.map(convFunc).join('\n')}
)`;
