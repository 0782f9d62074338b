//! Evaluating samples sixteen at a time, one lane of every vector operation per sample: a
//! [`Plan`] holds what no uncertain input reaches, and a [`Block`] the samples' numbers, from
//! which the levers and every domain's capability are computed year by year.

use crate::forecast::{levers_at, Levers};
use crate::scenario::{under, ModelSize, RlSteps, Scenario};
use crate::simd::{self, F32s, F64s, Kernel, Mask, WIDTH};
use crate::trajectory::Trajectory;
use crate::vecmath::{exp, exp_neg_f32, ln, ln_1p_unit_f32, softplus_f32};

use super::sampler::{Sampler, Slot};

/// Samples evaluated together: one per lane.
pub(super) const LANES: usize = 16;
/// One number per sample of a block.
pub(super) type Lanes = [f64; LANES];
/// Vectors per [`Lanes`].
const HALVES: usize = LANES / WIDTH;

/// The levers' [`Powers`], by quantity: model size (N, or the parameter trajectory), the token
/// trajectory, the loss law's `N^-alpha` and `D^-beta`, RL steps, progress's `(S_mid / S)^beta`,
/// erosion's `(N_ref / N)^e`, thinking tokens.
const SIZE: usize = 0;
const TOKENS: usize = 1;
const LAW_N: usize = 2;
const LAW_D: usize = 3;
const STEPS: usize = 4;
const PROGRESS: usize = 5;
const EROSION: usize = 6;
const THINKING: usize = 7;
const POWERS: usize = 8;

/// Grid years evaluated together: with the lanes, the values in flight in each stage.
pub(super) const TILE: usize = 16;
/// One number per (year of a tile, lane).
type Cells = [Lanes; TILE];
/// The same in single precision: one vector of [`F64s::Single`] per year.
type Singles = [[f32; LANES]; TILE];
const _: () = assert!(
    LANES == 2 * WIDTH,
    "a block's lanes are two f64 vectors, one f32 vector"
);

/// The lanes `x` in single precision.
#[inline(always)]
fn single<V: F64s>(x: &Lanes) -> V::Single {
    V::narrow(half(x, 0), half(x, 1))
}

/// `stage32!(len, out, |t| vector)`: [`stage!`] in single precision, one vector per year.
macro_rules! stage32 {
    ($len:expr, $out:expr, |$t:ident| $body:expr) => {{
        for $t in 0..$len {
            let v: V::Single = $body;
            v.store(&mut $out[$t]);
        }
    }};
}

/// The vector of lanes `h * WIDTH..` of `x`.
#[inline(always)]
fn half<V: F64s>(x: &Lanes, h: usize) -> V {
    V::load(&x[h * WIDTH..])
}

/// `each!(out, |h| vector)`: every vector of the lanes `out`.
macro_rules! each {
    ($out:expr, |$h:ident| $body:expr) => {{
        for $h in 0..HALVES {
            let v: V = $body;
            v.store(&mut $out[$h * WIDTH..]);
        }
    }};
}

/// `stage!(len, out, |t, h| vector)`: `out` for the first `len` years of a tile, each vector of
/// lanes. A stage has one or two transcendental functions, so that the CPU has many independent
/// values in flight.
macro_rules! stage {
    ($len:expr, $out:expr, |$t:ident, $h:ident| $body:expr) => {{
        for $t in 0..$len {
            for $h in 0..HALVES {
                let v: V = $body;
                v.store(&mut $out[$t][$h * WIDTH..]);
            }
        }
    }};
}

/// Lever columns reported in `levers_quantiles.csv`.
pub const LEVER_NAMES: [&str; 6] = [
    "params",
    "tokens",
    "effective_log10_compute",
    "rl_steps",
    "rl_progress",
    "thinking_tokens",
];

pub(super) fn lever_value(l: &Levers, j: usize) -> f64 {
    match j {
        0 => l.params,
        1 => l.tokens,
        2 => l.effective_log10_compute,
        3 => l.rl_steps,
        4 => l.rl_progress,
        _ => l.thinking_tokens,
    }
}

/// Which parts of the forecast the uncertain inputs reach.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Reach {
    pub(super) size: bool,
    pub(super) law: bool,
    pub(super) efficiency: bool,
    pub(super) steps: bool,
    pub(super) progress: bool,
    pub(super) thinking: bool,
    pub(super) erosion: bool,
}

impl Reach {
    pub(super) fn of(s: &Scenario) -> Reach {
        let any = |prefixes: &[&str]| {
            s.uncertain
                .iter()
                .any(|u| prefixes.iter().any(|p| under(&u.path, p)))
        };
        let size = any(&[
            "pretraining.params",
            "pretraining.tokens",
            "pretraining.compute",
            "pretraining.tokens_per_param",
        ]);
        let steps = any(&["rl.steps", "rl.compute_fraction"])
            || matches!(s.rl_steps, RlSteps::ComputeFraction(_))
                && (size || any(&["rl.tokens_per_step"]));
        Reach {
            size,
            law: any(&["pretraining.law"]),
            efficiency: any(&["pretraining.efficiency"]),
            steps,
            progress: steps || any(&["rl.midpoint_steps", "rl.exponent"]),
            thinking: any(&["inference.tokens"]),
            erosion: size || steps || any(&["erosion"]),
        }
    }

    /// Whether lever column `j` of [`LEVER_NAMES`] varies between samples.
    pub(super) fn lever(&self, j: usize) -> bool {
        match j {
            0 | 1 => self.size,
            2 => self.size || self.law || self.efficiency,
            3 => self.steps,
            4 => self.progress,
            _ => self.thinking,
        }
    }
}

/// One trajectory in every lane of a block: the same kind in all (distributions replace
/// numbers, never the kind), with the logarithms that its values on the grid are taken from.
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)] // a handful per block, never in collections
enum Path {
    Constant {
        value: Lanes,
        ln: Lanes,
    },
    /// `start * growth^(clamp(t, from, until) - from)`.
    Exponential {
        start: Lanes,
        growth: Lanes,
        from: Lanes,
        until: Lanes,
        ln_start: Lanes,
        ln_growth: Lanes,
    },
    /// Per point: years, values, `log10` and `ln` of the values.
    Points {
        years: Vec<Lanes>,
        values: Vec<Lanes>,
        lg: Vec<Lanes>,
        ln: Vec<Lanes>,
    },
}

impl Path {
    fn new(t: &Trajectory) -> Path {
        let zero = [0.0; LANES];
        let mut p = match t {
            Trajectory::Constant(_) => Path::Constant {
                value: zero,
                ln: zero,
            },
            Trajectory::Exponential { .. } => Path::Exponential {
                start: zero,
                growth: zero,
                from: zero,
                until: zero,
                ln_start: zero,
                ln_growth: zero,
            },
            Trajectory::Points(points) => Path::Points {
                years: vec![zero; points.len()],
                values: vec![zero; points.len()],
                lg: vec![zero; points.len()],
                ln: vec![zero; points.len()],
            },
        };
        for l in 0..LANES {
            p.set(l, t);
        }
        p
    }

    /// Lane `l`'s numbers from `t`.
    fn set(&mut self, l: usize, t: &Trajectory) {
        match (self, t) {
            (Path::Constant { value, .. }, Trajectory::Constant(v)) => value[l] = *v,
            (
                Path::Exponential {
                    start,
                    growth,
                    from,
                    until,
                    ..
                },
                Trajectory::Exponential {
                    start: s,
                    growth: g,
                    from: f,
                    until: u,
                },
            ) => {
                start[l] = *s;
                growth[l] = *g;
                from[l] = *f;
                until[l] = u.max(*f);
            }
            (Path::Points { years, values, .. }, Trajectory::Points(points)) => {
                for (i, &(y, v)) in points.iter().enumerate() {
                    years[i][l] = y;
                    values[i][l] = v;
                }
            }
            // Unreachable: a trajectory's kind is the file's in every sample.
            _ => {}
        }
    }

