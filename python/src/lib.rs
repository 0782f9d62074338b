//! `scalecast._core`: the scalecast library called from Python. Every number comes from the
//! library's own functions (the ones the command line calls); this file only moves scenarios,
//! columns and errors across the boundary, and releases the GIL while the library computes.
//! The pure-Python layer (`scalecast/__init__.py`) turns the columns into pandas DataFrames.

use std::collections::HashMap;
use std::path::PathBuf;

use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

use scalecast::error::{counted, usage, InputErrors};
use scalecast::forecast::forecast;
use scalecast::montecarlo::{self, McResult};
use scalecast::report::csv::{capability_table, lever_table, number, Table, Values};
use scalecast::report::json::milestone_year;
use scalecast::report::mc_tables::{levers_quantiles_table, quantiles_table};
use scalecast::scenario::Scenario;
use scalecast::sweep::{Origin, Sweep};

create_exception!(
    scalecast,
    InputError,
    PyValueError,
    "A bad input: its message is what the command line prints for the same input."
);

/// An input error as `scalecast.InputError`: the message is the CLI's text, and `errors` lists
/// each problem as a dict (file, line, column, path, message, hint).
fn input_error(py: Python<'_>, e: InputErrors) -> PyErr {
    let err = InputError::new_err(e.to_string());
    match attach_details(py, &err, &e) {
        Ok(()) => err,
        Err(failed) => failed,
    }
}

fn attach_details(py: Python<'_>, err: &PyErr, e: &InputErrors) -> PyResult<()> {
    let details = PyList::empty(py);
    for one in &e.0 {
        let d = PyDict::new(py);
        d.set_item("file", &one.file)?;
        d.set_item("line", one.line)?;
        d.set_item("column", one.column)?;
        d.set_item("path", &one.path)?;
        d.set_item("message", &one.message)?;
        d.set_item("hint", &one.hint)?;
        details.append(d)?;
    }
    err.value(py).setattr("errors", details)
}

/// A checked scenario: key paths readable and settable (`sc["rl.transfer"] = 0.3`).
#[pyclass(name = "Scenario", module = "scalecast")]
#[derive(Clone)]
struct PyScenario {
    inner: Scenario,
}

#[pymethods]
impl PyScenario {
    /// The scenario's name (`[scenario] name`, else the file's stem).
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }

    /// The file it was read from, as given to `load`.
    #[getter]
    fn file(&self) -> &str {
        &self.inner.document.file
    }

    #[getter]
    fn description(&self) -> &str {
        &self.inner.description
    }

    /// Domain names, in file order.
    #[getter]
    fn domains(&self) -> Vec<String> {
        self.inner.domains.iter().map(|d| d.name.clone()).collect()
    }

    /// The time grid's years.
    #[getter]
    fn years<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_vec(py, self.inner.years())
    }

    /// Key paths of the numbers drawn by `mc` (the distributions still in the scenario).
    #[getter]
    fn uncertain(&self) -> Vec<String> {
        self.inner
            .uncertain
            .iter()
            .map(|u| u.path.clone())
            .collect()
    }

    /// The numbers set since the file was read, in order: (key path, value).
    #[getter]
    fn edits(&self) -> Vec<(String, f64)> {
        self.inner.edits.clone()
    }

    /// Every numeric key path, in the order `scalecast explain` lists them.
    fn keys(&self) -> Vec<String> {
        self.inner.key_paths()
    }

    /// `(key path, value)` for every numeric key (a distribution gives its median).
    fn items(&self) -> Vec<(String, f64)> {
        self.inner.parameters()
    }

    fn __len__(&self) -> usize {
        self.inner.key_paths().len()
    }

    fn __contains__(&self, path: &str) -> bool {
        self.inner.get(path).is_ok()
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyList::new(py, self.inner.key_paths())?
            .try_iter()?
            .into_any())
    }

    fn __getitem__(&self, py: Python<'_>, path: &str) -> PyResult<f64> {
        self.inner.get(path).map_err(|e| input_error(py, e.into()))
    }

    /// Set the number at `path` and check the scenario, as `scalecast run --set PATH=VALUE`
    /// does; a distribution there becomes that number. On error the scenario is unchanged.
    /// A value that is not a number (a string, say) is an `InputError` naming the key, as a
    /// value that is not a number is on the command line.
    fn __setitem__(
        &mut self,
        py: Python<'_>,
        path: &str,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        // bool is an int in Python (True == 1); anything with `__float__` converts.
        let Ok(value) = value.extract::<f64>() else {
            // An unknown key is reported as such, whatever the value.
            self.inner
                .get(path)
                .map_err(|e| input_error(py, e.into()))?;
            let mut e = self.inner.document.error(
                path,
                format!("expected a number, found {}", described(value)),
            );
            e.hint = Some(format!(
                "e.g. sc[\"{path}\"] = 0.3: a float or an int (a string is not read as a number)"
            ));
            return Err(input_error(py, e.into()));
        };
        let mut edited = self.inner.clone();
        // In the command line's words: the message is what `run --set PATH=VALUE` prints.
        edited
            .edit(&[(path.to_string(), value)], "the assignment")
            .map_err(|e| input_error(py, e))?;
        self.inner = edited;
        Ok(())
    }

    /// An independent copy, to branch a scenario.
    fn copy(&self) -> PyScenario {
        self.clone()
    }

    fn __copy__(&self) -> PyScenario {
        self.clone()
    }

    fn __deepcopy__(&self, _memo: &Bound<'_, PyAny>) -> PyScenario {
        self.clone()
    }

    /// Pickled as its file (as given to `load`), the SHA-256 of that file and its bases, and
    /// its edits: unpickling reads the file again (from the same working folder) and replays the
    /// edits, and refuses a file that changed since.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, PickledScenario)> {
        let restore = py.import("scalecast._core")?.getattr("_restore")?;
        Ok((
            restore,
            (
                self.inner.document.file.clone(),
                sources_digest(&self.inner),
                self.inner.edits.clone(),
            ),
        ))
    }

    fn __repr__(&self) -> String {
        let s = &self.inner;
        format!(
            "<Scenario {:?} from {}: {}, {} from {} to {}, {}>",
            s.name,
            s.document.file,
            counted(s.domains.len(), "domain"),
            counted(s.time.len(), "time point"),
            number(s.time.year(0)),
            number(s.time.year(s.time.len() - 1)),
            counted(s.uncertain.len(), "uncertain input")
        )
    }
}

