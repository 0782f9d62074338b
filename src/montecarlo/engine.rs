//! Evaluating one sample: a [`Plan`] computes once what no uncertain input reaches, then per
//! sample the levers that vary and every domain's capability on the whole time grid.

use crate::forecast::{levers_at, Levers};
use crate::model::{rl, Domain};
use crate::scenario::{under, ModelSize, RlSteps, Scenario};
use crate::trajectory::Trajectory;
use crate::vecmath;

use super::sampler::{Sampler, Slot};

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

/// `t` on the grid years: [`Trajectory::at`] for every year at once. An exponential as
/// `start * exp(elapsed * ln g)` (one logarithm per sample instead of a power per year; within
/// ~1e-14 relative of the power, as the rounding of `elapsed * ln g` is amplified by `exp`), log
/// interpolation between points as `exp(lg * ln 10)`, in loops that vectorise.
pub(super) fn on_grid(t: &Trajectory, years: &[f64], out: &mut [f64]) {
    match t {
        Trajectory::Constant(v) => out.fill(*v),
        Trajectory::Exponential {
            start,
            growth,
            from,
            until,
        } => {
            let ln_growth = growth.ln();
            let (from, until) = (*from, until.max(*from));
            vecmath::vectorised(
                #[inline(always)]
                || {
                    for (o, &y) in out.iter_mut().zip(years) {
                        let y = if y < from {
                            from
                        } else if y > until {
                            until
                        } else {
                            y
                        };
                        *o = (y - from) * ln_growth;
                    }
                    vecmath::exp(out);
                    // No growth at all (not exp(0 * inf)) where no time has elapsed.
                    for (o, &y) in out.iter_mut().zip(years) {
                        *o = if y <= from { *start } else { start * *o };
                    }
                },
            );
        }
        Trajectory::Points(points) => {
            // ln of the value per year (as log10 interpolation times ln 10), then one exp; the
            // years at or outside a point keep its value exactly.
            let (first, last) = (points[0], points[points.len() - 1]);
            let mut i = 1;
            for (o, &y) in out.iter_mut().zip(years) {
                if y <= first.0 || y >= last.0 {
                    *o = 0.0;
                    continue;
                }
                while points[i].0 <= y {
                    i += 1;
                }
                let (a, b) = (points[i - 1], points[i]);
                let w = (y - a.0) / (b.0 - a.0);
                let lg = a.1.log10() + (b.1.log10() - a.1.log10()) * w;
                *o = if y == a.0 {
                    0.0
                } else {
                    lg * std::f64::consts::LN_10
                };
            }
            vecmath::vectorised(
                #[inline(always)]
                || vecmath::exp(out),
            );
            let mut i = 1;
            for (o, &y) in out.iter_mut().zip(years) {
                if y <= first.0 {
                    *o = first.1;
                } else if y >= last.0 {
                    *o = last.1;
                } else {
                    while points[i].0 <= y {
                        i += 1;
                    }
                    if y == points[i - 1].0 {
                        *o = points[i - 1].1;
                    }
                }
            }
        }
    }
}

/// `(scale * t)^exponent` on the grid years: an exponential is again an exponential (start
/// `(scale * start)^exponent`, growth `growth^exponent`), taken by [`on_grid`] without a power
/// per year; anything else by [`vecmath::pow`].
fn power_on_grid(t: &Trajectory, scale: f64, exponent: f64, years: &[f64], out: &mut [f64]) {
    match t {
        Trajectory::Exponential {
            start,
            growth,
            from,
            until,
        } => {
            let powered = Trajectory::Exponential {
                start: (scale * start).powf(exponent),
                growth: growth.powf(exponent),
                from: *from,
                until: *until,
            };
            on_grid(&powered, years, out);
        }
        _ => {
            on_grid(t, years, out);
            for o in out.iter_mut() {
                *o *= scale;
            }
            pow_in_place(out, exponent);
        }
    }
}

/// [`vecmath::pow`] of every number, AVX2 where present.
fn pow_in_place(xs: &mut [f64], exponent: f64) {
    vecmath::vectorised(
        #[inline(always)]
        || vecmath::pow(xs, exponent),
    );
}

