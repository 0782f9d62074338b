//! Streaming quantiles: fine histograms per quantity ([`Sketch`]) fitted to a pilot's range, and
//! the [`Tally`] that bins a chunk of samples before each histogram is counted in one pass.

use crate::simd::{self, F64s, Kernel, Mask, U64s, WIDTH};

use super::engine::{Lanes, Sink, LANES};
use super::CHUNK;

/// Distance between two quantities' slots in a [`Tally`]: not a multiple of 4 KiB, whose
/// addresses would all compete for the same few cache sets while one sample writes them.
pub(super) const STRIDE: usize = CHUNK + 32;
/// Histogram bins per quantity: few enough that one worker's histograms stay in cache.
pub(super) const BINS: usize = 2048;

/// How a quantity's values map to histogram bins.
#[derive(Clone, Copy, Debug)]
pub(super) enum Bins {
    /// Equal bins on `[lo, lo + BINS * width)`; `per_width = 1 / width`.
    Linear { lo: f64, width: f64, per_width: f64 },
    /// Log-scale bins for positive values: bin `(bits - base) >> shift` of the f64's bit
    /// pattern (monotone for positive numbers), so a bin spans a fixed ratio.
    Bits { base: u64, shift: u32 },
}

impl Bins {
    /// Slot 0 is below the range, slots `1..=BINS` the bins, `BINS + 1` above.
    pub(super) fn slot(&self, x: f64) -> u16 {
        match *self {
            Bins::Linear { lo, per_width, .. } => Bins::linear_slot(x, lo, per_width),
            Bins::Bits { base, shift } => Bins::bits_slot(x, base, u64::from(shift)),
        }
    }

    /// [`Bins::slot`] of linear bins (as [`linear_slots`] computes them on vectors).
    pub(super) fn linear_slot(x: f64, lo: f64, per_width: f64) -> u16 {
        let i = (x - lo) * per_width;
        if i < 0.0 {
            0
        } else if i >= BINS as f64 {
            BINS as u16 + 1
        } else {
            i as u16 + 1
        }
    }

    /// [`Bins::slot`] of log-scale bins, without branches: `base` is a positive number's bits
    /// (below 2^63), so that zero and negative numbers (negative as i64) fall below it.
    pub(super) fn bits_slot(x: f64, base: u64, shift: u64) -> u16 {
        let b = x.to_bits() as i64;
        // Computed whatever the case, then selected (no masked loads).
        let slot = ((b as u64).wrapping_sub(base) >> shift).min(BINS as u64) as u16 + 1;
        if b < base as i64 || x.is_nan() {
            0
        } else {
            slot
        }
    }

    /// The value range of bin `j` (0-based).
    pub(super) fn edges(&self, j: usize) -> (f64, f64) {
        match *self {
            Bins::Linear { lo, width, .. } => (lo + j as f64 * width, lo + (j + 1) as f64 * width),
            Bins::Bits { base, shift } => (
                f64::from_bits(base + ((j as u64) << shift)),
                f64::from_bits(base + ((j as u64 + 1) << shift)),
            ),
        }
    }

    /// Linear bins around a pilot's range `[min, max]`, widened by an eighth of the range on each side.
    pub(super) fn linear(min: f64, max: f64) -> Bins {
        let span = (max - min).max(1e-9 * max.abs().max(1.0));
        let width = 1.25 * span / BINS as f64;
        Bins::Linear {
            lo: min - span / 8.0,
            width,
            per_width: 1.0 / width,
        }
    }

    /// Bins around a pilot's range `[min, max]`, widened by an eighth of the range on each side: log
    /// scale for positive values, linear otherwise.
    pub(super) fn around(min: f64, max: f64) -> Bins {
        if min > 0.0 && max.is_finite() {
            let (lo, hi) = (min.to_bits(), max.to_bits());
            let pad = ((hi - lo) / 8).max(1 << 36);
            let lo = lo.saturating_sub(pad).max(1);
            let hi = hi.saturating_add(pad).min(f64::MAX.to_bits());
            let mut shift = 0;
            while ((hi - lo) >> shift) >= BINS as u64 {
                shift += 1;
            }
            Bins::Bits { base: lo, shift }
        } else {
            Bins::linear(min, max)
        }
    }
}