/// A Python value as errors show it: its type and its repr, cut after 60 characters
/// (`str '0.3'`).
fn described(value: &Bound<'_, PyAny>) -> String {
    let kind = value.get_type().name().map(|n| n.to_string());
    let shown = value.repr().map(|r| r.to_string());
    let (kind, shown) = (kind.unwrap_or_default(), shown.unwrap_or_default());
    let shown = match shown.char_indices().nth(60) {
        Some((cut, _)) => format!("{}...", &shown[..cut]),
        None => shown,
    };
    format!("{kind} {shown}")
}

/// Columns as a dict of name -> numpy float array or list of str, in table order. Equal texts
/// share one Python string.
fn columns<'py>(py: Python<'py>, table: Table) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for c in table.columns {
        match c.values {
            Values::Numbers(v) => dict.set_item(c.name, PyArray1::from_vec(py, v))?,
            Values::Text(v) => {
                let mut shared: HashMap<&str, Bound<'py, PyString>> = HashMap::new();
                let cells = v
                    .iter()
                    .map(|s| {
                        shared
                            .entry(s.as_str())
                            .or_insert_with(|| PyString::new(py, s))
                            .clone()
                    })
                    .collect::<Vec<_>>();
                dict.set_item(c.name, PyList::new(py, cells)?)?
            }
        }
    }
    Ok(dict)
}

/// Read and check a scenario file, as the command line does.
#[pyfunction]
fn load(py: Python<'_>, path: PathBuf) -> PyResult<PyScenario> {
    let inner = Scenario::from_file(&path).map_err(|e| input_error(py, e))?;
    Ok(PyScenario { inner })
}

/// What a pickled Scenario holds: its file, [`sources_digest`] and its edits.
type PickledScenario = (String, String, Vec<(String, f64)>);

/// SHA-256 of the scenario's file and its bases, each name and text.
fn sources_digest(s: &Scenario) -> String {
    let mut all = Vec::new();
    for (file, text) in s.document.sources() {
        for part in [file, text] {
            all.extend_from_slice(part.as_bytes());
            all.push(0);
        }
    }
    scalecast::report::json::sha256_hex(&all)
}

/// Unpickle a Scenario: read its file again, check that it and its bases are unchanged, replay
/// the edits.
#[pyfunction]
fn _restore(
    py: Python<'_>,
    file: String,
    digest: String,
    edits: Vec<(String, f64)>,
) -> PyResult<PyScenario> {
    let mut inner = Scenario::from_file(std::path::Path::new(&file)).map_err(|mut e| {
        for one in &mut e.0 {
            one.hint = Some(
                "a pickled Scenario is read again from its file as given to `load` (a relative path from the working folder): unpickle where that path leads to the same file"
                    .into(),
            );
        }
        input_error(py, e)
    })?;
    if sources_digest(&inner) != digest {
        return Err(input_error(
            py,
            usage(
                &file,
                "",
                "the file or a base it names changed since this Scenario was pickled",
                Some("load the file again, or unpickle where the same files are"),
            ),
        ));
    }
    inner
        .edit(&edits, "the pickled edits")
        .map_err(|e| input_error(py, e))?;
    Ok(PyScenario { inner })
}