/// `log10` of `t` on the grid years; an exponential as `log10(start) + years * log10(growth)`.
fn log10_on_grid(t: &Trajectory, years: &[f64], out: &mut [f64]) {
    match t {
        Trajectory::Exponential {
            start,
            growth,
            from,
            until,
        } => {
            let (lg_start, lg_growth) = (start.log10(), growth.log10());
            for (o, &y) in out.iter_mut().zip(years) {
                let elapsed = y.clamp(*from, until.max(*from)) - from;
                *o = if elapsed == 0.0 {
                    lg_start
                } else {
                    lg_start + elapsed * lg_growth
                };
            }
        }
        _ => {
            on_grid(t, years, out);
            vecmath::vectorised(
                #[inline(always)]
                || vecmath::log10(out),
            );
        }
    }
}

/// [`rl::progress`] `1 / (1 + (S_mid / S)^beta)` of each year's steps into `levers[k].rl_progress`
/// (0 where S = 0), by [`vecmath::pow`]; `h` is scratch space.
fn progress(p: &rl::RlParams, levers: &mut [Levers], h: &mut [f64]) {
    for (h, l) in h.iter_mut().zip(levers.iter()) {
        *h = p.midpoint_steps / l.rl_steps;
    }
    pow_in_place(h, p.exponent);
    for (l, &r) in levers.iter_mut().zip(h.iter()) {
        l.rl_progress = if l.rl_steps <= 0.0 {
            0.0
        } else {
            1.0 / (1.0 + r)
        };
    }
}

/// Each year's erosion factor `rate * (N_ref/N)^size_exponent * log10(S / onset)^power` into
/// `out`: the erosion term of a domain is its unverifiable share times it. 0 where `S <= onset`
/// or the rate is 0 (no erosion); where `S / onset` overflows, `log10(S) - log10(onset)`.
/// `size` is scratch space.
fn erosion_factors(s: &Scenario, levers: &[Levers], out: &mut [f64], size: &mut [f64]) {
    let p = &s.erosion;
    if p.rate == 0.0 {
        out.fill(0.0);
        return;
    }
    let onset = p.onset_steps;
    for (o, l) in out.iter_mut().zip(levers) {
        let ratio = l.rl_steps / onset;
        *o = if ratio > 1.0 { ratio } else { 1.0 };
    }
    if out.iter().all(|r| r.is_finite()) {
        vecmath::vectorised(
            #[inline(always)]
            || vecmath::log10(out),
        );
    } else {
        for (o, l) in out.iter_mut().zip(levers) {
            *o = if o.is_finite() {
                o.log10()
            } else {
                l.rl_steps.log10() - onset.log10()
            };
        }
    }
    for (o, l) in size.iter_mut().zip(levers) {
        *o = p.reference_params / l.params;
    }
    vecmath::vectorised(
        #[inline(always)]
        || {
            vecmath::pow(out, p.power);
            vecmath::pow(size, p.size_exponent);
            for (o, &z) in out.iter_mut().zip(size.iter()) {
                // Nothing at all (not 0 times an infinite size factor) without decades past onset.
                *o = if *o > 0.0 { p.rate * z * *o } else { 0.0 };
            }
        },
    );
}

/// One scenario's Monte Carlo evaluation: what is computed once, and how a sample is evaluated.
pub(super) struct Plan {
    pub(super) base: Scenario,
    pub(super) slots: Vec<Slot>,
    pub(super) reach: Reach,
    pub(super) years: Vec<f64>,
    /// Levers at the medians; the parts no uncertain input reaches are never recomputed.
    pub(super) levers: Vec<Levers>,
    /// `log10(6) + log10(K/R)/gamma` per year, when size and law are fixed.
    pub(super) compute_part: Vec<f64>,
    /// `log10(efficiency)` per year, when efficiency is fixed.
    pub(super) efficiency_part: Vec<f64>,
    /// [`erosion_factors`] per year, when nothing uncertain reaches them.
    pub(super) erosion: Vec<f64>,
    /// The loss law's `K` and `gamma`, when it is fixed.
    pub(super) law_constants: (f64, f64),
    /// Indices into [`LEVER_NAMES`] of the levers that vary.
    pub(super) varying_levers: Vec<usize>,
    /// `(domain index, threshold)` per milestone.
    pub(super) milestones: Vec<(usize, f64)>,
}