    /// The logarithms, once every lane is set.
    #[inline(always)]
    fn logs<V: F64s>(&mut self) {
        match self {
            Path::Constant { value, ln: logs } => each!(logs, |h| ln(half::<V>(value, h))),
            Path::Exponential {
                start,
                growth,
                ln_start,
                ln_growth,
                ..
            } => {
                each!(ln_start, |h| ln(half::<V>(start, h)));
                each!(ln_growth, |h| ln(half::<V>(growth, h)));
            }
            Path::Points {
                values,
                lg,
                ln: logs,
                ..
            } => {
                for ((v, lg), logs) in values.iter().zip(lg.iter_mut()).zip(logs.iter_mut()) {
                    each!(logs, |h| ln(half::<V>(v, h)));
                    each!(lg, |h| half::<V>(logs, h)
                        * V::splat(std::f64::consts::LOG10_E));
                }
            }
        }
    }

    /// `ln` of the value at year `y` in lanes `h * WIDTH..`, and the value itself where it is
    /// exact without an `exp` (a constant, an exponential's start, a point's value at or outside
    /// the points), NaN elsewhere: as [`Trajectory::at`] computes it, in logarithms.
    #[inline(always)]
    fn at<V: F64s>(&self, y: f64, h: usize) -> (V, V) {
        let y = V::splat(y);
        let nan = V::splat(f64::NAN);
        match self {
            Path::Constant { value, ln } => (half(ln, h), half(value, h)),
            Path::Exponential {
                start,
                from,
                until,
                ln_start,
                ln_growth,
                ..
            } => {
                let (from, until): (V, V) = (half(from, h), half(until, h));
                let t = V::select(y.lt(from), from, V::select(until.lt(y), until, y));
                let elapsed = t - from;
                let none = elapsed.eq(V::splat(0.0));
                let ln_start: V = half(ln_start, h);
                (
                    V::select(none, ln_start, ln_start + elapsed * half(ln_growth, h)),
                    V::select(none, half(start, h), nan),
                )
            }
            Path::Points {
                years,
                values,
                lg,
                ln: ln_points,
            } => {
                let last = years.len() - 1;
                let mut ln = half(&ln_points[0], h);
                let mut exact = half(&values[0], h);
                for i in 1..=last {
                    let (ya, yb): (V, V) = (half(&years[i - 1], h), half(&years[i], h));
                    let inside = ya.lt(y).and(y.lt(yb));
                    let at = if i == last { yb.le(y) } else { y.eq(yb) };
                    let (lga, lgb): (V, V) = (half(&lg[i - 1], h), half(&lg[i], h));
                    let w = (y - ya) / (yb - ya);
                    let between = (lga + (lgb - lga) * w) * V::splat(std::f64::consts::LN_10);
                    ln = V::select(inside, between, V::select(at, half(&ln_points[i], h), ln));
                    exact = V::select(inside, nan, V::select(at, half(&values[i], h), exact));
                }
                (ln, exact)
            }
        }
    }
}

/// `exp` of one quantity of the levers over a block's years, in their order: each lane's value
/// is the previous year's times `exp(d)`, while the lane's step `d = x_k - x_(k-1)` stays the
/// one that factor was computed from (to `2^-45 (1 + |x|)`, the rounding of x); elsewhere (the
/// first two years, where a trajectory starts or stops growing or changes segment, infinities,
/// NaN) `exp(x)` itself, and a new factor. Along a trajectory of constant growth that is one
/// multiplication a year instead of an `exp`; after n years the relative error is about n
/// roundings of x: 4e-13 over a century of quarters (tested against `Trajectory::at`).
#[derive(Clone)]
struct Powers {
    /// The last year's x, the step its factor is for, its value and the factor `exp(step)`.
    x: Lanes,
    step: Lanes,
    value: Lanes,
    factor: Lanes,
}

impl Powers {
    fn new() -> Powers {
        Powers {
            x: [f64::NAN; LANES],
            step: [f64::NAN; LANES],
            value: [f64::NAN; LANES],
            factor: [f64::NAN; LANES],
        }
    }

    /// `exp` of the first `len` years of `cells`, in place; the first year of a block after
    /// [`Powers::restart`].
    #[inline(always)]
    fn exp<V: F64s>(&mut self, len: usize, cells: &mut Cells) {
        for cell in &mut cells[..len] {
            for h in 0..HALVES {
                let x: V = half(cell, h);
                let step = x - half(&self.x, h);
                let kept: V = half(&self.step, h);
                let tolerance = V::splat(TOLERANCE) * (V::splat(1.0) + x.abs());
                let same = (step - kept).abs().le(tolerance);
                let mut value = half::<V>(&self.value, h) * half(&self.factor, h);
                if !same.all() {
                    value = V::select(same, value, exp(x));
                    let factor = V::select(same, half(&self.factor, h), exp(step));
                    factor.store(&mut self.factor[h * WIDTH..]);
                    V::select(same, kept, step).store(&mut self.step[h * WIDTH..]);
                }
                x.store(&mut self.x[h * WIDTH..]);
                value.store(&mut self.value[h * WIDTH..]);
                value.store(&mut cell[h * WIDTH..]);
            }
        }
    }

    /// Forget the last block's years (whose lanes are other samples): the next two years are
    /// computed by `exp`.
    fn restart(&mut self) {
        self.x = [f64::NAN; LANES];
        self.step = [f64::NAN; LANES];
    }
}

/// [`Powers`]' tolerance on a step, relative to `1 + |x|`.
const TOLERANCE: f64 = 1.0 / (1u64 << 45) as f64;

/// The values of a trajectory from [`Path::at`]'s logarithms and exact values, in place of the
/// logarithms in `out`: the exact value where there is one, else `exp(ln)` by `powers`.
#[inline(always)]
fn values<V: F64s>(len: usize, ln: &Cells, exact: &Cells, out: &mut Cells, powers: &mut Powers) {
    out[..len].copy_from_slice(&ln[..len]);
    powers.exp::<V>(len, out);
    stage!(len, out, |t, h| {
        let exact: V = half(&exact[t], h);
        V::select(exact.is_nan(), half(&out[t], h), exact)
    });
}

/// The per-year values of one tile of years, for every lane.
#[derive(Clone)]
pub(super) struct Tile {
    /// `ln N`, `ln D`, effective compute u, `Gmax * h`, progress h, the erosion factor (a
    /// domain's term is its unverifiable share times it), steps S and `ln S`, thinking tokens T
    /// and `ln T`.
    ln_n: Cells,
    ln_d: Cells,
    u: Cells,
    gain: Cells,
    h: Cells,
    erosion: Cells,
    steps: Cells,
    ln_steps: Cells,
    tokens: Cells,
    ln_tokens: Cells,
    /// A trajectory's exact values ([`Path::at`]), scratch, `ln T - ln T_ceil`, the logit,
    /// kappa and the capability.
    exact: Cells,
    a: Cells,
    b: Cells,
    capability: Cells,
    /// The levers every domain reads, in single precision once per tile: `Gmax * h`, h, the
    /// erosion factor, `ln T`, `log2(1 + T / T0)` and `ln(S / rl_scale_steps)`.
    gain32: Singles,
    h32: Singles,
    erosion32: Singles,
    ln_tokens32: Singles,
    open32: Singles,
    ln_scaled_steps32: Singles,
    /// In single precision: the logit, kappa, `ln T - ln T_ceil`, and scratch.
    logit32: Singles,
    /// The levers' powers from year to year, by the indices [`SIZE`]..[`THINKING`].
    powers: [Powers; POWERS],
    kappa32: Singles,
    past32: Singles,
    a32: Singles,
}

impl Tile {
    fn new() -> Box<Tile> {
        let zero = [[0.0; LANES]; TILE];
        Box::new(Tile {
            ln_n: zero,
            ln_d: zero,
            u: zero,
            gain: zero,
            h: zero,
            erosion: zero,
            steps: zero,
            ln_steps: zero,
            tokens: zero,
            ln_tokens: zero,
            exact: zero,
            a: zero,
            b: zero,
            capability: zero,
            gain32: [[0.0; LANES]; TILE],
            h32: [[0.0; LANES]; TILE],
            erosion32: [[0.0; LANES]; TILE],
            ln_tokens32: [[0.0; LANES]; TILE],
            open32: [[0.0; LANES]; TILE],
            ln_scaled_steps32: [[0.0; LANES]; TILE],
            logit32: [[0.0; LANES]; TILE],
            powers: std::array::from_fn(|_| Powers::new()),
            kappa32: [[0.0; LANES]; TILE],
            past32: [[0.0; LANES]; TILE],
            a32: [[0.0; LANES]; TILE],
        })
    }
}

