//! Evaluating one sample: a [`Plan`] computes once what no uncertain input reaches, then per
//! sample the levers that vary and every domain's capability on the whole time grid.

use crate::forecast::{levers_at, Levers};
use crate::model::{self, rl, Domain};
use crate::scenario::{ModelSize, RlSteps, Scenario};
use crate::trajectory::Trajectory;
use crate::vecmath;

use super::sampler::{under, Sampler, Slot};

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

/// `t` on the grid years: [`Trajectory::at`], an exponential as `start * exp(elapsed * ln g)`
/// in a loop that vectorises (one logarithm per sample instead of a power per year; within
/// ~1e-14 relative of the power, as the rounding of `elapsed * ln g` is amplified by `exp`).
pub(super) fn on_grid(t: &Trajectory, years: &[f64], out: &mut [f64]) {
    match t {
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
        _ => {
            for (o, &y) in out.iter_mut().zip(years) {
                *o = t.at(y);
            }
        }
    }
}

/// `(scale * t)^exponent` on the grid years: an exponential is again an exponential (start
/// `(scale * start)^exponent`, growth `growth^exponent`), taken by [`on_grid`] without a power
/// per year; anything else by a power per year.
pub(super) fn power_on_grid(
    t: &Trajectory,
    scale: f64,
    exponent: f64,
    years: &[f64],
    out: &mut [f64],
) {
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
            for (o, &y) in out.iter_mut().zip(years) {
                *o = (scale * t.at(y)).powf(exponent);
            }
        }
    }
}

/// `log10` of `t` on the grid years; an exponential as `log10(start) + years * log10(growth)`.
pub(super) fn log10_on_grid(t: &Trajectory, years: &[f64], out: &mut [f64]) {
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
            for (o, &y) in out.iter_mut().zip(years) {
                *o = t.at(y).log10();
            }
        }
    }
}

/// [`rl::progress`] of each year's steps `levers[k].rl_steps` into `levers[k].rl_progress`,
/// the default exponent 1.5 taken as `r * sqrt(r)` (within 2 ulp of the power, and overflowing
/// to inf where it does) in a loop that vectorises.
pub(super) fn progress(p: &rl::RlParams, levers: &mut [Levers], h: &mut [f64]) {
    if p.exponent != 1.5 {
        for l in levers.iter_mut() {
            l.rl_progress = rl::progress(l.rl_steps, p.midpoint_steps, p.exponent);
        }
        return;
    }
    for (h, l) in h.iter_mut().zip(levers.iter()) {
        *h = l.rl_steps;
    }
    vecmath::vectorised(
        #[inline(always)]
        || {
            for h in h.iter_mut() {
                let r = p.midpoint_steps / *h;
                *h = if *h <= 0.0 {
                    0.0
                } else {
                    1.0 / (1.0 + r * r.sqrt())
                };
            }
        },
    );
    for (l, &h) in levers.iter_mut().zip(h.iter()) {
        l.rl_progress = h;
    }
}

/// `log10(S / onset)` of each year's RL steps, into `out`, 0 where `S <= onset` (no erosion
/// there); where the ratio overflows, `log10(S) - log10(onset)`.
pub(super) fn erosion_decades(s: &Scenario, levers: &[Levers], out: &mut [f64]) {
    let onset = s.erosion.onset_steps;
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
}

/// Per-year erosion factors `(N_ref/N)^e` and `decades^power` from the year's
/// [`erosion_decades`], or None where there is none.
pub(super) fn erosion_factors(s: &Scenario, l: &Levers, decades: f64) -> Option<(f64, f64)> {
    let p = &s.erosion;
    if l.rl_steps <= p.onset_steps || p.rate == 0.0 || decades <= 0.0 {
        return None;
    }
    // x^0 = 1 and x^1 = x exactly, as powf gives them.
    let size = if p.size_exponent == 0.0 {
        1.0
    } else {
        (p.reference_params / l.params).powf(p.size_exponent)
    };
    let decades = if p.power == 1.0 {
        decades
    } else {
        decades.powf(p.power)
    };
    Some((size, decades))
}

