"""scalecast in Python: the same library as the ``scalecast`` command line, with pandas results.

    import scalecast
    sc = scalecast.load("scenarios/reasoners.toml")
    sc["rl.transfer"] = 0.3
    capabilities, levers = scalecast.run(sc)

Every number is computed by the Rust library the command line uses, so ``run``, ``mc`` and
``sweep`` give the numbers of ``capabilities.csv``, ``levers.csv``, ``quantiles.csv`` and
``sweep.csv`` bit for bit. Bad input raises :class:`InputError` with the command line's text.
The GIL is released while the library computes.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Mapping, NamedTuple, Optional, Union

import numpy as np
import pandas as pd

from scalecast import _core
from scalecast._core import InputError, Scenario

if TYPE_CHECKING:
    import xarray

__all__ = [
    "DEFAULT_SAMPLES",
    "DEFAULT_SEED",
    "InputError",
    "McTables",
    "Run",
    "Scenario",
    "load",
    "mc",
    "mc_tables",
    "run",
    "sweep",
]

#: Samples of ``scalecast mc`` without ``--samples``.
DEFAULT_SAMPLES: int = _core.DEFAULT_SAMPLES
#: Seed of ``scalecast mc`` without ``--seed``.
DEFAULT_SEED: int = _core.DEFAULT_SEED


class Run(NamedTuple):
    """The deterministic forecast: ``capabilities.csv`` and ``levers.csv`` as DataFrames."""

    capabilities: pd.DataFrame
    levers: pd.DataFrame


class McTables(NamedTuple):
    """A Monte Carlo run: ``quantiles.csv``, ``levers_quantiles.csv`` and ``milestones.csv``
    as DataFrames (milestone years not reached within the grid, ``after END`` in the CSV, are
    NaN; ``p_not_reached`` gives their share)."""

    quantiles: pd.DataFrame
    levers: pd.DataFrame
    milestones: pd.DataFrame


def _frame(columns: Mapping[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(dict(columns))


def load(path: Union[str, "os.PathLike[str]"]) -> Scenario:
    """Read and check a scenario file, as ``scalecast run FILE`` does."""
    return _core.load(os.fspath(path))


def run(sc: Scenario) -> Run:
    """The deterministic forecast of ``sc``: what ``scalecast run`` writes to
    ``capabilities.csv`` (one row per year and domain) and ``levers.csv`` (one row per year)."""
    capabilities, levers = _core.run(sc)
    return Run(_frame(capabilities), _frame(levers))


def mc_tables(
    sc: Scenario,
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
    year: Optional[float] = None,
) -> McTables:
    """Monte Carlo, as ``scalecast mc FILE --samples N --seed S [--year Y]``: every
    distribution drawn once per sample, the forecast run per sample, reduced to quantiles.
    With ``year`` (a grid year), the quantile tables keep only that year."""
    quantiles, levers, milestones, chosen = _core.mc(sc, samples, seed, year)
    q, lv = _frame(quantiles), _frame(levers)
    if chosen is not None:
        q = q[q["year"] == chosen].reset_index(drop=True)
        lv = lv[lv["year"] == chosen].reset_index(drop=True)
    return McTables(q, lv, _frame(milestones))


def mc(
    sc: Scenario,
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
    year: Optional[float] = None,
) -> pd.DataFrame:
    """The capability quantiles of a Monte Carlo run (``quantiles.csv``): one row per year and
    domain with ``mean, p5, p25, p50, p75, p95, median_se``; see :func:`mc_tables`."""
    return mc_tables(sc, samples, seed, year).quantiles


def _axis(values: Any) -> Any:
    """The values of one key as ``_core.sweep`` takes them: a SPEC string, or a contiguous 1-D
    float array (a number is a list of one). Anything else (a nested list, strings) is passed
    as it is, for ``_core.sweep`` to refuse with an :class:`InputError` that names the key."""
    if isinstance(values, str):
        return values
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        return values
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1:
        return array
    return np.ascontiguousarray(array)


def sweep(
    sc: Scenario,
    vary: Mapping[str, Any],
    at: Optional[float] = None,
    *,
    force: bool = False,
    xarray: bool = False,
) -> Union[pd.DataFrame, "xarray.Dataset"]:
    """Run the forecast at every point of a grid, as ``scalecast sweep``.

    ``vary`` maps key paths to their values: any 1-D float array-like (``np.logspace(11, 14,
    40)``) or a SPEC of the command line (``"log:1e11:1e14:40"``). Several keys make a grid,
    the first outermost. ``at`` keeps one grid year. The result is ``sweep.csv``: one column per
    varied key, then the columns of ``capabilities.csv``. With ``xarray=True`` it is an
    ``xarray.Dataset`` instead, with the varied keys, ``year`` and ``domain`` as dimensions.
    More than 20,000,000 rows need ``force=True``. Values that are neither (a nested list,
    strings) raise :class:`InputError` naming their key.
    """
    axes = [(path, _axis(values)) for path, values in vary.items()]
    frame = _frame(_core.sweep(sc, axes, at, force))
    if not xarray:
        return frame
    try:
        import xarray as xr  # noqa: F401  (to_xarray needs it)
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("sweep(..., xarray=True) needs xarray: pip install xarray") from e
    dims = [path for path, _ in axes] + ["year", "domain"]
    dataset = frame.drop(columns="scenario").set_index(dims).to_xarray()
    dataset.attrs["scenario"] = sc.name
    return dataset
