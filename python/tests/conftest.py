"""Shared helpers: the command-line binary, and exact comparison of DataFrames with its CSVs."""

import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "scenarios"
FIXTURES = REPO / "tests" / "fixtures"
# A fixed scenario (the reasoners world as first shipped: params and tokens, a uniform transfer),
# for tests that edit particular keys; the shipped scenarios move with the calibration.
PLAYGROUND = FIXTURES / "playground.toml"


def _binary() -> Path:
    """The CLI: $SCALECAST_BIN, else the release build (built here if missing)."""
    given = os.environ.get("SCALECAST_BIN")
    if given:
        return Path(given)
    built = REPO / "target" / "release" / "scalecast"
    if not built.exists():
        subprocess.run(
            ["cargo", "build", "--release", "--locked", "--bin", "scalecast"],
            cwd=REPO,
            check=True,
        )
    return built


BINARY = _binary()


def cli(*args, expect=0):
    """Run the CLI from the repository root; check its exit code; return the process."""
    p = subprocess.run(
        [str(BINARY), *map(str, args)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert p.returncode == expect, f"exit {p.returncode}\n{p.stdout}\n{p.stderr}"
    return p


def read_csv(path) -> pd.DataFrame:
    """A CSV of the CLI as text cells; `assert_same` parses the numbers with Python's `float`,
    which reads the shortest round-trip text back to the very same double (`inf` too)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def assert_same(frame: pd.DataFrame, csv: pd.DataFrame, after_is_nan=()):
    """`frame` holds exactly the CSV's columns and values: text equal, numbers `==` and with the
    same bits. Columns in `after_is_nan` hold `after END` in the CSV where the frame has NaN."""
    assert list(frame.columns) == list(csv.columns)
    assert len(frame) == len(csv)
    for name in frame.columns:
        ours, theirs = frame[name], csv[name]
        if ours.dtype == np.float64:
            if name in after_is_nan:
                theirs = theirs.map(lambda v: "nan" if v.startswith("after ") else v)
            theirs = np.array([float(v) for v in theirs], dtype=np.float64)
            ours = ours.to_numpy()
            same = (ours == theirs) | (np.isnan(ours) & np.isnan(theirs))
            assert same.all(), f"column {name}: first difference at row {np.argmin(same)}"
            assert np.array_equal(ours.view(np.uint64), theirs.view(np.uint64)), name
        else:
            assert list(ours) == list(theirs), name


@pytest.fixture
def out(tmp_path):
    """An output folder for the CLI."""
    return tmp_path / "out"