/// A streaming summary of one quantity: histogram counts, exact min, max and count.
#[derive(Clone, Debug)]
pub struct Sketch {
    pub(super) bins: Bins,
    pub(super) counts: Vec<u32>,
    pub min: f64,
    pub max: f64,
    pub n: u64,
}

impl Sketch {
    pub(super) fn new(bins: Bins) -> Sketch {
        Sketch {
            bins,
            counts: vec![0; BINS + 2],
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            n: 0,
        }
    }

    /// A sketch of `values` on log-scale bins fitted to them (for tests).
    #[cfg(test)]
    pub(super) fn of(values: &[f64]) -> Sketch {
        let (min, max) = min_max(values);
        let mut s = Sketch::new(Bins::around(min, max));
        s.add(values);
        s
    }

    /// Add `values`.
    #[cfg(test)]
    fn add(&mut self, values: &[f64]) {
        let slots: Vec<u16> = values.iter().map(|&x| self.bins.slot(x)).collect();
        self.count(&slots, min_max(values), &mut Ways::new());
    }

    /// Add values given by their bin slots (at most [`CHUNK`]) and their `(min, max)`, counted
    /// in `ways` first.
    pub(super) fn count(&mut self, slots: &[u16], min_max: (f64, f64), ways: &mut Ways) {
        simd::dispatch(Count {
            sketch: self,
            slots,
            min_max,
            ways,
        });
    }

    /// [`Sketch::count`], built for the CPU's vectors (the additions of the ways into the
    /// histogram are vectorised by the compiler).
    #[inline(always)]
    fn count_with(&mut self, slots: &[u16], (min, max): (f64, f64), ways: &mut Ways) {
        let counts = &mut self.counts[..BINS + 2];
        match slots.first() {
            // All in one bin (a capability at its ceiling of 1, say): one addition.
            Some(&slot) if min == max => counts[usize::from(slot)] += slots.len() as u32,
            _ => {
                let [w0, w1, w2, w3] = &mut *ways.0;
                let mut quads = slots.chunks_exact(WAYS);
                for quad in &mut quads {
                    w0[usize::from(quad[0])] += 1;
                    w1[usize::from(quad[1])] += 1;
                    w2[usize::from(quad[2])] += 1;
                    w3[usize::from(quad[3])] += 1;
                }
                for &slot in quads.remainder() {
                    w0[usize::from(slot)] += 1;
                }
                // The slots lie between those of the min and the max (slots grow with the
                // value); all of them if those are not numbers.
                let (first, last) = if min <= max {
                    (
                        usize::from(self.bins.slot(min)),
                        usize::from(self.bins.slot(max)),
                    )
                } else {
                    (0, BINS + 1)
                };
                let range = first.min(last)..first.max(last) + 1;
                for ((((count, a), b), c), d) in counts[range.clone()]
                    .iter_mut()
                    .zip(&w0[range.clone()])
                    .zip(&w1[range.clone()])
                    .zip(&w2[range.clone()])
                    .zip(&w3[range.clone()])
                {
                    // At most CHUNK in all: a u16.
                    *count += u32::from(*a + *b + *c + *d);
                }
                for w in [w0, w1, w2, w3] {
                    w[range.clone()].fill(0);
                }
            }
        }
        self.min = self.min.min(min);
        self.max = self.max.max(max);
        self.n += slots.len() as u64;
    }