/// Scratch space of one worker.
pub(super) struct Scratch {
    pub(super) scenario: Scenario,
    /// The sample's levers; the cost fields (which nothing here reports) keep the medians'.
    pub(super) levers: Vec<Levers>,
    pub(super) erosion: Vec<f64>,
    /// One number per year, for the vectorised steps of [`Plan::update_levers`].
    pub(super) per_year: Vec<f64>,
    /// Trajectories on the grid: size (two), log10 efficiency, RL, thinking, and the powers
    /// `N^-alpha` and `D^-beta` of the reducible loss.
    pub(super) grid: [Vec<f64>; 7],
    /// The sample's per-year inputs of the capability loops, and their intermediate values.
    pub(super) row: Row,
    pub(super) inputs: Vec<f64>,
    pub(super) z: Vec<f64>,
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
        let mut erosion = vec![0.0; years.len()];
        erosion_factors(s, &levers, &mut erosion, &mut vec![0.0; years.len()]);
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
            years,
            levers,
            compute_part,
            efficiency_part,
            erosion,
            law_constants: (law.k(), law.gamma()),
            varying_levers: (0..LEVER_NAMES.len()).filter(|&j| reach.lever(j)).collect(),
            milestones,
        })
    }

    /// Number of quantities per sample: capability per (domain, year), then the varying levers
    /// per year.
    pub(super) fn quantities(&self) -> usize {
        (self.base.domains.len() + self.varying_levers.len()) * self.years.len()
    }

    pub(super) fn scratch(&self) -> Scratch {
        Scratch {
            scenario: self.base.clone(),
            levers: self.levers.clone(),
            erosion: self.erosion.clone(),
            per_year: vec![0.0; self.years.len()],
            grid: std::array::from_fn(|_| vec![0.0; self.years.len()]),
            row: Row::new(self.years.len()),
            inputs: vec![0.0; self.slots.len()],
            z: Vec::new(),
        }
    }

    /// Set the drawn inputs into the scratch scenario.
    pub(super) fn apply(&self, inputs: &[f64], s: &mut Scenario) {
        for (slot, &v) in self.slots.iter().zip(inputs) {
            slot.set(s, v);
        }
    }

    /// Recompute the levers that the inputs reach, into `w.levers` and `w.erosion`.
    fn update_levers(&self, w: &mut Scratch) {
        let r = self.reach;
        let s = &w.scenario;
        let years = &self.years;
        let [a, b, eff, steps, thinking, n_power, d_power] = &mut w.grid;
        let law = &s.pretraining.law;
        if r.size {
            match &s.pretraining.size {
                ModelSize::ParamsTokens { params, tokens } => {
                    on_grid(params, years, a);
                    on_grid(tokens, years, b);
                    power_on_grid(params, 1.0, -law.alpha, years, n_power);
                    power_on_grid(tokens, 1.0, -law.beta, years, d_power);
                }
                ModelSize::Compute {
                    compute,
                    tokens_per_param,
                } => {
                    on_grid(compute, years, a);
                    for (n, d) in a.iter_mut().zip(b.iter_mut()) {
                        *n = (*n / (6.0 * tokens_per_param)).sqrt();
                        *d = tokens_per_param * *n;
                    }
                    // N = (C / 6r)^(1/2) and D = r N = (C r / 6)^(1/2).
                    let r6 = 6.0 * tokens_per_param;
                    power_on_grid(compute, 1.0 / r6, -law.alpha / 2.0, years, n_power);
                    let scale = tokens_per_param / 6.0;
                    power_on_grid(compute, scale, -law.beta / 2.0, years, d_power);
                }
            }
        } else if r.law {
            for ((n, d), l) in n_power.iter_mut().zip(d_power.iter_mut()).zip(&w.levers) {
                *n = l.params;
                *d = l.tokens;
            }
            pow_in_place(n_power, -law.alpha);
            pow_in_place(d_power, -law.beta);
        }
        if r.efficiency {
            log10_on_grid(&s.pretraining.efficiency, years, eff);
        }
        if r.steps {
            let (RlSteps::Steps(t) | RlSteps::ComputeFraction(t)) = &s.rl_steps;
            on_grid(t, years, steps);
        }
        if r.thinking {
            on_grid(&s.thinking_tokens, years, thinking);
        }
        let (k_const, gamma) = if r.law {
            (law.k(), law.gamma())
        } else {
            self.law_constants
        };
        let per_year = &mut w.per_year;
        if r.size || r.law {
            for (k, (l, x)) in w.levers.iter_mut().zip(per_year.iter_mut()).enumerate() {
                if r.size {
                    l.params = a[k];
                    l.tokens = b[k];
                }
                let reducible = law.a * n_power[k] + law.b * d_power[k];
                l.loss = law.e + reducible;
                *x = k_const / reducible;
            }
            vecmath::vectorised(
                #[inline(always)]
                || vecmath::log10(per_year),
            );
            for (k, (l, x)) in w.levers.iter_mut().zip(per_year.iter()).enumerate() {
                let part = 6f64.log10() + x / gamma;
                let efficiency = if r.efficiency {
                    eff[k]
                } else {
                    self.efficiency_part[k]
                };
                l.effective_log10_compute = part + efficiency;
            }
        } else if r.efficiency {
            for (k, l) in w.levers.iter_mut().enumerate() {
                l.effective_log10_compute = self.compute_part[k] + eff[k];
            }
        }
        for (k, l) in w.levers.iter_mut().enumerate() {
            if r.steps {
                l.rl_steps = match &s.rl_steps {
                    RlSteps::Steps(_) => steps[k],
                    RlSteps::ComputeFraction(_) => {
                        0.75 * steps[k] * l.tokens / s.rl.tokens_per_step
                    }
                };
            }
            if r.thinking {
                l.thinking_tokens = thinking[k];
            }
        }
        if r.progress {
            progress(&s.rl, &mut w.levers, per_year);
        }
        if r.erosion {
            erosion_factors(s, &w.levers, &mut w.erosion, per_year);
        }
    }

    /// Evaluate sample `index`: its drawn inputs go to `w.inputs`, its quantities to `out` in
    /// order, its milestone arrival grid indices (`years.len()` for never) to `arrivals`.
    pub(super) fn evaluate(
        &self,
        sampler: &Sampler,
        index: u64,
        w: &mut Scratch,
        out: &mut [f64],
        arrivals: &mut [usize],
    ) {
        let mut inputs = std::mem::take(&mut w.inputs);
        sampler.draw(index, &mut inputs, &mut w.z);
        self.evaluate_inputs(&inputs, w, out, arrivals);
        w.inputs = inputs;
    }

    /// [`Plan::evaluate`] of given inputs (one per uncertain input, in file order).
    pub(super) fn evaluate_inputs(
        &self,
        inputs: &[f64],
        w: &mut Scratch,
        out: &mut [f64],
        arrivals: &mut [usize],
    ) {
        self.apply(inputs, &mut w.scenario);
        self.update_levers(w);
        let s = &w.scenario;
        let n_years = self.years.len();
        for a in arrivals.iter_mut() {
            *a = n_years;
        }
        w.row.fill(s, &w.levers, &w.erosion);
        for (d, domain) in s.domains.iter().enumerate() {
            let row = &mut out[d * n_years..(d + 1) * n_years];
            w.row.capability(s, domain);
            row.copy_from_slice(&w.row.capability);
            for (m, &(md, threshold)) in self.milestones.iter().enumerate() {
                if md == d {
                    arrivals[m] = row.iter().position(|&c| c >= threshold).unwrap_or(n_years);
                }
            }
        }
        let base = s.domains.len() * n_years;
        for (i, &j) in self.varying_levers.iter().enumerate() {
            for (k, l) in w.levers.iter().enumerate() {
                out[base + i * n_years + k] = lever_value(l, j);
            }
        }
    }
}

