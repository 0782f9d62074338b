"""Input errors raise scalecast.InputError whose message is exactly what the CLI prints."""

import numpy as np
import pytest

import scalecast
from conftest import SCENARIOS, cli, PLAYGROUND

REASONERS = PLAYGROUND
BAD = """[scenario]
name = "bad"
[pretraining]
params = 1.8e12
tokens = 13e12
[erosion]
rat = 0.3
[[domain]]
name = "math"
verifiability = 0.95
slope = 1.0
difficulty = 28.3
"""


def message(call):
    with pytest.raises(scalecast.InputError) as e:
        call()
    return str(e.value)


def stderr(*args):
    """The CLI's error text for the same input (exit code 2)."""
    return cli(*args, expect=2).stderr.removesuffix("\n")


def test_a_bad_file(tmp_path, out):
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD)
    text = message(lambda: scalecast.load(bad))
    assert text == stderr("run", bad, "--out", out)
    assert "`erosion.rat`: unknown key `rat`" in text and "did you mean `rate`?" in text


def test_a_missing_file(tmp_path):
    missing = tmp_path / "missing.toml"
    assert message(lambda: scalecast.load(missing)) == stderr("explain", missing)


def test_a_bad_key_path(out):
    sc = scalecast.load(REASONERS)
    expected = stderr("run", REASONERS, "--set", "rl.transfr=0.3", "--out", out)
    assert "did you mean `rl.transfer`?" in expected

    def set_it():
        sc["rl.transfr"] = 0.3

    assert message(set_it) == expected
    assert message(lambda: sc["rl.transfr"]) == expected


def test_an_out_of_range_value(out):
    sc = scalecast.load(REASONERS)
    before = sc.items()

    def set_it():
        sc["rl.transfer"] = 1.5

    text = message(set_it)
    assert text == stderr("run", REASONERS, "--set", "rl.transfer=1.5", "--out", out)
    assert "`rl.transfer`: --set sets `rl.transfer` = 1.5: expected a number in [-1, 1], found 1.5" in text
    # a failed edit leaves the scenario as it was
    assert sc.items() == before and sc.uncertain == ["rl.transfer"] and sc.edits == []


def test_a_rule_across_keys_is_checked_on_set(out):
    sc = scalecast.load(REASONERS)

    def set_it():
        sc["time.end"] = 2020

    assert message(set_it) == stderr("run", REASONERS, "--set", "time.end=2020", "--out", out)


def test_errors_carry_their_parts():
    sc = scalecast.load(REASONERS)
    with pytest.raises(scalecast.InputError) as e:
        sc["rl.transfer"] = 1.5
    [one] = e.value.errors
    assert one["path"] == "rl.transfer" and one["file"] == str(REASONERS)
    assert one["line"] > 0 and one["column"] > 0
    assert one["message"] == "--set sets `rl.transfer` = 1.5: expected a number in [-1, 1], found 1.5"
    assert one["hint"]
    assert isinstance(e.value, ValueError)


def test_sweep_errors(out):
    sc = scalecast.load(REASONERS)
    cases = [
        ({"rl.transfr": "lin:0:1:3"}, None, ["--vary", "rl.transfr=lin:0:1:3"]),
        ({"rl.transfer": "lin:0:1"}, None, ["--vary", "rl.transfer=lin:0:1"]),
        ({"time.start": [2020.0]}, None, ["--vary", "time.start=list:2020"]),
        ({"rl.transfer": [0.0, 2.0]}, None, ["--vary", "rl.transfer=list:0,2"]),
        ({"rl.transfer": "lin:0:1:3"}, 2030.1, ["--vary", "rl.transfer=lin:0:1:3", "--at", "2030.1"]),
        ({"pretraining.params": np.array([1e11, -1.5e-7])}, None,
         ["--vary", "pretraining.params=list:1e11,-1.5e-7"]),
    ]
    for vary, at, flags in cases:
        expected = stderr("sweep", REASONERS, *flags, "--out", out)
        assert message(lambda: scalecast.sweep(sc, vary, at=at)) == expected, flags


def test_sweep_values_must_be_one_dimensional():
    sc = scalecast.load(REASONERS)
    with pytest.raises(ValueError, match="1-D"):
        scalecast.sweep(sc, {"rl.transfer": np.zeros((2, 2))})


def test_mc_errors(out):
    sc = scalecast.load(REASONERS)
    assert message(lambda: scalecast.mc(sc, 0, 1)) == stderr(
        "mc", REASONERS, "--samples", "0", "--out", out
    )
    assert message(lambda: scalecast.mc(sc, 100, 1, year=2030.1)) == stderr(
        "mc", REASONERS, "--samples", "100", "--year", "2030.1", "--out", out
    )


def test_a_forecast_that_overflows(tmp_path, out):
    file = tmp_path / "huge.toml"
    file.write_text(REASONERS.read_text().replace("params = 1.8e12", "params = 1e300"))
    sc = scalecast.load(file)
    assert message(lambda: scalecast.run(sc)) == stderr("run", file, "--out", out)


def test_mc_counts_and_seeds(out):
    sc = scalecast.load(REASONERS)
    # The command line's text for a count it accepts as a number but not as a sample count.
    assert message(lambda: scalecast.mc(sc, samples=0, seed=1)) == stderr(
        "mc", REASONERS, "--samples", "0", "--out", out
    )
    # Counts and seeds below zero are input errors too, in the same words.
    text = message(lambda: scalecast.mc(sc, samples=-5, seed=1))
    assert "--samples" in text
    assert "expected 1 to" in text and "found -5" in text
    text = message(lambda: scalecast.mc(sc, samples=10**40, seed=1))
    assert "expected 1 to" in text and "found " + str(10**40) in text
    text = message(lambda: scalecast.mc(sc, samples=10, seed=-1))
    assert "--seed" in text and "found -1" in text


def test_a_value_that_is_not_a_number_names_its_key():
    sc = scalecast.load(REASONERS)
    before = sc.items()
    with pytest.raises(scalecast.InputError) as e:
        sc["rl.transfer"] = "0.3"
    [one] = e.value.errors
    assert one["path"] == "rl.transfer" and one["line"] > 0
    assert one["message"] == "expected a number, found str '0.3'"
    assert "a float or an int" in one["hint"]
    assert sc.items() == before
    # an unknown key is reported as unknown, whatever the value
    with pytest.raises(scalecast.InputError, match="rl.transfr"):
        sc["rl.transfr"] = "x"
    # numbers of other types are numbers
    sc["rl.transfer"] = np.float32(0.25)
    sc["time.step"] = 1
    assert sc["rl.transfer"] == 0.25 and sc["time.step"] == 1.0
