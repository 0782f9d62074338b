"""`mc` gives quantiles.csv, levers_quantiles.csv and milestones.csv bit for bit."""

import numpy as np
import pytest

import scalecast
from conftest import FIXTURES, SCENARIOS, assert_same, cli, read_csv, PLAYGROUND

CASES = [(FIXTURES / "mc_benchmark.toml", 3000, 7), (PLAYGROUND, 2500, 11), (SCENARIOS / "reasoners.toml", 2500, 11)]


@pytest.mark.parametrize("file,samples,seed", CASES, ids=lambda c: getattr(c, "name", str(c)))
def test_mc_equals_the_cli_bit_for_bit(file, samples, seed, out):
    cli("mc", file, "--samples", samples, "--seed", seed, "--out", out, "--quiet")
    sc = scalecast.load(file)
    folder = out / sc.name / "mc"
    tables = scalecast.mc_tables(sc, samples, seed)
    assert_same(tables.quantiles, read_csv(folder / "quantiles.csv"))
    assert_same(tables.levers, read_csv(folder / "levers_quantiles.csv"))
    assert_same(scalecast.mc(sc, samples, seed), read_csv(folder / "quantiles.csv"))
    if (folder / "milestones.csv").exists():
        milestones = read_csv(folder / "milestones.csv")
        assert_same(
            tables.milestones, milestones, after_is_nan=("p10", "p50", "p90", "deterministic")
        )
        assert len(tables.milestones) == 2
    else:
        assert tables.milestones.empty


def test_milestones_after_the_end_equal_the_cli(tmp_path, out):
    file = tmp_path / "late.toml"
    text = (FIXTURES / "mc_benchmark.toml").read_text()
    file.write_text(text.replace("threshold = 0.95", "threshold = 0.999"))
    cli("mc", file, "--samples", 2000, "--seed", 3, "--out", out, "--quiet")
    csv = read_csv(out / "mc-benchmark" / "mc" / "milestones.csv")
    assert (csv["p90"] == "after 2034").any()
    m = scalecast.mc_tables(scalecast.load(file), 2000, 3).milestones
    assert_same(m, csv, after_is_nan=("p10", "p50", "p90", "deterministic"))
    assert np.isnan(m["p90"]).any()


def test_a_milestone_never_reached_is_nan():
    sc = scalecast.load(FIXTURES / "mc_benchmark.toml")
    sc["domain.writing.difficulty"] = 40.0
    m = scalecast.mc_tables(sc, 500, 1).milestones
    writing = m[m["domain"] == "writing"].iloc[0]
    assert np.isnan(writing[["p10", "p50", "p90", "deterministic"]].astype(float)).all()
    assert writing["p_not_reached"] == 1.0


def test_year_keeps_that_grid_year():
    sc = scalecast.load(PLAYGROUND)
    full = scalecast.mc(sc, 1000, 3)
    at = scalecast.mc(sc, 1000, 3, year=2030)
    assert list(at["year"]) == [2030.0] * len(sc.domains)
    expected = full[full["year"] == 2030].reset_index(drop=True)
    assert at.equals(expected)
    tables = scalecast.mc_tables(sc, 1000, 3, year=2030)
    assert set(tables.levers["year"]) == {2030.0}


def test_the_same_seed_gives_the_same_numbers_and_another_seed_others():
    sc = scalecast.load(PLAYGROUND)
    a, b = scalecast.mc(sc, 1000, 5), scalecast.mc(sc, 1000, 5)
    c = scalecast.mc(sc, 1000, 6)
    assert a.equals(b)
    assert not a.equals(c)


def test_a_pinned_key_is_no_longer_drawn():
    sc = scalecast.load(PLAYGROUND)
    assert sc.uncertain == ["rl.transfer"]
    sc["rl.transfer"] = 0.05
    q = scalecast.mc(sc, 500, 1)
    # nothing is uncertain: every quantile is the deterministic capability
    det = scalecast.run(sc).capabilities
    for col in ["mean", "p5", "p50", "p95"]:
        assert np.allclose(q[col], det["capability"], rtol=0, atol=1e-12), col
