//! Vectors of eight f64 for the Monte Carlo engine's kernels: one AVX-512 register, two AVX2
//! registers, or a plain array, chosen at run time by [`dispatch`]. Every operation is one IEEE
//! operation per lane, in the order the kernel writes them (a fused multiply-add, rounded once,
//! only where the kernel asks for one: [`F64s::mul_add`]; the AVX2 build needs the CPU's FMA
//! too), so the three give the same bits.
//!
//! The kernels are written against [`F64s`] rather than left to the compiler's
//! auto-vectoriser, which vectorises loops over a handful of samples unpredictably (across the
//! wrong loop with gathers, or not at all when the count is small).

use std::ops::{Add, BitOr, Div, Mul, Neg, Sub};

/// Lanes per vector.
pub const WIDTH: usize = 8;

/// Eight f64 lanes.
pub trait F64s:
    Copy
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    /// A lane-wise comparison's result.
    type Mask: Mask;
    /// The lanes' bit patterns.
    type Bits: U64s;
    /// Sixteen f32 lanes: two of these vectors narrowed.
    type Single: F32s;
    fn splat(x: f64) -> Self;
    /// The first eight numbers of `x`.
    fn load(x: &[f64]) -> Self;
    /// Into the first eight numbers of `out`.
    fn store(self, out: &mut [f64]);
    /// `self < other` (false where either is NaN), and the like.
    fn lt(self, other: Self) -> Self::Mask;
    fn le(self, other: Self) -> Self::Mask;
    fn eq(self, other: Self) -> Self::Mask;
    fn is_nan(self) -> Self::Mask;
    /// `a` where `mask` is set, else `b`.
    fn select(mask: Self::Mask, a: Self, b: Self) -> Self;
    /// The sign bit cleared.
    fn abs(self) -> Self;
    fn to_bits(self) -> Self::Bits;
    fn from_bits(bits: Self::Bits) -> Self;
    /// `lo`'s lanes then `hi`'s, each rounded to the nearest f32.
    fn narrow(lo: Self, hi: Self) -> Self::Single;
    /// The first eight lanes and the last eight, exactly.
    fn widen(x: Self::Single) -> (Self, Self);
    /// `self * a + b` with one rounding (fused multiply-add), per lane.
    fn mul_add(self, a: Self, b: Self) -> Self;

    /// `if self < other { self } else { other }` per lane (`other` where either is NaN).
    #[inline(always)]
    fn min(self, other: Self) -> Self {
        Self::select(self.lt(other), self, other)
    }

    /// `if other < self { self } else { other }` per lane.
    #[inline(always)]
    fn max(self, other: Self) -> Self {
        Self::select(other.lt(self), self, other)
    }
}

/// Sixteen f32 lanes, with the same operations as [`F64s`].
pub trait F32s:
    Copy
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    type Mask: Mask;
    type Bits: U32s;
    fn splat(x: f32) -> Self;
    /// The first sixteen numbers of `x`.
    fn load(x: &[f32]) -> Self;
    fn store(self, out: &mut [f32]);
    fn lt(self, other: Self) -> Self::Mask;
    fn le(self, other: Self) -> Self::Mask;
    fn eq(self, other: Self) -> Self::Mask;
    fn select(mask: Self::Mask, a: Self, b: Self) -> Self;
    fn abs(self) -> Self;
    fn to_bits(self) -> Self::Bits;
    fn from_bits(bits: Self::Bits) -> Self;
    /// As [`F64s::mul_add`].
    fn mul_add(self, a: Self, b: Self) -> Self;

    /// As [`F64s::min`].
    #[inline(always)]
    fn min(self, other: Self) -> Self {
        Self::select(self.lt(other), self, other)
    }

    /// As [`F64s::max`].
    #[inline(always)]
    fn max(self, other: Self) -> Self {
        Self::select(other.lt(self), self, other)
    }
}

/// The result of a lane-wise comparison.
pub trait Mask: Copy {
    fn and(self, other: Self) -> Self;
    fn or(self, other: Self) -> Self;
    fn not(self) -> Self;
    /// Whether every lane is set.
    fn all(self) -> bool;
}

/// Eight u64 lanes (wrapping arithmetic).
pub trait U64s: Copy + Add<Output = Self> + Sub<Output = Self> + BitOr<Output = Self> {
    fn splat(x: u64) -> Self;
    /// Logical shifts by `N` bits.
    fn shr<const N: u32>(self) -> Self;
    fn shl<const N: u32>(self) -> Self;
    /// Logical shift by `n` bits (below 64).
    fn shr_by(self, n: u32) -> Self;
    /// The low 16 bits of each lane into the first eight numbers of `out`.
    fn store_u16(self, out: &mut [u16]);
}

/// Sixteen u32 lanes (wrapping arithmetic).
pub trait U32s: Copy + Add<Output = Self> + Sub<Output = Self> + BitOr<Output = Self> {
    fn splat(x: u32) -> Self;
    /// Logical shifts by `N` bits.
    fn shr<const N: u32>(self) -> Self;
    fn shl<const N: u32>(self) -> Self;
}

/// A computation over vectors, run by [`dispatch`] with the widest the CPU has.
pub trait Kernel {
    type Output;
    fn run<V: F64s>(self) -> Self::Output;
}

/// The vectors a kernel can run with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Plain,
    Avx2,
    Avx512,
}

impl Backend {
    /// The widest this CPU has.
    pub fn best() -> Backend {
        #[cfg(target_arch = "x86_64")]
        {
            if std::is_x86_feature_detected!("avx512f") {
                return Backend::Avx512;
            }
            if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
                return Backend::Avx2;
            }
        }
        Backend::Plain
    }

    /// Every one this CPU can run (for tests that compare them).
    pub fn available() -> Vec<Backend> {
        let mut all = vec![Backend::Plain];
        #[cfg(target_arch = "x86_64")]
        {
            if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
                all.push(Backend::Avx2);
            }
            if std::is_x86_feature_detected!("avx512f") {
                all.push(Backend::Avx512);
            }
        }
        all
    }

    /// Run `k` with these vectors; with plain arrays if the CPU lacks them.
    #[inline(always)]
    pub fn run<K: Kernel>(self, k: K) -> K::Output {
        #[cfg(target_arch = "x86_64")]
        match self {
            Backend::Avx512 if std::is_x86_feature_detected!("avx512f") => {
                // SAFETY: the CPU has AVX-512F.
                return unsafe { x86::avx512(k) };
            }
            Backend::Avx2 | Backend::Avx512
                if std::is_x86_feature_detected!("avx2")
                    && std::is_x86_feature_detected!("fma") =>
            {
                // SAFETY: the CPU has AVX2 and FMA.
                return unsafe { x86::avx2(k) };
            }
            _ => {}
        }
        k.run::<Plain>()
    }
}