/// The deterministic forecast: the columns of `capabilities.csv` and of `levers.csv`.
#[pyfunction]
fn run<'py>(
    py: Python<'py>,
    sc: PyRef<'py, PyScenario>,
) -> PyResult<(Bound<'py, PyDict>, Bound<'py, PyDict>)> {
    let s = sc.inner.clone();
    drop(sc);
    let (caps, levers) = py
        .detach(|| forecast(&s).map(|f| (capability_table(&[&f]), lever_table(&[&f]))))
        .map_err(|e| input_error(py, e))?;
    Ok((columns(py, caps)?, columns(py, levers)?))
}

/// The columns of the quantiles, lever quantiles and milestones, and the grid year chosen.
type McColumns<'py> = (
    Bound<'py, PyDict>,
    Bound<'py, PyDict>,
    Bound<'py, PyDict>,
    Option<f64>,
);

/// Monte Carlo: the columns of `quantiles.csv`, `levers_quantiles.csv` and of the milestones
/// (arrival years as numbers, NaN where `milestones.csv` says `after END`), and the grid year
/// of `year` (None without it).
#[pyfunction]
#[pyo3(signature = (sc, samples, seed, year=None))]
fn mc<'py>(
    py: Python<'py>,
    sc: PyRef<'py, PyScenario>,
    samples: &Bound<'py, PyAny>,
    seed: &Bound<'py, PyAny>,
    year: Option<f64>,
) -> PyResult<McColumns<'py>> {
    let samples = whole(py, "samples", samples, scalecast::cli::samples_out_of_range)?;
    let seed = whole(py, "seed", seed, scalecast::cli::seed_out_of_range)?;
    let s = sc.inner.clone();
    drop(sc);
    let computed = py.detach(|| -> Result<_, InputErrors> {
        let samples = scalecast::cli::check_samples(samples, false)?;
        let seed = scalecast::cli::check_seed(seed)?;
        let plan = scalecast::cli::plan(&s.document.file, &s, seed, year)?;
        let r = montecarlo::run(&s, samples, seed, &|_| {})?;
        let deterministic: Vec<Option<f64>> = s
            .milestones
            .iter()
            .map(|m| milestone_year(&plan.forecast, &m.domain, m.threshold))
            .collect();
        let chosen = year.map(|_| r.years[plan.year_index]);
        Ok((
            quantiles_table(&[&r]),
            levers_quantiles_table(&[&r]),
            milestone_table(&r, &deterministic),
            chosen,
        ))
    });
    let (quantiles, levers, milestones, chosen) = computed.map_err(|e| input_error(py, e))?;
    Ok((
        columns(py, quantiles)?,
        columns(py, levers)?,
        columns(py, milestones)?,
        chosen,
    ))
}

/// The argument `name`, a Python int, as an i128; one beyond 128 bits is out of range, the
/// error `out_of_range` gives for its digits (the command line's words for a count or seed it
/// does not take). Another type is a `TypeError` naming the argument, as PyO3 gives for an
/// argument it converts itself.
fn whole(
    py: Python<'_>,
    name: &str,
    value: &Bound<'_, PyAny>,
    out_of_range: fn(&str) -> InputErrors,
) -> PyResult<i128> {
    match value.extract() {
        Ok(n) => Ok(n),
        Err(e)
            if value.is_instance_of::<pyo3::types::PyInt>()
                && e.is_instance_of::<pyo3::exceptions::PyOverflowError>(py) =>
        {
            // Python refuses to print ints of more than 4,300 digits: their size instead.
            let shown = match value.str() {
                Ok(digits) => digits.to_string(),
                Err(_) => {
                    let bits: u64 = value.call_method0("bit_length")?.extract()?;
                    let sign = if value.lt(0)? { "negative " } else { "" };
                    format!("a {sign}whole number of {bits} bits")
                }
            };
            Err(input_error(py, out_of_range(&shown)))
        }
        Err(e) if e.is_instance_of::<pyo3::exceptions::PyTypeError>(py) => Err(
            pyo3::exceptions::PyTypeError::new_err(format!("argument '{name}': {}", e.value(py))),
        ),
        Err(e) => Err(e),
    }
}