    pub(super) fn merge(&mut self, other: &Sketch) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.n += other.n;
    }

    /// Quantiles at the increasing probabilities `ps`: the inverse of the empirical CDF, linear
    /// within a bin (a bin's ends are clipped to the exact min and max).
    pub fn quantiles(&self, ps: &[f64]) -> Vec<f64> {
        if self.n == 0 {
            return vec![f64::NAN; ps.len()];
        }
        if self.min == self.max {
            return vec![self.min; ps.len()];
        }
        let mut out = Vec::with_capacity(ps.len());
        let mut targets = ps.iter().peekable();
        let mut before = 0u64;
        for (slot, &c) in self.counts.iter().enumerate() {
            let c = u64::from(c);
            if c == 0 {
                continue;
            }
            let (lo, hi) = match slot {
                0 => (self.min, self.min),
                s if s == BINS + 1 => (self.max, self.max),
                s => self.bins.edges(s - 1),
            };
            let (lo, hi) = (lo.clamp(self.min, self.max), hi.clamp(self.min, self.max));
            // Below/above the range: spread between the exact extreme and the range's edge.
            let (lo, hi) = match slot {
                0 => (self.min, self.bins.edges(0).0.clamp(self.min, self.max)),
                s if s == BINS + 1 => (
                    self.bins.edges(BINS - 1).1.clamp(self.min, self.max),
                    self.max,
                ),
                _ => (lo, hi),
            };
            while let Some(&&p) = targets.peek() {
                let rank = p * self.n as f64;
                if rank > (before + c) as f64 {
                    break;
                }
                let frac = ((rank - before as f64) / c as f64).clamp(0.0, 1.0);
                out.push(lo + frac * (hi - lo));
                targets.next();
            }
            before += c;
        }
        while out.len() < ps.len() {
            out.push(self.max);
        }
        out
    }
}

/// [`Sketch::count`] as a [`Kernel`].
struct Count<'a> {
    sketch: &'a mut Sketch,
    slots: &'a [u16],
    min_max: (f64, f64),
    ways: &'a mut Ways,
}

impl Kernel for Count<'_> {
    type Output = ();
    #[inline(always)]
    fn run<V: F64s>(self) {
        self.sketch.count_with(self.slots, self.min_max, self.ways);
    }
}

/// Counters that take every fourth slot each.
const WAYS: usize = 4;

/// Scratch counts of [`Sketch::count`], one per worker: a chunk's slots are counted here, the
/// `i`th into way `i % 4`, so that a run of samples in the same bin (a quantity whose values
/// crowd into a few bins) is four independent chains of additions instead of one; then added
/// into the histogram, over the bins from the chunk's min to its max only, and zeroed.
pub(super) struct Ways(Box<[[u16; BINS + 2]; WAYS]>);

impl Ways {
    pub(super) fn new() -> Ways {
        // u16 counters: a way takes at most CHUNK / 4 slots of a chunk.
        const _: () = assert!(CHUNK / WAYS < u16::MAX as usize);
        Ways(Box::new([[0; BINS + 2]; WAYS]))
    }
}

pub(super) fn min_max(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        })
}

/// One chunk of samples on its way into the histograms: each quantity's bin slots
/// (quantity-major, `slots[j * STRIDE + i]` for sample `i` of the chunk, so that a histogram is
/// counted in one pass while its counts are in cache), and the sum, min and max of its values.
/// It takes a block of samples at a time ([`Sink`]), each quantity's lanes at once.
pub(super) struct Tally {
    bins: Vec<Bins>,
    pub(super) slots: Vec<u16>,
    /// Per quantity, lane by lane over the chunk's blocks: the sums (lanes `i` and `i + 8` of
    /// a block added, then added to lane `i` in block order), minima and maxima.
    lanes: Vec<[[f64; WIDTH]; 3]>,
    /// Per quantity, once the chunk is [`Tally::finish`]ed: its lanes' sum (added pairwise by
    /// halves), min and max.
    pub(super) sums: Vec<f64>,
    pub(super) mins: Vec<f64>,
    pub(super) maxs: Vec<f64>,
    /// The block's first sample in the chunk, and its samples in use.
    at: usize,
    live: usize,
}

/// Lane indices, to tell the lanes in use of a partial block.
const LANE: [f64; LANES] = [
    0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0,
];

impl Tally {
    pub(super) fn new(bins: &[Bins]) -> Tally {
        let q = bins.len();
        let mut t = Tally {
            bins: bins.to_vec(),
            slots: vec![0; q * STRIDE],
            lanes: Vec::new(),
            sums: Vec::new(),
            mins: Vec::new(),
            maxs: Vec::new(),
            at: 0,
            live: LANES,
        };
        t.clear();
        t
    }

    pub(super) fn clear(&mut self) {
        let empty = [
            [0.0; WIDTH],
            [f64::INFINITY; WIDTH],
            [f64::NEG_INFINITY; WIDTH],
        ];
        self.lanes.clear();
        self.lanes.resize(self.bins.len(), empty);
    }

