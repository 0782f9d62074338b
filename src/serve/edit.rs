//! Edits from the page applied to a scenario, exactly as a sweep applies them: the edits
//! `PATH=VALUE` become a one-point sweep `--vary PATH=list:VALUE ...`, checked and evaluated by
//! [`Sweep`] ([`Scenario::set`] then [`Scenario::check`], a distribution pinned to the value), so
//! the numbers and the error texts are those of `scalecast sweep`.

use crate::error::{InputError, InputErrors};
use crate::forecast::{forecast, Forecast};
use crate::scenario::Scenario;
use crate::sweep::{Origin, Sweep};

/// A scenario with the page's edits applied, and its forecast.
#[derive(Clone, Debug)]
pub struct Edited {
    /// The scenario with every edited key set (and no longer a distribution).
    pub scenario: Scenario,
    pub forecast: Forecast,
    /// The edits as numbers, in order.
    pub values: Vec<(String, f64)>,
}

/// An error to show next to a field: the key path it is about ("" when none), the edit it
/// comes from when one does, and the text the command line prints for it.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldError {
    /// The key whose value is wrong, or the edited key whose `--vary` flag is refused (an
    /// unknown key, say); "" when the error is about no key.
    pub path: String,
    /// The edited key the error comes from: the edit refused, or the edit whose value makes
    /// the key at `path` wrong (a first point year moved past the second names the second
    /// point's year in `path` and the first in `edit`), or for an error of the edits together,
    /// the edit of the key it is about. `None` when no one edit is known to cause it (an error
    /// of the file, or of the edits together about a key none of them sets).
    pub edit: Option<String>,
    pub text: String,
}

/// Apply `edits` (key path, value as typed) to `base`.
pub fn apply(base: &Scenario, edits: &[(String, String)]) -> Result<Edited, Vec<FieldError>> {
    if edits.is_empty() {
        let forecast = forecast(base).map_err(|e| field_errors(e, edits))?;
        return Ok(Edited {
            scenario: base.clone(),
            forecast,
            values: Vec::new(),
        });
    }
    // A field holds one number: a list would make a grid of several points.
    let lists: Vec<FieldError> = edits
        .iter()
        .filter(|(_, v)| v.contains(','))
        .map(|(p, v)| FieldError {
            path: p.clone(),
            edit: Some(p.clone()),
            text: format!(
                "error: {}: `{p}`: expected one number, found {v:?}",
                base.document.file
            ),
        })
        .collect();
    if !lists.is_empty() {
        return Err(lists);
    }
    let sweep =
        Sweep::new(base, &vary(edits), Origin::Flags, None).map_err(|e| refused(base, edits, e))?;
    let errors = value_errors(&sweep, edits);
    if !errors.is_empty() {
        return Err(errors);
    }
    let forecast = sweep.evaluate(0).map_err(|e| field_errors(e, edits))?;
    let mut scenario = sweep.base.clone();
    let mut values = Vec::with_capacity(edits.len());
    for (axis, x) in sweep.axes.iter().zip(sweep.point(0)) {
        scenario
            .set(&axis.path, x)
            .map_err(|e| field_errors(e.into(), edits))?;
        values.push((axis.path.clone(), x));
    }
    Ok(Edited {
        scenario,
        forecast,
        values,
    })
}

/// The edits as the flags of a one-point sweep: `PATH=list:VALUE`.
fn vary(edits: &[(String, String)]) -> Vec<String> {
    edits.iter().map(|(p, v)| format!("{p}=list:{v}")).collect()
}