/// The rows of `milestones.csv` with arrival years as numbers (NaN: not reached in the grid).
fn milestone_table(r: &McResult, deterministic: &[Option<f64>]) -> Table {
    use scalecast::report::csv::Cell;
    let names = [
        "scenario",
        "domain",
        "threshold",
        "p10",
        "p50",
        "p90",
        "p_not_reached",
        "deterministic",
    ];
    let mut table = Table::new(names, &["scenario", "domain"]);
    let year = |y: Option<f64>| Cell::Number(y.unwrap_or(f64::NAN));
    for (m, det) in r.milestones.iter().zip(deterministic) {
        table.push([
            Cell::Text(&r.scenario),
            Cell::Text(&m.domain),
            Cell::Number(m.threshold),
            year(m.quantile(&r.years, 0.1)),
            year(m.quantile(&r.years, 0.5)),
            year(m.quantile(&r.years, 0.9)),
            Cell::Number(m.not_reached()),
            year(*det),
        ]);
    }
    table
}

/// The values of one varied key: a SPEC of the command line or the values themselves.
#[derive(FromPyObject)]
enum Values1<'py> {
    Spec(String),
    Values(PyReadonlyArray1<'py, f64>),
}

/// A sweep: the columns of `sweep.csv` (the varied keys, then those of `capabilities.csv`).
/// `vary` is (key path, SPEC or 1-D float array) in grid order, the first outermost; values
/// become `PATH=list:...` exactly (shortest round-trip text), so errors read as the command
/// line's for `--vary PATH=list:...`. Values of another kind (a 2-D array, a list of strings)
/// are an `InputError` naming their key.
#[pyfunction]
#[pyo3(signature = (sc, vary, at=None, force=false))]
fn sweep<'py>(
    py: Python<'py>,
    sc: PyRef<'py, PyScenario>,
    vary: Vec<(String, Bound<'py, PyAny>)>,
    at: Option<f64>,
    force: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let s = sc.inner.clone();
    drop(sc);
    let mut flags = Vec::with_capacity(vary.len());
    let mut refused = Vec::new();
    for (path, values) in &vary {
        match values.extract::<Values1>() {
            Ok(Values1::Spec(spec)) => flags.push(format!("{path}={spec}")),
            Ok(Values1::Values(v)) => {
                let cells: Vec<String> = v.as_array().iter().map(|&x| number(x)).collect();
                flags.push(format!("{path}=list:{}", cells.join(",")));
            }
            Err(_) => refused.extend(not_values(&s, path, values)?.0),
        }
    }
    if !refused.is_empty() {
        return Err(input_error(py, InputErrors(refused)));
    }
    let vary = flags;
    let table = py
        .detach(|| -> Result<Table, InputErrors> {
            let sw = Sweep::new(&s, &vary, Origin::Flags, at.map(|y| (y, Origin::Flags)))?;
            sw.check_rows(
                sw.points,
                force,
                "compute",
                "pass force=True to compute them anyway, at=YEAR to keep one year, or use fewer points",
            )?;
            sw.check_values()?;
            sw.table()
        })
        .map_err(|e| input_error(py, e))?;
    columns(py, table)
}

/// The error of sweep values that are neither a SPEC nor one list of numbers.
fn not_values(s: &Scenario, path: &str, values: &Bound<'_, PyAny>) -> PyResult<InputErrors> {
    // An array (a 2-D one from a nested list) by its shape, anything else by its repr.
    let found = match (values.getattr("shape"), values.getattr("dtype")) {
        (Ok(shape), Ok(dtype)) => format!("{} values of shape {}", dtype.str()?, shape.str()?),
        _ => described(values),
    };
    Ok(usage(
        &s.document.file,
        path,
        format!("sweep values must be a SPEC string or a 1-D sequence of numbers, found {found}"),
        Some(&format!(
            "e.g. {{\"{path}\": [0.1, 0.2, 0.3]}}, {{\"{path}\": np.linspace(0, 1, 11)}} or {{\"{path}\": \"lin:0:1:11\"}}"
        )),
    ))
}

#[pymodule]
#[pyo3(name = "_core")]
fn core_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("InputError", m.py().get_type::<InputError>())?;
    m.add("DEFAULT_SAMPLES", montecarlo::DEFAULT_SAMPLES)?;
    m.add("DEFAULT_SEED", montecarlo::DEFAULT_SEED)?;
    m.add("LEVELS", montecarlo::LEVELS.to_vec())?;
    m.add("LEVER_NAMES", montecarlo::LEVER_NAMES.to_vec())?;
    m.add_class::<PyScenario>()?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(_restore, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(mc, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    Ok(())
}