/// The model size of a block: its two trajectories, or compute with `ln(6 r)` and `ln r`.
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)] // one per block
enum Size {
    ParamsTokens {
        params: Path,
        tokens: Path,
    },
    Compute {
        compute: Path,
        r: Lanes,
        ln_6r: Lanes,
        ln_r: Lanes,
    },
}

/// One domain's numbers in every lane of a block.
#[derive(Clone, Debug, Default)]
struct DomainLanes {
    slope: Lanes,
    difficulty: Lanes,
    floor: Lanes,
    /// `tau = v + (1 - v) x`, `ln max(tau, 0)`, `rl_gain * tau`, and the unverifiable share
    /// `1 - v` (0 where v = 1, so that no erosion factor reaches the logit).
    tau: Lanes,
    ln_tau_pos: Lanes,
    rl_gain_tau: Lanes,
    share: Lanes,
}

/// The numbers of one block of samples, lane by lane as drawn, and the logarithms and
/// reciprocals the levers are computed from ([`Block::derive`]).
#[derive(Clone, Debug)]
pub(super) struct Block {
    /// Samples in use (the other lanes repeat the first).
    pub(super) live: usize,
    size: Size,
    /// The loss law: `A`, `B`, `alpha`, `beta`, `K` and `gamma` (the last two set per lane
    /// only when the law is uncertain), and `ln K`, `1 / (gamma ln 10)`.
    law: [Lanes; 6],
    law_varies: bool,
    ln_k: Lanes,
    inv_gamma: Lanes,
    efficiency: Path,
    steps: Path,
    /// `rl.tokens_per_step`, and `ln(0.75 / tokens_per_step)`: `ln S = ln f + ln D + this` for
    /// a compute fraction f.
    tokens_per_step: Lanes,
    ln_fraction_scale: Lanes,
    midpoint: Lanes,
    ln_midpoint: Lanes,
    rl_exponent: Lanes,
    max_gain: Lanes,
    gain_per_oom: Lanes,
    reference_compute: Lanes,
    /// Erosion: rate, onset, size exponent, `N_ref`, power; and `ln(onset)`, `ln(N_ref)`.
    erosion: [Lanes; 5],
    ln_onset: Lanes,
    ln_reference_params: Lanes,
    thinking: Path,
    base_gain: Lanes,
    reference_tokens: Lanes,
    ln_t0: Lanes,
    /// The ceiling: base, rl_scale_steps, exponent, max, sharpness k, overthinking; and
    /// `ln base`, `ln rl_scale_steps`, `ln max`, `1 / k` (0 for a hard minimum).
    ceiling: [Lanes; 6],
    ln_base: Lanes,
    ln_scale: Lanes,
    ln_max: Lanes,
    inv_sharpness: Lanes,
    domains: Vec<DomainLanes>,
}

impl Block {
    fn new(s: &Scenario, law_varies: bool) -> Block {
        let zero = [0.0; LANES];
        let (RlSteps::Steps(steps) | RlSteps::ComputeFraction(steps)) = &s.rl_steps;
        let mut b = Block {
            live: LANES,
            size: match &s.pretraining.size {
                ModelSize::ParamsTokens { params, tokens } => Size::ParamsTokens {
                    params: Path::new(params),
                    tokens: Path::new(tokens),
                },
                ModelSize::Compute { compute, .. } => Size::Compute {
                    compute: Path::new(compute),
                    r: zero,
                    ln_6r: zero,
                    ln_r: zero,
                },
            },
            law: [zero; 6],
            law_varies: true,
            ln_k: zero,
            inv_gamma: zero,
            efficiency: Path::new(&s.pretraining.efficiency),
            steps: Path::new(steps),
            tokens_per_step: zero,
            ln_fraction_scale: zero,
            midpoint: zero,
            ln_midpoint: zero,
            rl_exponent: zero,
            max_gain: zero,
            gain_per_oom: zero,
            reference_compute: zero,
            erosion: [zero; 5],
            ln_onset: zero,
            ln_reference_params: zero,
            thinking: Path::new(&s.thinking_tokens),
            base_gain: zero,
            reference_tokens: zero,
            ln_t0: zero,
            ceiling: [zero; 6],
            ln_base: zero,
            ln_scale: zero,
            ln_max: zero,
            inv_sharpness: zero,
            domains: vec![DomainLanes::default(); s.domains.len()],
        };
        for l in 0..LANES {
            b.set(l, s);
        }
        b.law_varies = law_varies;
        b
    }

    /// Lane `l`'s numbers from the scenario `s` (its drawn inputs set).
    fn set(&mut self, l: usize, s: &Scenario) {
        match (&mut self.size, &s.pretraining.size) {
            (
                Size::ParamsTokens { params, tokens },
                ModelSize::ParamsTokens {
                    params: p,
                    tokens: t,
                },
            ) => {
                params.set(l, p);
                tokens.set(l, t);
            }
            (
                Size::Compute { compute, r, .. },
                ModelSize::Compute {
                    compute: c,
                    tokens_per_param,
                },
            ) => {
                compute.set(l, c);
                r[l] = *tokens_per_param;
            }
            _ => {}
        }
        let law = &s.pretraining.law;
        for (lanes, x) in self.law.iter_mut().zip([law.a, law.b, law.alpha, law.beta]) {
            lanes[l] = x;
        }
        if self.law_varies {
            self.law[4][l] = law.k();
            self.law[5][l] = law.gamma();
        }
        self.efficiency.set(l, &s.pretraining.efficiency);
        let (RlSteps::Steps(steps) | RlSteps::ComputeFraction(steps)) = &s.rl_steps;
        self.steps.set(l, steps);
        let rl = &s.rl;
        self.tokens_per_step[l] = rl.tokens_per_step;
        self.midpoint[l] = rl.midpoint_steps;
        self.rl_exponent[l] = rl.exponent;
        self.max_gain[l] = rl.max_gain;
        self.gain_per_oom[l] = rl.gain_per_oom;
        self.reference_compute[l] = rl.reference_log10_compute;
        let e = &s.erosion;
        for (lanes, x) in self.erosion.iter_mut().zip([
            e.rate,
            e.onset_steps,
            e.size_exponent,
            e.reference_params,
            e.power,
        ]) {
            lanes[l] = x;
        }
        self.thinking.set(l, &s.thinking_tokens);
        let p = &s.inference;
        self.base_gain[l] = p.base_gain;
        self.reference_tokens[l] = p.reference_tokens;
        let c = &p.ceiling;
        for (lanes, x) in self.ceiling.iter_mut().zip([
            c.base,
            c.rl_scale_steps,
            c.rl_exponent,
            c.max,
            c.sharpness,
            c.overthinking,
        ]) {
            lanes[l] = x;
        }
        for (d, domain) in self.domains.iter_mut().zip(&s.domains) {
            let v = domain.verifiability;
            d.slope[l] = domain.slope;
            d.difficulty[l] = domain.difficulty;
            d.floor[l] = domain.floor;
            d.tau[l] = crate::model::rl::transfer_share(v, rl.transfer);
            d.rl_gain_tau[l] = p.rl_gain * d.tau[l];
            d.share[l] = if v == 1.0 { 0.0 } else { 1.0 - v };
        }
    }

    /// The logarithms and reciprocals of the numbers set.
    #[inline(always)]
    fn derive<V: F64s>(&mut self) {
        match &mut self.size {
            Size::ParamsTokens { params, tokens } => {
                params.logs::<V>();
                tokens.logs::<V>();
            }
            Size::Compute {
                compute,
                r,
                ln_6r,
                ln_r,
            } => {
                compute.logs::<V>();
                each!(ln_r, |h| ln(half::<V>(r, h)));
                each!(ln_6r, |h| ln(V::splat(6.0) * half(r, h)));
            }
        }
        let (k, gamma) = (&self.law[4], &self.law[5]);
        each!(self.ln_k, |h| ln(half::<V>(k, h)));
        each!(self.inv_gamma, |h| V::splat(1.0)
            / (half::<V>(gamma, h) * V::splat(std::f64::consts::LN_10)));
        self.efficiency.logs::<V>();
        self.steps.logs::<V>();
        each!(self.ln_fraction_scale, |h| ln(
            V::splat(0.75) / half(&self.tokens_per_step, h)
        ));
        each!(self.ln_midpoint, |h| ln(half::<V>(&self.midpoint, h)));
        each!(self.ln_onset, |h| ln(half::<V>(&self.erosion[1], h)));
        each!(self.ln_reference_params, |h| ln(half::<V>(
            &self.erosion[3],
            h
        )));
        self.thinking.logs::<V>();
        each!(self.ln_t0, |h| ln(half::<V>(&self.reference_tokens, h)));
        let c = &self.ceiling;
        each!(self.ln_base, |h| ln(half::<V>(&c[0], h)));
        each!(self.ln_scale, |h| ln(half::<V>(&c[1], h)));
        each!(self.ln_max, |h| ln(half::<V>(&c[3], h)));
        each!(self.inv_sharpness, |h| {
            let k: V = half(&c[4], h);
            V::select(
                k.eq(V::splat(f64::INFINITY)),
                V::splat(0.0),
                V::splat(1.0) / k,
            )
        });
        for d in &mut self.domains {
            each!(
                d.ln_tau_pos,
                |h| ln(half::<V>(&d.tau, h).max(V::splat(0.0)))
            );
        }
    }
}