/// One scenario's Monte Carlo evaluation: what is computed once, and how a sample is evaluated.
pub struct Plan {
    pub(super) base: Scenario,
    pub(super) slots: Vec<Slot>,
    pub(super) reach: Reach,
    pub(super) years: Vec<f64>,
    /// Levers at the medians; the parts no uncertain input reaches are never recomputed.
    pub(super) levers: Vec<Levers>,
    /// `log10(6) + log10(K/R)/gamma` per year, when size and law are fixed.
    pub(super) compute_part: Vec<f64>,
    pub(super) erosion: Vec<Option<(f64, f64)>>,
    /// Indices into [`LEVER_NAMES`] of the levers that vary.
    pub varying_levers: Vec<usize>,
    /// `(domain index, threshold)` per milestone.
    pub(super) milestones: Vec<(usize, f64)>,
}

/// Scratch space of one worker.
pub(super) struct Scratch {
    pub(super) scenario: Scenario,
    /// The sample's levers; the cost fields (which nothing here reports) keep the medians'.
    pub(super) levers: Vec<Levers>,
    pub(super) erosion: Vec<Option<(f64, f64)>>,
    pub(super) gmax: Vec<f64>,
    /// One number per year, for the vectorised steps of [`Plan::update_levers`].
    pub(super) per_year: Vec<f64>,
    /// Trajectories on the grid: size (two), log10 efficiency, RL, thinking, and the powers
    /// `N^-alpha` and `D^-beta` of the reducible loss.
    pub(super) grid: [Vec<f64>; 7],
    /// The sample's per-year inputs of [`capability_row`] and its logits and log2 arguments.
    pub(super) row: Row,
    pub(super) inputs: Vec<f64>,
    pub(super) z: Vec<f64>,
}

