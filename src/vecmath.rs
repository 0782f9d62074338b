//! `exp` and `ln` of the eight lanes of a vector ([`crate::simd::F64s`]), and in f32 on sixteen
//! lanes `exp` of non-positive numbers, `ln(1 + y)` on `[0, 1]` and softplus, in plain
//! arithmetic and selects (no library calls, no branches). The Monte Carlo engine evaluates
//! them for every (sample, domain, year); the system maths library does one value per call.
//!
//! They follow the textbook method: split off a power of two, then a short approximation on a
//! small interval (fdlibm's polynomials for `exp` and the logarithm). Against the system library,
//! over the whole input range, subnormals and special values included: `exp` within 1-2 ulp,
//! `ln` within 2 (tested). The results are the same bits with every
//! vector of [`crate::simd`], because the same IEEE operations run in the same order (tested).

use crate::simd::{F32s, F64s, Mask, U32s, U64s};

/// `ln(2)` split so that `n * LN2_HI` is exact for `|n| < 2^21` (Cody and Waite; the fdlibm
/// constants).
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000); // 6.93147180369123816490e-01
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76); // 1.90821492927058770002e-10
/// fdlibm's (`e_exp.c`) minimax coefficients for `exp` on `[-ln2 / 2, ln2 / 2]`.
#[allow(clippy::excessive_precision)] // as published
const P: [f64; 5] = [
    1.666_666_666_666_660_190_37e-1,
    -2.777_777_777_701_559_338_42e-3,
    6.613_756_321_437_934_361_17e-5,
    -1.653_390_220_546_525_153_90e-6,
    4.138_136_797_057_238_460_39e-8,
];
/// fdlibm's (`e_log.c`) minimax coefficients Lg1..Lg7 of `(ln(1 + f) - 2s) / s` in `z = s^2`,
/// `s = f / (2 + f)`, for `sqrt(1/2) <= 1 + f < sqrt(2)` (error below 2^-58.45).
#[allow(clippy::excessive_precision)] // as published
const LG: [f64; 7] = [
    6.666_666_666_666_735_130e-01,
    3.999_999_999_940_941_908e-01,
    2.857_142_874_366_239_149e-01,
    2.222_219_843_214_978_396e-01,
    1.818_357_216_161_805_012e-01,
    1.531_383_769_920_937_332e-01,
    1.479_819_860_511_658_591e-01,
];
/// Adding `1.5 * 2^52` rounds a float of magnitude below `2^51` to an integer, whose value then
/// sits in the low bits of the sum.
const ROUND: f64 = 6_755_399_441_055_744.0;
/// `2^54`, which takes the smallest subnormal to a normal number.
const TWO_54: f64 = 18_014_398_509_481_984.0;

/// `exp(x)` (NaN stays NaN; below about -745 it is 0, above about 709.8 inf; results below
/// 2^-1022 are subnormal as in the system library).
///
/// `x = n ln2 + r` with `|r| <= ln2 / 2`, `exp(r)` as fdlibm computes it, then the product with
/// `2^h` and `2^(n - h)`, `h = floor(n / 2)` (one power of two alone cannot reach from 2^-1076
/// to 2^1024): exact but for the last product's rounding into the subnormal range or overflow.
#[inline(always)]
pub fn exp<V: F64s>(x: V) -> V {
    // Clamped as f64::clamp does it (NaN goes on, and comes out NaN).
    let (lowest, highest) = (V::splat(-746.0), V::splat(710.0));
    let x = V::select(x.lt(lowest), lowest, x);
    let x = V::select(highest.lt(x), highest, x);
    let round = V::splat(ROUND);
    let t = x * V::splat(std::f64::consts::LOG2_E) + round;
    let n = t - round;
    // fdlibm's method: r = hi - lo, and exp(r) = 1 + r + r c / (2 - c) with the rational
    // approximation c of r (e^r + 1) / (e^r - 1) - 2 from its minimax polynomial in r^2 (error
    // below 2^-59).
    let hi = x - n * V::splat(LN2_HI);
    let lo = n * V::splat(LN2_LO);
    let r = hi - lo;
    let z = r * r;
    let mut poly = V::splat(P[4]);
    for c in P[..4].iter().rev() {
        poly = z.mul_add(poly, V::splat(*c));
    }
    let c = r - z * poly;
    let one = V::splat(1.0);
    let p = one - ((lo - (r * c) / (V::splat(2.0) - c)) - hi);
    // The low bits of t hold n + 2^51, so nb = n + 2048, between 972 and 3072, and
    // h + 1024 = nb / 2. The biased exponents of 2^h and 2^(n - h) are h + 1023 and
    // n - h + 1023, between 485 and 1535.
    let bits = <V::Bits as U64s>::splat;
    let nb = t.to_bits() - bits(ROUND.to_bits()) + bits(2048);
    let half = nb.shr::<1>();
    let low = V::from_bits((half - bits(1)).shl::<52>());
    let high = V::from_bits((nb - half - bits(1)).shl::<52>());
    p * low * high
}