/// The errors of a sweep that refused some of its flags: those of the flags, each from its
/// edit, then the values of the other edits checked each on its own, as the sweep reports
/// them, each from the edit that set it.
fn refused(base: &Scenario, edits: &[(String, String)], errors: InputErrors) -> Vec<FieldError> {
    let (flags, values): (Vec<InputError>, Vec<InputError>) = errors
        .0
        .into_iter()
        .partition(|e| e.path.starts_with("--vary "));
    let flags = field_errors(InputErrors(flags), edits);
    if values.is_empty() {
        return flags;
    }
    let accepted: Vec<(String, String)> = edits
        .iter()
        .filter(|(p, _)| !flags.iter().any(|f| f.edit.as_ref() == Some(p)))
        .cloned()
        .collect();
    // The sweep of the accepted flags pins the same keys, so its value errors are the texts
    // the refusing sweep gave, now each with its axis.
    let values = match Sweep::new(base, &vary(&accepted), Origin::Flags, None) {
        Ok(sweep) => value_errors(&sweep, &accepted),
        Err(_) => field_errors(InputErrors(values), edits),
    };
    flags.into_iter().chain(values).collect()
}

/// The errors of each edit's value checked on its own, each from that edit.
fn value_errors(sweep: &Sweep, edits: &[(String, String)]) -> Vec<FieldError> {
    sweep
        .axes
        .iter()
        .enumerate()
        .flat_map(|(k, axis)| {
            field_errors(InputErrors(sweep.check_axis(k)), edits)
                .into_iter()
                .map(|mut e| {
                    e.edit = Some(axis.path.clone());
                    e
                })
        })
        .collect()
}