/// Run `k` with the widest vectors the CPU has ([`Backend::best`]): the same bits in every case.
#[inline(always)]
pub fn dispatch<K: Kernel>(k: K) -> K::Output {
    Backend::best().run(k)
}

/// Eight f64 in an array: the vector of CPUs without AVX2, and the reference for the others.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Plain(pub [f64; WIDTH]);

/// Eight u64 in an array.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlainBits(pub [u64; WIDTH]);

/// Eight booleans.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlainMask(pub [bool; WIDTH]);

/// Sixteen f32 in an array.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlainSingle(pub [f32; 16]);

/// Sixteen u32 in an array.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlainSingleBits(pub [u32; 16]);

/// Sixteen booleans.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlainSingleMask(pub [bool; 16]);

macro_rules! lanewise {
    ($t:ident, $trait:ident, $method:ident, $op:tt) => {
        impl $trait for $t {
            type Output = $t;
            #[inline(always)]
            fn $method(self, other: $t) -> $t {
                $t(std::array::from_fn(|i| self.0[i] $op other.0[i]))
            }
        }
    };
}

lanewise!(Plain, Add, add, +);
lanewise!(Plain, Sub, sub, -);
lanewise!(Plain, Mul, mul, *);
lanewise!(Plain, Div, div, /);
lanewise!(PlainBits, BitOr, bitor, |);
lanewise!(PlainSingle, Add, add, +);
lanewise!(PlainSingle, Sub, sub, -);
lanewise!(PlainSingle, Mul, mul, *);
lanewise!(PlainSingle, Div, div, /);
lanewise!(PlainSingleBits, BitOr, bitor, |);

impl Add for PlainSingleBits {
    type Output = PlainSingleBits;
    #[inline(always)]
    fn add(self, other: PlainSingleBits) -> PlainSingleBits {
        PlainSingleBits(std::array::from_fn(|i| self.0[i].wrapping_add(other.0[i])))
    }
}

impl Sub for PlainSingleBits {
    type Output = PlainSingleBits;
    #[inline(always)]
    fn sub(self, other: PlainSingleBits) -> PlainSingleBits {
        PlainSingleBits(std::array::from_fn(|i| self.0[i].wrapping_sub(other.0[i])))
    }
}

impl Neg for PlainSingle {
    type Output = PlainSingle;
    #[inline(always)]
    fn neg(self) -> PlainSingle {
        PlainSingle(self.0.map(|x| -x))
    }
}

impl F32s for PlainSingle {
    #[inline(always)]
    fn mul_add(self, a: PlainSingle, b: PlainSingle) -> PlainSingle {
        PlainSingle(std::array::from_fn(|i| self.0[i].mul_add(a.0[i], b.0[i])))
    }
    type Mask = PlainSingleMask;
    type Bits = PlainSingleBits;
    #[inline(always)]
    fn splat(x: f32) -> PlainSingle {
        PlainSingle([x; 16])
    }
    #[inline(always)]
    fn load(x: &[f32]) -> PlainSingle {
        PlainSingle(std::array::from_fn(|i| x[i]))
    }
    #[inline(always)]
    fn store(self, out: &mut [f32]) {
        out[..16].copy_from_slice(&self.0);
    }
    #[inline(always)]
    fn lt(self, other: PlainSingle) -> PlainSingleMask {
        PlainSingleMask(std::array::from_fn(|i| self.0[i] < other.0[i]))
    }
    #[inline(always)]
    fn le(self, other: PlainSingle) -> PlainSingleMask {
        PlainSingleMask(std::array::from_fn(|i| self.0[i] <= other.0[i]))
    }
    #[inline(always)]
    fn eq(self, other: PlainSingle) -> PlainSingleMask {
        PlainSingleMask(std::array::from_fn(|i| self.0[i] == other.0[i]))
    }
    #[inline(always)]
    fn select(mask: PlainSingleMask, a: PlainSingle, b: PlainSingle) -> PlainSingle {
        PlainSingle(std::array::from_fn(
            |i| if mask.0[i] { a.0[i] } else { b.0[i] },
        ))
    }
    #[inline(always)]
    fn abs(self) -> PlainSingle {
        PlainSingle(self.0.map(f32::abs))
    }
    #[inline(always)]
    fn to_bits(self) -> PlainSingleBits {
        PlainSingleBits(self.0.map(f32::to_bits))
    }
    #[inline(always)]
    fn from_bits(bits: PlainSingleBits) -> PlainSingle {
        PlainSingle(bits.0.map(f32::from_bits))
    }
}

impl Mask for PlainSingleMask {
    #[inline(always)]
    fn and(self, other: PlainSingleMask) -> PlainSingleMask {
        PlainSingleMask(std::array::from_fn(|i| self.0[i] && other.0[i]))
    }
    #[inline(always)]
    fn or(self, other: PlainSingleMask) -> PlainSingleMask {
        PlainSingleMask(std::array::from_fn(|i| self.0[i] || other.0[i]))
    }
    #[inline(always)]
    fn not(self) -> PlainSingleMask {
        PlainSingleMask(self.0.map(|m| !m))
    }
    #[inline(always)]
    fn all(self) -> bool {
        self.0.iter().all(|&m| m)
    }
}

impl U32s for PlainSingleBits {
    #[inline(always)]
    fn splat(x: u32) -> PlainSingleBits {
        PlainSingleBits([x; 16])
    }
    #[inline(always)]
    fn shr<const N: u32>(self) -> PlainSingleBits {
        PlainSingleBits(self.0.map(|x| x >> N))
    }
    #[inline(always)]
    fn shl<const N: u32>(self) -> PlainSingleBits {
        PlainSingleBits(self.0.map(|x| x << N))
    }
}