/// `ln(x)` over the whole range: subnormals included, `ln(0) = -inf`, `ln(inf) = inf`, NaN for
/// negative numbers and NaN.
#[inline(always)]
pub fn ln<V: F64s>(x: V) -> V {
    // Subnormals scaled into the normal range by 2^54 first.
    let tiny = x.lt(V::splat(f64::MIN_POSITIVE));
    let (k, ln_m) = split_log(V::select(tiny, x * V::splat(TWO_54), x));
    let k = V::select(tiny, k - V::splat(54.0), k);
    // k ln 2 in two parts, the first exact (k has at most 11 bits).
    special_log(x, k * V::splat(LN2_HI) + (ln_m + k * V::splat(LN2_LO)))
}

/// `value` where `x` is positive and finite; the logarithm's special values elsewhere: -inf at
/// 0, inf at inf, NaN below 0 and for NaN.
#[inline(always)]
fn special_log<V: F64s>(x: V, value: V) -> V {
    let (zero, inf) = (V::splat(0.0), V::splat(f64::INFINITY));
    let special = V::select(
        x.eq(zero),
        V::splat(f64::NEG_INFINITY),
        V::select(x.eq(inf), inf, V::splat(f64::NAN)),
    );
    V::select(zero.lt(x).and(x.lt(inf)), value, special)
}

/// `y = 2^k m` with `m` in `[sqrt(1/2), sqrt(2))`, for positive normal finite `y`: `k` and
/// `ln(m)`, the latter as `2 atanh(s) = 2s + s R(s^2)` with `s = (m - 1) / (m + 1)`,
/// `|s| <= 0.172`, and fdlibm's minimax polynomial R.
#[inline(always)]
fn split_log<V: F64s>(y: V) -> (V, V) {
    // The exponent k of y relative to sqrt(1/2): y's bits minus those of sqrt(1/2), shifted.
    // For y >= sqrt(1/2) the difference is positive and the shift logical; below, the
    // difference wraps and an arithmetic shift would be needed, so that is done on a value
    // offset by 2^11 exponents (y >= 2^-1022, so k + 2048 > 0).
    let bits = <V::Bits as U64s>::splat;
    let y_bits = y.to_bits();
    let offset = y_bits - bits(0x3fe6_a09e_667f_3bcd) + bits(2048 << 52);
    let k_offset = offset.shr::<52>();
    let m = V::from_bits(y_bits - (k_offset - bits(2048)).shl::<52>());
    // k as a float without an integer conversion.
    let k = V::from_bits(bits(0x4330_0000_0000_0000) | k_offset)
        - V::splat(4_503_599_627_370_496.0 + 2048.0);
    let one = V::splat(1.0);
    let s = (m - one) / (m + one);
    let z = s * s;
    let mut r = V::splat(LG[6]);
    for c in LG[..6].iter().rev() {
        r = r.mul_add(z, V::splat(*c));
    }
    (k, V::splat(2.0) * s + s * (z * r))
}