/// One sample's capability for one domain across all years at once, for every model option:
/// per-year inputs as plain arrays and the arithmetic in separate loops over years, with the
/// transcendental functions of [`vecmath`], which the compiler vectorises. The same equations as
/// [`crate::model::domain_terms`] (MODEL.md §4), in logarithms where the thought ceiling needs powers:
/// `ln T_ceil = min(ln base + rl_exponent ln(1 + tau S / scale), ln max)`, and
/// `T_eff = exp(min(ln T, ln T_ceil) - ln(1 + exp(-k |ln T - ln T_ceil|)) / k)`.
pub(super) struct Row {
    /// Effective compute u, `Gmax * h`, progress h, the erosion factor (0 where there is no
    /// erosion), `S / rl_scale_steps`, thinking tokens T and `ln T`, and `log2(1 + T / T0)` (the
    /// inference term's doublings when the ceiling is off).
    u: Vec<f64>,
    gain: Vec<f64>,
    h: Vec<f64>,
    erosion: Vec<f64>,
    steps: Vec<f64>,
    ln_tokens: Vec<f64>,
    open_doublings: Vec<f64>,
    /// The logit (first without the inference term), kappa, `ln T - ln T_ceil`, then scratch
    /// for the ceiling's growth, the soft minimum and the doublings, and the capability.
    logit: Vec<f64>,
    kappa: Vec<f64>,
    past: Vec<f64>,
    a: Vec<f64>,
    b: Vec<f64>,
    pub(super) capability: Vec<f64>,
    /// `ln` of the ceiling's `base` and `max`.
    ln_ceiling: (f64, f64),
}

