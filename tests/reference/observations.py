"""Independent plain-Python build of the observations table, for cross-checking
`scalecast data build`: reads a data folder (benchmarks.csv, models.csv, epoch/) and prints
the rows as JSON, one list of cells per row, in the table's order: text, numbers in Python's
shortest round-trip form, null for an empty cell. Usage: python3 observations.py DATA_DIR
"""

import csv
import datetime
import json
import sys
from decimal import Decimal
from pathlib import Path

CUT = datetime.date(2025, 7, 1)
SCALES = {"fraction": Decimal(1), "percent": Decimal(100), "ten": Decimal(10)}


def rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return [{k.strip(): (v or "").strip() for k, v in r.items()} for r in csv.DictReader(f)]


def number(text):
    return repr(float(text)) if text else None


def main(data):
    data = Path(data)
    benchmarks = rows(data / "benchmarks.csv")
    models = {r["model_version"]: r for r in rows(data / "models.csv")}
    compute = {}
    for r in rows(data / "epoch" / "ai_models_compute.csv"):
        compute.setdefault(r["Model"], r)
    distilled = {
        r["model"]
        for r in rows(data / "epoch" / "distilled_models.csv")
        if r["distilled"] == "TRUE" and r["confidence"] in ("medium", "high")
    }
    best = {}
    order = []
    for b in benchmarks:
        source = rows(data / "epoch" / b["file"])
        headers = list(source[0].keys())
        link = next((h for h in headers if h.startswith("Source link")), "logs")
        for r in source:
            if b["task"] and r["task"] != b["task"]:
                continue
            version = r[b["model_column"]]
            if not version:
                continue
            m = models[version]
            if not m["release_date"]:
                continue
            released = datetime.date.fromisoformat(m["release_date"])
            if released >= CUT or not r[b["score_column"]]:
                continue
            cell = r[b["score_column"]]
            if b["scale"] == "percent":
                cell = cell.removesuffix("%").strip()
            score = float(Decimal(cell) / SCALES[b["scale"]])
            assert 0 <= score <= 1, (b["benchmark"], version, cell)
            days = 366 if released.year % 4 == 0 and (released.year % 100 or released.year % 400 == 0) else 365
            year = released.year + (released.timetuple().tm_yday - 1) / days
            c = compute.get(m["model"], {})
            row = [
                version,
                m["model"],
                b["benchmark"],
                b["domain"],
                m["release_date"],
                repr(year),
                number(c.get("Training compute (FLOP)", "")),
                number(c.get("Parameters", "")),
                number(c.get("Training dataset size (datapoints)", "")),
                "true" if m["reasoner"] == "yes" else "false",
                [c.strip() for c in m["contemporary"].split(";")] if m["contemporary"].strip() else "",
                "true" if version in distilled else "false",
                repr(score),
                b["file"],
                r[link],
            ]
            key = (version, b["benchmark"])
            if key not in best:
                order.append(key)
                best[key] = (score, row)
            elif score > best[key][0]:
                best[key] = (score, row)
    # A reasoner's contemporary on a benchmark: the first of its alternatives scored there.
    for score, row in best.values():
        alternatives = row[10]
        if alternatives:
            scored = [c for c in alternatives if (c, row[2]) in best]
            row[10] = (scored or alternatives)[0]
    table = sorted((best[k][1] for k in order), key=lambda r: (r[2], r[4], r[0].encode()))
    json.dump(table, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