impl Plan {
    pub fn new(s: &Scenario) -> anyhow::Result<Plan> {
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
        let mut decades = vec![0.0; years.len()];
        erosion_decades(s, &levers, &mut decades);
        let erosion = levers
            .iter()
            .zip(&decades)
            .map(|(l, &d)| erosion_factors(s, l, d))
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
            years,
            levers,
            compute_part,
            erosion,
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
            gmax: vec![0.0; self.years.len()],
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
    pub(super) fn update_levers(&self, w: &mut Scratch) {
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
        let (k_const, gamma) = (law.k(), law.gamma());
        let per_year = &mut w.per_year;
        if r.size || r.law {
            for (k, (l, x)) in w.levers.iter_mut().zip(per_year.iter_mut()).enumerate() {
                if r.size {
                    l.params = a[k];
                    l.tokens = b[k];
                }
                let reducible = if r.size {
                    law.a * n_power[k] + law.b * d_power[k]
                } else {
                    law.reducible_loss(l.params, l.tokens)
                };
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
                    s.pretraining.efficiency.at(years[k]).log10()
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
            erosion_decades(s, &w.levers, per_year);
            for ((e, l), &d) in w.erosion.iter_mut().zip(&w.levers).zip(per_year.iter()) {
                *e = erosion_factors(s, l, d);
            }
        }
        for (g, l) in w.gmax.iter_mut().zip(&w.levers) {
            *g = rl::max_gain(&s.rl, l.effective_log10_compute);
        }
    }

    /// Evaluate sample `index`: its quantities go to `out` in order, its milestone
    /// arrival grid indices (`years.len()` for never) to `arrivals`.
    pub(super) fn evaluate(
        &self,
        sampler: &Sampler,
        index: u64,
        w: &mut Scratch,
        out: &mut [f64],
        arrivals: &mut [usize],
    ) {
        sampler.draw(index, &mut w.inputs, &mut w.z);
        self.apply(&w.inputs, &mut w.scenario);
        self.update_levers(w);
        let s = &w.scenario;
        let n_years = self.years.len();
        let reciprocals = (
            1.0 / s.inference.ceiling.rl_scale_steps,
            1.0 / s.inference.reference_tokens,
        );
        for a in arrivals.iter_mut() {
            *a = n_years;
        }
        let fast = Row::applies(s);
        if fast {
            w.row.fill(s, &w.levers, &w.gmax, &w.erosion, reciprocals.0);
        }
        for (d, domain) in s.domains.iter().enumerate() {
            let row = &mut out[d * n_years..(d + 1) * n_years];
            let tau = rl::transfer_share(domain.verifiability, s.rl.transfer);
            if fast {
                w.row.capability(s, domain, tau, reciprocals.1);
                row.copy_from_slice(&w.row.capability);
            } else {
                for (k, c) in row.iter_mut().enumerate() {
                    *c = capability(
                        s,
                        domain,
                        tau,
                        &w.levers[k],
                        w.gmax[k],
                        w.erosion[k],
                        reciprocals,
                    );
                }
            }
            for (m, &(md, threshold)) in self.milestones.iter().enumerate() {
                if md == d {
                    arrivals[m] = row.iter().position(|&c| c >= threshold).unwrap_or(n_years);
                }
            }
        }
        let base = s.domains.len() * n_years;
        for (i, &j) in self.varying_levers.iter().enumerate() {
            for (k, l) in w.levers.iter().enumerate() {
                let v = lever_value(l, j);
                out[base + i * n_years + k] = v;
            }
        }
    }
}

/// One sample's capability for one domain across all years at once, for the common case (a
/// ceiling that is on, sharpness 4, ceiling exponent 1/2, no overthinking): per-year inputs as
/// plain arrays and the arithmetic in separate loops over years, which the compiler vectorises,
/// apart from the `log2` and `exp` calls. The same equations as [`capability`], to a few ulp.
pub(super) struct Row {
    /// Effective compute u, `Gmax * h`, progress h, erosion factors `size * decades` (0 where
    /// there is no erosion), `S / rl_scale_steps`, thinking tokens T.
    pub(super) u: Vec<f64>,
    pub(super) gain: Vec<f64>,
    pub(super) h: Vec<f64>,
    pub(super) erosion: Vec<f64>,
    pub(super) steps: Vec<f64>,
    pub(super) tokens: Vec<f64>,
    /// The logit (first without the inference term), kappa, `T_eff / T0` then its log2 term,
    /// `exp(-|logit|)`, and the capability.
    pub(super) logit: Vec<f64>,
    pub(super) kappa: Vec<f64>,
    pub(super) x: Vec<f64>,
    pub(super) e: Vec<f64>,
    pub(super) capability: Vec<f64>,
}

impl Row {
    pub(super) fn new(n: usize) -> Row {
        let v = || vec![0.0; n];
        Row {
            u: v(),
            gain: v(),
            h: v(),
            erosion: v(),
            steps: v(),
            tokens: v(),
            logit: v(),
            kappa: v(),
            x: v(),
            e: v(),
            capability: v(),
        }
    }

    /// Whether `s` is the common case this evaluates.
    pub(super) fn applies(s: &Scenario) -> bool {
        let c = &s.inference.ceiling;
        !c.is_off() && c.sharpness == 4.0 && c.rl_exponent == 0.5 && c.overthinking == 0.0
    }

    pub(super) fn fill(
        &mut self,
        s: &Scenario,
        levers: &[Levers],
        gmax: &[f64],
        erosion: &[Option<(f64, f64)>],
        inv_scale: f64,
    ) {
        for (k, l) in levers.iter().enumerate() {
            self.u[k] = l.effective_log10_compute;
            self.gain[k] = gmax[k] * l.rl_progress;
            self.h[k] = l.rl_progress;
            self.erosion[k] = match erosion[k] {
                Some((size, decades)) => s.erosion.rate * size * decades,
                None => 0.0,
            };
            self.steps[k] = l.rl_steps * inv_scale;
            self.tokens[k] = l.thinking_tokens;
        }
    }

    /// Capability of `domain` (transfer share `tau`) per year into `self.capability`.
    pub(super) fn capability(&mut self, s: &Scenario, domain: &Domain, tau: f64, inv_t0: f64) {
        vecmath::vectorised(
            #[inline(always)]
            || self.capability_loops(s, domain, tau, inv_t0),
        );
    }

    #[inline(always)]
    pub(super) fn capability_loops(
        &mut self,
        s: &Scenario,
        domain: &Domain,
        tau: f64,
        inv_t0: f64,
    ) {
        let (slope, difficulty) = (domain.slope, domain.difficulty);
        let share = if domain.verifiability == 1.0 {
            0.0
        } else {
            1.0 - domain.verifiability
        };
        let p = &s.inference;
        let c = &p.ceiling;
        let (tau_pos, rl_gain) = (tau.max(0.0), p.rl_gain * tau);
        let n = self.u.len();
        let (u, gain, h, erosion, steps, tokens) = (
            &self.u[..n],
            &self.gain[..n],
            &self.h[..n],
            &self.erosion[..n],
            &self.steps[..n],
            &self.tokens[..n],
        );
        let (logits, kappas, xs) = (&mut self.logit[..n], &mut self.kappa[..n], &mut self.x[..n]);
        // Branch-free: `min`, `max` and the special cases as selects (the same wherever no NaN
        // is involved), so that the loop vectorises.
        let select_min = |a: f64, b: f64| if a < b { a } else { b };
        for k in 0..n {
            // No erosion term at all where the share is 0 (not 0 times the factor).
            let erosion = share * erosion[k];
            let erosion = if share == 0.0 { 0.0 } else { erosion };
            logits[k] = slope * (u[k] - difficulty) + tau * gain[k] - erosion;
            kappas[k] = p.base_gain + rl_gain * h[k];
            let ceiling = select_min(c.base * (1.0 + tau_pos * steps[k]).sqrt(), c.max);
            let tokens = tokens[k];
            let (m, big) = if tokens < ceiling {
                (tokens, ceiling)
            } else {
                (ceiling, tokens)
            };
            let q = if big == f64::INFINITY { 0.0 } else { m / big };
            let q2 = q * q;
            let t_eff = m / (1.0 + q2 * q2).sqrt().sqrt();
            xs[k] = if tokens <= 0.0 { 0.0 } else { t_eff * inv_t0 };
        }
        vecmath::log2_1p(xs);
        // The logistic function as in `model::sigmoid`, from `exp(-|logit|)`.
        let e = &mut self.e[..n];
        for k in 0..n {
            logits[k] += kappas[k] * xs[k];
            e[k] = -logits[k].abs();
        }
        vecmath::exp(e);
        let floor = domain.floor;
        for ((out, &logit), &e) in self.capability[..n].iter_mut().zip(&*logits).zip(&*e) {
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

/// Capability of `domain` at one year: the terms of [`model::domain_terms`] without the thinking
/// multiplier, with sharpness 4 and ceiling exponent 1/2 evaluated by square roots, and the
/// divisions by `rl_scale_steps` and `reference_tokens` as products with their `reciprocals`.
pub(super) fn capability(
    s: &Scenario,
    domain: &Domain,
    tau: f64,
    l: &Levers,
    gmax: f64,
    erosion: Option<(f64, f64)>,
    (inv_scale, inv_t0): (f64, f64),
) -> f64 {
    let h = l.rl_progress;
    let pretrain = domain.slope * (l.effective_log10_compute - domain.difficulty);
    let rl_term = rl::term(tau, gmax, h);
    let erosion_term = match erosion {
        Some((size, decades)) if domain.verifiability != 1.0 => {
            (1.0 - domain.verifiability) * s.erosion.rate * size * decades
        }
        _ => 0.0,
    };
    let p = &s.inference;
    let c = &p.ceiling;
    let kappa = p.base_gain + p.rl_gain * tau * h;
    let tokens = l.thinking_tokens;
    let ceiling = if c.is_off() {
        f64::INFINITY
    } else {
        let growth = 1.0 + tau.max(0.0) * l.rl_steps * inv_scale;
        let factor = if c.rl_exponent == 0.5 {
            growth.sqrt()
        } else {
            growth.powf(c.rl_exponent)
        };
        (c.base * factor).min(c.max)
    };
    let inference_term = if tokens <= 0.0 {
        -model::inference::overthink(c, tokens, ceiling)
    } else {
        let t_eff = if c.sharpness == 4.0 && ceiling.is_finite() {
            let (m, big) = (tokens.min(ceiling), tokens.max(ceiling));
            let q = m / big;
            let q2 = q * q;
            m / (1.0 + q2 * q2).sqrt().sqrt()
        } else {
            model::inference::effective_tokens(tokens, ceiling, c.sharpness)
        };
        let x = t_eff * inv_t0;
        // log2(1 + x): log2 is cheaper than ln_1p and as accurate once x >= 1.
        let doublings = if x >= 1.0 {
            (1.0 + x).log2()
        } else {
            x.ln_1p() / std::f64::consts::LN_2
        };
        kappa * doublings - model::inference::overthink(c, tokens, ceiling)
    };
    let logit = pretrain + rl_term - erosion_term + inference_term;
    model::capability(domain.floor, logit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::forecast;
    use crate::montecarlo::test_support::{scenario, SCENARIO};

    #[test]
    fn fast_path_matches_forecast_on_drawn_inputs() {
        for text in [
            SCENARIO.to_string(),
            SCENARIO.replace("max = 1e6", "sharpness = 4\nrl_exponent = 0.7"),
            SCENARIO.replace("max = 1e6", "base = inf"),
            SCENARIO.replace("max = 1e6", "sharpness = inf"),
            SCENARIO.replace(
                "overthinking = { dist = \"uniform\", low = 0, high = 0.2 }",
                "",
            ),
            // Default RL exponent (1.5), explicit parameters and tokens, the common ceiling.
            SCENARIO
                .replace(
                    "exponent = { dist = \"normal\", p5 = 1.0, p95 = 2.0, min = 0.1 }",
                    "",
                )
                .replace(
                    "compute = { start = 2e25, growth = { dist = \"lognormal\", p5 = 2.0, p95 = 6.0 } }\ntokens_per_param = { dist = \"uniform\", low = 15, high = 30 }",
                    "params = { start = 1e12, growth = { dist = \"uniform\", low = 1.2, high = 2 } }\ntokens = { start = 2e13, growth = 1.5 }",
                )
                .replace(
                    "overthinking = { dist = \"uniform\", low = 0, high = 0.2 }",
                    "",
                ),
        ] {
            let s = scenario(&text);
            let sampler = Sampler::new(&s, 7).unwrap();
            let plan = Plan::new(&s).unwrap();
            let mut w = plan.scratch();
            let q = plan.quantities();
            let mut out = vec![0.0; q];
            let mut arrivals = vec![0; plan.milestones.len()];
            for index in 0..40 {
                plan.evaluate(&sampler, index, &mut w, &mut out, &mut arrivals);
                assert!(out.iter().all(|v| v.is_finite()));
                let mut t = s.clone();
                for (p, v) in sampler.paths.iter().zip(&w.inputs) {
                    t.set(p, *v).unwrap();
                }
                let f = forecast(&t).unwrap();
                let n = f.levers.len();
                for d in 0..f.domains.len() {
                    for k in 0..n {
                        let (got, want) = (out[d * n + k], f.terms[d][k].capability);
                        assert!((got - want).abs() <= 1e-13, "{got} vs {want}");
                    }
                }
                for (i, &j) in plan.varying_levers.iter().enumerate() {
                    for k in 0..n {
                        let got = out[(f.domains.len() + i) * n + k];
                        let want = lever_value(&f.levers[k], j);
                        assert!(
                            (got - want).abs() <= 1e-13 * want.abs().max(1.0),
                            "{} {got} vs {want}",
                            LEVER_NAMES[j]
                        );
                    }
                }
                for (m, ms) in t.milestones.iter().enumerate() {
                    let want = crate::report::json::milestone_year(&f, &ms.domain, ms.threshold);
                    let got = (arrivals[m] < n).then(|| f.levers[arrivals[m]].year);
                    assert_eq!(got, want);
                }
            }
        }
    }

    /// The AVX2 build of the capability loops and the plain one give the same bits (the

    #[test]
    fn capability_rows_are_the_same_bits_with_and_without_avx2() {
        let text = SCENARIO.replace(
            "overthinking = { dist = \"uniform\", low = 0, high = 0.2 }",
            "",
        );
        let s = scenario(&text);
        let sampler = Sampler::new(&s, 11).unwrap();
        let plan = Plan::new(&s).unwrap();
        let mut w = plan.scratch();
        let mut out = vec![0.0; plan.quantities()];
        let mut arrivals = vec![0; plan.milestones.len()];
        for index in 0..50 {
            plan.evaluate(&sampler, index, &mut w, &mut out, &mut arrivals);
            let t = &w.scenario;
            assert!(Row::applies(t));
            let inv_t0 = 1.0 / t.inference.reference_tokens;
            for domain in &t.domains {
                let tau = rl::transfer_share(domain.verifiability, t.rl.transfer);
                w.row.capability(t, domain, tau, inv_t0);
                let vectorised = w.row.capability.clone();
                w.row.capability_loops(t, domain, tau, inv_t0);
                assert!(vectorised
                    .iter()
                    .zip(&w.row.capability)
                    .all(|(a, b)| a.to_bits() == b.to_bits()));
            }
        }
    }
}