/// Where a block's quantities go: quantity `j` (see [`Plan::quantities`]) in every lane.
pub(super) trait Sink {
    fn take<V: F64s>(&mut self, j: usize, values: &Lanes);
}

/// A sink that keeps the last block's values, `values[j]` per quantity.
pub(super) struct Collect {
    pub(super) values: Vec<Lanes>,
}

impl Sink for Collect {
    #[inline(always)]
    fn take<V: F64s>(&mut self, j: usize, values: &Lanes) {
        self.values[j] = *values;
    }
}

/// One scenario's Monte Carlo evaluation: what is computed once, and how a block of samples is
/// evaluated.
pub(super) struct Plan {
    pub(super) base: Scenario,
    pub(super) slots: Vec<Slot>,
    pub(super) reach: Reach,
    pub(super) years: Vec<f64>,
    /// Levers at the medians; the parts no uncertain input reaches are never recomputed.
    pub(super) levers: Vec<Levers>,
    /// Per year at the medians: `ln N`, `ln D`, `log10(6) + log10(K/R)/gamma`,
    /// `log10(efficiency)`, S and `ln S`, progress, the erosion factor, T and `ln T`.
    ln_params: Vec<f64>,
    ln_tokens: Vec<f64>,
    compute_part: Vec<f64>,
    efficiency_part: Vec<f64>,
    steps: Vec<f64>,
    ln_steps: Vec<f64>,
    progress: Vec<f64>,
    erosion: Vec<f64>,
    tokens: Vec<f64>,
    ln_tokens_thinking: Vec<f64>,
    /// Indices into [`LEVER_NAMES`] of the levers that vary.
    pub(super) varying_levers: Vec<usize>,
    /// `(domain index, threshold)` per milestone.
    pub(super) milestones: Vec<(usize, f64)>,
    /// Per domain, its capability per year at the medians when no uncertain input reaches it
    /// (every input is another domain's number or a cost): every sample has that row, exactly.
    fixed_rows: Vec<Option<Vec<f64>>>,
}

/// Scratch space of one worker: a scenario per lane with its drawn inputs, and the block built
/// from them.
pub(super) struct Scratch {
    scenarios: Vec<Scenario>,
    pub(super) block: Block,
    tile: Box<Tile>,
    /// The block's drawn inputs, `inputs[lane]` one per uncertain input.
    pub(super) inputs: Vec<Vec<f64>>,
    z: Vec<f64>,
    /// Per milestone and lane: the grid index of its first year at or above the threshold
    /// (`years.len()` for never), as a float.
    pub(super) arrivals: Vec<Lanes>,
}

impl Plan {
    pub(super) fn new(s: &Scenario) -> anyhow::Result<Plan> {
        let mut slots = Vec::new();
        for u in &s.uncertain {
            let slot = Slot::find(s, &u.path)
                .filter(|slot| slot.set(&mut s.clone(), u.dist.median()))
                .ok_or_else(|| anyhow::anyhow!("no place for the uncertain input `{}`", u.path))?;
            slots.push(slot);
        }
        let reach = Reach::of(s);
        let at_medians = crate::forecast::forecast_capability(s)?;
        let fixed_rows = (0..s.domains.len())
            .map(|d| {
                let reached = s.uncertain.iter().zip(&slots).any(|(u, slot)| match slot {
                    Slot::Domain(e, _) => *e == d,
                    _ => !under(&u.path, "cost"),
                });
                (!reached).then(|| at_medians.terms[d].iter().map(|t| t.capability).collect())
            })
            .collect();
        let years = s.years();
        let levers: Vec<Levers> = years.iter().map(|&y| levers_at(s, y)).collect();
        let law = &s.pretraining.law;
        let compute_part = levers
            .iter()
            .map(|l| {
                6f64.log10()
                    + (law.k() / law.reducible_loss(l.params, l.tokens)).log10() / law.gamma()
            })
            .collect();
        let efficiency_part = years
            .iter()
            .map(|&y| s.pretraining.efficiency.at(y).log10())
            .collect();
        let erosion = levers
            .iter()
            .map(|l| crate::model::erosion::term(&s.erosion, 0.0, l.params, l.rl_steps))
            .collect();
        let milestones = s
            .milestones
            .iter()
            .map(|m| {
                let d = s
                    .domains
                    .iter()
                    .position(|d| d.name == m.domain)
                    .unwrap_or(0);
                (d, m.threshold)
            })
            .collect();
        Ok(Plan {
            base: s.clone(),
            slots,
            reach,
            ln_params: levers.iter().map(|l| l.params.ln()).collect(),
            ln_tokens: levers.iter().map(|l| l.tokens.ln()).collect(),
            steps: levers.iter().map(|l| l.rl_steps).collect(),
            ln_steps: levers.iter().map(|l| l.rl_steps.ln()).collect(),
            progress: levers.iter().map(|l| l.rl_progress).collect(),
            tokens: levers.iter().map(|l| l.thinking_tokens).collect(),
            ln_tokens_thinking: levers.iter().map(|l| l.thinking_tokens.ln()).collect(),
            years,
            levers,
            compute_part,
            efficiency_part,
            erosion,
            varying_levers: (0..LEVER_NAMES.len()).filter(|&j| reach.lever(j)).collect(),
            milestones,
            fixed_rows,
        })
    }

    /// Number of quantities per sample: capability per (domain, year), then the varying levers
    /// per year.
    pub(super) fn quantities(&self) -> usize {
        (self.base.domains.len() + self.varying_levers.len()) * self.years.len()
    }

    pub(super) fn scratch(&self) -> Scratch {
        Scratch {
            scenarios: vec![self.base.clone(); LANES],
            block: Block::new(&self.base, self.reach.law),
            tile: Tile::new(),
            inputs: vec![vec![0.0; self.slots.len()]; LANES],
            z: Vec::new(),
            arrivals: vec![[0.0; LANES]; self.milestones.len()],
        }
    }

    /// A sink that collects one block's values.
    pub(super) fn collect(&self) -> Collect {
        Collect {
            values: vec![[0.0; LANES]; self.quantities()],
        }
    }

    /// Set the drawn inputs into a scenario.
    pub(super) fn apply(&self, inputs: &[f64], s: &mut Scenario) {
        for (slot, &v) in self.slots.iter().zip(inputs) {
            slot.set(s, v);
        }
    }

    /// Draw samples `first..first + live` (at most [`LANES`]) into the block.
    pub(super) fn draw(&self, sampler: &Sampler, first: u64, live: usize, w: &mut Scratch) {
        for l in 0..live {
            sampler.draw(first + l as u64, &mut w.inputs[l], &mut w.z);
        }
        self.set_block(live, w);
    }

