"""`sweep` gives sweep.csv bit for bit; values may be arrays or the CLI's SPECs."""

import numpy as np
import pytest

import scalecast
from conftest import SCENARIOS, assert_same, cli, read_csv, PLAYGROUND

REASONERS = PLAYGROUND


def cli_sweep(out, *flags):
    cli("sweep", REASONERS, *flags, "--out", out)
    return read_csv(out / "reasoners" / "sweep" / "sweep.csv")


def test_a_spec_equals_the_cli(out):
    expected = cli_sweep(out, "--vary", "pretraining.params=log:1e11:1e14:40", "--at", "2030")
    sc = scalecast.load(REASONERS)
    frame = scalecast.sweep(sc, {"pretraining.params": "log:1e11:1e14:40"}, at=2030)
    assert_same(frame, expected)
    assert len(frame) == 40 * 6


def test_an_array_equals_the_cli_with_its_values_listed(out):
    values = np.logspace(11, 14, 40)
    listed = ",".join(repr(float(x)) for x in values)
    expected = cli_sweep(out, "--vary", f"pretraining.params=list:{listed}", "--at", "2030")
    sc = scalecast.load(REASONERS)
    frame = scalecast.sweep(sc, {"pretraining.params": values}, at=2030)
    assert_same(frame, expected)
    assert np.array_equal(frame["pretraining.params"].unique(), values)


def test_a_grid_of_two_keys_every_year_equals_the_cli(out):
    expected = cli_sweep(
        out, "--vary", "rl.transfer=lin:0:0.5:3", "--vary", "inference.tokens.start=list:100,1e4"
    )
    sc = scalecast.load(REASONERS)
    frame = scalecast.sweep(
        sc, {"rl.transfer": [0.0, 0.25, 0.5], "inference.tokens.start": (100, 1e4)}
    )
    assert_same(frame, expected)
    assert len(frame) == 3 * 2 * len(sc.years) * len(sc.domains)
    # first key outermost
    assert list(frame["rl.transfer"][:: len(frame) // 3]) == [0.0, 0.25, 0.5]


def test_a_sweep_starts_from_the_edited_scenario():
    sc = scalecast.load(REASONERS)
    sc["erosion.rate"] = 0.0
    frame = scalecast.sweep(sc, {"rl.transfer": [0.2]})
    edited = sc.copy()
    edited["rl.transfer"] = 0.2
    capabilities = scalecast.run(edited).capabilities
    assert_same(frame.drop(columns="rl.transfer"), capabilities)


def test_a_scalar_is_one_value():
    sc = scalecast.load(REASONERS)
    frame = scalecast.sweep(sc, {"rl.transfer": 0.2}, at=2030)
    assert list(frame["rl.transfer"]) == [0.2] * len(sc.domains)


def test_too_many_rows_need_force():
    sc = scalecast.load(REASONERS)
    big = {"rl.transfer": "lin:0:1:10000", "erosion.rate": "lin:0:1:400"}
    with pytest.raises(scalecast.InputError, match="force=True"):
        scalecast.sweep(sc, big)


def test_xarray_dataset():
    xr = pytest.importorskip("xarray")
    sc = scalecast.load(REASONERS)
    vary = {"rl.transfer": [0.0, 0.5], "pretraining.params": np.logspace(11, 13, 3)}
    frame = scalecast.sweep(sc, vary, at=2030)
    ds = scalecast.sweep(sc, vary, at=2030, xarray=True)
    assert isinstance(ds, xr.Dataset)
    assert ds["capability"].dims == ("rl.transfer", "pretraining.params", "year", "domain")
    assert ds.attrs["scenario"] == "reasoners"
    one = frame.iloc[7]
    cell = ds["capability"].sel(
        {
            "rl.transfer": one["rl.transfer"],
            "pretraining.params": one["pretraining.params"],
            "year": one["year"],
            "domain": one["domain"],
        }
    )
    assert float(cell) == one["capability"]
