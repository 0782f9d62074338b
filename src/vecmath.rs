//! `exp`, `ln`, `log2`, `log2(1 + x)`, `log10` and `x^y` over slices in plain arithmetic (no
//! library calls, no branches), so that a loop of them vectorises. The Monte Carlo engine evaluates
//! them for every (sample, domain, year); the system maths library does one value per call.
//!
//! They follow the textbook method: split off a power of two, then a short approximation on a
//! small interval (fdlibm's polynomials for `exp` and the logarithm). Against the system library,
//! over the whole input range: `exp` within 1-2 ulp, `ln` within 2, `log2` within 3,
//! `log2(1 + x)` within 4, `log10` within about 5 (it is not exact at powers of ten, as the
//! system library is); `x^y = exp(y ln x)` within `2 + 2 |y ln x|` ulp (the rounding of `y ln x`
//! is amplified by `exp`). The results are the same bits on every x86-64 CPU, built with
//! AVX-512, AVX2 or neither, because the same IEEE operations run in the same order (no fused
//! multiply-add).

/// Run `f` compiled for AVX-512 or AVX2 where the CPU has it, so that the loops inlined into it
/// take eight or four f64 at a time. There is no fused multiply-add in any build (Rust never
/// contracts `a * b + c`), so the results are the same bits with and without them.
#[inline(always)]
pub fn vectorised<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F.
            return unsafe { avx512(f) };
        }
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2.
            return unsafe { avx2(f) };
        }
    }
    f()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn avx512<R>(f: impl FnOnce() -> R) -> R {
    f()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn avx2<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// `ln(2)` split so that `n * LN2_HI` is exact for `|n| < 2^21` (Cody and Waite; the fdlibm
/// constants).
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000); // 6.93147180369123816490e-01
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76); // 1.90821492927058770002e-10
/// fdlibm's (`e_exp.c`) minimax coefficients for `exp` on `[-ln2 / 2, ln2 / 2]`.
#[allow(clippy::excessive_precision)] // as published
const P1: f64 = 1.666_666_666_666_660_190_37e-1;
#[allow(clippy::excessive_precision)] // as published
const P2: f64 = -2.777_777_777_701_559_338_42e-3;
#[allow(clippy::excessive_precision)] // as published
const P3: f64 = 6.613_756_321_437_934_361_17e-5;
#[allow(clippy::excessive_precision)] // as published
const P4: f64 = -1.653_390_220_546_525_153_90e-6;
#[allow(clippy::excessive_precision)] // as published
const P5: f64 = 4.138_136_797_057_238_460_39e-8;
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

/// `exp(x)` in place (NaN stays NaN; below about -745 it is 0, above about 709.8 inf; results
/// below 2^-1022 are subnormal as in the system library).
///
/// `x = n ln2 + r` with `|r| <= ln2 / 2`, `exp(r)` as fdlibm computes it, then the product with `2^h` and `2^(n - h)`, `h = floor(n / 2)`
/// (one power of two alone cannot reach from 2^-1076 to 2^1024): exact but for the last
/// product's rounding into the subnormal range or overflow to inf.
#[inline(always)]
pub fn exp(xs: &mut [f64]) {
    for x in xs.iter_mut() {
        *x = exp_one(*x);
    }
}

#[inline(always)]
fn exp_one(x: f64) -> f64 {
    // NaN goes on (and comes out NaN).
    let clamped = x.clamp(-746.0, 710.0);
    let t = clamped * std::f64::consts::LOG2_E + ROUND;
    let n = t - ROUND;
    // fdlibm's method: r = hi - lo, and exp(r) = 1 + r + r c / (2 - c) with the rational
    // approximation c of r (e^r + 1) / (e^r - 1) - 2 from its minimax polynomial in r^2 (error
    // below 2^-59).
    let hi = clamped - n * LN2_HI;
    let lo = n * LN2_LO;
    let r = hi - lo;
    let z = r * r;
    let c = r - z * (P1 + z * (P2 + z * (P3 + z * (P4 + z * P5))));
    let p = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
    // The low bits of t hold n + 2^51, so nb = n + 2048, between 972 and 3072, and
    // h + 1024 = nb / 2. The biased exponents of 2^h and 2^(n - h) are h + 1023 and
    // n - h + 1023, between 485 and 1535.
    let nb = t.to_bits().wrapping_sub(ROUND.to_bits()).wrapping_add(2048);
    let half = nb >> 1;
    let low = f64::from_bits((half - 1) << 52);
    let high = f64::from_bits((nb - half - 1) << 52);
    p * low * high
}