impl Row {
    fn new(n: usize) -> Row {
        let v = || vec![0.0; n];
        Row {
            u: v(),
            gain: v(),
            h: v(),
            erosion: v(),
            steps: v(),
            ln_tokens: v(),
            open_doublings: v(),
            logit: v(),
            kappa: v(),
            past: v(),
            a: v(),
            b: v(),
            capability: v(),
            ln_ceiling: (0.0, 0.0),
        }
    }

    /// The sample's per-year inputs, shared by every domain.
    fn fill(&mut self, s: &Scenario, levers: &[Levers], erosion: &[f64]) {
        let inv_scale = 1.0 / s.inference.ceiling.rl_scale_steps;
        let inv_t0 = 1.0 / s.inference.reference_tokens;
        for (k, l) in levers.iter().enumerate() {
            self.u[k] = l.effective_log10_compute;
            self.gain[k] = rl::max_gain(&s.rl, l.effective_log10_compute) * l.rl_progress;
            self.h[k] = l.rl_progress;
            self.erosion[k] = erosion[k];
            self.steps[k] = l.rl_steps * inv_scale;
            self.ln_tokens[k] = l.thinking_tokens;
            self.open_doublings[k] = l.thinking_tokens * inv_t0;
        }
        let c = &s.inference.ceiling;
        self.ln_ceiling = (c.base.ln(), c.max.ln());
        let off = c.is_off();
        vecmath::vectorised(
            #[inline(always)]
            || {
                if off {
                    vecmath::log2_1p(&mut self.open_doublings);
                } else {
                    vecmath::ln(&mut self.ln_tokens);
                }
            },
        );
    }

    /// Capability of `domain` per year into `self.capability`.
    pub(super) fn capability(&mut self, s: &Scenario, domain: &Domain) {
        vecmath::vectorised(
            #[inline(always)]
            || self.capability_loops(s, domain),
        );
    }