    /// Set `rows` (one per sample, each one input per uncertain input in file order; at most
    /// [`LANES`]) as the block's inputs.
    pub(super) fn set_rows<'a>(&self, rows: impl Iterator<Item = &'a [f64]>, w: &mut Scratch) {
        let mut live = 0;
        for (input, row) in w.inputs.iter_mut().zip(rows) {
            input.copy_from_slice(row);
            live += 1;
        }
        self.set_block(live, w);
    }

    /// The block of the first `live` lanes' inputs; the other lanes repeat the first.
    fn set_block(&self, live: usize, w: &mut Scratch) {
        let Scratch {
            scenarios,
            block,
            inputs,
            ..
        } = w;
        for l in 0..LANES {
            let input = &inputs[if l < live { l } else { 0 }];
            self.apply(input, &mut scenarios[l]);
            block.set(l, &scenarios[l]);
        }
        block.live = live;
    }

    /// Evaluate the block: every quantity into `sink`, the milestones' arrivals into
    /// `w.arrivals`, with the widest vectors the CPU has.
    pub(super) fn evaluate<S: Sink>(&self, w: &mut Scratch, sink: &mut S) {
        simd::dispatch(Evaluate {
            plan: self,
            w,
            sink,
        });
    }

    /// [`Plan::evaluate`] with `V`, a tile of grid years at a time: the levers of the tile's
    /// years, then each domain's capability on them.
    #[inline(always)]
    fn evaluate_with<V: F64s, S: Sink>(&self, w: &mut Scratch, sink: &mut S) {
        let Scratch {
            block: b,
            tile: c,
            arrivals,
            ..
        } = w;
        b.derive::<V>();
        let n = self.years.len();
        let never = n as f64;
        for a in arrivals.iter_mut() {
            *a = [never; LANES];
        }
        let ceiling_off = self.base.inference.ceiling.is_off();
        for powers in &mut c.powers {
            powers.restart();
        }
        for k0 in (0..n).step_by(TILE) {
            let len = TILE.min(n - k0);
            self.levers::<V, S>(b, k0, len, c, sink);
            for (d, domain) in b.domains.iter().enumerate() {
                if let Some(row) = &self.fixed_rows[d] {
                    fill(&mut c.capability, &row[k0..k0 + len]);
                } else if ceiling_off {
                    capability::<V, false>(b, domain, len, c);
                } else {
                    capability::<V, true>(b, domain, len, c);
                }
                for t in 0..len {
                    let k = k0 + t;
                    let capability = &c.capability[t];
                    sink.take::<V>(d * n + k, capability);
                    for (a, &(md, threshold)) in arrivals.iter_mut().zip(&self.milestones) {
                        if md == d {
                            // The first year at or above the threshold.
                            each!(a, |h| {
                                let arrived: V = half(a, h);
                                let reached = arrived
                                    .eq(V::splat(never))
                                    .and(V::splat(threshold).le(half(capability, h)));
                                V::select(reached, V::splat(k as f64), arrived)
                            });
                        }
                    }
                }
            }
        }
    }

    /// The levers of the `len` grid years from `k0` into the tile: those no input reaches from
    /// the medians' forecast, the others from the block's numbers. The varying ones also go to
    /// `sink`, in the order of [`LEVER_NAMES`].
    #[inline(always)]
    fn levers<V: F64s, S: Sink>(
        &self,
        b: &Block,
        k0: usize,
        len: usize,
        c: &mut Tile,
        sink: &mut S,
    ) {
        let r = self.reach;
        let n = self.years.len();
        let years = &self.years[k0..k0 + len];
        // A varying lever's cells go to the sink, as the next lever.
        let first = self.base.domains.len() * n + k0;
        let mut reported = 0;
        macro_rules! report {
            ($cells:expr) => {{
                for (t, values) in $cells[..len].iter().enumerate() {
                    sink.take::<V>(first + reported * n + t, values);
                }
                reported += 1;
            }};
        }
        let fill = |cells: &mut Cells, per_year: &[f64]| fill(cells, &per_year[k0..k0 + len]);
        let at = |path: &Path, ln: &mut Cells, exact: &mut Cells| at::<V>(path, years, ln, exact);
        // Model size, in logarithms.
        if r.size {
            match &b.size {
                Size::ParamsTokens { params, tokens } => {
                    at(params, &mut c.ln_n, &mut c.exact);
                    values::<V>(len, &c.ln_n, &c.exact, &mut c.a, &mut c.powers[SIZE]);
                    report!(c.a);
                    at(tokens, &mut c.ln_d, &mut c.exact);
                    values::<V>(len, &c.ln_d, &c.exact, &mut c.a, &mut c.powers[TOKENS]);
                    report!(c.a);
                }
                Size::Compute {
                    compute,
                    r,
                    ln_6r,
                    ln_r,
                } => {
                    // N = sqrt(C / 6r) and D = r N.
                    at(compute, &mut c.ln_n, &mut c.exact);
                    stage!(len, c.ln_n, |t, h| V::splat(0.5)
                        * (half::<V>(&c.ln_n[t], h) - half(ln_6r, h)));
                    stage!(len, c.ln_d, |t, h| half::<V>(ln_r, h) + half(&c.ln_n[t], h));
                    c.a[..len].copy_from_slice(&c.ln_n[..len]);
                    c.powers[SIZE].exp::<V>(len, &mut c.a);
                    report!(c.a);
                    stage!(len, c.a, |t, h| half::<V>(r, h) * half(&c.a[t], h));
                    report!(c.a);
                }
            }
        } else {
            fill(&mut c.ln_n, &self.ln_params);
            fill(&mut c.ln_d, &self.ln_tokens);
        }
        // Effective compute: u = log10(6) + log10(K / R) / gamma + log10(efficiency).
        if r.size || r.law {
            let [a, bb, alpha, beta, ..] = &b.law;
            stage!(len, c.a, |t, h| -half::<V>(alpha, h) * half(&c.ln_n[t], h));
            c.powers[LAW_N].exp::<V>(len, &mut c.a);
            stage!(len, c.b, |t, h| -half::<V>(beta, h) * half(&c.ln_d[t], h));
            c.powers[LAW_D].exp::<V>(len, &mut c.b);
            stage!(len, c.a, |t, h| half::<V>(a, h) * half(&c.a[t], h)
                + half::<V>(bb, h) * half(&c.b[t], h));
            let log10_6 = V::splat(6f64.log10());
            stage!(len, c.u, |t, h| log10_6
                + (half::<V>(&b.ln_k, h) - ln(half(&c.a[t], h)))
                    * half(&b.inv_gamma, h));
        } else {
            fill(&mut c.u, &self.compute_part);
        }
        if r.efficiency {
            at(&b.efficiency, &mut c.a, &mut c.exact);
            stage!(len, c.u, |t, h| half::<V>(&c.u[t], h)
                + half::<V>(&c.a[t], h) * V::splat(std::f64::consts::LOG10_E));
        } else {
            fill(&mut c.a, &self.efficiency_part);
            stage!(len, c.u, |t, h| half::<V>(&c.u[t], h) + half(&c.a[t], h));
        }
        if r.size || r.law || r.efficiency {
            report!(c.u);
        }
        // RL steps, and progress h = 1 / (1 + (S_mid / S)^beta).
        if r.steps {
            at(&b.steps, &mut c.ln_steps, &mut c.exact);
            if let RlSteps::ComputeFraction(_) = self.base.rl_steps {
                stage!(len, c.ln_steps, |t, h| half::<V>(&c.ln_steps[t], h)
                    + half(&c.ln_d[t], h)
                    + half(&b.ln_fraction_scale, h));
                c.exact = [[f64::NAN; LANES]; TILE];
            }
            values::<V>(
                len,
                &c.ln_steps,
                &c.exact,
                &mut c.steps,
                &mut c.powers[STEPS],
            );
            report!(c.steps);
        } else {
            fill(&mut c.steps, &self.steps);
            fill(&mut c.ln_steps, &self.ln_steps);
        }
        if r.progress {
            stage!(len, c.a, |t, h| half::<V>(&b.rl_exponent, h)
                * (half::<V>(&b.ln_midpoint, h) - half(&c.ln_steps[t], h)));
            c.powers[PROGRESS].exp::<V>(len, &mut c.a);
            stage!(len, c.h, |t, h| {
                let power: V = half(&c.a[t], h);
                let one = V::splat(1.0);
                let zero = V::splat(0.0);
                V::select(
                    half::<V>(&c.steps[t], h).le(zero),
                    zero,
                    one / (one + power),
                )
            });
            report!(c.h);
        } else {
            fill(&mut c.h, &self.progress);
        }
        // The erosion factor: rate (N_ref / N)^e max(0, log10(S / onset))^p, in `c.erosion`;
        // decades past onset in `c.a`.
        if r.erosion {
            let [rate, _, size_exponent, _, power] = &b.erosion;
            stage!(len, c.a, |t, h| (half::<V>(&c.ln_steps[t], h)
                - half(&b.ln_onset, h))
                * V::splat(std::f64::consts::LOG10_E));
            if power.iter().all(|&p| p == 1.0) {
                c.b = c.a;
            } else {
                stage!(len, c.b, |t, h| exp(
                    half::<V>(power, h) * ln(half(&c.a[t], h))
                ));
            }
            if size_exponent.iter().all(|&e| e == 0.0) {
                stage!(len, c.erosion, |t, h| half::<V>(rate, h) * half(&c.b[t], h));
            } else {
                stage!(len, c.erosion, |t, h| half::<V>(size_exponent, h)
                    * (half::<V>(&b.ln_reference_params, h) - half(&c.ln_n[t], h)));
                c.powers[EROSION].exp::<V>(len, &mut c.erosion);
                stage!(len, c.erosion, |t, h| half::<V>(rate, h)
                    * half(&c.erosion[t], h)
                    * half(&c.b[t], h));
            }
            stage!(len, c.erosion, |t, h| {
                let zero = V::splat(0.0);
                let rate: V = half(rate, h);
                let on = zero.lt(half(&c.a[t], h)).and(rate.eq(zero).not());
                V::select(on, half(&c.erosion[t], h), zero)
            });
        } else {
            fill(&mut c.erosion, &self.erosion);
        }
        // Thinking tokens.
        if r.thinking {
            at(&b.thinking, &mut c.ln_tokens, &mut c.exact);
            values::<V>(
                len,
                &c.ln_tokens,
                &c.exact,
                &mut c.tokens,
                &mut c.powers[THINKING],
            );
            report!(c.tokens);
        } else {
            fill(&mut c.tokens, &self.tokens);
            fill(&mut c.ln_tokens, &self.ln_tokens_thinking);
        }
        stage!(len, c.gain, |t, h| {
            let gmax = half::<V>(&b.max_gain, h)
                + half::<V>(&b.gain_per_oom, h)
                    * (half::<V>(&c.u[t], h) - half(&b.reference_compute, h));
            gmax.max(V::splat(0.0)) * half(&c.h[t], h)
        });
        stage32!(len, c.gain32, |t| single::<V>(&c.gain[t]));
        stage32!(len, c.h32, |t| single::<V>(&c.h[t]));
        stage32!(len, c.erosion32, |t| single::<V>(&c.erosion[t]));
        if self.base.inference.ceiling.is_off() {
            // log2(1 + T / T0) as softplus(ln T - ln T0) / ln 2.
            stage!(len, c.a, |t, h| half::<V>(&c.ln_tokens[t], h)
                - half(&b.ln_t0, h));
            let log2_e = <V::Single as F32s>::splat(std::f32::consts::LOG2_E);
            stage32!(len, c.open32, |t| softplus_f32(single::<V>(&c.a[t]))
                * log2_e);
        } else {
            stage32!(len, c.ln_tokens32, |t| single::<V>(&c.ln_tokens[t]));
            stage!(len, c.a, |t, h| half::<V>(&c.ln_steps[t], h)
                - half(&b.ln_scale, h));
            stage32!(len, c.ln_scaled_steps32, |t| single::<V>(&c.a[t]));
        }
        debug_assert_eq!(reported, self.varying_levers.len());
    }
}