impl Add for PlainBits {
    type Output = PlainBits;
    #[inline(always)]
    fn add(self, other: PlainBits) -> PlainBits {
        PlainBits(std::array::from_fn(|i| self.0[i].wrapping_add(other.0[i])))
    }
}

impl Sub for PlainBits {
    type Output = PlainBits;
    #[inline(always)]
    fn sub(self, other: PlainBits) -> PlainBits {
        PlainBits(std::array::from_fn(|i| self.0[i].wrapping_sub(other.0[i])))
    }
}

impl Neg for Plain {
    type Output = Plain;
    #[inline(always)]
    fn neg(self) -> Plain {
        Plain(self.0.map(|x| -x))
    }
}

impl F64s for Plain {
    #[inline(always)]
    fn mul_add(self, a: Plain, b: Plain) -> Plain {
        Plain(std::array::from_fn(|i| self.0[i].mul_add(a.0[i], b.0[i])))
    }
    type Mask = PlainMask;
    type Bits = PlainBits;
    type Single = PlainSingle;
    #[inline(always)]
    fn narrow(lo: Plain, hi: Plain) -> PlainSingle {
        PlainSingle(std::array::from_fn(|i| {
            if i < WIDTH {
                lo.0[i] as f32
            } else {
                hi.0[i - WIDTH] as f32
            }
        }))
    }
    #[inline(always)]
    fn widen(x: PlainSingle) -> (Plain, Plain) {
        (
            Plain(std::array::from_fn(|i| f64::from(x.0[i]))),
            Plain(std::array::from_fn(|i| f64::from(x.0[i + WIDTH]))),
        )
    }
    #[inline(always)]
    fn splat(x: f64) -> Plain {
        Plain([x; WIDTH])
    }
    #[inline(always)]
    fn load(x: &[f64]) -> Plain {
        Plain(std::array::from_fn(|i| x[i]))
    }
    #[inline(always)]
    fn store(self, out: &mut [f64]) {
        out[..WIDTH].copy_from_slice(&self.0);
    }
    #[inline(always)]
    fn lt(self, other: Plain) -> PlainMask {
        PlainMask(std::array::from_fn(|i| self.0[i] < other.0[i]))
    }
    #[inline(always)]
    fn le(self, other: Plain) -> PlainMask {
        PlainMask(std::array::from_fn(|i| self.0[i] <= other.0[i]))
    }
    #[inline(always)]
    fn eq(self, other: Plain) -> PlainMask {
        PlainMask(std::array::from_fn(|i| self.0[i] == other.0[i]))
    }
    #[inline(always)]
    fn is_nan(self) -> PlainMask {
        PlainMask(self.0.map(f64::is_nan))
    }
    #[inline(always)]
    fn select(mask: PlainMask, a: Plain, b: Plain) -> Plain {
        Plain(std::array::from_fn(
            |i| if mask.0[i] { a.0[i] } else { b.0[i] },
        ))
    }
    #[inline(always)]
    fn abs(self) -> Plain {
        Plain(self.0.map(f64::abs))
    }
    #[inline(always)]
    fn to_bits(self) -> PlainBits {
        PlainBits(self.0.map(f64::to_bits))
    }
    #[inline(always)]
    fn from_bits(bits: PlainBits) -> Plain {
        Plain(bits.0.map(f64::from_bits))
    }
}

impl Mask for PlainMask {
    #[inline(always)]
    fn and(self, other: PlainMask) -> PlainMask {
        PlainMask(std::array::from_fn(|i| self.0[i] && other.0[i]))
    }
    #[inline(always)]
    fn or(self, other: PlainMask) -> PlainMask {
        PlainMask(std::array::from_fn(|i| self.0[i] || other.0[i]))
    }
    #[inline(always)]
    fn not(self) -> PlainMask {
        PlainMask(self.0.map(|m| !m))
    }
    #[inline(always)]
    fn all(self) -> bool {
        self.0.iter().all(|&m| m)
    }
}

impl U64s for PlainBits {
    #[inline(always)]
    fn splat(x: u64) -> PlainBits {
        PlainBits([x; WIDTH])
    }
    #[inline(always)]
    fn shr<const N: u32>(self) -> PlainBits {
        PlainBits(self.0.map(|x| x >> N))
    }
    #[inline(always)]
    fn shl<const N: u32>(self) -> PlainBits {
        PlainBits(self.0.map(|x| x << N))
    }
    #[inline(always)]
    fn shr_by(self, n: u32) -> PlainBits {
        PlainBits(self.0.map(|x| x >> n))
    }
    #[inline(always)]
    fn store_u16(self, out: &mut [u16]) {
        for (o, &x) in out[..WIDTH].iter_mut().zip(&self.0) {
            *o = x as u16;
        }
    }
}

#[cfg(target_arch = "x86_64")]
pub use x86::{Avx2, Avx512};

#[cfg(target_arch = "x86_64")]
mod x86 {
    //! The AVX-512 and AVX2 vectors. Their methods call intrinsics that need those features;
    //! they are only ever inlined into [`avx512`] and [`avx2`], which [`super::dispatch`]
    //! calls only on CPUs that have them.

    use std::arch::x86_64::*;
    use std::ops::{Add, BitOr, Div, Mul, Neg, Sub};

    use super::{F32s, F64s, Kernel, Mask, U32s, U64s};

    #[target_feature(enable = "avx512f")]
    pub(super) fn avx512<K: Kernel>(k: K) -> K::Output {
        k.run::<Avx512>()
    }

    #[target_feature(enable = "avx2,fma")]
    pub(super) fn avx2<K: Kernel>(k: K) -> K::Output {
        k.run::<Avx2>()
    }

    /// One AVX-512 register.
    #[derive(Clone, Copy, Debug)]
    pub struct Avx512(__m512d);
    #[derive(Clone, Copy, Debug)]
    pub struct Avx512Bits(__m512i);
    #[derive(Clone, Copy, Debug)]
    pub struct Avx512Mask(__mmask8);