    /// The next block: samples `at..at + live` of the chunk (`at` a multiple of [`LANES`]).
    pub(super) fn block(&mut self, at: usize, live: usize) {
        self.at = at;
        self.live = live;
    }

    /// The chunk's sums, minima and maxima from the lanes' ([`Tally::sums`]).
    pub(super) fn finish(&mut self) {
        self.sums = self
            .lanes
            .iter()
            .map(|[s, _, _]| halves(*s, |a, b| a + b))
            .collect();
        self.mins = self
            .lanes
            .iter()
            .map(|[_, m, _]| halves(*m, f64::min))
            .collect();
        self.maxs = self
            .lanes
            .iter()
            .map(|[_, _, m]| halves(*m, f64::max))
            .collect();
    }
}

impl Sink for Tally {
    /// The lanes' slots, and their sums, minima and maxima lane by lane.
    #[inline(always)]
    fn take<V: F64s>(&mut self, j: usize, v: &Lanes) {
        let start = j * STRIDE + self.at;
        let slots = &mut self.slots[start..start + LANES];
        let (a, b) = (V::load(&v[..WIDTH]), V::load(&v[WIDTH..]));
        let bins = self.bins[j];
        vector_slots(bins, a).store_u16(&mut slots[..WIDTH]);
        vector_slots(bins, b).store_u16(&mut slots[WIDTH..]);
        // Lanes past the block's samples repeat its first: in the minimum and maximum, not in
        // the sum.
        let (sa, sb) = if self.live == LANES {
            (a, b)
        } else {
            let (live, zero) = (V::splat(self.live as f64), V::splat(0.0));
            (
                V::select(V::load(&LANE[..WIDTH]).lt(live), a, zero),
                V::select(V::load(&LANE[WIDTH..]).lt(live), b, zero),
            )
        };
        let [sum, min, max] = &mut self.lanes[j];
        (V::load(sum) + (sa + sb)).store(sum);
        V::load(min).min(a.min(b)).store(min);
        V::load(max).max(a.max(b)).store(max);
    }
}

/// [`Bins::slot`] of each lane.
#[inline(always)]
fn vector_slots<V: F64s>(bins: Bins, x: V) -> V::Bits {
    match bins {
        Bins::Linear { lo, per_width, .. } => {
            linear_slots((x - V::splat(lo)) * V::splat(per_width))
        }
        Bins::Bits { base, shift } => bits_slots(x, base, shift),
    }
}

/// The linear bins' slot of each lane's `i = (x - lo) / width`, as integers: below the range 0, `floor(i) + 1` in it,
/// `BINS + 1` above (and 1 for NaN, as `NaN as u16 + 1`).
#[inline(always)]
fn linear_slots<V: F64s>(i: V) -> V::Bits {
    // Rounded to an integer by adding and taking away 2^52, then down where that rounded up.
    let big = V::splat(4_503_599_627_370_496.0);
    let one = V::splat(1.0);
    let rounded = (i + big) - big;
    let floor = rounded - V::select(i.lt(rounded), one, V::splat(0.0));
    let slot = V::select(
        i.lt(V::splat(0.0)),
        V::splat(0.0),
        V::select(
            V::splat(BINS as f64).le(i),
            V::splat(BINS as f64 + 1.0),
            V::select(i.is_nan(), one, floor + one),
        ),
    );
    (slot + big).to_bits() - big.to_bits()
}

/// [`Bins::bits_slot`] of each lane: 0 below `base` (and for NaN), `BINS + 1` at or above the
/// top of the last bin, `((bits - base) >> shift) + 1` between.
#[inline(always)]
fn bits_slots<V: F64s>(x: V, base: u64, shift: u32) -> V::Bits {
    let bits = <V::Bits as U64s>::splat;
    let top = (base + ((BINS as u64) << shift)).min(f64::INFINITY.to_bits());
    let inner = V::from_bits((x.to_bits() - bits(base)).shr_by(shift) + bits(1));
    let below = V::from_bits(bits(base)).le(x).not();
    let above = V::from_bits(bits(top)).le(x);
    let slot = V::select(
        below,
        V::splat(0.0),
        V::select(above, V::from_bits(bits(BINS as u64 + 1)), inner),
    );
    slot.to_bits()
}

