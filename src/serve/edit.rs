//! Edits from the page applied to a scenario, exactly as a sweep applies them: the edits
//! `PATH=VALUE` become a one-point sweep `--vary PATH=list:VALUE ...`, checked and evaluated by
//! [`Sweep`] ([`Scenario::set`] then [`Scenario::check`], a distribution pinned to the value), so
//! the numbers and the error texts are those of `scalecast sweep`.

use crate::error::InputErrors;
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

/// An error to show next to a field: the key path it belongs to ("" when none) and the text
/// the command line prints for it.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldError {
    pub path: String,
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
            text: format!(
                "error: {}: `{p}`: expected one number, found {v:?}",
                base.document.file
            ),
        })
        .collect();
    if !lists.is_empty() {
        return Err(lists);
    }
    let vary: Vec<String> = edits.iter().map(|(p, v)| format!("{p}=list:{v}")).collect();
    let sweep = Sweep::new(base, &vary, Origin::Flags, None).map_err(|e| field_errors(e, edits))?;
    sweep.check_values().map_err(|e| field_errors(e, edits))?;
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

/// Each error with the field it belongs to: the key path it names, or the edit whose
/// `--vary PATH=list:VALUE` flag it names.
fn field_errors(errors: InputErrors, edits: &[(String, String)]) -> Vec<FieldError> {
    errors
        .0
        .into_iter()
        .map(|e| {
            let named = e.path.strip_prefix("--vary ").unwrap_or(&e.path);
            let path = edits
                .iter()
                .find(|(p, v)| named == p || named == format!("{p}=list:{v}"))
                .map_or(e.path.clone(), |(p, _)| p.clone());
            FieldError {
                path,
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
        let errs = apply(&base, &edits(&[("rl.transfer", "0.1,0.2")])).unwrap_err();
        assert!(errs[0].text.contains("expected one number"));
        let errs = apply(&base, &edits(&[("pretraining.params", "1e300")])).unwrap_err();
        assert!(
            errs[0].text.contains("is inf in year 2024"),
            "{}",
            errs[0].text
        );
    }
}