    /// Two AVX2 registers.
    #[derive(Clone, Copy, Debug)]
    pub struct Avx2([__m256d; 2]);
    #[derive(Clone, Copy, Debug)]
    pub struct Avx2Bits([__m256i; 2]);
    #[derive(Clone, Copy, Debug)]
    pub struct Avx2Mask([__m256d; 2]);

    /// Sixteen f32 in one AVX-512 register.
    #[derive(Clone, Copy, Debug)]
    pub struct Avx512Single(__m512);
    #[derive(Clone, Copy, Debug)]
    pub struct Avx512SingleBits(__m512i);
    #[derive(Clone, Copy, Debug)]
    pub struct Avx512SingleMask(__mmask16);

    /// Sixteen f32 in two AVX2 registers.
    #[derive(Clone, Copy, Debug)]
    pub struct Avx2Single([__m256; 2]);
    #[derive(Clone, Copy, Debug)]
    pub struct Avx2SingleBits([__m256i; 2]);
    #[derive(Clone, Copy, Debug)]
    pub struct Avx2SingleMask([__m256; 2]);

    // SAFETY (every `unsafe` block below): the intrinsic needs AVX-512F (for the `Avx512`
    // types) or AVX2 (for the `Avx2` types), which the CPU has whenever these types are used:
    // only `avx512` and `avx2` instantiate kernels with them, and only `dispatch` calls those,
    // after detecting the feature. Loads and stores are of the first eight numbers of a slice
    // whose length is checked.

    macro_rules! binary {
        ($t:ident, $trait:ident, $method:ident, $avx512:ident, $avx2:ident) => {
            impl $trait for $t {
                type Output = $t;
                #[inline(always)]
                fn $method(self, other: $t) -> $t {
                    unsafe { binary!(@apply $t, self, other, $avx512, $avx2) }
                }
            }
        };
        (@apply Avx512, $a:expr, $b:expr, $avx512:ident, $avx2:ident) => {
            Avx512($avx512($a.0, $b.0))
        };
        (@apply Avx512Bits, $a:expr, $b:expr, $avx512:ident, $avx2:ident) => {
            Avx512Bits($avx512($a.0, $b.0))
        };
        (@apply Avx2, $a:expr, $b:expr, $avx512:ident, $avx2:ident) => {
            Avx2([$avx2($a.0[0], $b.0[0]), $avx2($a.0[1], $b.0[1])])
        };
        (@apply Avx2Bits, $a:expr, $b:expr, $avx512:ident, $avx2:ident) => {
            Avx2Bits([$avx2($a.0[0], $b.0[0]), $avx2($a.0[1], $b.0[1])])
        };
        (@apply Avx512Single, $a:expr, $b:expr, $avx512:ident, $avx2:ident) => {
            Avx512Single($avx512($a.0, $b.0))
        };
        (@apply Avx512SingleBits, $a:expr, $b:expr, $avx512:ident, $avx2:ident) => {
            Avx512SingleBits($avx512($a.0, $b.0))
        };
        (@apply Avx2Single, $a:expr, $b:expr, $avx512:ident, $avx2:ident) => {
            Avx2Single([$avx2($a.0[0], $b.0[0]), $avx2($a.0[1], $b.0[1])])
        };
        (@apply Avx2SingleBits, $a:expr, $b:expr, $avx512:ident, $avx2:ident) => {
            Avx2SingleBits([$avx2($a.0[0], $b.0[0]), $avx2($a.0[1], $b.0[1])])
        };
    }

    binary!(Avx512, Add, add, _mm512_add_pd, _mm256_add_pd);
    binary!(Avx512, Sub, sub, _mm512_sub_pd, _mm256_sub_pd);
    binary!(Avx512, Mul, mul, _mm512_mul_pd, _mm256_mul_pd);
    binary!(Avx512, Div, div, _mm512_div_pd, _mm256_div_pd);
    binary!(Avx512Bits, Add, add, _mm512_add_epi64, _mm256_add_epi64);
    binary!(Avx512Bits, Sub, sub, _mm512_sub_epi64, _mm256_sub_epi64);
    binary!(Avx512Bits, BitOr, bitor, _mm512_or_si512, _mm256_or_si256);
    binary!(Avx2, Add, add, _mm512_add_pd, _mm256_add_pd);
    binary!(Avx2, Sub, sub, _mm512_sub_pd, _mm256_sub_pd);
    binary!(Avx2, Mul, mul, _mm512_mul_pd, _mm256_mul_pd);
    binary!(Avx2, Div, div, _mm512_div_pd, _mm256_div_pd);
    binary!(Avx2Bits, Add, add, _mm512_add_epi64, _mm256_add_epi64);
    binary!(Avx2Bits, Sub, sub, _mm512_sub_epi64, _mm256_sub_epi64);
    binary!(Avx2Bits, BitOr, bitor, _mm512_or_si512, _mm256_or_si256);
    binary!(Avx512Single, Add, add, _mm512_add_ps, _mm256_add_ps);
    binary!(Avx512Single, Sub, sub, _mm512_sub_ps, _mm256_sub_ps);
    binary!(Avx512Single, Mul, mul, _mm512_mul_ps, _mm256_mul_ps);
    binary!(Avx512Single, Div, div, _mm512_div_ps, _mm256_div_ps);
    binary!(
        Avx512SingleBits,
        Add,
        add,
        _mm512_add_epi32,
        _mm256_add_epi32
    );
    binary!(
        Avx512SingleBits,
        Sub,
        sub,
        _mm512_sub_epi32,
        _mm256_sub_epi32
    );
    binary!(
        Avx512SingleBits,
        BitOr,
        bitor,
        _mm512_or_si512,
        _mm256_or_si256
    );
    binary!(Avx2Single, Add, add, _mm512_add_ps, _mm256_add_ps);
    binary!(Avx2Single, Sub, sub, _mm512_sub_ps, _mm256_sub_ps);
    binary!(Avx2Single, Mul, mul, _mm512_mul_ps, _mm256_mul_ps);
    binary!(Avx2Single, Div, div, _mm512_div_ps, _mm256_div_ps);
    binary!(Avx2SingleBits, Add, add, _mm512_add_epi32, _mm256_add_epi32);
    binary!(Avx2SingleBits, Sub, sub, _mm512_sub_epi32, _mm256_sub_epi32);
    binary!(
        Avx2SingleBits,
        BitOr,
        bitor,
        _mm512_or_si512,
        _mm256_or_si256
    );