/// `op` over the lanes `x[i]` and `x[i + 8]` added (or the like) by the caller: `op(x[i], x[i +
/// 4])`, then of those the same way.
#[inline(always)]
fn halves(mut x: [f64; WIDTH], op: impl Fn(f64, f64) -> f64) -> f64 {
    let mut n = WIDTH;
    while n > 1 {
        n /= 2;
        for i in 0..n {
            x[i] = op(x[i], x[i + n]);
        }
    }
    x[0]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simd::Backend;

    /// `vector_slots` of `xs` (a multiple of [`WIDTH`]) with every vector type equals
    /// [`Bins::slot`].
    fn assert_vector_slots_are_scalar_slots(xs: &[f64], bins: Bins) {
        struct Slots<'a>(&'a [f64], &'a mut [u16], Bins);
        impl Kernel for Slots<'_> {
            type Output = ();
            fn run<V: F64s>(self) {
                for (x, out) in self
                    .0
                    .chunks_exact(WIDTH)
                    .zip(self.1.chunks_exact_mut(WIDTH))
                {
                    vector_slots(self.2, V::load(x)).store_u16(out);
                }
            }
        }
        let want: Vec<u16> = xs.iter().map(|&x| bins.slot(x)).collect();
        for backend in Backend::available() {
            let mut got = vec![0; xs.len()];
            backend.run(Slots(xs, &mut got, bins));
            assert_eq!(got, want, "{backend:?} with {bins:?}");
        }
    }

    /// The vector slots equal the scalar definition, with every vector, edge cases included.
    #[test]
    fn linear_slots_on_vectors_equal_the_scalar_ones() {
        let mut xs: Vec<f64> = (0..40_000).map(|i| -0.3 + f64::from(i) * 3.7e-5).collect();
        xs.extend([
            -0.0,
            0.0,
            1e-300,
            f64::NAN,
            f64::INFINITY,
            -f64::INFINITY,
            1.0,
            0.5,
        ]);
        xs.extend((0..=2049).map(|k| f64::from(k) / 2048.0));
        while !xs.len().is_multiple_of(WIDTH) {
            xs.push(0.25);
        }
        let bins = Bins::Linear {
            lo: 0.0,
            width: 1.0 / 2048.0,
            per_width: 2048.0,
        };
        assert_vector_slots_are_scalar_slots(&xs, bins);
    }

    /// The same for log-scale bins, on bins fitted to a range as the pilot fits them.
    #[test]
    fn bits_slots_on_vectors_equal_the_scalar_ones() {
        let mut xs: Vec<f64> = (0..40_000)
            .map(|i| 10f64.powf(-3.0 + f64::from(i) * 2.5e-4))
            .collect();
        xs.extend([-0.0, 0.0, -1.0, 5e-324, f64::NAN, f64::MAX, 1e-3, 1e7]);
        while !xs.len().is_multiple_of(WIDTH) {
            xs.push(1.0);
        }
        for (lo, hi) in [(0.01, 1e5), (1.0, 1.0 + 1e-9), (1e-300, 1e300), (2.0, 3.0)] {
            let bins = Bins::around(lo, hi);
            assert!(matches!(bins, Bins::Bits { .. }), "log-scale bins expected");
            assert_vector_slots_are_scalar_slots(&xs, bins);
        }
    }

    #[test]
    fn sketch_of_small_samples_brackets_exact_quantiles() {
        // 1000 values 1e9 apart: interpolation may land up to one spacing (1e-3 of 1e12) off.
        let values: Vec<f64> = (1..=1000).map(|i| f64::from(i) * 1e9).collect();
        let s = Sketch::of(&values);
        let q = s.quantiles(&[0.05, 0.5, 0.95]);
        assert!((q[0] - 5e10).abs() <= 1e9, "{q:?}");
        assert!((q[1] - 5e11).abs() <= 1e9, "{q:?}");
        assert!((q[2] - 9.5e11).abs() <= 1e9, "{q:?}");
        assert_eq!(Sketch::of(&[2.0; 10]).quantiles(&[0.5]), vec![2.0]);
    }
}
