"""``python -m analytics bench --quick`` runs to the end and writes every figure.

Speeds are not asserted (CI machines differ): only that each section and each figure is
there with a number, and each floor is marked met or not met.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import run_cli

PAGES = ["Overview", "Events", "Evacuations", "Actors", "Comments", "Reports"]
NUMBER = re.compile(r"^-?[\d,]+(\.\d+)?( %)?$")

# section → first cell of every row that must carry a number in its second cell
FIGURES: dict[str, list[str]] = {
    "Ingestion": [
        "Reports/s", "Comments/s", "MB of text/s", "Wall time (s)",
        "Peak memory, process tree (MB)", "Peak memory, ingest process (MB)",
        "Database size per 1,000 reports (MB)",
    ],
    "Query database": ["Reports", "Comments", "Event mentions", "Snapshot size (MB)"],
    "Queries per page": ["Frame (sidebar)", *PAGES],
    "Full render (AppTest)": PAGES,
    "Baseline: pandas": ["Frame (sidebar)", *PAGES, "Peak memory of the process (MB)"],
    "Cold start and server memory": [
        "Cold start to first page (s)", "Server peak memory (MB)",
    ],
}
# where the p95 sits in the per-page tables (after the counts of queries / runs)
P95_COLUMN = {"Queries per page": 3, "Full render (AppTest)": 2, "Baseline: pandas": 2}
FLOORS = [
    "Ingestion ≥ 150 reports/s",
    "Every page's queries p95 ≤ 200 ms",
    "Every page's full render p95 ≤ 500 ms",
    "≥ 5× faster than pandas at p95, every page",
    "Less memory than the pandas baseline",
    "Cold start ≤ 5 s",
    "Server peak memory ≤ 1.5 GB",
]


def tables(text: str) -> dict[str, dict[str, list[str]]]:
    """section heading → {first cell: the other cells} for every table row."""
    out: dict[str, dict[str, list[str]]] = {}
    section = ""
    for line in text.splitlines():
        if line.startswith("#"):
            section = line.lstrip("#").strip()
        elif line.startswith("| ") and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            out.setdefault(section, {})[cells[0]] = cells[1:]
    return out


@pytest.mark.timeout(1500)
def test_quick_bench_completes_and_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "results.md"
    result = run_cli("bench", "--quick", "--work", str(tmp_path / "work"), "--out", str(out),
                     timeout=1400)

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    text = out.read_text(encoding="utf-8")
    assert "## Errors" not in text
    assert text.strip() in result.stdout
    assert re.search(r"\*\*Machine:\*\* \d+ cores .*, [\d.]+ GB memory", text)
    assert re.search(r"\*\*Corpus:\*\* [\d,]+ reports with [\d,]+ comments", text)

    found = tables(text)
    for section, labels in FIGURES.items():
        assert section in found, f"missing section {section!r}"
        for label in labels:
            assert label in found[section], f"{section}: no row {label!r}"
            value = found[section][label][P95_COLUMN.get(section, 0)]
            assert NUMBER.match(value), f"{section} / {label}: {value!r} is not a number"

    shares = found["Share of time per stage"]
    assert "comment sentiment (VADER)" in shares and "DuckDB insert (write)" in shares
    total = sum(float(cells[1].rstrip(" %")) for cells in shares.values()
                if cells[1].endswith("%"))
    assert total == pytest.approx(100, abs=1)

    queries = found["Queries per page"]
    for page in PAGES:
        runs, p50, p95 = (queries[page][i] for i in (1, 2, 3))
        assert int(runs) >= 5 and NUMBER.match(p50) and NUMBER.match(p95)
        assert queries[page][5] in ("✓", "✗")  # marked against the floor
        assert NUMBER.match(queries[page][-1]), f"{page}: no DuckDB-alone floor"

    # the comment search on the corpus's comments and on the same made distinct
    assert NUMBER.match(queries["The same, each made distinct"][2])
    assert NUMBER.match(queries["The benchmark's comments"][2])

    baseline = found["Baseline: pandas"]
    for page in PAGES:  # the whole page by DuckDB alone, and the ratio it allows
        assert NUMBER.match(baseline[page][6]), f"{page}: no DuckDB-alone page time"
        assert NUMBER.match(baseline[page][7]), f"{page}: no pandas / DuckDB-alone ratio"

    floors = found["Floors"]
    for floor in FLOORS:
        assert floor in floors, f"floor {floor!r} missing"
        assert floors[floor][1] in ("✓", "✗"), f"floor {floor!r} not evaluated"