    const SIGN: u64 = 1 << 63;

    impl Neg for Avx512 {
        type Output = Avx512;
        #[inline(always)]
        fn neg(self) -> Avx512 {
            unsafe {
                Avx512(_mm512_castsi512_pd(_mm512_xor_si512(
                    _mm512_castpd_si512(self.0),
                    _mm512_set1_epi64(SIGN as i64),
                )))
            }
        }
    }

    impl F64s for Avx512 {
        #[inline(always)]
        fn mul_add(self, a: Avx512, b: Avx512) -> Avx512 {
            unsafe { Avx512(_mm512_fmadd_pd(self.0, a.0, b.0)) }
        }
        type Mask = Avx512Mask;
        type Bits = Avx512Bits;
        type Single = Avx512Single;
        #[inline(always)]
        fn narrow(lo: Avx512, hi: Avx512) -> Avx512Single {
            unsafe {
                let (lo, hi) = (_mm512_cvtpd_ps(lo.0), _mm512_cvtpd_ps(hi.0));
                Avx512Single(_mm512_castpd_ps(_mm512_insertf64x4::<1>(
                    _mm512_castps_pd(_mm512_castps256_ps512(lo)),
                    _mm256_castps_pd(hi),
                )))
            }
        }
        #[inline(always)]
        fn widen(x: Avx512Single) -> (Avx512, Avx512) {
            unsafe {
                let hi = _mm256_castpd_ps(_mm512_extractf64x4_pd::<1>(_mm512_castps_pd(x.0)));
                (
                    Avx512(_mm512_cvtps_pd(_mm512_castps512_ps256(x.0))),
                    Avx512(_mm512_cvtps_pd(hi)),
                )
            }
        }
        #[inline(always)]
        fn splat(x: f64) -> Avx512 {
            unsafe { Avx512(_mm512_set1_pd(x)) }
        }
        #[inline(always)]
        fn load(x: &[f64]) -> Avx512 {
            let x = &x[..8];
            unsafe { Avx512(_mm512_loadu_pd(x.as_ptr())) }
        }
        #[inline(always)]
        fn store(self, out: &mut [f64]) {
            let out = &mut out[..8];
            unsafe { _mm512_storeu_pd(out.as_mut_ptr(), self.0) }
        }
        #[inline(always)]
        fn lt(self, other: Avx512) -> Avx512Mask {
            unsafe { Avx512Mask(_mm512_cmp_pd_mask::<_CMP_LT_OQ>(self.0, other.0)) }
        }
        #[inline(always)]
        fn le(self, other: Avx512) -> Avx512Mask {
            unsafe { Avx512Mask(_mm512_cmp_pd_mask::<_CMP_LE_OQ>(self.0, other.0)) }
        }
        #[inline(always)]
        fn eq(self, other: Avx512) -> Avx512Mask {
            unsafe { Avx512Mask(_mm512_cmp_pd_mask::<_CMP_EQ_OQ>(self.0, other.0)) }
        }
        #[inline(always)]
        fn is_nan(self) -> Avx512Mask {
            unsafe { Avx512Mask(_mm512_cmp_pd_mask::<_CMP_UNORD_Q>(self.0, self.0)) }
        }
        #[inline(always)]
        fn select(mask: Avx512Mask, a: Avx512, b: Avx512) -> Avx512 {
            unsafe { Avx512(_mm512_mask_blend_pd(mask.0, b.0, a.0)) }
        }
        #[inline(always)]
        fn abs(self) -> Avx512 {
            unsafe {
                Avx512(_mm512_castsi512_pd(_mm512_and_si512(
                    _mm512_castpd_si512(self.0),
                    _mm512_set1_epi64(!SIGN as i64),
                )))
            }
        }
        #[inline(always)]
        fn to_bits(self) -> Avx512Bits {
            unsafe { Avx512Bits(_mm512_castpd_si512(self.0)) }
        }
        #[inline(always)]
        fn from_bits(bits: Avx512Bits) -> Avx512 {
            unsafe { Avx512(_mm512_castsi512_pd(bits.0)) }
        }
    }

    impl Mask for Avx512Mask {
        #[inline(always)]
        fn and(self, other: Avx512Mask) -> Avx512Mask {
            Avx512Mask(self.0 & other.0)
        }
        #[inline(always)]
        fn or(self, other: Avx512Mask) -> Avx512Mask {
            Avx512Mask(self.0 | other.0)
        }
        #[inline(always)]
        fn not(self) -> Avx512Mask {
            Avx512Mask(!self.0)
        }
        #[inline(always)]
        fn all(self) -> bool {
            self.0 == 0xff
        }
    }

    impl U64s for Avx512Bits {
        #[inline(always)]
        fn splat(x: u64) -> Avx512Bits {
            unsafe { Avx512Bits(_mm512_set1_epi64(x as i64)) }
        }
        #[inline(always)]
        fn shr<const N: u32>(self) -> Avx512Bits {
            unsafe { Avx512Bits(_mm512_srli_epi64::<N>(self.0)) }
        }
        #[inline(always)]
        fn shl<const N: u32>(self) -> Avx512Bits {
            unsafe { Avx512Bits(_mm512_slli_epi64::<N>(self.0)) }
        }
        #[inline(always)]
        fn shr_by(self, n: u32) -> Avx512Bits {
            unsafe { Avx512Bits(_mm512_srl_epi64(self.0, _mm_cvtsi32_si128(n as i32))) }
        }
        #[inline(always)]
        fn store_u16(self, out: &mut [u16]) {
            let out = &mut out[..8];
            unsafe { _mm_storeu_si128(out.as_mut_ptr().cast(), _mm512_cvtepi64_epi16(self.0)) }
        }
    }

    impl Neg for Avx2 {
        type Output = Avx2;
        #[inline(always)]
        fn neg(self) -> Avx2 {
            unsafe {
                let sign = _mm256_set1_pd(-0.0);
                Avx2([
                    _mm256_xor_pd(self.0[0], sign),
                    _mm256_xor_pd(self.0[1], sign),
                ])
            }
        }
    }