// Single precision, for the capability rows: `exp` by the same method with float constants and
// a shorter polynomial, `ln(1 + y)` by a polynomial alone, for the arguments the rows have. Against the system library's f64 functions
// rounded to f32: `exp_neg_f32` within 1 ulp, `ln_1p_unit_f32` within 2 and `softplus_f32`
// within 3 (tested).

/// `ln(2)` split for f32 (`n * LN2_HI_F32` exact for `|n| < 2^9`).
#[allow(clippy::excessive_precision)] // exact: 355 / 512
const LN2_HI_F32: f32 = 0.693_359_375;
const LN2_LO_F32: f32 = -2.121_944_4e-4;
/// Cephes' (`expf.c`) coefficients of `(exp(r) - 1 - r) / r^2` on `[-ln2 / 2, ln2 / 2]`.
#[allow(clippy::excessive_precision)] // as published
const EXP_F32: [f32; 6] = [
    1.987_569_1e-4,
    1.398_199_9e-3,
    8.333_452e-3,
    4.166_579_6e-2,
    1.666_666_5e-1,
    5.000_000_1e-1,
];
/// Adding `1.5 * 2^23` rounds a float of magnitude below `2^22` to an integer, whose value then
/// sits in the low bits of the sum.
const ROUND_F32: f32 = 12_582_912.0;

/// `exp(x)` for `x <= 0` in single precision: `x = n ln 2 + r`, Cephes' polynomial on `r`, and
/// `2^n` from its bits. For `x` below -87 it is `exp(-87)` (under 2e-38, so that `2^n` stays a
/// normal number); NaN stays NaN.
#[inline(always)]
pub fn exp_neg_f32<S: F32s>(x: S) -> S {
    let lowest = S::splat(-87.0);
    let x = S::select(x.lt(lowest), lowest, x);
    let round = S::splat(ROUND_F32);
    let t = x * S::splat(std::f32::consts::LOG2_E) + round;
    let n = t - round;
    let r = (x - n * S::splat(LN2_HI_F32)) - n * S::splat(LN2_LO_F32);
    let mut p = S::splat(EXP_F32[0]);
    for c in &EXP_F32[1..] {
        p = p.mul_add(r, S::splat(*c));
    }
    let p = S::splat(1.0) + (r + (r * r) * p);
    // The low bits of t hold n, between -126 and 0: 2^n has the biased exponent n + 127.
    let bits = <S::Bits as U32s>::splat;
    let biased = t.to_bits() - bits(ROUND_F32.to_bits()) + bits(127);
    p * S::from_bits(biased.shl::<23>())
}

/// `ln(1 + y)` for `y` in `[0, 1]`, in single precision, without a division: `y q(y)` with a
/// polynomial `q` of degree 8 fitted to `ln(1 + y) / y` (relative error below 2e-7, so that
/// tiny `y` keep their precision). NaN stays NaN.
#[inline(always)]
pub fn ln_1p_unit_f32<S: F32s>(y: S) -> S {
    let mut q = S::splat(LN1P_F32[8]);
    for c in LN1P_F32[..8].iter().rev() {
        q = q.mul_add(y, S::splat(*c));
    }
    y * q
}

/// The coefficients of [`ln_1p_unit_f32`]'s `q`, from the constant term (a least-squares fit,
/// reweighted towards minimax, on Chebyshev nodes of `[0, 1]`).
#[allow(clippy::excessive_precision)]
const LN1P_F32: [f32; 9] = [
    1.0,
    -0.499_995_53,
    0.333_203_43,
    -0.248_529_45,
    0.191_451_15,
    -0.137_466_19,
    0.079_210_7,
    -0.030_110_938,
    0.005_384_055,
];