    #[inline(always)]
    pub(super) fn capability_loops(&mut self, s: &Scenario, domain: &Domain) {
        let (slope, difficulty) = (domain.slope, domain.difficulty);
        let tau = rl::transfer_share(domain.verifiability, s.rl.transfer);
        // No erosion term at all where the share is 0 (not 0 times the factor).
        let share = if domain.verifiability == 1.0 {
            0.0
        } else {
            1.0 - domain.verifiability
        };
        let p = &s.inference;
        let c = &p.ceiling;
        let (tau_pos, rl_gain) = (tau.max(0.0), p.rl_gain * tau);
        let n = self.u.len();
        let (u, gain, h, erosion, steps) = (
            &self.u[..n],
            &self.gain[..n],
            &self.h[..n],
            &self.erosion[..n],
            &self.steps[..n],
        );
        let (logits, kappas) = (&mut self.logit[..n], &mut self.kappa[..n]);
        // Branch-free: `min`, `max` and the special cases as selects (the same wherever no NaN
        // is involved), so that the loops vectorise.
        let select_min = |a: f64, b: f64| if a < b { a } else { b };
        for k in 0..n {
            let erosion = if share == 0.0 {
                0.0
            } else {
                share * erosion[k]
            };
            logits[k] = slope * (u[k] - difficulty) + tau * gain[k] - erosion;
            kappas[k] = p.base_gain + rl_gain * h[k];
        }
        let (a, b, past) = (&mut self.a[..n], &mut self.b[..n], &mut self.past[..n]);
        if c.is_off() {
            // T_eff = T, no overthinking.
            for k in 0..n {
                logits[k] += kappas[k] * self.open_doublings[k];
            }
        } else {
            let ln_tokens = &self.ln_tokens[..n];
            let (ln_base, ln_max) = self.ln_ceiling;
            let (sharpness, hard) = (c.sharpness, c.sharpness == f64::INFINITY);
            let inv_sharpness = if hard { 0.0 } else { 1.0 / sharpness };
            for k in 0..n {
                a[k] = 1.0 + tau_pos * steps[k];
            }
            vecmath::ln(a);
            for k in 0..n {
                let ln_ceiling = select_min(ln_base + c.rl_exponent * a[k], ln_max);
                let ln_t = ln_tokens[k];
                past[k] = ln_t - ln_ceiling;
                // ln of m = min(T, T_ceil), and (m / M)^k with M = max(T, T_ceil).
                a[k] = select_min(ln_t, ln_ceiling);
                b[k] = if hard {
                    f64::NEG_INFINITY
                } else {
                    -sharpness * past[k].abs()
                };
            }
            vecmath::exp(b);
            vecmath::log2_1p(b);
            let inv_t0 = 1.0 / p.reference_tokens;
            for k in 0..n {
                // ln T_eff = ln m - ln(1 + (m/M)^k) / k, and T_eff / T0.
                a[k] -= b[k] * (std::f64::consts::LN_2 * inv_sharpness);
            }
            vecmath::exp(a);
            for x in a.iter_mut() {
                *x *= inv_t0;
            }
            vecmath::log2_1p(a);
            let overthinking = c.overthinking;
            for k in 0..n {
                // Doublings of T past the ceiling (none where T = 0: ln T = -inf).
                let past = past[k] * std::f64::consts::LOG2_E;
                let past = if past > 0.0 { past } else { 0.0 };
                logits[k] += kappas[k] * a[k] - overthinking * past;
            }
        }
        // The logistic function as in `model::sigmoid`, from `exp(-|logit|)`.
        for k in 0..n {
            b[k] = -logits[k].abs();
        }
        vecmath::exp(b);
        let floor = domain.floor;
        for ((out, &logit), &e) in self.capability[..n].iter_mut().zip(&*logits).zip(&*b) {
            let sigmoid = if logit >= 0.0 {
                1.0 / (1.0 + e)
            } else {
                e / (1.0 + e)
            };
            let c = floor + (1.0 - floor) * sigmoid;
            *out = if c > 1.0 { 1.0 } else { c };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::forecast;
    use crate::montecarlo::test_support::{scenario, SCENARIO};

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

    /// The engine equals the deterministic forecast of the same drawn inputs, in every variant.
    #[test]
    fn engine_matches_forecast_on_drawn_inputs_for_every_option() {
        for (i, (name, text)) in variants().into_iter().enumerate() {
            assert!(i == 0 || text != SCENARIO, "{name}: the edit did not apply");
            let s = scenario(&text);
            let sampler = Sampler::new(&s, 7).unwrap();
            let plan = Plan::new(&s).unwrap();
            let mut w = plan.scratch();
            let q = plan.quantities();
            let mut out = vec![0.0; q];
            let mut arrivals = vec![0; plan.milestones.len()];
            for index in 0..40 {
                plan.evaluate(&sampler, index, &mut w, &mut out, &mut arrivals);
                assert!(out.iter().all(|v| v.is_finite()), "{name}");
                let mut t = s.clone();
                for (p, v) in sampler.paths.iter().zip(&w.inputs) {
                    t.set(p, *v).unwrap();
                }
                let f = forecast(&t).unwrap();
                let n = f.levers.len();
                for d in 0..f.domains.len() {
                    for k in 0..n {
                        let (got, want) = (out[d * n + k], f.terms[d][k].capability);
                        assert!(
                            (got - want).abs() <= 1e-13,
                            "{name}: sample {index}, {} in year {k}: {got} vs {want}",
                            f.domains[d]
                        );
                    }
                }
                for (i, &j) in plan.varying_levers.iter().enumerate() {
                    for k in 0..n {
                        let got = out[(f.domains.len() + i) * n + k];
                        let want = lever_value(&f.levers[k], j);
                        assert!(
                            (got - want).abs() <= 1e-13 * want.abs().max(1.0),
                            "{name}: {} {got} vs {want}",
                            LEVER_NAMES[j]
                        );
                    }
                }
                for (m, ms) in t.milestones.iter().enumerate() {
                    let want = crate::report::json::milestone_year(&f, &ms.domain, ms.threshold);
                    let got = (arrivals[m] < n).then(|| f.levers[arrivals[m]].year);
                    assert_eq!(got, want, "{name}");
                }
            }
        }
    }

    /// The AVX2 build of the capability loops and the plain one give the same bits (the
    /// reproducibility promise holds on machines with and without AVX2), in every variant.
    #[test]
    fn capability_rows_are_the_same_bits_with_and_without_avx2() {
        for (name, text) in variants() {
            let s = scenario(&text);
            let sampler = Sampler::new(&s, 11).unwrap();
            let plan = Plan::new(&s).unwrap();
            let mut w = plan.scratch();
            let mut out = vec![0.0; plan.quantities()];
            let mut arrivals = vec![0; plan.milestones.len()];
            for index in 0..20 {
                plan.evaluate(&sampler, index, &mut w, &mut out, &mut arrivals);
                let t = &w.scenario;
                for domain in &t.domains {
                    w.row.capability(t, domain);
                    let vectorised = w.row.capability.clone();
                    w.row.capability_loops(t, domain);
                    assert!(
                        vectorised
                            .iter()
                            .zip(&w.row.capability)
                            .all(|(a, b)| a.to_bits() == b.to_bits()),
                        "{name}"
                    );
                }
            }
        }
    }

    /// Trajectories on the grid equal [`Trajectory::at`], exactly at and outside points.
    #[test]
    fn trajectories_on_the_grid_match_their_values() {
        let years: Vec<f64> = (0..41).map(|k| 2024.0 + 0.25 * f64::from(k)).collect();
        let mut out = vec![0.0; years.len()];
        for t in [
            Trajectory::Constant(3.5),
            Trajectory::Exponential {
                start: 2e25,
                growth: 4.0,
                from: 2025.0,
                until: 2031.0,
            },
            Trajectory::Points(vec![(2025.0, 1e3), (2026.5, 2e5), (2031.0, 7e4)]),
        ] {
            on_grid(&t, &years, &mut out);
            for (&y, &got) in years.iter().zip(&out) {
                let want = t.at(y);
                assert!(
                    (got - want).abs() <= 1e-14 * want,
                    "{t:?} at {y}: {got} vs {want}"
                );
            }
            if let Trajectory::Points(points) = &t {
                for (y, v) in points {
                    let k = years.iter().position(|x| x == y).unwrap();
                    assert_eq!(out[k], *v);
                }
                assert_eq!(out[0], 1e3);
                assert_eq!(out[40], 7e4);
            }
        }
    }
}