    macro_rules! compare {
        ($a:expr, $b:expr, $cmp:ident) => {
            unsafe {
                Avx2Mask([
                    _mm256_cmp_pd::<$cmp>($a.0[0], $b.0[0]),
                    _mm256_cmp_pd::<$cmp>($a.0[1], $b.0[1]),
                ])
            }
        };
    }

    impl F64s for Avx2 {
        #[inline(always)]
        fn mul_add(self, a: Avx2, b: Avx2) -> Avx2 {
            unsafe {
                Avx2([
                    _mm256_fmadd_pd(self.0[0], a.0[0], b.0[0]),
                    _mm256_fmadd_pd(self.0[1], a.0[1], b.0[1]),
                ])
            }
        }
        type Mask = Avx2Mask;
        type Bits = Avx2Bits;
        type Single = Avx2Single;
        #[inline(always)]
        fn narrow(lo: Avx2, hi: Avx2) -> Avx2Single {
            unsafe {
                let join =
                    |v: [__m256d; 2]| _mm256_set_m128(_mm256_cvtpd_ps(v[1]), _mm256_cvtpd_ps(v[0]));
                Avx2Single([join(lo.0), join(hi.0)])
            }
        }
        #[inline(always)]
        fn widen(x: Avx2Single) -> (Avx2, Avx2) {
            unsafe {
                let split = |v: __m256| {
                    [
                        _mm256_cvtps_pd(_mm256_castps256_ps128(v)),
                        _mm256_cvtps_pd(_mm256_extractf128_ps::<1>(v)),
                    ]
                };
                (Avx2(split(x.0[0])), Avx2(split(x.0[1])))
            }
        }
        #[inline(always)]
        fn splat(x: f64) -> Avx2 {
            unsafe { Avx2([_mm256_set1_pd(x); 2]) }
        }
        #[inline(always)]
        fn load(x: &[f64]) -> Avx2 {
            let x = &x[..8];
            unsafe {
                Avx2([
                    _mm256_loadu_pd(x.as_ptr()),
                    _mm256_loadu_pd(x[4..].as_ptr()),
                ])
            }
        }
        #[inline(always)]
        fn store(self, out: &mut [f64]) {
            let out = &mut out[..8];
            unsafe {
                _mm256_storeu_pd(out.as_mut_ptr(), self.0[0]);
                _mm256_storeu_pd(out[4..].as_mut_ptr(), self.0[1]);
            }
        }
        #[inline(always)]
        fn lt(self, other: Avx2) -> Avx2Mask {
            compare!(self, other, _CMP_LT_OQ)
        }
        #[inline(always)]
        fn le(self, other: Avx2) -> Avx2Mask {
            compare!(self, other, _CMP_LE_OQ)
        }
        #[inline(always)]
        fn eq(self, other: Avx2) -> Avx2Mask {
            compare!(self, other, _CMP_EQ_OQ)
        }
        #[inline(always)]
        fn is_nan(self) -> Avx2Mask {
            compare!(self, self, _CMP_UNORD_Q)
        }
        #[inline(always)]
        fn select(mask: Avx2Mask, a: Avx2, b: Avx2) -> Avx2 {
            unsafe {
                Avx2([
                    _mm256_blendv_pd(b.0[0], a.0[0], mask.0[0]),
                    _mm256_blendv_pd(b.0[1], a.0[1], mask.0[1]),
                ])
            }
        }
        #[inline(always)]
        fn abs(self) -> Avx2 {
            unsafe {
                let sign = _mm256_set1_pd(-0.0);
                Avx2([
                    _mm256_andnot_pd(sign, self.0[0]),
                    _mm256_andnot_pd(sign, self.0[1]),
                ])
            }
        }
        #[inline(always)]
        fn to_bits(self) -> Avx2Bits {
            unsafe {
                Avx2Bits([
                    _mm256_castpd_si256(self.0[0]),
                    _mm256_castpd_si256(self.0[1]),
                ])
            }
        }
        #[inline(always)]
        fn from_bits(bits: Avx2Bits) -> Avx2 {
            unsafe {
                Avx2([
                    _mm256_castsi256_pd(bits.0[0]),
                    _mm256_castsi256_pd(bits.0[1]),
                ])
            }
        }
    }

    impl Mask for Avx2Mask {
        #[inline(always)]
        fn and(self, other: Avx2Mask) -> Avx2Mask {
            unsafe {
                Avx2Mask([
                    _mm256_and_pd(self.0[0], other.0[0]),
                    _mm256_and_pd(self.0[1], other.0[1]),
                ])
            }
        }
        #[inline(always)]
        fn or(self, other: Avx2Mask) -> Avx2Mask {
            unsafe {
                Avx2Mask([
                    _mm256_or_pd(self.0[0], other.0[0]),
                    _mm256_or_pd(self.0[1], other.0[1]),
                ])
            }
        }
        #[inline(always)]
        fn not(self) -> Avx2Mask {
            unsafe {
                let ones = _mm256_castsi256_pd(_mm256_set1_epi64x(-1));
                Avx2Mask([
                    _mm256_xor_pd(self.0[0], ones),
                    _mm256_xor_pd(self.0[1], ones),
                ])
            }
        }
        #[inline(always)]
        fn all(self) -> bool {
            unsafe { _mm256_movemask_pd(self.0[0]) & _mm256_movemask_pd(self.0[1]) == 0xf }
        }
    }