/// `log2(1 + x)` in place for `x >= 0` (`+inf` gives `+inf`, NaN stays NaN), accurate for tiny
/// `x` too.
///
/// `y = 1 + x` rounded, with the rounding error `c = x - (y - 1)` put back as `c / y` (as
/// `ln_1p` implementations do), and `log2(y)` by `split_log`.
#[inline(always)]
pub fn log2_1p(xs: &mut [f64]) {
    for x in xs.iter_mut() {
        *x = log2_1p_one(*x);
    }
}

#[inline(always)]
fn log2_1p_one(x: f64) -> f64 {
    let y = 1.0 + x;
    let correction = (x - (y - 1.0)) / y;
    let (k, ln_m) = split_log(y);
    let value = k + (ln_m + correction) * std::f64::consts::LOG2_E;
    // Outside (0, inf) the bits above mean nothing: inf and NaN stand for themselves,
    // log2(0) is -inf and below 0 there is no logarithm (x < -1, outside this function's domain).
    if y > 0.0 && y < f64::INFINITY {
        value
    } else if y == 0.0 {
        f64::NEG_INFINITY
    } else if y == f64::INFINITY {
        y
    } else {
        f64::NAN
    }
}

/// `log10(x)` in place: by `split_log` when every `x` is a positive normal finite number
/// (the Monte Carlo engine's case), otherwise all by the system library.
#[inline(always)]
pub fn log10(xs: &mut [f64]) {
    if xs
        .iter()
        .all(|&x| (f64::MIN_POSITIVE..f64::INFINITY).contains(&x))
    {
        for x in xs.iter_mut() {
            let (k, ln_m) = split_log(*x);
            *x = (k + ln_m * std::f64::consts::LOG2_E) * std::f64::consts::LOG10_2;
        }
    } else {
        for x in xs.iter_mut() {
            *x = x.log10();
        }
    }
}

/// `ln(x)` in place over the whole range: subnormals included, `ln(0) = -inf`, `ln(inf) = inf`,
/// NaN for negative numbers and NaN.
#[inline(always)]
pub fn ln(xs: &mut [f64]) {
    for x in xs.iter_mut() {
        *x = ln_one(*x);
    }
}

/// `log2(x)` in place, over the whole range as [`ln`].
#[inline(always)]
pub fn log2(xs: &mut [f64]) {
    for x in xs.iter_mut() {
        let (k, ln_m) = split_any(*x);
        *x = special_log(*x, k + ln_m * std::f64::consts::LOG2_E);
    }
}

/// `x^y` in place for `x >= 0` (including `+inf`) and finite `y`, as `exp(y ln x)`: `x^0 = 1`
/// (whatever `x`) and `x^1 = x` exactly, `0^y` is 0 for `y > 0` and inf for `y < 0`, as the
/// system library gives them.
#[inline(always)]
pub fn pow(xs: &mut [f64], y: f64) {
    if y == 1.0 {
        return;
    }
    if y == 0.0 {
        xs.fill(1.0);
        return;
    }
    for x in xs.iter_mut() {
        *x = exp_one(y * ln_one(*x));
    }
}

#[inline(always)]
fn ln_one(x: f64) -> f64 {
    let (k, ln_m) = split_any(x);
    // k ln 2 in two parts, the first exact (k has at most 11 bits).
    special_log(x, k * LN2_HI + (ln_m + k * LN2_LO))
}