/// Every lane of each year's cells set to that year's number.
#[inline(always)]
fn fill(cells: &mut Cells, per_year: &[f64]) {
    for (cell, &x) in cells.iter_mut().zip(per_year) {
        *cell = [x; LANES];
    }
}

/// A trajectory's logarithm at `years` into `ln`, its exact values into `exact` ([`Path::at`]).
#[inline(always)]
fn at<V: F64s>(path: &Path, years: &[f64], ln: &mut Cells, exact: &mut Cells) {
    for (t, &y) in years.iter().enumerate() {
        for h in 0..HALVES {
            let (l, e): (V, V) = path.at(y, h);
            l.store(&mut ln[t][h * WIDTH..]);
            e.store(&mut exact[t][h * WIDTH..]);
        }
    }
}

/// [`Plan::evaluate`] as a [`Kernel`].
struct Evaluate<'a, S> {
    plan: &'a Plan,
    w: &'a mut Scratch,
    sink: &'a mut S,
}

impl<S: Sink> Kernel for Evaluate<'_, S> {
    type Output = ();
    #[inline(always)]
    fn run<V: F64s>(self) {
        self.plan.evaluate_with::<V, S>(self.w, self.sink);
    }
}

/// One domain's capability on the tile's `len` years: MODEL.md §4 as
/// [`crate::model::domain_terms`] computes it, the thought ceiling and soft minimum in
/// logarithms (`CEILING`: the ceiling is on):
/// `ln T_ceil = min(ln base + rl_exponent softplus(ln max(tau, 0) + ln(S / scale)), ln max)`,
/// `ln T_eff = min(ln T, ln T_ceil) - ln(1 + exp(-k |ln T - ln T_ceil|)) / k`, and
/// `log2(1 + T_eff / T0) = softplus(ln T_eff - ln T0) / ln 2`, with `softplus(x) = ln(1 + e^x)`
/// (so that no power overflows, whatever S and T); with the ceiling off,
/// `log2(1 + T / T0) = softplus(ln T - ln T0) / ln 2`, once per tile.
///
/// `u - b` is f64 (no rounding of u reaches the logit); the rest of the logit, the inference
/// term with the ceiling and the logistic function are f32 (sixteen lanes a vector, shorter
/// polynomials, the levers narrowed once per tile), so
/// that the capability is within about 1e-6 of [`crate::model::capability`] (tested): far
/// below a histogram bin and the quantiles' Monte Carlo error.
#[inline(always)]
fn capability<V: F64s, const CEILING: bool>(b: &Block, d: &DomainLanes, len: usize, c: &mut Tile) {
    type S<V> = <V as F64s>::Single;
    // The pretraining, RL and erosion terms (u - b in f64, so that no rounding of u reaches
    // the logit), and kappa.
    let (zero, one) = (S::<V>::splat(0.0), S::<V>::splat(1.0));
    let (slope, tau, share) = (
        single::<V>(&d.slope),
        single::<V>(&d.tau),
        single::<V>(&d.share),
    );
    let (base_gain, rl_gain_tau) = (single::<V>(&b.base_gain), single::<V>(&d.rl_gain_tau));
    for t in 0..len {
        let mut above = [V::splat(0.0); HALVES];
        for (h, x) in above.iter_mut().enumerate() {
            *x = half::<V>(&c.u[t], h) - half(&d.difficulty, h);
        }
        let erosion = S::<V>::select(share.eq(zero), zero, share * S::<V>::load(&c.erosion32[t]));
        let logit =
            slope * V::narrow(above[0], above[1]) + tau * S::<V>::load(&c.gain32[t]) - erosion;
        logit.store(&mut c.logit32[t]);
        (base_gain + rl_gain_tau * S::<V>::load(&c.h32[t])).store(&mut c.kappa32[t]);
    }
    if CEILING {
        let [_, _, exponent, _, sharpness, overthinking] = &b.ceiling;
        let (exponent, ln_base, ln_max, ln_tau_pos) = (
            single::<V>(exponent),
            single::<V>(&b.ln_base),
            single::<V>(&b.ln_max),
            single::<V>(&d.ln_tau_pos),
        );
        // ln T - ln T_ceil into `past32`, ln min(T, T_ceil) into `a32`.
        for t in 0..len {
            // ln(1 + tau S / scale), as softplus(ln tau + ln(S / scale)): no overflow for any S.
            let growth = softplus_f32(ln_tau_pos + S::<V>::load(&c.ln_scaled_steps32[t]));
            let lifted = S::<V>::select(exponent.eq(zero), ln_base, ln_base + exponent * growth);
            let ceiling = lifted.min(ln_max);
            let ln_t = S::<V>::load(&c.ln_tokens32[t]);
            (ln_t - ceiling).store(&mut c.past32[t]);
            ln_t.min(ceiling).store(&mut c.a32[t]);
        }
        // (m / M)^k = exp(-k |ln T - ln T_ceil|), none for a hard minimum; then
        // ln T_eff = ln m - ln(1 + (m / M)^k) / k.
        let (sharpness, inv_sharpness) = (single::<V>(sharpness), single::<V>(&b.inv_sharpness));
        stage32!(len, c.a32, |t| {
            let past = S::<V>::load(&c.past32[t]);
            let ratio = exp_neg_f32(-(sharpness * past.abs()));
            let ratio = S::<V>::select(inv_sharpness.eq(zero), zero, ratio);
            S::<V>::load(&c.a32[t]) - ln_1p_unit_f32(ratio) * inv_sharpness
        });
        // Doublings log2(1 + T_eff / T0), and of T past the ceiling (none where T = 0).
        let (ln_t0, overthinking) = (single::<V>(&b.ln_t0), single::<V>(overthinking));
        let log2_e = S::<V>::splat(std::f32::consts::LOG2_E);
        stage32!(len, c.logit32, |t| {
            let z = S::<V>::load(&c.a32[t]) - ln_t0;
            let doublings = softplus_f32(z) * log2_e;
            let past = S::<V>::load(&c.past32[t]) * log2_e;
            S::<V>::load(&c.logit32[t]) + S::<V>::load(&c.kappa32[t]) * doublings
                - overthinking * past.max(zero)
        });
    } else {
        stage32!(len, c.logit32, |t| S::<V>::load(&c.logit32[t])
            + S::<V>::load(&c.kappa32[t]) * S::<V>::load(&c.open32[t]));
    }
    // The logistic function as in `model::sigmoid`, from exp(-|logit|).
    let floor = single::<V>(&d.floor);
    for t in 0..len {
        let logit = S::<V>::load(&c.logit32[t]);
        let e = exp_neg_f32(-logit.abs());
        let sigmoid = S::<V>::select(zero.le(logit), one, e) / (one + e);
        let (lo, hi) = V::widen((floor + (one - floor) * sigmoid).min(one));
        lo.store(&mut c.capability[t][..WIDTH]);
        hi.store(&mut c.capability[t][WIDTH..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::forecast;
    use crate::montecarlo::test_support::{scenario, SCENARIO};
    use crate::simd::{Backend, Plain};

    const COMPUTE: &str = "compute = { start = 2e25, growth = { dist = \"lognormal\", p5 = 2.0, p95 = 6.0 } }\ntokens_per_param = { dist = \"uniform\", low = 15, high = 30 }";
    const RL_STEPS: &str = "steps = { points = [[2024, 1e3], [2028, { dist = \"loguniform\", low = 1e5, high = 1e7 }]] }";
    const RL_EXPONENT: &str = "exponent = { dist = \"normal\", p5 = 1.0, p95 = 2.0, min = 0.1 }";
    const OVERTHINKING: &str = "overthinking = { dist = \"uniform\", low = 0, high = 0.2 }";
    const THINKING: &str =
        "tokens = { start = 1e3, growth = { dist = \"uniform\", low = 1.5, high = 4 } }";
    const EROSION: &str = "size_exponent = 0.3\npower = 1.5";

    /// The test scenario in every form the engine distinguishes: each ceiling (on, off, hard,
    /// soft of any sharpness, any exponent, capped), with and without overthinking, every
    /// trajectory kind and lever form, the three kinds of loss law, RL and erosion exponents.
    fn variants() -> Vec<(&'static str, String)> {
        let s = SCENARIO;
        vec![
            ("as written (points, compute form, overthinking, max)", s.to_string()),
            ("sharpness 4, ceiling exponent 0.7", s.replace("max = 1e6", "sharpness = 4\nrl_exponent = 0.7")),
            ("ceiling off", s.replace("max = 1e6", "base = inf")),
            ("ceiling off, no thinking", s.replace("max = 1e6", "base = inf").replace(THINKING, "tokens = 0")),
            ("hard ceiling", s.replace("max = 1e6", "sharpness = inf")),
            ("hard ceiling, no overthinking", s.replace("max = 1e6", "sharpness = inf").replace(OVERTHINKING, "")),
            ("sharpness 2.5, exponent 0, no overthinking", s.replace("max = 1e6", "sharpness = 2.5\nrl_exponent = 0").replace(OVERTHINKING, "")),
            ("uncertain ceiling: base, scale, exponent, sharpness", s.replace("max = 1e6", "base = { dist = \"lognormal\", p5 = 300, p95 = 5000 }\nrl_scale_steps = { dist = \"loguniform\", low = 100, high = 1e4 }\nrl_exponent = { dist = \"uniform\", low = 0.2, high = 0.9 }\nsharpness = { dist = \"uniform\", low = 1, high = 8 }\nmax = 3e5")),
            ("no thinking", s.replace(THINKING, "tokens = 0")),
            ("thinking by points", s.replace(THINKING, "tokens = { points = [[2025, 500], [2027.5, { dist = \"loguniform\", low = 1e3, high = 1e5 }], [2029, 2e5]] }")),
            (
                "parameters and tokens, RL exponent 1.5, no overthinking",
                s.replace(RL_EXPONENT, "")
                    .replace(COMPUTE, "params = { start = 1e12, growth = { dist = \"uniform\", low = 1.2, high = 2 } }\ntokens = { start = 2e13, growth = 1.5 }")
                    .replace(OVERTHINKING, ""),
            ),
            (
                "parameters by points, constant tokens",
                s.replace(COMPUTE, "params = { points = [[2024, 1e12], [2026.5, { dist = \"loguniform\", low = 2e12, high = 8e12 }], [2029, 2e13]] }\ntokens = 3e13"),
            ),
            ("chinchilla law", s.replace("[pretraining]", "[pretraining]\nlaw = \"chinchilla\"")),
            (
                "custom law with uncertain exponents",
                s.replace("[pretraining]", "[pretraining]\nlaw = { E = 1.7, A = 400, B = 410, alpha = { dist = \"uniform\", low = 0.3, high = 0.36 }, beta = { dist = \"uniform\", low = 0.26, high = 0.3 } }"),
            ),
            (
                "custom law uncertain, size fixed",
                s.replace(COMPUTE, "params = 2e12\ntokens = 4e13").replace("[pretraining]", "[pretraining]\nlaw = { E = 1.7, A = 400, B = 410, alpha = { dist = \"uniform\", low = 0.3, high = 0.36 }, beta = 0.28 }"),
            ),
            (
                "RL by compute fraction",
                s.replace(RL_STEPS, "compute_fraction = { start = 1e-4, growth = { dist = \"uniform\", low = 1.5, high = 3 } }\ntokens_per_step = { dist = \"loguniform\", low = 1e6, high = 1e8 }"),
            ),
            (
                "RL exponential with a wall",
                s.replace(RL_STEPS, "steps = { start = 1e3, growth = { dist = \"uniform\", low = 3, high = 10 }, until = 2027 }"),
            ),
            ("erosion power 1, no size exponent", s.replace(EROSION, "")),
            (
                "erosion uncertain: size exponent, power, onset, reference",
                s.replace(EROSION, "size_exponent = { dist = \"uniform\", low = 0, high = 1 }\npower = { dist = \"uniform\", low = 1, high = 2 }\nonset_steps = { dist = \"loguniform\", low = 1e3, high = 1e5 }\nreference_params = { dist = \"loguniform\", low = 1e11, high = 1e13 }"),
            ),
            (
                "efficiency by points, RL exponent fixed at 0.8",
                s.replace("efficiency = { start = 1, growth = { dist = \"triangular\", low = 1.5, mode = 3, high = 4 } }", "efficiency = { points = [[2024, 1], [2030, { dist = \"uniform\", low = 10, high = 100 }]] }")
                    .replace(RL_EXPONENT, "exponent = 0.8"),
            ),
            (
                "RL gain per OOM, kappa and reference tokens uncertain",
                s.replace(RL_EXPONENT, "gain_per_oom = { dist = \"uniform\", low = 0, high = 0.5 }\nmidpoint_steps = { dist = \"loguniform\", low = 1e3, high = 1e5 }")
                    .replace("[inference.ceiling]", "base_gain = { dist = \"uniform\", low = 0, high = 0.3 }\nrl_gain = { dist = \"uniform\", low = 0, high = 0.4 }\nreference_tokens = { dist = \"loguniform\", low = 10, high = 1000 }\n[inference.ceiling]"),
            ),
        ]
    }

    /// Every variant's first 40 samples (two whole blocks and a partial one), evaluated by the
    /// engine and by the deterministic forecast at the same drawn inputs.
    fn each_sample(mut check: impl FnMut(&str, &Scenario, &Plan, &Scratch, &Collect, usize)) {
        for (i, (name, text)) in variants().into_iter().enumerate() {
            assert!(i == 0 || text != SCENARIO, "{name}: the edit did not apply");
            let s = scenario(&text);
            let sampler = Sampler::new(&s, 7).unwrap();
            let plan = Plan::new(&s).unwrap();
            let mut w = plan.scratch();
            let mut collect = plan.collect();
            for first in (0..40).step_by(LANES) {
                let live = LANES.min(40 - first);
                plan.draw(&sampler, first as u64, live, &mut w);
                plan.evaluate(&mut w, &mut collect);
                for l in 0..live {
                    check(name, &s, &plan, &w, &collect, l);
                }
            }
        }
    }

    /// The engine equals the deterministic forecast of the same drawn inputs, in every variant:
    /// the levers to 1e-13 relative, the capabilities (single-precision inference term and
    /// logistic) to 1e-6, and the milestone years exactly where no capability lies within 1e-6
    /// of its threshold.
    #[test]
    fn engine_matches_forecast_on_drawn_inputs_for_every_option() {
        let mut worst: f64 = 0.0;
        each_sample(|name, s, plan, w, collect, l| {
            let values = &collect.values;
            assert!(values.iter().all(|v| v[l].is_finite()), "{name}");
            let mut t = s.clone();
            plan.apply(&w.inputs[l], &mut t);
            let f = forecast(&t).unwrap();
            let n = f.levers.len();
            for d in 0..f.domains.len() {
                for k in 0..n {
                    let (got, want) = (values[d * n + k][l], f.terms[d][k].capability);
                    worst = worst.max((got - want).abs());
                    assert!(
                        (got - want).abs() <= 1e-6,
                        "{name}: lane {l}, {} in year {k}: {got} vs {want}",
                        f.domains[d]
                    );
                }
            }
            for (i, &j) in plan.varying_levers.iter().enumerate() {
                for k in 0..n {
                    let got = values[(f.domains.len() + i) * n + k][l];
                    let want = lever_value(&f.levers[k], j);
                    assert!(
                        (got - want).abs() <= 1e-13 * want.abs().max(1.0),
                        "{name}: {} in year {k}: {got} vs {want}",
                        LEVER_NAMES[j]
                    );
                }
            }
            for (m, ms) in t.milestones.iter().enumerate() {
                let d = f.domains.iter().position(|x| *x == ms.domain).unwrap();
                if f.terms[d]
                    .iter()
                    .any(|x| (x.capability - ms.threshold).abs() <= 1e-6)
                {
                    continue;
                }
                let want = crate::report::json::milestone_year(&f, &ms.domain, ms.threshold);
                let arrived = w.arrivals[m][l] as usize;
                let got = (arrived < n).then(|| f.levers[arrived].year);
                assert_eq!(got, want, "{name}");
            }
        });
        eprintln!("largest capability difference: {worst:e}");
    }

    /// A domain that no uncertain input reaches (the others' numbers and costs are uncertain,
    /// or nothing is) has the medians' capability in every sample, to the bit.
    #[test]
    fn a_domain_no_input_reaches_is_exactly_the_forecast() {
        let text = SCENARIO
            .split("[[milestone]]")
            .next()
            .unwrap()
            .replace(
                "verifiability = { dist = \"uniform\", low = 0.0, high = 0.2 }",
                "verifiability = 0.1",
            )
            .replace(
                "difficulty = { dist = \"normal\", mean = 27, sd = 0.5 }",
                "difficulty = 27",
            );
        let only_math_and_cost = scenario(&text);
        let nothing = {
            let mut s = only_math_and_cost.clone();
            s.uncertain.clear();
            s
        };
        let mut only_math_and_cost = only_math_and_cost;
        only_math_and_cost
            .uncertain
            .retain(|u| u.path.starts_with("domain.math") || u.path.starts_with("cost"));
        assert_eq!(only_math_and_cost.uncertain.len(), 2);
        for (s, fixed) in [(&only_math_and_cost, 1..2), (&nothing, 0..2)] {
            let want = forecast(s).unwrap();
            let sampler = Sampler::new(s, 3).unwrap();
            let plan = Plan::new(s).unwrap();
            let (mut w, mut collect) = (plan.scratch(), plan.collect());
            plan.draw(&sampler, 0, LANES, &mut w);
            plan.evaluate(&mut w, &mut collect);
            let n = want.levers.len();
            for d in fixed {
                for k in 0..n {
                    let got = collect.values[d * n + k];
                    assert_eq!(
                        got, [want.terms[d][k].capability; LANES],
                        "domain {d}, year {k}"
                    );
                }
            }
        }
    }

    /// The build for the CPU's vector instructions and the plain one give the same bits (the
    /// reproducibility promise holds on machines with and without AVX2 or AVX-512).
    #[test]
    fn blocks_are_the_same_bits_with_and_without_vector_instructions() {
        each_sample(|name, _, plan, w, collect, l| {
            for backend in Backend::available() {
                let mut other = plan.collect();
                let mut v = Scratch {
                    scenarios: Vec::new(),
                    block: w.block.clone(),
                    tile: Tile::new(),
                    inputs: Vec::new(),
                    z: Vec::new(),
                    arrivals: w.arrivals.clone(),
                };
                backend.run(Evaluate {
                    plan,
                    w: &mut v,
                    sink: &mut other,
                });
                for (a, b) in collect.values.iter().zip(&other.values) {
                    assert_eq!(a[l].to_bits(), b[l].to_bits(), "{name}: {backend:?}");
                }
                assert_eq!(v.arrivals, w.arrivals, "{name}: {backend:?}");
            }
        });
    }

    /// Trajectories on the grid equal [`Trajectory::at`], exactly at and outside points, over a
    /// century of quarters taken a tile at a time as the levers take them ([`Powers`]).
    #[test]
    fn trajectories_on_the_grid_match_their_values() {
        let years: Vec<f64> = (0..401).map(|k| 2024.0 + 0.25 * f64::from(k)).collect();
        let mut worst: f64 = 0.0;
        for t in [
            Trajectory::Constant(3.5),
            Trajectory::Exponential {
                start: 2e25,
                growth: 4.0,
                from: 2025.0,
                until: 2031.0,
            },
            Trajectory::Exponential {
                start: 1e3,
                growth: 0.5,
                from: 2026.0,
                until: f64::INFINITY,
            },
            Trajectory::Exponential {
                start: 3e4,
                growth: 1.7,
                from: 2024.1,
                until: 2101.3,
            },
            Trajectory::Points(vec![(2025.0, 1e3), (2026.5, 2e5), (2031.0, 7e4)]),
            Trajectory::Points(vec![(2020.0, 1.0), (2040.0, 1e10), (2124.0, 1e50)]),
        ] {
            let mut path = Path::new(&t);
            path.logs::<Plain>();
            let mut powers = Powers::new();
            powers.restart();
            let (mut ln, mut exact, mut got) = (
                [[0.0; LANES]; TILE],
                [[0.0; LANES]; TILE],
                [[0.0; LANES]; TILE],
            );
            for (k0, tile) in years.chunks(TILE).enumerate() {
                let len = tile.len();
                at::<Plain>(&path, tile, &mut ln, &mut exact);
                values::<Plain>(len, &ln, &exact, &mut got, &mut powers);
                for (i, &y) in tile.iter().enumerate() {
                    let want = t.at(y);
                    for l in 0..LANES {
                        worst = worst.max((got[i][l] - want).abs() / want);
                        assert!(
                            (got[i][l] - want).abs() <= 1e-11 * want
                                && (ln[i][l] - want.ln()).abs() <= 1e-13 * want.ln().abs().max(1.0),
                            "{t:?} at {y} (tile {k0}): {} vs {want}",
                            got[i][l]
                        );
                    }
                    let exact_here = match &t {
                        Trajectory::Constant(_) => true,
                        Trajectory::Exponential { from, .. } => y <= *from,
                        Trajectory::Points(points) => {
                            y <= points[0].0
                                || y >= points[points.len() - 1].0
                                || points.iter().any(|p| p.0 == y)
                        }
                    };
                    if exact_here {
                        assert_eq!(got[i], [want; LANES], "{t:?} at {y}");
                    }
                }
            }
        }
        eprintln!("largest relative difference: {worst:e}");
    }
}