    impl U64s for Avx2Bits {
        #[inline(always)]
        fn splat(x: u64) -> Avx2Bits {
            unsafe { Avx2Bits([_mm256_set1_epi64x(x as i64); 2]) }
        }
        #[inline(always)]
        fn shr<const N: u32>(self) -> Avx2Bits {
            unsafe {
                Avx2Bits([
                    _mm256_srl_epi64(self.0[0], _mm_cvtsi32_si128(N as i32)),
                    _mm256_srl_epi64(self.0[1], _mm_cvtsi32_si128(N as i32)),
                ])
            }
        }
        #[inline(always)]
        fn shl<const N: u32>(self) -> Avx2Bits {
            unsafe {
                Avx2Bits([
                    _mm256_sll_epi64(self.0[0], _mm_cvtsi32_si128(N as i32)),
                    _mm256_sll_epi64(self.0[1], _mm_cvtsi32_si128(N as i32)),
                ])
            }
        }
        #[inline(always)]
        fn shr_by(self, n: u32) -> Avx2Bits {
            unsafe {
                let n = _mm_cvtsi32_si128(n as i32);
                Avx2Bits([
                    _mm256_srl_epi64(self.0[0], n),
                    _mm256_srl_epi64(self.0[1], n),
                ])
            }
        }
        #[inline(always)]
        fn store_u16(self, out: &mut [u16]) {
            let mut lanes = [0u64; 8];
            unsafe {
                _mm256_storeu_si256(lanes.as_mut_ptr().cast(), self.0[0]);
                _mm256_storeu_si256(lanes[4..].as_mut_ptr().cast(), self.0[1]);
            }
            for (o, &x) in out[..8].iter_mut().zip(&lanes) {
                *o = x as u16;
            }
        }
    }

    impl Neg for Avx512Single {
        type Output = Avx512Single;
        #[inline(always)]
        fn neg(self) -> Avx512Single {
            unsafe {
                Avx512Single(_mm512_castsi512_ps(_mm512_xor_si512(
                    _mm512_castps_si512(self.0),
                    _mm512_set1_epi32(i32::MIN),
                )))
            }
        }
    }

    impl F32s for Avx512Single {
        #[inline(always)]
        fn mul_add(self, a: Avx512Single, b: Avx512Single) -> Avx512Single {
            unsafe { Avx512Single(_mm512_fmadd_ps(self.0, a.0, b.0)) }
        }
        type Mask = Avx512SingleMask;
        type Bits = Avx512SingleBits;
        #[inline(always)]
        fn splat(x: f32) -> Avx512Single {
            unsafe { Avx512Single(_mm512_set1_ps(x)) }
        }
        #[inline(always)]
        fn load(x: &[f32]) -> Avx512Single {
            let x = &x[..16];
            unsafe { Avx512Single(_mm512_loadu_ps(x.as_ptr())) }
        }
        #[inline(always)]
        fn store(self, out: &mut [f32]) {
            let out = &mut out[..16];
            unsafe { _mm512_storeu_ps(out.as_mut_ptr(), self.0) }
        }
        #[inline(always)]
        fn lt(self, other: Avx512Single) -> Avx512SingleMask {
            unsafe { Avx512SingleMask(_mm512_cmp_ps_mask::<_CMP_LT_OQ>(self.0, other.0)) }
        }
        #[inline(always)]
        fn le(self, other: Avx512Single) -> Avx512SingleMask {
            unsafe { Avx512SingleMask(_mm512_cmp_ps_mask::<_CMP_LE_OQ>(self.0, other.0)) }
        }
        #[inline(always)]
        fn eq(self, other: Avx512Single) -> Avx512SingleMask {
            unsafe { Avx512SingleMask(_mm512_cmp_ps_mask::<_CMP_EQ_OQ>(self.0, other.0)) }
        }
        #[inline(always)]
        fn select(mask: Avx512SingleMask, a: Avx512Single, b: Avx512Single) -> Avx512Single {
            unsafe { Avx512Single(_mm512_mask_blend_ps(mask.0, b.0, a.0)) }
        }
        #[inline(always)]
        fn abs(self) -> Avx512Single {
            unsafe {
                Avx512Single(_mm512_castsi512_ps(_mm512_and_si512(
                    _mm512_castps_si512(self.0),
                    _mm512_set1_epi32(i32::MAX),
                )))
            }
        }
        #[inline(always)]
        fn to_bits(self) -> Avx512SingleBits {
            unsafe { Avx512SingleBits(_mm512_castps_si512(self.0)) }
        }
        #[inline(always)]
        fn from_bits(bits: Avx512SingleBits) -> Avx512Single {
            unsafe { Avx512Single(_mm512_castsi512_ps(bits.0)) }
        }
    }

    impl Mask for Avx512SingleMask {
        #[inline(always)]
        fn and(self, other: Avx512SingleMask) -> Avx512SingleMask {
            Avx512SingleMask(self.0 & other.0)
        }
        #[inline(always)]
        fn or(self, other: Avx512SingleMask) -> Avx512SingleMask {
            Avx512SingleMask(self.0 | other.0)
        }
        #[inline(always)]
        fn not(self) -> Avx512SingleMask {
            Avx512SingleMask(!self.0)
        }
        #[inline(always)]
        fn all(self) -> bool {
            self.0 == 0xffff
        }
    }

    impl U32s for Avx512SingleBits {
        #[inline(always)]
        fn splat(x: u32) -> Avx512SingleBits {
            unsafe { Avx512SingleBits(_mm512_set1_epi32(x as i32)) }
        }
        #[inline(always)]
        fn shr<const N: u32>(self) -> Avx512SingleBits {
            unsafe { Avx512SingleBits(_mm512_srli_epi32::<N>(self.0)) }
        }
        #[inline(always)]
        fn shl<const N: u32>(self) -> Avx512SingleBits {
            unsafe { Avx512SingleBits(_mm512_slli_epi32::<N>(self.0)) }
        }
    }

    impl Neg for Avx2Single {
        type Output = Avx2Single;
        #[inline(always)]
        fn neg(self) -> Avx2Single {
            unsafe {
                let sign = _mm256_set1_ps(-0.0);
                Avx2Single([
                    _mm256_xor_ps(self.0[0], sign),
                    _mm256_xor_ps(self.0[1], sign),
                ])
            }
        }
    }

    macro_rules! compare_single {
        ($a:expr, $b:expr, $cmp:ident) => {
            unsafe {
                Avx2SingleMask([
                    _mm256_cmp_ps::<$cmp>($a.0[0], $b.0[0]),
                    _mm256_cmp_ps::<$cmp>($a.0[1], $b.0[1]),
                ])
            }
        };
    }

