"""The command line as a user runs it: ``python -m analytics ingest|export`` in a subprocess,
on the real seed report and the real FA-KES corpus, with its output and exit status checked.
"""

from __future__ import annotations

import io
import re
import shlex
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from analytics.db import Reader
from tests.conftest import FAKES_CSV, SEED_FILE, run_cli

SEED_TEXT = SEED_FILE.read_text(encoding="utf-8")
SEED_TITLE = SEED_TEXT.split("\n", 1)[0]
N_FAKES = 384


def query(db: Path, sql: str, params: list[object] | None = None) -> pd.DataFrame:
    reader = Reader(db)
    try:
        return reader.query(sql, params)
    finally:
        reader.close()


def summary_line(output: str, label: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip().startswith(label)]
    assert len(lines) == 1, output
    return lines[0]


def as_date(value: object) -> date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()


# --- ingest: summary and exit status ------------------------------------------------------


def test_ingest_prints_a_summary_and_exits_0(db_path: Path) -> None:
    result = run_cli("ingest", str(SEED_FILE), "--db", str(db_path), "--workers", "1")

    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert re.match(rf"Ingested into {re.escape(str(db_path))} in \d+\.\d s \(\d+ reports/s\)",
                    out.splitlines()[0])
    assert summary_line(out, "files read:") == "files read: 1"
    assert summary_line(out, "reports:") == "reports: 1 added, 0 replaced, 0 unchanged"
    assert summary_line(out, "comments stored:") == "comments stored: 27"
    assert summary_line(out, "failed:") == "failed: 0"
    assert "FAILED" not in out and "warning" not in out
    assert result.stderr == ""  # no progress bar when stderr is not a terminal
    assert query(db_path, "SELECT title FROM reports").title.tolist() == [SEED_TITLE]


def test_ingest_exits_1_when_anything_failed(db_path: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "notes.odt").write_text("minutes", encoding="utf-8")

    result = run_cli("ingest", str(SEED_FILE), str(empty), str(folder), "--db", str(db_path),
                     "--workers", "1")

    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert summary_line(out, "files read:") == "files read: 2 (skipped 1 of other types)"
    assert summary_line(out, "reports:") == "reports: 1 added, 0 replaced, 0 unchanged"
    assert summary_line(out, "failed:") == "failed: 1"
    assert [line for line in out.splitlines() if line.startswith("FAILED")] == [
        f"FAILED {empty}: file is empty"
    ]


@pytest.mark.parametrize("bad_map", ["body", "=article_content"])
def test_map_without_field_and_equals_is_a_usage_error(bad_map: str, db_path: Path) -> None:
    result = run_cli("ingest", str(FAKES_CSV), "--db", str(db_path), "--map", bad_map)

    assert result.returncode == 2
    assert f"error: --map expects FIELD=COLUMN, got {bad_map!r}" in result.stderr
    assert result.stdout == ""
    assert not db_path.exists()  # nothing was done


def test_ingest_without_paths_is_an_argparse_error(db_path: Path) -> None:
    result = run_cli("ingest", "--db", str(db_path))

    assert result.returncode == 2
    assert "usage: python -m analytics ingest" in result.stderr
    assert "the following arguments are required: PATH" in result.stderr
    assert not db_path.exists()


def test_if_empty_does_nothing_when_data_is_published(db_path: Path) -> None:
    first = run_cli("ingest", str(SEED_FILE), "--db", str(db_path), "--workers", "1",
                    "--if-empty")
    second = run_cli("ingest", str(FAKES_CSV), "--db", str(db_path), "--workers", "1",
                     "--if-empty")

    assert (first.returncode, second.returncode) == (0, 0)
    assert summary_line(first.stdout, "reports:") == "reports: 1 added, 0 replaced, 0 unchanged"
    assert second.stdout.strip() == f"{db_path} already has data; nothing to do"
    assert query(db_path, "SELECT count(*) AS n FROM reports").n[0] == 1


# --- re-ingesting ------------------------------------------------------------------------


