// The WebAssembly text of the model's fast MAC kernel, generated here so the flush can be written once and inlined.
// Same contract and order as sim/kernel.ts (its readable definition, which tests compare it against).
// WebAssembly float ops are IEEE binary32, round-to-nearest-even, gradual underflow, no FMA; the flush is explicit.
// Layouts (byte offsets): x HWC float32; w [tap][outC16]; bias [outC16]; out [row − rowStart][col][outC16].
// Each pixel runs 16 output channels at a time in four v128 accumulators held in registers across all taps.

const SPLAT = (v: string) => `(v128.const i32x4 ${v} ${v} ${v} ${v})`;

/** ftz(E): lanes whose exponent field is 0 (zero or subnormal) keep only their sign bit. Uses local $t. */
const ftz = (e: string) =>
  `(v128.andnot (local.tee $t ${e}) (i32x4.shr_u (i32x4.eq (v128.and (local.get $t) ${SPLAT('0x7f800000')}) ${SPLAT('0')}) (i32.const 1)))`;

const lanes = [0, 1, 2, 3];

/** WAT source of the SIMD conv kernel. */
export const KERNEL_WAT = `
(module
  (memory (export "mem") 1)
  (func (export "conv")
    (param $x i32) (param $w i32) (param $b i32) (param $out i32)
    (param $inH i32) (param $inW i32) (param $inC i32) (param $outW i32) (param $outC16 i32)
    (param $k i32) (param $s i32) (param $p i32) (param $rowStart i32) (param $rowEnd i32)
    (param $relu i32) (param $flushProducts i32)
    (local $r i32) (local $c i32) (local $cb i32) (local $ky i32) (local $kx i32) (local $ci i32)
    (local $iy i32) (local $ix i32) (local $inside i32) (local $first i32)
    (local $xaddr i32) (local $wrow i32) (local $waddr i32) (local $oaddr i32) (local $wstep i32)
    (local $xs v128) (local $t v128) (local $v v128)
    ${lanes.map((i) => `(local $a${i} v128) (local $p${i} v128)`).join(' ')}
    (local.set $wstep (i32.shl (local.get $outC16) (i32.const 2)))
    (local.set $oaddr (local.get $out))
    (local.set $r (local.get $rowStart))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_s (local.get $r) (local.get $rowEnd)))
      (local.set $c (i32.const 0))
      (block $colsDone (loop $cols
        (br_if $colsDone (i32.ge_s (local.get $c) (local.get $outW)))
        (local.set $cb (i32.const 0))
        (block $cbDone (loop $cbs
          (br_if $cbDone (i32.ge_s (local.get $cb) (local.get $outC16)))
          (local.set $first (i32.const 1))
          (local.set $waddr (i32.add (local.get $w) (i32.shl (local.get $cb) (i32.const 2))))
          (local.set $ky (i32.const 0))
          (block $kyDone (loop $kys
            (br_if $kyDone (i32.ge_s (local.get $ky) (local.get $k)))
            (local.set $iy (i32.add (i32.sub (i32.mul (local.get $r) (local.get $s)) (local.get $p)) (local.get $ky)))
            (local.set $kx (i32.const 0))
            (block $kxDone (loop $kxs
              (br_if $kxDone (i32.ge_s (local.get $kx) (local.get $k)))
              (local.set $ix (i32.add (i32.sub (i32.mul (local.get $c) (local.get $s)) (local.get $p)) (local.get $kx)))
              ;; Padding taps run with x = +0.
              (local.set $inside
                (i32.and
                  (i32.and (i32.ge_s (local.get $iy) (i32.const 0)) (i32.lt_s (local.get $iy) (local.get $inH)))
                  (i32.and (i32.ge_s (local.get $ix) (i32.const 0)) (i32.lt_s (local.get $ix) (local.get $inW)))))
              (local.set $xaddr
                (i32.add (local.get $x)
                  (i32.shl (i32.mul (i32.add (i32.mul (local.get $iy) (local.get $inW)) (local.get $ix)) (local.get $inC)) (i32.const 2))))
              (local.set $ci (i32.const 0))
              (block $ciDone (loop $cis
                (br_if $ciDone (i32.ge_s (local.get $ci) (local.get $inC)))
                (local.set $xs
                  (f32x4.splat
                    (if (result f32) (local.get $inside)
                      (then (f32.load (i32.add (local.get $xaddr) (i32.shl (local.get $ci) (i32.const 2)))))
                      (else (f32.const 0)))))
                ${lanes.map((i) => `(local.set $p${i} (f32x4.mul (v128.load offset=${16 * i} (local.get $waddr)) (local.get $xs)))`).join('\n                ')}
                (if (local.get $flushProducts) (then
                  ${lanes.map((i) => `(local.set $p${i} ${ftz(`(local.get $p${i})`)})`).join('\n                  ')}))
                (if (local.get $first)
                  ;; The first tap loads the accumulator: no add, so the sign of a zero product survives.
                  (then ${lanes.map((i) => `(local.set $a${i} (local.get $p${i}))`).join(' ')} (local.set $first (i32.const 0)))
                  (else
                    ${lanes.map((i) => `(local.set $a${i} ${ftz(`(f32x4.add (local.get $a${i}) (local.get $p${i}))`)})`).join('\n                    ')}))
                (local.set $waddr (i32.add (local.get $waddr) (local.get $wstep)))
                (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
                (br $cis)))
              (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
              (br $kxs)))
            (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
            (br $kys)))
          ;; Bias last; NaN made canonical (positive); then ReLU by the sign bit (sign set → +0).
          ${lanes.map((i) => `
          (local.set $v ${ftz(`(f32x4.add (local.get $a${i}) (v128.load offset=${16 * i} (i32.add (local.get $b) (i32.shl (local.get $cb) (i32.const 2)))))`)})
          (local.set $v (v128.bitselect ${SPLAT('0x7fc00000')} (local.get $v) (f32x4.ne (local.get $v) (local.get $v))))
          (if (local.get $relu) (then (local.set $v (v128.andnot (local.get $v) (i32x4.lt_s (local.get $v) ${SPLAT('0')})))))
          (v128.store offset=${16 * i} (i32.add (local.get $oaddr) (i32.shl (local.get $cb) (i32.const 2))) (local.get $v))`).join('')}
          (local.set $cb (i32.add (local.get $cb) (i32.const 16)))
          (br $cbs)))
        (local.set $oaddr (i32.add (local.get $oaddr) (local.get $wstep)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $cols)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))
)`;