/// [`split_log`] of any positive `x`, subnormals scaled into the normal range by `2^54` first
/// (other inputs give numbers that [`special_log`] replaces).
#[inline(always)]
fn split_any(x: f64) -> (f64, f64) {
    let tiny = x < f64::MIN_POSITIVE;
    let (k, ln_m) = split_log(if tiny { x * TWO_54 } else { x });
    (if tiny { k - 54.0 } else { k }, ln_m)
}

/// `value` for positive finite `x`; the logarithm's special values otherwise.
#[inline(always)]
fn special_log(x: f64, value: f64) -> f64 {
    if x > 0.0 && x < f64::INFINITY {
        value
    } else if x == 0.0 {
        f64::NEG_INFINITY
    } else if x == f64::INFINITY {
        x
    } else {
        f64::NAN
    }
}

/// `2^54`, which takes the smallest subnormal to a normal number.
const TWO_54: f64 = 18_014_398_509_481_984.0;

/// `y = 2^k m` with `m` in `[sqrt(1/2), sqrt(2))`, for positive normal finite `y`: `k` and
/// `ln(m)`, the latter as `2 atanh(s) = 2s + s R(s^2)` with `s = (m - 1) / (m + 1)`,
/// `|s| <= 0.172`, and fdlibm's minimax polynomial R.
#[inline(always)]
fn split_log(y: f64) -> (f64, f64) {
    // The exponent k of y relative to sqrt(1/2): y's bits minus those of sqrt(1/2), shifted.
    // For y >= sqrt(1/2) the difference is positive and the shift logical; below, the
    // difference wraps and an arithmetic shift would be needed, so that is done on a value
    // offset by 2^11 exponents (y >= 2^-1022, so k + 2048 > 0).
    let bits = y.to_bits();
    let offset = bits
        .wrapping_sub(0x3fe6_a09e_667f_3bcd)
        .wrapping_add(2048 << 52);
    let k_offset = offset >> 52;
    let m = f64::from_bits(bits.wrapping_sub(k_offset.wrapping_sub(2048) << 52));
    // k as a float without an integer conversion (which has no vector form before AVX-512).
    let k = f64::from_bits(0x4330_0000_0000_0000 | k_offset) - (4_503_599_627_370_496.0 + 2048.0);
    let s = (m - 1.0) / (m + 1.0);
    let z = s * s;
    let mut r = LG[6];
    for c in LG[..6].iter().rev() {
        r = r * z + c;
    }
    (k, 2.0 * s + s * (z * r))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ulps(a: f64, b: f64) -> u64 {
        if a == b {
            return 0;
        }
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    fn exp1(x: f64) -> f64 {
        let mut v = [x];
        exp(&mut v);
        v[0]
    }

    fn log2p(x: f64) -> f64 {
        let mut v = [x];
        log2_1p(&mut v);
        v[0]
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
            let x = f64::from_bits(i * (0x7fe0_0000_0000_0000 / 200_000));
            let want = x.ln_1p() / std::f64::consts::LN_2;
            worst.1 = worst.1.max(ulps(log2p(x), want));
        }
        assert!(worst.0 <= 3, "exp: {} ulp", worst.0);
        // The reference itself, ln_1p then a division, is up to about 1 ulp off.
        assert!(worst.1 <= 4, "log2_1p: {} ulp", worst.1);
    }

    fn ln1(x: f64) -> f64 {
        let mut v = [x];
        ln(&mut v);
        v[0]
    }

    fn log2_1(x: f64) -> f64 {
        let mut v = [x];
        log2(&mut v);
        v[0]
    }

    fn pow1(x: f64, y: f64) -> f64 {
        let mut v = [x];
        pow(&mut v, y);
        v[0]
    }

    #[test]
    fn ln_and_log2_special_values() {
        assert_eq!(ln1(1.0), 0.0);
        assert_eq!(log2_1(1.0), 0.0);
        assert_eq!(log2_1(8.0), 3.0);
        assert_eq!(log2_1(0.5), -1.0);
        assert_eq!(log2_1(2f64.powi(-1074)), -1074.0);
        assert_eq!(log2_1(f64::MAX), 1024.0);
        assert!(ulps(ln1(std::f64::consts::E), 1.0) <= 1);
        // ln 2 = 0.6931471805599453, ln 10 = 2.302585092994046 (correctly rounded).
        assert!(ulps(ln1(2.0), std::f64::consts::LN_2) <= 1);
        assert!(ulps(ln1(10.0), std::f64::consts::LN_10) <= 1);
        // ln(5e-324) = -1074 ln 2 = -744.4400719213812.
        assert!(ulps(ln1(5e-324), -744.4400719213812) <= 1);
        for f in [ln1, log2_1] {
            assert_eq!(f(0.0), f64::NEG_INFINITY);
            assert_eq!(f(-0.0), f64::NEG_INFINITY);
            assert_eq!(f(f64::INFINITY), f64::INFINITY);
            assert!(f(-1.0).is_nan());
            assert!(f(f64::NEG_INFINITY).is_nan());
            assert!(f(f64::NAN).is_nan());
        }
    }

    #[test]
    fn ln_and_log2_within_2_and_3_ulp_of_the_system_library_everywhere() {
        let mut worst = (0, 0);
        for i in 1..400_000u64 {
            // Every positive finite float, subnormals included, evenly in the bit pattern.
            let x = f64::from_bits(i * (0x7fef_ffff_ffff_ffff / 400_000));
            worst.0 = worst.0.max(ulps(ln1(x), x.ln()));
            worst.1 = worst.1.max(ulps(log2_1(x), x.log2()));
        }
        // Near 1, where ln is small, densely.
        for i in 0..100_000u64 {
            let x = 0.9 + f64::from(i as u32) * 2e-6;
            worst.0 = worst.0.max(ulps(ln1(x), x.ln()));
            worst.1 = worst.1.max(ulps(log2_1(x), x.log2()));
        }
        assert!(worst.0 <= 2, "ln: {} ulp", worst.0);
        assert!(worst.1 <= 3, "log2: {} ulp", worst.1);
    }

    #[test]
    fn pow_special_values() {
        assert_eq!(pow1(2.0, 0.0), 1.0);
        assert_eq!(pow1(0.0, 0.0), 1.0);
        assert_eq!(pow1(f64::INFINITY, 0.0), 1.0);
        assert_eq!(pow1(1.0, 123.4), 1.0);
        assert_eq!(pow1(f64::NAN, 0.0), 1.0);
        assert_eq!(pow1(0.1, 1.0), 0.1);
        assert_eq!(pow1(f64::INFINITY, 1.0), f64::INFINITY);
        assert_eq!(pow1(0.0, 1.5), 0.0);
        assert_eq!(pow1(0.0, -1.5), f64::INFINITY);
        assert_eq!(pow1(f64::INFINITY, 0.5), f64::INFINITY);
        assert_eq!(pow1(f64::INFINITY, -0.5), 0.0);
        assert_eq!(pow1(1e300, 2.0), f64::INFINITY);
        assert_eq!(pow1(1e-300, 2.0), 0.0);
        assert!(ulps(pow1(2.0, 10.0), 1024.0) <= 1);
        assert!(ulps(pow1(4.0, 0.5), 2.0) <= 1);
        assert!(pow1(-1.0, 0.5).is_nan());
    }

    /// Within `2 + 2 |y ln x|` ulp of the system library: the rounding of `y ln x` (half an ulp
    /// of a number of that size) is amplified by `exp`.
    #[test]
    fn pow_within_its_bound_of_the_system_library() {
        for y in [-4.0, -1.5, -0.3478, -0.25, 0.5, 0.7, 1.5, 2.0, 4.0, 17.0] {
            for i in 1..20_000u64 {
                let x = f64::from_bits(i * (0x7fef_ffff_ffff_ffff / 20_000));
                let want = x.powf(y);
                let bound = 2 + (2.0 * (y * x.ln()).abs()) as u64;
                if want == 0.0 || !want.is_finite() {
                    assert_eq!(pow1(x, y), want, "{x}^{y}");
                    continue;
                }
                if want < f64::MIN_POSITIVE {
                    // Subnormal: the same bound in units of the smallest subnormal.
                    let e = (pow1(x, y) - want).abs();
                    assert!(e <= bound as f64 * 5e-324, "{x}^{y}: off by {e}");
                    continue;
                }
                let e = ulps(pow1(x, y), want);
                assert!(e <= bound, "{x}^{y}: {e} ulp > {bound}");
            }
        }
    }

    #[test]
    fn log10_special_values_and_accuracy() {
        let mut v = [1.0, 10.0, 1e-300, 1e300, 2.5e25, 0.5];
        log10(&mut v);
        assert_eq!(&v[..4], &[0.0, 1.0, -300.0, 300.0]);
        assert!(ulps(v[4], 2.5e25f64.log10()) <= 2);
        assert!(ulps(v[5], 0.5f64.log10()) <= 2);
        // One input outside the arithmetic's range: all by the system library.
        let mut v = [10.0, 0.0, f64::INFINITY, 5e-324];
        log10(&mut v);
        assert_eq!(v[..3], [1.0, f64::NEG_INFINITY, f64::INFINITY]);
        assert_eq!(v[3], 5e-324f64.log10());
        let mut worst = 0;
        for i in 1..200_000u64 {
            let x = f64::from_bits(0x0010_0000_0000_0000 + i * (0x7fd0_0000_0000_0000 / 200_000));
            let mut v = [x];
            log10(&mut v);
            worst = worst.max(ulps(v[0], x.log10()));
        }
        assert!(worst <= 5, "log10: {worst} ulp");
    }

    #[test]
    fn the_same_bits_with_and_without_avx2() {
        let neg: Vec<f64> = (0..10_000).map(|i| 700.0 - (i as f64) * 0.1451).collect();
        let pos: Vec<f64> = (0..10_000).map(|i| (i as f64).powi(3) * 1e-3).collect();
        let (mut a, mut b) = (neg.clone(), neg);
        exp(&mut a);
        vectorised(
            #[inline(always)]
            || exp(&mut b),
        );
        assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()));
        let (mut a, mut b) = (pos.clone(), pos.clone());
        log2_1p(&mut a);
        vectorised(
            #[inline(always)]
            || log2_1p(&mut b),
        );
        assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()));
        // ln, log2 and pow over the whole range, subnormals and special values included.
        let mut wide: Vec<f64> = (0..10_000u64)
            .map(|i| f64::from_bits(i * (0x7ff0_0000_0000_0000 / 10_000)))
            .collect();
        wide.extend([0.0, -1.0, f64::INFINITY, f64::NAN, 5e-324]);
        // Each called directly inside each build, so that the build inlines it: the plain one,
        // and the AVX2 and AVX-512 ones where the CPU has them.
        macro_rules! same_bits {
            ($($op:expr),+) => {$({
                let mut plain = wide.clone();
                $op(&mut plain);
                #[cfg(target_arch = "x86_64")]
                for (build, present) in [(0, std::is_x86_feature_detected!("avx2")), (1, std::is_x86_feature_detected!("avx512f"))] {
                    if !present {
                        continue;
                    }
                    let mut b = wide.clone();
                    // SAFETY: the CPU has the build's instructions.
                    unsafe {
                        if build == 0 {
                            avx2(#[inline(always)] || $op(&mut b))
                        } else {
                            avx512(#[inline(always)] || $op(&mut b))
                        }
                    };
                    assert!(plain.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()), "build {build}");
                }
            })+};
        }
        same_bits!(
            exp,
            log2_1p,
            log10,
            ln,
            log2,
            |v: &mut [f64]| pow(v, -0.7),
            |v: &mut [f64]| pow(v, 1.5)
        );
    }

    proptest! {
        #[test]
        fn exp_matches_the_library_on_the_range_capability_uses(x in -60.0f64..=60.0) {
            prop_assert!(ulps(exp1(x), x.exp()) <= 3);
        }

        #[test]
        fn log2_1p_matches_the_library_on_the_range_thinking_uses(x in 0.0f64..1e7) {
            let want = x.ln_1p() / std::f64::consts::LN_2;
            prop_assert!((log2p(x) - want).abs() <= 4.0 * f64::EPSILON * want.max(1e-300));
        }
    }
}