def test_reingest_is_unchanged_and_a_new_version_replaces(db_path: Path, tmp_path: Path) -> None:
    args = ("--db", str(db_path), "--workers", "1")
    first = run_cli("ingest", str(SEED_FILE), *args)
    again = run_cli("ingest", str(SEED_FILE), *args)
    # the page saved again later: same report, one more comment at the end
    newer = tmp_path / "resaved.txt"
    marker = "Would love your thoughts"
    assert SEED_TEXT.count(marker) == 1
    newer.write_text(
        SEED_TEXT.replace(
            marker, "Latecomer\n\nThe Rastan deal will not hold past the summer.\n\n\n" + marker
        ),
        encoding="utf-8",
    )
    replaced = run_cli("ingest", str(newer), *args)

    assert [r.returncode for r in (first, again, replaced)] == [0, 0, 0]
    assert summary_line(first.stdout, "reports:") == "reports: 1 added, 0 replaced, 0 unchanged"
    assert summary_line(again.stdout, "reports:") == "reports: 0 added, 0 replaced, 1 unchanged"
    assert summary_line(again.stdout, "comments stored:") == "comments stored: 0"
    assert summary_line(replaced.stdout, "reports:") == (
        "reports: 0 added, 1 replaced, 0 unchanged"
    )
    assert summary_line(replaced.stdout, "comments stored:") == "comments stored: 28"
    reports = query(db_path, "SELECT report_id, title, n_comments, origin_file FROM reports")
    assert reports[["title", "n_comments", "origin_file"]].values.tolist() == [
        [SEED_TITLE, 28, str(newer)]
    ]
    comments = query(db_path, "SELECT position, author, text FROM comments ORDER BY position")
    assert len(comments) == 28 and comments.position.tolist() == list(range(1, 29))
    last = comments.iloc[-1]
    assert last.author == "Latecomer"
    assert last.text == "The Rastan deal will not hold past the summer."
    assert query(db_path, "SELECT count(*) AS n FROM ingest_runs").n[0] == 3


# --- FA-KES through the CLI --------------------------------------------------------------

# A row whose CSV date (3/25/2017) differs from the date written in its own text.
DIFFERING_ROW = "1918150031"


def _fakes_frame() -> pd.DataFrame:
    return pd.read_csv(FAKES_CSV, dtype=str, keep_default_na=False)


def test_fakes_loads_every_row(db_path: Path) -> None:
    result = run_cli("ingest", str(FAKES_CSV), "--db", str(db_path))  # default: a process pool

    assert result.returncode == 0, result.stdout + result.stderr
    assert summary_line(result.stdout, "reports:") == (
        f"reports: {N_FAKES} added, 0 replaced, 0 unchanged"
    )
    assert summary_line(result.stdout, "failed:") == "failed: 0"
    reports = query(db_path, "SELECT identity_key, title, published, source FROM reports")
    assert len(reports) == N_FAKES and reports.identity_key.is_unique
    frame = _fakes_frame()
    assert sorted(reports.title) == sorted(frame.article_title.str.strip())
    assert reports.published.notna().all()  # every CSV date parses
    row = reports[reports.identity_key == f"row:{FAKES_CSV.name}#id {DIFFERING_ROW}"].iloc[0]
    assert as_date(row.published) == date(2017, 3, 25)  # from the date column
    assert query(db_path, "SELECT count(*) AS n FROM paragraphs").n[0] >= N_FAKES


def test_fakes_with_map_ignores_the_date_column(db_path: Path) -> None:
    result = run_cli("ingest", str(FAKES_CSV), "--db", str(db_path), "--workers", "1",
                     "--map", "body=article_content", "--map", "date=")

    assert result.returncode == 0, result.stdout + result.stderr
    assert summary_line(result.stdout, "reports:") == (
        f"reports: {N_FAKES} added, 0 replaced, 0 unchanged"
    )
    reports = query(db_path, "SELECT identity_key, published, warnings FROM reports")
    keys = reports.identity_key.str.extract(r"#id (\d+)")[0]
    frame = _fakes_frame().drop_duplicates("unit_id").set_index("unit_id")
    row = reports[reports.identity_key == f"row:{FAKES_CSV.name}#id {DIFFERING_ROW}"].iloc[0]
    assert frame.loc[DIFFERING_ROW, "date"] == "3/25/2017"
    assert as_date(row.published) == date(2017, 4, 2)  # the date its text gives
    # every date now comes from the text: its year is written in the title or the body
    for key, published in zip(keys, reports.published, strict=True):
        if pd.isna(published):
            continue
        text = frame.loc[key, "article_title"] + " " + frame.loc[key, "article_content"]
        assert str(pd.Timestamp(published).year) in text, key
    undated = reports.published.isna()
    assert 0 < undated.sum() < N_FAKES
    assert reports.warnings[undated].str.contains("no report date found").all()
    warned = [line for line in result.stdout.splitlines() if line.startswith("warning ")]
    assert len(warned) == min(int(undated.sum()), 20)  # one line each, at most 20 shown


def test_map_to_a_missing_column_rejects_the_file(db_path: Path) -> None:
    result = run_cli("ingest", str(FAKES_CSV), "--db", str(db_path), "--workers", "1",
                     "--map", "body=story_text")

    assert result.returncode == 1
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1
    assert failed[0].startswith(f"FAILED {FAKES_CSV}: --map body=story_text: no such column")
    assert "article_content" in failed[0]  # the columns it does have
    assert summary_line(result.stdout, "reports:") == "reports: 0 added, 0 replaced, 0 unchanged"


