#!/usr/bin/env bash
# Regenerate, from the repository's own files, the observations table, the calibrated present
# (scenarios/base/calibrated.toml), both holdouts and every chart the README shows (docs/*.png).
# Run from anywhere; needs only cargo. `tests/calibration.rs` fails when the shipped files or
# the README's calibration and holdout tables differ from what this produces, and
# `tests/readme_examples.rs` when a README example's printed lines do (those are edited by hand).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
s=target/release/scalecast
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

$s data build data
$s calibrate data/observations.csv --scenario scenarios/base/present.toml --out "$out"
cp "$out/calibrate-present/calibrated.toml" scenarios/base/calibrated.toml
for h in pretraining reasoners; do
    $s calibrate data/observations.csv --scenario "data/backtest/$h-2024.toml" \
        --holdout 2024-01-01 --until 2025-07-01 --out "$out"
done

$s run scenarios --out "$out/run"
$s sweep scenarios/scale.toml --vary pretraining.compute.start=log:1e23:1e27:40 \
    --vary inference.tokens.start=log:1e2:1e6:40 --at 2025 --out "$out/run"
$s allocate scenarios/reasoners.toml --budget 1e27 --year 2030 --domain writing --out "$out/run"
$s mc scenarios/reasoners.toml --samples 100000 --seed 7 --year 2030 --out "$out/run" --quiet
$s fit pretraining examples/pretraining-runs.csv --out "$out"

cp "$out/calibrate-present/calibrate_math.png" docs/calibrate-math.png
cp "$out/calibrate-present/calibrate_writing.png" docs/calibrate-writing.png
cp "$out/holdout-reasoners-2024-2024-01-01/holdout_math.png" docs/holdout-math.png
cp "$out/holdout-pretraining-2024-2024-01-01/holdout_math.png" docs/holdout-math-pretraining.png
cp "$out/run/comparison/capability_writing.png" docs/comparison-writing.png
cp "$out/run/reasoners/capability.png" docs/reasoners-capability.png
cp "$out/run/scale/sweep/sweep.png" docs/scale-sweep.png
cp "$out/run/reasoners/allocate/writing-2030/simplex.png" docs/reasoners-allocate.png
cp "$out/run/reasoners/mc/fan-writing.png" docs/reasoners-mc-fan-writing.png
cp "$out/fit-pretraining-pretraining-runs/fit.png" docs/fit-pretraining.png
echo "regenerated scenarios/base/calibrated.toml and docs/*.png"

# The playground's screenshot, taken by its browser test (needs node and Debian's chromium).
if command -v node >/dev/null && [ -x /usr/bin/chromium ]; then
    (cd tests/browser && npm ci --no-audit --no-fund --cache .npm-cache >/dev/null &&
        SCREENSHOT=../../docs/serve.png node --test serve.test.mjs >/dev/null)
    echo "regenerated docs/serve.png"
fi