/// `softplus(x) = ln(1 + e^x)` in single precision, as `max(x, 0) + ln(1 + e^-|x|)`, so that
/// no `e^x` overflows: the rows' logarithms of sums (the lifted ceiling, the doublings). Below
/// -87 it is `exp(-87)`, not less (see [`exp_neg_f32`]); NaN stays NaN.
#[inline(always)]
pub fn softplus_f32<S: F32s>(x: S) -> S {
    x.max(S::splat(0.0)) + ln_1p_unit_f32(exp_neg_f32(-x.abs()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simd::{Backend, Kernel, Plain, PlainSingle, WIDTH};

    fn ulps(a: f64, b: f64) -> u64 {
        if a == b {
            return 0;
        }
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    fn exp1(x: f64) -> f64 {
        exp(Plain::splat(x)).0[0]
    }

    fn ln1(x: f64) -> f64 {
        ln(Plain::splat(x)).0[0]
    }

    #[test]
    fn exp_special_values() {
        assert_eq!(exp1(0.0), 1.0);
        assert!(ulps(exp1(1.0), std::f64::consts::E) <= 1);
        assert_eq!(exp1(710.0), f64::INFINITY);
        assert_eq!(exp1(f64::INFINITY), f64::INFINITY);
        // e^709 = 8.218407461554972e307 (correctly rounded), near the top of the range.
        assert!(ulps(exp1(709.0), 8.218407461554972e307) <= 2);
        assert_eq!(exp1(-0.0), 1.0);
        assert_eq!(exp1(f64::NEG_INFINITY), 0.0);
        assert_eq!(exp1(-746.0), 0.0);
        assert_eq!(exp1(-1e300), 0.0);
        assert!(exp1(f64::NAN).is_nan());
        // e^-1 = 0.36787944117144233 (correctly rounded), e^-700 = 9.85967654375977e-305.
        assert!(ulps(exp1(-1.0), 0.36787944117144233) <= 1);
        assert!(ulps(exp1(-700.0), 9.85967654375977e-305) <= 2);
        // Subnormal results: e^-740 = 4.2e-322 to within a subnormal step.
        assert!((exp1(-740.0) - (-740f64).exp()).abs() <= 1e-323);
    }

    #[test]
    fn ln_special_values() {
        assert_eq!(ln1(1.0), 0.0);
        assert!(ulps(ln1(std::f64::consts::E), 1.0) <= 1);
        // ln 2 = 0.6931471805599453, ln 10 = 2.302585092994046 (correctly rounded).
        assert!(ulps(ln1(2.0), std::f64::consts::LN_2) <= 1);
        assert!(ulps(ln1(10.0), std::f64::consts::LN_10) <= 1);
        // ln(5e-324) = -1074 ln 2 = -744.4400719213812.
        assert!(ulps(ln1(5e-324), -744.4400719213812) <= 1);
        assert_eq!(ln1(0.0), f64::NEG_INFINITY);
        assert_eq!(ln1(-0.0), f64::NEG_INFINITY);
        assert_eq!(ln1(f64::INFINITY), f64::INFINITY);
        assert!(ln1(-1.0).is_nan());
        assert!(ln1(f64::NEG_INFINITY).is_nan());
        assert!(ln1(f64::NAN).is_nan());
    }

    /// The whole input ranges, sampled evenly in the bit pattern, against the system library.
    #[test]
    fn within_a_few_ulp_of_the_system_library_everywhere() {
        let mut worst = (0, 0);
        for i in 0..200_000u64 {
            // Non-positive floats from -0 down to -745 and beyond, evenly in their bits.
            let x = -f64::from_bits(i * (0x4087_4000_0000_0000 / 200_000));
            let e = ulps(exp1(x), x.exp());
            // Positive arguments up to the overflow threshold, 709.78.
            let y = f64::from_bits(i * (0x4086_2e42_fefa_39ef / 200_000));
            worst.0 = worst.0.max(ulps(exp1(y), y.exp()));
            // Subnormal results differ in their last (absolute) place at most.
            if x.exp() >= f64::MIN_POSITIVE {
                worst.0 = worst.0.max(e);
            } else {
                assert!((exp1(x) - x.exp()).abs() <= 2.0 * 5e-324, "exp1({x})");
            }
            // Every positive finite float, subnormals included.
            let x = f64::from_bits((i + 1) * (0x7fef_ffff_ffff_ffff / 200_001));
            worst.1 = worst.1.max(ulps(ln1(x), x.ln()));
        }
        // Near 1, where ln is small, densely.
        for i in 0..100_000u64 {
            let x = 0.9 + f64::from(i as u32) * 2e-6;
            worst.1 = worst.1.max(ulps(ln1(x), x.ln()));
        }
        assert!(worst.0 <= 3, "exp: {} ulp", worst.0);
        assert!(worst.1 <= 2, "ln: {} ulp", worst.1);
    }

    fn ulps_f32(a: f32, b: f32) -> u32 {
        if a == b || (a.is_nan() && b.is_nan()) {
            return 0;
        }
        let key = |x: f32| {
            let b = x.to_bits() as i32;
            if b < 0 {
                i32::MIN - b
            } else {
                b
            }
        };
        key(a).abs_diff(key(b))
    }

    fn exp_neg(x: f32) -> f32 {
        exp_neg_f32(PlainSingle::splat(x)).0[0]
    }

    fn softplus(x: f32) -> f32 {
        softplus_f32(PlainSingle::splat(x)).0[0]
    }

    /// Against the f64 system library rounded to f32 (within half an ulp of the true value),
    /// densely over [-87, 0], where exp's result is a normal float.
    #[test]
    fn exp_neg_f32_within_1_ulp() {
        let mut worst = 0;
        for i in 0..=2_000_000u32 {
            let x = -87.0 * (i as f32 / 2e6);
            worst = worst.max(ulps_f32(exp_neg(x), f64::from(x).exp() as f32));
        }
        assert!(worst <= 1, "{worst} ulp");
    }

    #[test]
    fn ln_1p_unit_f32_within_2_ulp() {
        let mut worst = 0;
        for i in 0..=1_000_000u32 {
            let y = i as f32 * 1e-6;
            let got = ln_1p_unit_f32(PlainSingle::splat(y)).0[0];
            worst = worst.max(ulps_f32(got, f64::from(y).ln_1p() as f32));
        }
        for i in 0..100_000u32 {
            // Tiny arguments, where ln(1 + y) = y to f32 precision.
            let y = f32::from_bits(i * (0x3f80_0000 / 100_000));
            let got = ln_1p_unit_f32(PlainSingle::splat(y)).0[0];
            worst = worst.max(ulps_f32(got, f64::from(y).ln_1p() as f32));
        }
        assert!(worst <= 2, "{worst} ulp");
        assert_eq!(ln_1p_unit_f32(PlainSingle::splat(0.0)).0[0], 0.0);
    }

    #[test]
    fn softplus_f32_within_3_ulp_and_never_overflows() {
        let mut worst = 0;
        for i in 0..=2_000_000 {
            // ln(1 + e^x) on [-80, 80], from the f64 system library.
            let x = -80.0 + 160.0 * (i as f32 / 2e6);
            let x64 = f64::from(x);
            let want = x64.max(0.0) + (-x64.abs()).exp().ln_1p();
            worst = worst.max(ulps_f32(softplus(x), want as f32));
        }
        assert!(worst <= 3, "{worst} ulp");
        assert_eq!(softplus(1e30), 1e30);
        assert_eq!(softplus(f32::INFINITY), f32::INFINITY);
        assert!(softplus(f32::NEG_INFINITY) < 2e-38);
        assert!(softplus(f32::NAN).is_nan());
    }

    #[test]
    fn f32_special_values() {
        assert_eq!(exp_neg(0.0), 1.0);
        assert_eq!(exp_neg(-0.0), 1.0);
        let floor = (-87f64).exp() as f32;
        for x in [-87.0, -87.000_01, -100.0, -1e30, f32::NEG_INFINITY] {
            assert!(ulps_f32(exp_neg(x), floor) <= 1, "{x}");
        }
        assert!(exp_neg(f32::NAN).is_nan());
        assert_eq!(softplus(1e30), 1e30);
        assert_eq!(softplus(f32::INFINITY), f32::INFINITY);
        assert!(ulps_f32(softplus(f32::NEG_INFINITY), floor) <= 1);
        assert!(softplus(f32::NAN).is_nan());
        assert!(ln_1p_unit_f32(PlainSingle::splat(f32::NAN)).0[0].is_nan());
    }

    /// `exp` and `ln` of `values` (a multiple of sixteen) with one kind of vector.
    struct Apply<'a>(&'a mut [f64]);

    impl Kernel for Apply<'_> {
        type Output = ();
        fn run<V: F64s>(self) {
            for chunk in self.0.chunks_exact_mut(2 * WIDTH) {
                let (a, b) = chunk.split_at_mut(WIDTH);
                exp(V::load(a)).store(a);
                ln(V::load(b)).store(b);
            }
        }
    }

    /// `exp_neg_f32` of `-|x|`, `softplus_f32` and `ln_1p_unit_f32` of `values` (a multiple of
    /// 48) with one kind of vector.
    struct ApplySingle<'a>(&'a mut [f32]);

    impl Kernel for ApplySingle<'_> {
        type Output = ();
        fn run<V: F64s>(self) {
            for chunk in self.0.chunks_exact_mut(48) {
                let (a, rest) = chunk.split_at_mut(16);
                let (b, c) = rest.split_at_mut(16);
                exp_neg_f32(-V::Single::load(a).abs()).store(a);
                softplus_f32(V::Single::load(b)).store(b);
                let unit = V::Single::load(c).abs();
                let unit =
                    V::Single::select(unit.le(V::Single::splat(1.0)), unit, V::Single::splat(0.5));
                ln_1p_unit_f32(unit).store(c);
            }
        }
    }

    #[test]
    fn the_same_bits_with_every_vector() {
        // The whole range, subnormals and special values included, each through both.
        let mut wide: Vec<f64> = (0..24_000u64)
            .map(|i| f64::from_bits(i * (0x7ff0_0000_0000_0000 / 24_000)))
            .collect();
        wide.extend((0..24_000).map(|i| 700.0 - f64::from(i) * 0.0601));
        for (i, x) in [
            0.0,
            -0.0,
            -1.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            5e-324,
            -745.5,
        ]
        .into_iter()
        .enumerate()
        {
            for offset in [0, WIDTH] {
                wide[offset + i * 2 * WIDTH] = x;
            }
        }
        let mut plain = wide.clone();
        Apply(&mut plain).run::<Plain>();
        // Per 48: exp's and softplus's arguments over [-110, 90] and every f32 bit pattern,
        // ln_1p_unit's over [0, 1]; special values at the start of each.
        let single: Vec<f32> = (0..96_000u32)
            .map(|j| match (j % 48, j / 48) {
                (0 | 16 | 32, _) => f32::NAN,
                (1 | 17, _) => f32::INFINITY,
                (2 | 18 | 33, _) => 0.0,
                (3 | 19, _) => -1.0,
                (i, k) if i < 16 => -110.0 + (k * 16 + i) as f32 * (200.0 / 32_000.0),
                (i, k) if i < 32 => f32::from_bits((k * 16 + i - 16) * (0xffff_ffff / 32_000)),
                (i, k) => (k * 16 + i - 32) as f32 / 32_000.0,
            })
            .collect();
        let mut plain_single = single.clone();
        ApplySingle(&mut plain_single).run::<Plain>();
        for backend in Backend::available() {
            let mut got = wide.clone();
            backend.run(Apply(&mut got));
            assert!(
                plain
                    .iter()
                    .zip(&got)
                    .all(|(a, b)| a.to_bits() == b.to_bits()),
                "{backend:?}"
            );
            let mut got = single.clone();
            backend.run(ApplySingle(&mut got));
            assert!(
                plain_single
                    .iter()
                    .zip(&got)
                    .all(|(a, b)| a.to_bits() == b.to_bits()),
                "{backend:?} (f32)"
            );
        }
    }
}
