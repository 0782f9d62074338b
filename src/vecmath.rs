//! `exp`, `ln` and `log2(1 + x)` of the eight lanes of a vector ([`crate::simd::F64s`]), in
//! plain arithmetic and selects (no library calls, no branches). The Monte Carlo engine evaluates
//! them for every (sample, domain, year); the system maths library does one value per call.
//!
//! They follow the textbook method: split off a power of two, then a short approximation on a
//! small interval (fdlibm's polynomials for `exp` and the logarithm). Against the system library,
//! over the whole input range, subnormals and special values included: `exp` within 1-2 ulp,
//! `ln` within 2, `log2(1 + x)` within 4 (tested). The results are the same bits with every
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

/// `log2(1 + x)` for `x >= -1` (`+inf` gives `+inf`, NaN stays NaN), accurate for tiny `x` too.
///
/// `y = 1 + x` rounded, with the rounding error `c = x - (y - 1)` put back as `c / y` (as
/// `ln_1p` implementations do), and `log2(y)` by `split_log`.
#[inline(always)]
pub fn log2_1p<V: F64s>(x: V) -> V {
    let one = V::splat(1.0);
    let y = one + x;
    let correction = (x - (y - one)) / y;
    let (k, ln_m) = split_log(y);
    special_log(
        y,
        k + (ln_m + correction) * V::splat(std::f64::consts::LOG2_E),
    )
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

// Single precision, for the capability rows: the same methods with float constants and shorter
// polynomials. Against the system library's f64 functions rounded to f32, over the whole input
// range: `exp_f32` within 1 ulp, `ln_f32` within 2 (tested).

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
/// musl's (`logf.c`) minimax coefficients Lg1..Lg4 of `(ln(1 + f) - 2s) / s` in `z = s^2`
/// (error below 2^-34.24).
#[allow(clippy::excessive_precision)] // as published
const LG_F32: [f32; 4] = [
    0.666_666_626_93,
    0.400_009_721_52,
    0.284_987_866_88,
    0.242_790_788_41,
];
/// Adding `1.5 * 2^23` rounds a float of magnitude below `2^22` to an integer, whose value then
/// sits in the low bits of the sum.
const ROUND_F32: f32 = 12_582_912.0;
/// `2^25`, which takes the smallest f32 subnormal to a normal number.
const TWO_25_F32: f32 = 33_554_432.0;

/// [`exp`] in single precision: NaN stays NaN, below about -103.9 it is 0, above about 88.7
/// inf, subnormal results as the system library's.
#[inline(always)]
pub fn exp_f32<S: F32s>(x: S) -> S {
    let (lowest, highest) = (S::splat(-104.0), S::splat(89.0));
    let x = S::select(x.lt(lowest), lowest, x);
    let x = S::select(highest.lt(x), highest, x);
    let round = S::splat(ROUND_F32);
    let t = x * S::splat(std::f32::consts::LOG2_E) + round;
    let n = t - round;
    let r = (x - n * S::splat(LN2_HI_F32)) - n * S::splat(LN2_LO_F32);
    let mut p = S::splat(EXP_F32[0]);
    for c in &EXP_F32[1..] {
        p = p.mul_add(r, S::splat(*c));
    }
    let p = S::splat(1.0) + (r + (r * r) * p);
    // The low bits of t hold n + 2^22, so nb = n + 256, between 105 and 385; the biased
    // exponents of 2^h and 2^(n - h), h = floor(n / 2), are nb / 2 - 1 and nb - nb / 2 - 1.
    let bits = <S::Bits as U32s>::splat;
    let nb = t.to_bits() - bits(ROUND_F32.to_bits()) + bits(256);
    let half = nb.shr::<1>();
    let low = S::from_bits((half - bits(1)).shl::<23>());
    let high = S::from_bits((nb - half - bits(1)).shl::<23>());
    p * low * high
}

/// [`ln`] in single precision, over the whole range (subnormals, 0, inf and NaN as [`ln`]).
#[inline(always)]
pub fn ln_f32<S: F32s>(x: S) -> S {
    let tiny = x.lt(S::splat(f32::MIN_POSITIVE));
    let (k, ln_m) = split_log_f32(S::select(tiny, x * S::splat(TWO_25_F32), x));
    let k = S::select(tiny, k - S::splat(25.0), k);
    let value = k * S::splat(LN2_HI_F32) + (ln_m + k * S::splat(LN2_LO_F32));
    let (zero, inf) = (S::splat(0.0), S::splat(f32::INFINITY));
    let special = S::select(
        x.eq(zero),
        S::splat(f32::NEG_INFINITY),
        S::select(x.eq(inf), inf, S::splat(f32::NAN)),
    );
    S::select(zero.lt(x).and(x.lt(inf)), value, special)
}

/// `ln(1 + y)` for `y` in `[0, 1]` (the soft minimum's and softplus's logarithms), in single
/// precision without splitting off a power of two: `2 atanh(s)` with `s = y / (2 + y)` in
/// `[0, 1/3]`, from its series `2s (1 + s^2/3 + s^4/5 + ... + s^14/15)` (truncation error
/// below 1e-8). NaN stays NaN.
#[inline(always)]
pub fn ln_1p_unit_f32<S: F32s>(y: S) -> S {
    let s = y / (S::splat(2.0) + y);
    let z = s * s;
    let mut p = S::splat(2.0 / 15.0);
    for k in (1..7).rev() {
        p = p.mul_add(z, S::splat(2.0 / (2 * k + 1) as f32));
    }
    S::splat(2.0) * s + s * (z * p)
}

/// [`split_log`] in single precision: `y = 2^k m`, `m` in `[sqrt(1/2), sqrt(2))`, for positive
/// normal finite `y`: `k` and `ln(m)`.
#[inline(always)]
fn split_log_f32<S: F32s>(y: S) -> (S, S) {
    let bits = <S::Bits as U32s>::splat;
    let y_bits = y.to_bits();
    let offset = y_bits - bits(0x3f35_04f3) + bits(256 << 23);
    let k_offset = offset.shr::<23>();
    let m = S::from_bits(y_bits - (k_offset - bits(256)).shl::<23>());
    let k = S::from_bits(bits(0x4b00_0000) | k_offset) - S::splat(8_388_608.0 + 256.0);
    let one = S::splat(1.0);
    let s = (m - one) / (m + one);
    let z = s * s;
    let mut r = S::splat(LG_F32[3]);
    for c in LG_F32[..3].iter().rev() {
        r = r.mul_add(z, S::splat(*c));
    }
    (k, S::splat(2.0) * s + s * (z * r))
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

    fn log2p(x: f64) -> f64 {
        log2_1p(Plain::splat(x)).0[0]
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
    fn log2_1p_special_values() {
        assert_eq!(log2p(0.0), 0.0);
        assert_eq!(log2p(1.0), 1.0);
        assert_eq!(log2p(3.0), 2.0);
        assert_eq!(log2p(1023.0), 10.0);
        assert_eq!(log2p(f64::INFINITY), f64::INFINITY);
        assert_eq!(log2p(-1.0), f64::NEG_INFINITY);
        assert!(log2p(-2.0).is_nan());
        assert!(log2p(f64::NAN).is_nan());
        // log2(1 + 1e-20) = 1e-20 / ln 2 = 1.4426950408889634e-20: the rounding of 1 + x is put back.
        assert!(ulps(log2p(1e-20), 1.4426950408889634e-20) <= 1);
        // log2(1 + 2^60) = 60 + log2(1 + 2^-60) = 60 to double precision.
        assert_eq!(log2p(2f64.powi(60)), 60.0);
        assert_eq!(log2p(f64::MAX), 1024.0);
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
        let mut worst = (0, 0, 0);
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
            let x = f64::from_bits(i * (0x7fe0_0000_0000_0000 / 200_000));
            let want = x.ln_1p() / std::f64::consts::LN_2;
            worst.1 = worst.1.max(ulps(log2p(x), want));
            // Every positive finite float, subnormals included.
            let x = f64::from_bits((i + 1) * (0x7fef_ffff_ffff_ffff / 200_001));
            worst.2 = worst.2.max(ulps(ln1(x), x.ln()));
        }
        // Near 1, where ln is small, densely.
        for i in 0..100_000u64 {
            let x = 0.9 + f64::from(i as u32) * 2e-6;
            worst.2 = worst.2.max(ulps(ln1(x), x.ln()));
        }
        assert!(worst.0 <= 3, "exp: {} ulp", worst.0);
        // The reference itself, ln_1p then a division, is up to about 1 ulp off.
        assert!(worst.1 <= 4, "log2_1p: {} ulp", worst.1);
        assert!(worst.2 <= 2, "ln: {} ulp", worst.2);
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

    fn exp1_f32(x: f32) -> f32 {
        exp_f32(PlainSingle::splat(x)).0[0]
    }

    fn ln1_f32(x: f32) -> f32 {
        ln_f32(PlainSingle::splat(x)).0[0]
    }

    /// The f32 functions against the f64 system library rounded to f32 (within half an ulp of
    /// the true value), densely over their whole input ranges.
    #[test]
    fn f32_functions_within_1_and_2_ulp_everywhere() {
        let mut worst = [0u32; 2];
        for i in 0..2_000_000u32 {
            // exp on [-104, 89], where its result is a normal or subnormal float or inf.
            let x = -104.0 + 193.0 * (i as f32 / 2e6);
            worst[0] = worst[0].max(ulps_f32(exp1_f32(x), f64::from(x).exp() as f32));
        }
        for i in 1..2_000_000u32 {
            // Every positive finite f32, subnormals included, evenly in the bit pattern.
            let x = f32::from_bits(i * (0x7f7f_ffff / 2_000_000));
            worst[1] = worst[1].max(ulps_f32(ln1_f32(x), f64::from(x).ln() as f32));
        }
        for i in 0..200_000u32 {
            // Near 1, densely.
            let x = 0.9 + i as f32 * 1e-6;
            worst[1] = worst[1].max(ulps_f32(ln1_f32(x), f64::from(x).ln() as f32));
        }
        assert!(worst[0] <= 1 && worst[1] <= 2, "exp, ln: {worst:?} ulp");
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
    fn f32_special_values() {
        assert_eq!(exp1_f32(0.0), 1.0);
        assert_eq!(exp1_f32(-104.0), 0.0);
        assert_eq!(exp1_f32(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp1_f32(89.0), f32::INFINITY);
        assert_eq!(exp1_f32(f32::INFINITY), f32::INFINITY);
        assert!(exp1_f32(f32::NAN).is_nan());
        assert_eq!(ln1_f32(1.0), 0.0);
        assert_eq!(ln1_f32(0.0), f32::NEG_INFINITY);
        assert_eq!(ln1_f32(f32::INFINITY), f32::INFINITY);
        assert!(ln1_f32(-1.0).is_nan() && ln1_f32(f32::NAN).is_nan());
        // ln(smallest subnormal) = -149 ln 2 = -103.27893.
        assert!(ulps_f32(ln1_f32(f32::from_bits(1)), -103.278_93) <= 1);
    }

    /// `exp`, `ln` and `log2_1p` of `values` (a multiple of eight) with one kind of vector.
    struct Apply<'a>(&'a mut [f64]);

    impl Kernel for Apply<'_> {
        type Output = ();
        fn run<V: F64s>(self) {
            for chunk in self.0.chunks_exact_mut(3 * WIDTH) {
                let (a, rest) = chunk.split_at_mut(WIDTH);
                let (b, c) = rest.split_at_mut(WIDTH);
                exp(V::load(a)).store(a);
                ln(V::load(b)).store(b);
                log2_1p(V::load(c)).store(c);
            }
        }
    }

    /// `exp_f32`, `ln_f32` and `ln_1p_unit_f32` of `values` (a multiple of 48) with one kind of
    /// vector.
    struct ApplySingle<'a>(&'a mut [f32]);

    impl Kernel for ApplySingle<'_> {
        type Output = ();
        fn run<V: F64s>(self) {
            for chunk in self.0.chunks_exact_mut(48) {
                let (a, rest) = chunk.split_at_mut(16);
                let (b, c) = rest.split_at_mut(16);
                exp_f32(V::Single::load(a)).store(a);
                ln_f32(V::Single::load(b)).store(b);
                let unit = V::Single::load(c).abs();
                let unit =
                    V::Single::select(unit.le(V::Single::splat(1.0)), unit, V::Single::splat(0.5));
                ln_1p_unit_f32(unit).store(c);
            }
        }
    }

    #[test]
    fn the_same_bits_with_every_vector() {
        // The whole range, subnormals and special values included, each through all three.
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
            for offset in [0, WIDTH, 2 * WIDTH] {
                wide[offset + i * 3 * WIDTH] = x;
            }
        }
        let mut plain = wide.clone();
        Apply(&mut plain).run::<Plain>();
        // Per 48: exp's arguments over [-110, 90], ln's over every positive f32, and
        // ln_1p_unit's over [0, 1]; special values at the start of each.
        let single: Vec<f32> = (0..96_000u32)
            .map(|j| match (j % 48, j / 48) {
                (0 | 16 | 32, _) => f32::NAN,
                (1 | 17, _) => f32::INFINITY,
                (2 | 18 | 33, _) => 0.0,
                (3 | 19, _) => -1.0,
                (i, k) if i < 16 => -110.0 + (k * 16 + i) as f32 * (200.0 / 32_000.0),
                (i, k) if i < 32 => f32::from_bits((k * 16 + i - 16) * (0x7f80_0000 / 32_000)),
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