    impl F32s for Avx2Single {
        #[inline(always)]
        fn mul_add(self, a: Avx2Single, b: Avx2Single) -> Avx2Single {
            unsafe {
                Avx2Single([
                    _mm256_fmadd_ps(self.0[0], a.0[0], b.0[0]),
                    _mm256_fmadd_ps(self.0[1], a.0[1], b.0[1]),
                ])
            }
        }
        type Mask = Avx2SingleMask;
        type Bits = Avx2SingleBits;
        #[inline(always)]
        fn splat(x: f32) -> Avx2Single {
            unsafe { Avx2Single([_mm256_set1_ps(x); 2]) }
        }
        #[inline(always)]
        fn load(x: &[f32]) -> Avx2Single {
            let x = &x[..16];
            unsafe {
                Avx2Single([
                    _mm256_loadu_ps(x.as_ptr()),
                    _mm256_loadu_ps(x[8..].as_ptr()),
                ])
            }
        }
        #[inline(always)]
        fn store(self, out: &mut [f32]) {
            let out = &mut out[..16];
            unsafe {
                _mm256_storeu_ps(out.as_mut_ptr(), self.0[0]);
                _mm256_storeu_ps(out[8..].as_mut_ptr(), self.0[1]);
            }
        }
        #[inline(always)]
        fn lt(self, other: Avx2Single) -> Avx2SingleMask {
            compare_single!(self, other, _CMP_LT_OQ)
        }
        #[inline(always)]
        fn le(self, other: Avx2Single) -> Avx2SingleMask {
            compare_single!(self, other, _CMP_LE_OQ)
        }
        #[inline(always)]
        fn eq(self, other: Avx2Single) -> Avx2SingleMask {
            compare_single!(self, other, _CMP_EQ_OQ)
        }
        #[inline(always)]
        fn select(mask: Avx2SingleMask, a: Avx2Single, b: Avx2Single) -> Avx2Single {
            unsafe {
                Avx2Single([
                    _mm256_blendv_ps(b.0[0], a.0[0], mask.0[0]),
                    _mm256_blendv_ps(b.0[1], a.0[1], mask.0[1]),
                ])
            }
        }
        #[inline(always)]
        fn abs(self) -> Avx2Single {
            unsafe {
                let sign = _mm256_set1_ps(-0.0);
                Avx2Single([
                    _mm256_andnot_ps(sign, self.0[0]),
                    _mm256_andnot_ps(sign, self.0[1]),
                ])
            }
        }
        #[inline(always)]
        fn to_bits(self) -> Avx2SingleBits {
            unsafe {
                Avx2SingleBits([
                    _mm256_castps_si256(self.0[0]),
                    _mm256_castps_si256(self.0[1]),
                ])
            }
        }
        #[inline(always)]
        fn from_bits(bits: Avx2SingleBits) -> Avx2Single {
            unsafe {
                Avx2Single([
                    _mm256_castsi256_ps(bits.0[0]),
                    _mm256_castsi256_ps(bits.0[1]),
                ])
            }
        }
    }

    impl Mask for Avx2SingleMask {
        #[inline(always)]
        fn and(self, other: Avx2SingleMask) -> Avx2SingleMask {
            unsafe {
                Avx2SingleMask([
                    _mm256_and_ps(self.0[0], other.0[0]),
                    _mm256_and_ps(self.0[1], other.0[1]),
                ])
            }
        }
        #[inline(always)]
        fn or(self, other: Avx2SingleMask) -> Avx2SingleMask {
            unsafe {
                Avx2SingleMask([
                    _mm256_or_ps(self.0[0], other.0[0]),
                    _mm256_or_ps(self.0[1], other.0[1]),
                ])
            }
        }
        #[inline(always)]
        fn not(self) -> Avx2SingleMask {
            unsafe {
                let ones = _mm256_castsi256_ps(_mm256_set1_epi32(-1));
                Avx2SingleMask([
                    _mm256_xor_ps(self.0[0], ones),
                    _mm256_xor_ps(self.0[1], ones),
                ])
            }
        }
        #[inline(always)]
        fn all(self) -> bool {
            unsafe { _mm256_movemask_ps(self.0[0]) & _mm256_movemask_ps(self.0[1]) == 0xff }
        }
    }

    impl U32s for Avx2SingleBits {
        #[inline(always)]
        fn splat(x: u32) -> Avx2SingleBits {
            unsafe { Avx2SingleBits([_mm256_set1_epi32(x as i32); 2]) }
        }
        #[inline(always)]
        fn shr<const N: u32>(self) -> Avx2SingleBits {
            unsafe {
                let n = _mm_cvtsi32_si128(N as i32);
                Avx2SingleBits([
                    _mm256_srl_epi32(self.0[0], n),
                    _mm256_srl_epi32(self.0[1], n),
                ])
            }
        }
        #[inline(always)]
        fn shl<const N: u32>(self) -> Avx2SingleBits {
            unsafe {
                let n = _mm_cvtsi32_si128(N as i32);
                Avx2SingleBits([
                    _mm256_sll_epi32(self.0[0], n),
                    _mm256_sll_epi32(self.0[1], n),
                ])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`Mask::all`] of `lt` on eight f64 and sixteen f32 lanes against `values`, with one
    /// kind of vector.
    struct All<'a>(&'a [f64; 16]);

    impl Kernel for All<'_> {
        type Output = Vec<bool>;
        fn run<V: F64s>(self) -> Vec<bool> {
            let single: Vec<f32> = self.0.iter().map(|&x| x as f32).collect();
            let mut out = Vec::new();
            for limit in [0.5, 1.0, 3.0] {
                out.push(V::load(&self.0[..8]).lt(V::splat(limit)).all());
                out.push(
                    V::Single::load(&single)
                        .lt(V::Single::splat(limit as f32))
                        .all(),
                );
            }
            out
        }
    }

    #[test]
    fn all_is_every_lane_with_every_vector() {
        // Zero in every lane but `i`, which is 2: below 1 in all lanes but `i`, below 3 in all.
        for (i, want) in [
            (None, [true, true, true, true, true, true]),
            (Some(3), [false, false, false, false, true, true]),
            (Some(12), [true, false, true, false, true, true]),
            (Some(15), [true, false, true, false, true, true]),
        ] {
            let mut values = [0.0; 16];
            if let Some(i) = i {
                values[i] = 2.0;
            }
            for backend in Backend::available() {
                assert_eq!(backend.run(All(&values)), want, "{backend:?} {i:?}");
            }
        }
    }
}
