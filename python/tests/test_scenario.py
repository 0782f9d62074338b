"""The Scenario object: key paths read and set, copies, and what it reports."""

import copy
import json

import numpy as np

import scalecast
from conftest import SCENARIOS, cli, PLAYGROUND

REASONERS = PLAYGROUND


def test_keys_and_values_are_those_of_summary_json(out):
    cli("run", REASONERS, "--out", out)
    summary = json.loads((out / "reasoners" / "summary.json").read_text())
    parameters = {k: float(v) for k, v in summary["parameters"].items()}
    sc = scalecast.load(REASONERS)
    assert dict(sc.items()) == parameters
    assert sc.keys() == list(summary["parameters"])
    assert list(sc) == sc.keys() and len(sc) == len(parameters)
    assert sc["rl.transfer"] == 0.05  # a distribution reads as its median
    assert "rl.transfer" in sc and "rl.transfr" not in sc


def test_the_scenario_describes_itself():
    sc = scalecast.load(REASONERS)
    assert sc.name == "reasoners" and sc.file == str(REASONERS)
    assert sc.domains == ["math", "code", "exams", "writing", "empathy", "strategy"]
    assert np.array_equal(sc.years, 2024 + 0.25 * np.arange(41))
    assert sc.description
    assert repr(sc).startswith('<Scenario "reasoners" from ')
    # The grid's size in the words of `scalecast check` (quarter years here, not 41 years).
    assert "6 domains, 41 time points from 2024 to 2034, 1 uncertain input" in repr(sc)
    checked = cli("check", REASONERS).stdout
    assert "6 domains, 41 time points from 2024 to 2034" in checked


def test_setting_pins_a_distribution_and_law_keys_make_the_law_custom(out):
    sc = scalecast.load(REASONERS)
    sc["rl.transfer"] = 0.3
    assert sc["rl.transfer"] == 0.3 and sc.uncertain == []
    sc["pretraining.law.alpha"] = 0.35
    assert sc.edits == [("rl.transfer", 0.3), ("pretraining.law.alpha", 0.35)]
    cli("run", REASONERS, "--set", "rl.transfer=0.3", "--set", "pretraining.law.alpha=0.35",
        "--out", out)
    summary = json.loads((out / "reasoners" / "summary.json").read_text())
    assert summary["uncertain"] == []
    assert summary["forms"]["law"] == "custom"
    assert summary["parameters"]["pretraining.law.alpha"] == 0.35
    assert summary["provenance"]["command"].endswith(
        "--set rl.transfer=0.3 --set pretraining.law.alpha=0.35 --out " + str(out)
    )


def test_copies_branch():
    sc = scalecast.load(REASONERS)
    for other in [sc.copy(), copy.copy(sc), copy.deepcopy(sc)]:
        other["rl.transfer"] = 0.5
        assert sc["rl.transfer"] == 0.05 and other["rl.transfer"] == 0.5


def test_values_may_be_numpy_and_integers():
    sc = scalecast.load(REASONERS)
    sc["pretraining.params"] = np.float64(3e12)
    sc["erosion.rate"] = 0
    assert sc["pretraining.params"] == 3e12 and sc["erosion.rate"] == 0.0


def test_a_scenario_pickles_as_its_file_and_edits(tmp_path):
    import pickle

    sc = scalecast.load(SCENARIOS / "reasoners.toml")  # with a base file
    sc["rl.transfer"] = 0.3
    sc["domain.writing.difficulty"] = 26.0
    back = pickle.loads(pickle.dumps(sc))
    assert back.items() == sc.items() and back.edits == sc.edits
    assert back.uncertain == sc.uncertain and back.file == sc.file
    a, b = scalecast.run(sc), scalecast.run(back)
    assert a.capabilities.equals(b.capabilities) and a.levers.equals(b.levers)
    # A file changed after pickling is refused, not silently read as it now is.
    mine = tmp_path / "mine.toml"
    mine.write_text((REASONERS).read_text())
    pickled = pickle.dumps(scalecast.load(mine))
    mine.write_text(mine.read_text().replace('name = "reasoners"', 'name = "changed"'))
    try:
        pickle.loads(pickled)
        raise AssertionError("a changed file was unpickled")
    except scalecast.InputError as e:
        assert "changed since this Scenario was pickled" in str(e)
    # A file that is gone is an input error whose hint says how unpickling reads it.
    mine.unlink()
    try:
        pickle.loads(pickled)
        raise AssertionError("a missing file was unpickled")
    except scalecast.InputError as e:
        assert "unpickle where that path leads to the same file" in str(e)


def test_edits_keep_one_entry_per_key_and_replay_to_the_same_scenario():
    import pickle

    steps = [
        ("rl.transfer", 0.1),  # a distribution in the file: pinned
        ("erosion.rate", 0.2),
        ("rl.transfer", 0.2),
        ("pretraining.law.alpha", 0.35),  # makes the law custom
        ("rl.max_gain", 0.6),  # another distribution
        ("erosion.rate", 0.25),
        ("rl.transfer", 0.3),
        ("pretraining.law.alpha", 0.34),
    ]
    sc = scalecast.load(SCENARIOS / "reasoners.toml")
    assert {"rl.transfer", "rl.max_gain"} <= set(sc.uncertain)
    for path, value in steps:
        sc[path] = value
    # The last value of each key, in the order the keys were first set.
    assert sc.edits == [
        ("rl.transfer", 0.3),
        ("erosion.rate", 0.25),
        ("pretraining.law.alpha", 0.34),
        ("rl.max_gain", 0.6),
    ]
    assert "rl.transfer" not in sc.uncertain and "rl.max_gain" not in sc.uncertain
    # Pickled, the edits replay to the scenario every assignment made.
    back = pickle.loads(pickle.dumps(sc))
    assert back.edits == sc.edits
    assert back.items() == sc.items() and back.uncertain == sc.uncertain
    a, b = scalecast.run(sc), scalecast.run(back)
    assert a.capabilities.equals(b.capabilities) and a.levers.equals(b.levers)
