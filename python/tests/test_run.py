"""`run` gives capabilities.csv and levers.csv bit for bit, for every shipped scenario."""

import pytest

import scalecast
from conftest import FIXTURES, SCENARIOS, assert_same, cli, read_csv, PLAYGROUND

FILES = sorted(SCENARIOS.glob("*.toml")) + sorted(FIXTURES.glob("*.toml"))


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory):
    """Each file run once by the CLI: {file: its output folder}."""
    out = tmp_path_factory.mktemp("run")
    folders = {}
    for i, f in enumerate(FILES):
        cli("run", f, "--out", out / str(i))
        folders[f] = out / str(i) / scalecast.load(f).name
    return folders


@pytest.mark.parametrize("file", FILES, ids=lambda f: f.name)
def test_run_equals_the_cli_bit_for_bit(file, cli_runs):
    capabilities, levers = scalecast.run(scalecast.load(file))
    assert_same(capabilities, read_csv(cli_runs[file] / "capabilities.csv"))
    assert_same(levers, read_csv(cli_runs[file] / "levers.csv"))


def test_an_edited_scenario_equals_run_with_set(out):
    file = PLAYGROUND
    cli(
        "run", file, "--set", "rl.transfer=0.3", "--set", "pretraining.params=3e12",
        "--out", out,
    )
    sc = scalecast.load(file)
    sc["rl.transfer"] = 0.3
    sc["pretraining.params"] = 3e12
    capabilities, levers = scalecast.run(sc)
    assert_same(capabilities, read_csv(out / "reasoners" / "capabilities.csv"))
    assert_same(levers, read_csv(out / "reasoners" / "levers.csv"))
    # the edit changes the forecast
    original = scalecast.run(scalecast.load(file)).capabilities
    assert (capabilities["capability"] != original["capability"]).any()


def test_run_returns_named_frames_in_the_contract_layout():
    sc = scalecast.load(PLAYGROUND)
    result = scalecast.run(sc)
    assert result.capabilities is result[0] and result.levers is result[1]
    assert len(result.capabilities) == len(sc.years) * len(sc.domains)
    assert len(result.levers) == len(sc.years)
    assert list(result.capabilities["domain"][: len(sc.domains)]) == sc.domains
    assert list(result.levers["year"]) == list(sc.years)