# --- export -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def loaded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed, FA-KES and one rejected file, ingested once for the export tests."""
    root = tmp_path_factory.mktemp("export")
    empty = root / "empty.txt"
    empty.write_bytes(b"")
    db = root / "sitrep.duckdb"
    result = run_cli("ingest", str(SEED_FILE), str(FAKES_CSV), str(empty), "--db", str(db),
                     "--workers", "1", "--quiet")
    assert result.returncode == 1, result.stdout + result.stderr
    return db


def _read_back(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        return pd.read_csv(path, keep_default_na=False, na_values=[""])
    if path.suffix == ".jsonl":
        return pd.read_json(path, lines=True, dtype=False)
    return pd.read_parquet(path)


@pytest.mark.parametrize(
    ("table", "suffix"),
    [
        ("reports", ".csv"),
        ("reports", ".jsonl"),
        ("reports", ".parquet"),
        ("comments", ".jsonl"),
        ("rejections", ".parquet"),
    ],
)
def test_export_writes_the_whole_table(
    table: str, suffix: str, loaded_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / f"{table}{suffix}"
    expected = query(loaded_db, f"SELECT * FROM {table}")  # table: from the fixed list above

    result = run_cli("export", table, "--db", str(loaded_db), "--out", str(out))

    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == f"wrote {len(expected)} rows of {table} to {out}"
    back = _read_back(out)
    assert len(back) == len(expected) > 0
    assert sorted(back.columns) == sorted(expected.columns)  # contract tables reorder them
    if table == "reports":
        assert sorted(back.title) == sorted(expected.title)
        assert SEED_TITLE in set(back.title)  # the en dash survives every format
        assert back.published.notna().sum() == expected.published.notna().sum()
    if table == "comments":
        assert back.text.tolist() == expected.text.tolist()
    if table == "rejections":
        assert back.reason.tolist() == ["file is empty"]


def test_export_csv_to_stdout(loaded_db: Path) -> None:
    result = run_cli("export", "reports", "--db", str(loaded_db))

    assert result.returncode == 0, result.stderr
    back = pd.read_csv(io.StringIO(result.stdout))
    assert len(back) == N_FAKES + 1
    assert "title" in back.columns and "published" in back.columns
    assert SEED_TITLE in set(back.title)


def test_export_unknown_extension_is_an_error(loaded_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports.xlsx"

    result = run_cli("export", "reports", "--db", str(loaded_db), "--out", str(out))

    assert result.returncode == 2
    assert "error:" in result.stderr and "unknown format" in result.stderr
    assert ".csv" in result.stderr and ".parquet" in result.stderr
    assert not out.exists()


def test_export_unknown_table_is_an_argparse_error(loaded_db: Path) -> None:
    result = run_cli("export", "secrets", "--db", str(loaded_db))

    assert result.returncode == 2
    assert "usage: python -m analytics export" in result.stderr
    assert "invalid choice: 'secrets'" in result.stderr


def test_export_before_any_ingest_says_so(db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports.csv"

    result = run_cli("export", "reports", "--db", str(db_path), "--out", str(out))

    assert result.returncode == 2
    assert result.stderr.startswith("error: ")
    assert "run an ingest first" in result.stderr and str(db_path) in result.stderr
    assert not out.exists() and not db_path.exists()


# --- progress bar -------------------------------------------------------------------------

BAR = re.compile(r"ingesting:\s+\d+%\|")


def _in_terminal(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI with a pseudo-terminal (``script``) 120 columns wide as its stdout/err."""
    command = shlex.join([sys.executable, "-m", "analytics", *args])
    return subprocess.run(
        ["script", "-qec", f"stty cols 120 rows 40; {command}", "/dev/null"],
        capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
        cwd=SEED_FILE.parent.parent,
    )


def test_progress_bar_on_a_terminal_and_none_with_quiet(tmp_path: Path) -> None:
    # a run long enough (> 1 s of reading) for the bar to show: the seed saved 200 times
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(200):
        text = SEED_TEXT.replace("Rastan Pocket", f"Rastan Pocket (copy {n})", 1)
        (folder / f"report_{n:03}.txt").write_text(text, encoding="utf-8")
    db = tmp_path / "sitrep.duckdb"

    shown = _in_terminal("ingest", str(folder), "--db", str(db), "--workers", "1")
    quiet = _in_terminal("ingest", str(folder), "--db", str(db), "--workers", "1", "--quiet")

    assert shown.returncode == 0, shown.stdout
    assert BAR.search(shown.stdout), shown.stdout[-2000:]
    assert "200/200" in shown.stdout and "report/s" in shown.stdout
    assert "reports: 200 added" in shown.stdout
    assert quiet.returncode == 0, quiet.stdout
    assert "reports: 0 added, 0 replaced, 200 unchanged" in quiet.stdout
    assert not BAR.search(quiet.stdout) and "%|" not in quiet.stdout
    assert "report/s" not in quiet.stdout
