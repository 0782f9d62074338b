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


def set_text(cli):
    """The command line's text for `--set`, as an assignment in Python says it."""
    return cli.replace("--set sets ", "the assignment sets ")


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
    assert text == set_text(stderr("run", REASONERS, "--set", "rl.transfer=1.5", "--out", out))
    assert "`rl.transfer`: the assignment sets `rl.transfer` = 1.5: expected a number in [-1, 1], found 1.5" in text
    # a failed edit leaves the scenario as it was
    assert sc.items() == before and sc.uncertain == ["rl.transfer"] and sc.edits == []


def test_a_rule_across_keys_is_checked_on_set(out):
    sc = scalecast.load(REASONERS)

    def set_it():
        sc["time.end"] = 2020

    assert message(set_it) == set_text(stderr("run", REASONERS, "--set", "time.end=2020", "--out", out))


def test_errors_carry_their_parts():
    sc = scalecast.load(REASONERS)
    with pytest.raises(scalecast.InputError) as e:
        sc["rl.transfer"] = 1.5
    [one] = e.value.errors
    assert one["path"] == "rl.transfer" and one["file"] == str(REASONERS)
    assert one["line"] > 0 and one["column"] > 0
    assert one["message"] == "the assignment sets `rl.transfer` = 1.5: expected a number in [-1, 1], found 1.5"
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
    # Seeds beyond 64 bits, and beyond the 128 bits a whole number is read in, in the words of
    # the seed that is one too many.
    words = message(lambda: scalecast.mc(sc, samples=10, seed=2**64))
    for seed in [2**127, 2**200, -(2**127) - 1, -(2**200)]:
        with pytest.raises(scalecast.InputError) as e:
            scalecast.mc(sc, samples=10, seed=seed)
        assert str(e.value) == words.replace(str(2**64), str(seed))
        [one] = e.value.errors
        assert one["file"] == "--seed"  # as the command line names the flag
    # Python prints no int of more than 4,300 digits: such a seed is told by its size.
    text = message(lambda: scalecast.mc(sc, samples=10, seed=-(2**20000)))
    assert "found a negative whole number of 20001 bits" in text
    # Not a whole number: a TypeError naming the argument.
    with pytest.raises(TypeError, match="argument 'seed'"):
        scalecast.mc(sc, samples=10, seed=1.5)


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


@pytest.mark.parametrize(
    "values,found",
    [
        ([[0.1, 0.2]], "float64 values of shape (1, 2)"),
        (np.zeros((2, 2)), "float64 values of shape (2, 2)"),
        (["low", "high"], "list ['low', 'high']"),
        ([[0.1], [0.2, 0.3]], "list [[0.1], [0.2, 0.3]]"),
        ({"low": 0.1}, "dict {'low': 0.1}"),
    ],
)
def test_sweep_values_that_are_not_one_list_of_numbers_name_their_key(values, found):
    sc = scalecast.load(REASONERS)
    with pytest.raises(scalecast.InputError) as e:
        scalecast.sweep(sc, {"domain.math.slope": [1.0, 1.1], "rl.transfer": values})
    [one] = e.value.errors
    assert one["path"] == "rl.transfer" and one["file"] == sc.file
    assert one["message"] == (
        "sweep values must be a SPEC string or a 1-D sequence of numbers, found " + found
    )
    assert '"lin:0:1:11"' in one["hint"]
    assert str(e.value).startswith(f"error: {sc.file}: `rl.transfer`: sweep values must be")