/// Each error with the key it is about (the key path it names, or the edit whose
/// `--vary PATH=list:VALUE` flag it names) and the edit it comes from when that is the edit of
/// that key.
fn field_errors(errors: InputErrors, edits: &[(String, String)]) -> Vec<FieldError> {
    errors
        .0
        .into_iter()
        .map(|e| {
            let named = e.path.strip_prefix("--vary ").unwrap_or(&e.path);
            let edit = edits
                .iter()
                .find(|(p, v)| named == p || named == format!("{p}=list:{v}"))
                .map(|(p, _)| p.clone());
            FieldError {
                path: edit.clone().unwrap_or_else(|| e.path.clone()),
                edit,
                text: format!("error: {e}"),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::csv::capabilities;

    fn reasoners() -> Scenario {
        Scenario::from_file(std::path::Path::new("tests/fixtures/playground.toml")).unwrap()
    }

    fn edits(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(p, v)| (p.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn edits_give_the_forecast_of_the_set_scenario() {
        let base = reasoners();
        let e = apply(
            &base,
            &edits(&[("rl.transfer", "0.3"), ("domain.math.slope", "1.25")]),
        )
        .unwrap();
        let mut s = base.clone();
        s.uncertain.retain(|u| u.path != "rl.transfer");
        s.set("rl.transfer", 0.3).unwrap();
        s.set("domain.math.slope", 1.25).unwrap();
        assert!(s.check().is_empty());
        let want = forecast(&s).unwrap();
        assert_eq!(capabilities(&[&e.forecast]), capabilities(&[&want]));
        assert_eq!(e.scenario.rl.transfer, 0.3);
        assert!(e.scenario.uncertain.iter().all(|u| u.path != "rl.transfer"));
        assert_eq!(
            e.values,
            vec![
                ("rl.transfer".to_string(), 0.3),
                ("domain.math.slope".to_string(), 1.25)
            ]
        );
    }

    #[test]
    fn no_edits_give_the_file_forecast() {
        let base = reasoners();
        let e = apply(&base, &[]).unwrap();
        assert_eq!(e.forecast, forecast(&base).unwrap());
    }

    #[test]
    fn bad_values_get_the_sweep_text_at_their_field() {
        let base = reasoners();
        let errs = apply(&base, &edits(&[("rl.transfer", "2")])).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].path, "rl.transfer");
        assert!(
            errs[0].text.starts_with(
                "error: tests/fixtures/playground.toml:28:12: `rl.transfer`: the sweep sets `rl.transfer` = 2: expected a number in [-1, 1], found 2"
            ),
            "{}",
            errs[0].text
        );
        // In a scenario with a base, the error is placed in the file that sets the key.
        let shipped =
            Scenario::from_file(std::path::Path::new("scenarios/reasoners.toml")).unwrap();
        let errs = apply(&shipped, &edits(&[("rl.transfer", "2")])).unwrap_err();
        assert!(
            errs[0]
                .text
                .starts_with("error: scenarios/base/calibrated.toml:"),
            "{}",
            errs[0].text
        );
        let errs = apply(&base, &edits(&[("erosion.rate", "abc")])).unwrap_err();
        assert_eq!(errs[0].path, "erosion.rate");
        assert!(errs[0].text.contains("value \"abc\" is not a number"));
        let errs = apply(&base, &edits(&[("rl.nope", "1")])).unwrap_err();
        assert_eq!(errs[0].path, "rl.nope");
        assert!(errs[0].text.contains("is not a numeric key"));
        assert_eq!(errs[0].edit.as_deref(), Some("rl.nope"));
        let errs = apply(&base, &edits(&[("rl.transfer", "0.1,0.2")])).unwrap_err();
        assert!(errs[0].text.contains("expected one number"));
        let errs = apply(&base, &edits(&[("pretraining.params", "1e300")])).unwrap_err();
        assert!(
            errs[0].text.contains("is inf in year 2024"),
            "{}",
            errs[0].text
        );
    }

    /// Each error says which edit it comes from, by the structure of the checks rather than by
    /// the key names in its text: a hint that names a valid edited key (did you mean
    /// `domain.math.slope`) does not make that edit the cause.
    #[test]
    fn each_error_names_the_edit_it_comes_from() {
        let base = reasoners();
        let e = edits(&[("domain.math.slope", "1.2"), ("domain.math.slpoe", "2")]);
        let errs = apply(&base, &e).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].path, "domain.math.slpoe");
        assert_eq!(errs[0].edit.as_deref(), Some("domain.math.slpoe"));
        assert!(errs[0].text.contains("did you mean `domain.math.slope`"));

        // A value that makes another key wrong: the error is about that key, from this edit.
        let errs = apply(&base, &edits(&[("rl.steps.from", "2031")])).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].path, "rl.steps.until");
        assert_eq!(errs[0].edit.as_deref(), Some("rl.steps.from"));

        // Beside a refused flag, the other edits' values are still checked, each from its edit,
        // with the texts `scalecast sweep` prints for the same flags.
        let e = edits(&[
            ("rl.nope", "1"),
            ("rl.steps.from", "2031"),
            ("rl.transfer", "2"),
            ("domain.math.slope", "1.2"),
        ]);
        let errs = apply(&base, &e).unwrap_err();
        let from: Vec<(&str, Option<&str>)> = errs
            .iter()
            .map(|e| (e.path.as_str(), e.edit.as_deref()))
            .collect();
        assert_eq!(
            from,
            [
                ("rl.nope", Some("rl.nope")),
                ("rl.steps.until", Some("rl.steps.from")),
                ("rl.transfer", Some("rl.transfer")),
            ]
        );
        let sweep = Sweep::new(&base, &vary(&e), Origin::Flags, None).unwrap_err();
        let texts: Vec<String> = sweep.0.iter().map(|e| format!("error: {e}")).collect();
        assert_eq!(
            errs.iter().map(|e| &e.text).collect::<Vec<_>>(),
            texts.iter().collect::<Vec<_>>()
        );

        // Edits accepted each on its own but not together: an error about an edited key comes
        // from that edit.
        let e = edits(&[("rl.steps.from", "2029"), ("rl.steps.until", "2028")]);
        let errs = apply(&base, &e).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].path, "rl.steps.until");
        assert_eq!(errs[0].edit.as_deref(), Some("rl.steps.until"));
        assert!(
            errs[0].text.contains("at the grid point"),
            "{}",
            errs[0].text
        );
    }
}
