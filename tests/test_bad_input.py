"""Bad input: every rejected file gets one clear line and a row in ``rejections``, the rest
of the batch still loads, legacy encodings load exactly, unknown dates stay empty, and each
report is stored whole or not at all.

Every input is built in ``tmp_path`` from real text (the seed report, the FA-KES corpus) and
goes through the real command line, except the storage-failure test, which needs a report
that fails inside its own transaction and so runs the pipeline in-process.
"""

from __future__ import annotations

import codecs
import csv
import random
import re
import zlib
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from analytics.db import Reader
from analytics.ingest import ingest
from analytics.models import Report
from analytics.readers.plaintext import parse_plaintext
from tests.conftest import FAKES_CSV, SEED_FILE, run_cli

SEED_TEXT = SEED_FILE.read_text(encoding="utf-8")
SEED_TITLE = SEED_TEXT.split("\n", 1)[0]
TITLE_TAIL = "Government Forces Liberate 5 Settlements In Rastan Pocket"
SEED_PARAGRAPHS = parse_plaintext(SEED_TEXT).paragraphs
# Characters latin-1 cannot encode (cp1252 can): the seed's typographic punctuation.
ASCII_PUNCTUATION = {"–": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "..."}
ACCENTED = "café, Übersicht, niño, façade, à Alep"

FAILED = re.compile(r"^FAILED (?P<origin>.+?): (?P<reason>.+)$")


# --- helpers ------------------------------------------------------------------------------


def seed_variant(tag: str, *, ascii_punctuation: bool = False) -> str:
    """The seed with a distinct title (still dated) that carries accented letters."""
    assert TITLE_TAIL in SEED_TITLE
    text = SEED_TEXT.replace(TITLE_TAIL, f"{TITLE_TAIL} ({tag}: {ACCENTED})", 1)
    if ascii_punctuation:
        for fancy, plain in ASCII_PUNCTUATION.items():
            text = text.replace(fancy, plain)
    return text


def short_report() -> str:
    """A small good report (title and three paragraphs of the seed), under 5 kB."""
    return SEED_TITLE + "\n\n" + "\n\n".join(SEED_PARAGRAPHS[:3]) + "\n"


def failed_lines(output: str) -> list[re.Match[str]]:
    return [m for m in map(FAILED.match, output.splitlines()) if m]


def summary_line(output: str, label: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip().startswith(label)]
    assert len(lines) == 1, output
    return lines[0]


def query(db: Path, sql: str, params: list[object] | None = None) -> pd.DataFrame:
    reader = Reader(db)
    try:
        return reader.query(sql, params)
    finally:
        reader.close()


def stored_report(db: Path, title_like: str) -> tuple[pd.Series, list[str], list[str]]:
    """The stored report whose title contains ``title_like``: its row, paragraphs, comments."""
    reports = query(db, "SELECT * FROM reports WHERE contains(title, ?)", [title_like])
    assert len(reports) == 1, reports
    row = reports.iloc[0]
    paragraphs = query(
        db, "SELECT text FROM paragraphs WHERE report_id = ? ORDER BY position", [row.report_id]
    )["text"].tolist()
    comments = query(
        db, "SELECT text FROM comments WHERE report_id = ? ORDER BY position", [row.report_id]
    )["text"].tolist()
    return row, paragraphs, comments


def as_date(value: object) -> date | None:
    """A DATE cell as read back through pandas (a Timestamp, or NaT for NULL)."""
    return None if pd.isna(value) else pd.Timestamp(value).date()


def write_csv(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def fakes_rows(n: int) -> list[dict[str, str]]:
    frame = pd.read_csv(FAKES_CSV, dtype=str, keep_default_na=False)
    return frame.head(n).to_dict(orient="records")


# --- the inputs that must be rejected -----------------------------------------------------


def _empty(d: Path) -> Path:
    path = d / "empty.txt"
    path.write_bytes(b"")
    return path


def _whitespace(d: Path) -> Path:
    path = d / "blank.txt"
    path.write_text("   \n\n\t  \r\n \n", encoding="utf-8")
    return path


def _png(d: Path) -> Path:
    """A PNG header and random bytes, saved under a text extension."""
    path = d / "screenshot.txt"
    header = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x02\x80\x00\x00\x01\xe0\x08\x06"
    path.write_bytes(header + random.Random(1).randbytes(6000))
    return path


def _zip(d: Path) -> Path:
    """A zip local-file header and the deflated seed (what a mis-named archive holds)."""
    path = d / "archive.txt"
    path.write_bytes(b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + zlib.compress(SEED_TEXT.encode()))
    return path


def _binary_without_nul(d: Path) -> Path:
    """Random bytes with every NUL removed, so only the decoder's text check can catch it."""
    path = d / "noise.txt"
    path.write_bytes(bytes(b for b in random.Random(2).randbytes(6000) if b))
    return path


def _html_without_article(d: Path) -> Path:
    """A site's 'not found' page: navigation, a one-line notice, a footer; no article."""
    path = d / "not_found.html"
    path.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Page not found | SouthFront"
        "</title></head><body><header><nav><a href='/'>Home</a> <a href='/syria'>Syria</a> "
        "<a href='/about'>About</a></nav></header><main><h1>Oops!</h1><p>Page not found.</p>"
        "</main><footer><p>© 2018 SouthFront</p><a href='/privacy'>Privacy</a></footer>"
        "</body></html>",
        encoding="utf-8",
    )
    return path


def _csv_without_text_column(d: Path) -> Path:
    """FA-KES rows with every column except the ones that hold text (title, content)."""
    rows = [
        {k: v for k, v in row.items() if k not in ("article_title", "article_content")}
        for row in fakes_rows(5)
    ]
    return write_csv(d / "labels_only.csv", rows)


def _too_big(d: Path) -> Path:
    path = d / "big_report.txt"
    path.write_text(SEED_TEXT, encoding="utf-8")  # 10 kB, over the 0.005 MB limit used
    return path


def _missing(d: Path) -> Path:
    return d / "no_such_report.txt"


def _unsupported(d: Path) -> Path:
    path = d / "report.pdf"
    path.write_bytes(b"%PDF-1.4\n" + SEED_TEXT.encode("utf-8"))
    return path


def _bad_jsonl(d: Path) -> Path:
    path = d / "reports.jsonl"
    path.write_text(
        '{"title": "Report one", "body": "Government forces entered Taqsis."}\n'
        '{"title": "Report two", "body": "Militants left Douma\n',
        encoding="utf-8",
    )
    return path


REJECTED: dict[str, tuple[Callable[[Path], Path], tuple[str, ...], tuple[str, ...]]] = {
    # case: (build the file, words the reason must hold, extra CLI arguments)
    "empty file": (_empty, ("empty",), ()),
    "whitespace only": (_whitespace, ("no text", "whitespace"), ()),
    "PNG bytes": (_png, ("binary",), ()),
    "zip bytes": (_zip, ("binary",), ()),
    "binary without NUL bytes": (_binary_without_nul, ("binary",), ()),
    "HTML with no article": (_html_without_article, ("no article",), ()),
    "CSV with no text column": (
        _csv_without_text_column,
        ("no column holding report text", "unit_id, source, date, location, labels",
         "--map body="),
        (),
    ),
    "file over the size limit": (
        _too_big, ("size limit", "0.005 MB", "0.00981 MB"), ("--max-file-mb", "0.005")
    ),
    "path that does not exist": (_missing, ("does not exist",), ()),
    "unsupported extension": (_unsupported, ("unsupported file type", "'.pdf'"), ()),
    "invalid JSON Lines": (_bad_jsonl, ("invalid JSON", "line 2"), ()),
}


@pytest.mark.parametrize("case", list(REJECTED))
def test_bad_file_gets_one_line_and_a_rejection_row(case: str, tmp_path: Path) -> None:
    build, words, extra = REJECTED[case]
    inputs = tmp_path / "in"
    inputs.mkdir()
    bad = build(inputs)
    good = inputs / "good_report.txt"
    good.write_text(short_report(), encoding="utf-8")
    db = tmp_path / "db" / "sitrep.duckdb"

    result = run_cli("ingest", str(good), str(bad), "--db", str(db), "--workers", "1", *extra)
    output = result.stdout + result.stderr

    assert result.returncode == 1, output
    lines = failed_lines(result.stdout)
    assert len(lines) == 1, output
    assert lines[0]["origin"] == str(bad)
    reason = lines[0]["reason"]
    for word in words:
        assert word in reason, f"{word!r} not in {reason!r}"
    assert sum(str(bad) in line for line in output.splitlines()) == 1, output
    assert summary_line(result.stdout, "failed:") == "failed: 1"
    # the rest of the batch still loads
    assert summary_line(result.stdout, "reports:") == "reports: 1 added, 0 replaced, 0 unchanged"
    assert query(db, "SELECT title FROM reports")["title"].tolist() == [SEED_TITLE]
    # and the rejection is in the database, with the same reason
    rejections = query(db, "SELECT run_id, origin, reason FROM rejections")
    assert rejections[["origin", "reason"]].values.tolist() == [[str(bad), reason]]
    runs = query(db, "SELECT run_id, rejected, added FROM ingest_runs")
    assert runs.values.tolist() == [[rejections.run_id[0], 1, 1]]


# --- encodings that must load exactly -----------------------------------------------------


def _encoded(tag: str) -> tuple[bytes, str]:
    """Bytes of a seed variant in one encoding, and the text they must decode to."""
    if tag == "cp1252 CRLF":
        text = seed_variant(tag)
        return text.replace("\n", "\r\n").encode("cp1252"), text
    if tag == "latin-1":
        text = seed_variant(tag, ascii_punctuation=True)
        return text.encode("latin-1"), text
    if tag == "UTF-8 BOM":
        text = seed_variant(tag)
        return codecs.BOM_UTF8 + text.encode("utf-8"), text
    if tag == "UTF-16 LE BOM CRLF":
        text = seed_variant(tag)
        return codecs.BOM_UTF16_LE + text.replace("\n", "\r\n").encode("utf-16-le"), text
    if tag == "UTF-16 LE no BOM":
        text = seed_variant(tag)
        return text.encode("utf-16-le"), text
    if tag == "UTF-16 BE BOM":
        text = seed_variant(tag)
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be"), text
    if tag == "UTF-16 BE no BOM":
        text = seed_variant(tag)
        return text.encode("utf-16-be"), text
    raise AssertionError(tag)


ENCODINGS = [
    "cp1252 CRLF",
    "latin-1",
    "UTF-8 BOM",
    "UTF-16 LE BOM CRLF",
    "UTF-16 LE no BOM",
    "UTF-16 BE BOM",
    "UTF-16 BE no BOM",
]


def test_encoded_variants_are_distinct_reports() -> None:
    titles = {_encoded(tag)[1].split("\n", 1)[0] for tag in ENCODINGS}
    assert len(titles) == len(ENCODINGS)


@pytest.fixture(scope="module")
def encoded_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, int]:
    """One CLI run over a folder holding the seed in every encoding (one file each)."""
    root = tmp_path_factory.mktemp("encodings")
    for number, tag in enumerate(ENCODINGS):
        (root / "in").mkdir(exist_ok=True)
        (root / "in" / f"report_{number}.txt").write_bytes(_encoded(tag)[0])
    db = root / "sitrep.duckdb"
    result = run_cli("ingest", str(root / "in"), "--db", str(db), "--workers", "1")
    return db, result.stdout + result.stderr, result.returncode


def test_every_encoding_loads_without_failures(encoded_run: tuple[Path, str, int]) -> None:
    _, output, returncode = encoded_run
    assert returncode == 0, output
    assert failed_lines(output) == []
    n = len(ENCODINGS)
    assert summary_line(output, "reports:") == f"reports: {n} added, 0 replaced, 0 unchanged"
    assert summary_line(output, "comments stored:") == f"comments stored: {27 * n}"
    assert "warning" not in output


@pytest.mark.parametrize("tag", ENCODINGS)
def test_encoding_loads_text_exactly(tag: str, encoded_run: tuple[Path, str, int]) -> None:
    db = encoded_run[0]
    text = _encoded(tag)[1]
    expected = parse_plaintext(text)
    assert len(expected.comments) == 27

    row, paragraphs, comments = stored_report(db, f"({tag}: ")

    assert row.title == text.split("\n", 1)[0]
    assert not row.title.startswith("\ufeff")
    assert ACCENTED in row.title
    assert as_date(row.published) == date(2018, 4, 3)
    assert paragraphs == expected.paragraphs
    assert comments == [c.text for c in expected.comments]
    assert len(comments) == 27
    if tag != "latin-1":  # the curly quotes survive
        assert "“The situation in Syria remains a real challenge" in "\n".join(paragraphs)
        assert "Saddam’s army" in "\n".join(comments)
    assert all("\r" not in p and "\ufeff" not in p for p in paragraphs + comments)


# --- dates that cannot be found -----------------------------------------------------------


def test_unparseable_csv_dates_load_with_empty_date_and_warning(tmp_path: Path) -> None:
    csv_path = write_csv(
        tmp_path / "dated.csv",
        [
            {"id": "a", "title": "Taqsis taken", "date": "not a date", "text": SEED_PARAGRAPHS[0]},
            {"id": "b", "title": "Rastan talks", "date": "31/31/2018", "text": SEED_PARAGRAPHS[1]},
            {"id": "c", "title": "Ghouta deal", "date": "2018-04-03", "text": SEED_PARAGRAPHS[2]},
        ],
    )
    db = tmp_path / "sitrep.duckdb"

    result = run_cli("ingest", str(csv_path), "--db", str(db), "--workers", "1")

    assert result.returncode == 0, result.stdout + result.stderr
    assert summary_line(result.stdout, "reports:") == "reports: 3 added, 0 replaced, 0 unchanged"
    warnings = [line for line in result.stdout.splitlines() if line.startswith("warning ")]
    assert len(warnings) == 2, result.stdout
    assert warnings[0].startswith(f"warning {csv_path}#row 1: ")
    assert "'not a date'" in warnings[0] and "date left empty" in warnings[0]
    assert warnings[1].startswith(f"warning {csv_path}#row 2: ")
    assert "'31/31/2018'" in warnings[1] and "date left empty" in warnings[1]
    stored = query(db, "SELECT title, published, warnings FROM reports ORDER BY title")
    by_title = {r.title: r for r in stored.itertuples()}
    assert as_date(by_title["Taqsis taken"].published) is None
    assert as_date(by_title["Rastan talks"].published) is None
    assert as_date(by_title["Ghouta deal"].published) == date(2018, 4, 3)
    assert "not a date" in by_title["Taqsis taken"].warnings
    assert "31/31/2018" in by_title["Rastan talks"].warnings
    assert pd.isna(by_title["Ghouta deal"].warnings)


def test_text_report_without_a_date_loads_with_empty_date_and_warning(tmp_path: Path) -> None:
    undated_title = "Syrian War Report: Government Forces Liberate 5 Settlements In Rastan Pocket"
    path = tmp_path / "undated.txt"
    path.write_text(SEED_TEXT.replace(SEED_TITLE, undated_title, 1), encoding="utf-8")
    db = tmp_path / "sitrep.duckdb"

    result = run_cli("ingest", str(path), "--db", str(db), "--workers", "1")

    assert result.returncode == 0, result.stdout + result.stderr
    assert summary_line(result.stdout, "reports:") == "reports: 1 added, 0 replaced, 0 unchanged"
    warnings = [line for line in result.stdout.splitlines() if line.startswith("warning ")]
    assert warnings == [f"warning {path}: no report date found in the title or the first paragraph"]
    row, _, comments = stored_report(db, "Rastan Pocket")
    assert row.title == undated_title
    assert as_date(row.published) is None  # never an invented date (today, a comment's date...)
    assert "no report date found" in row.warnings
    assert len(comments) == 27


# --- a mixed batch, and running it twice --------------------------------------------------


def _mixed_batch(root: Path) -> tuple[list[str], list[Path]]:
    """A folder of good and bad files plus a missing path; returns CLI paths and the bad ones."""
    folder = root / "batch"
    (folder / "sub").mkdir(parents=True)
    (folder / "seed.txt").write_text(SEED_TEXT, encoding="utf-8")
    rows = fakes_rows(4)
    rows[2]["article_content"] = "   "
    collection = write_csv(folder / "sub" / "fakes.csv", rows)
    bad = [
        _empty(folder),
        _png(folder / "sub"),
        _whitespace(folder),
        _html_without_article(folder),
        _csv_without_text_column(folder),
    ]
    (folder / "notes.docx").write_bytes(b"PK\x03\x04 not read: other types in a folder are skipped")
    (folder / ".hidden.txt").write_bytes(b"")  # hidden files are left out entirely
    missing = root / "missing_folder" / "report.txt"
    bad_origins = [*bad, Path(f"{collection}#row 3"), missing]
    return [str(folder), str(missing)], bad_origins


def _check_mixed_run(output: str, bad_origins: list[Path], added: int, unchanged: int) -> None:
    lines = failed_lines(output)
    assert sorted(m["origin"] for m in lines) == sorted(map(str, bad_origins)), output
    reasons = {m["origin"]: m["reason"] for m in lines}
    for origin, word in [
        ("empty.txt", "empty"),
        ("screenshot.txt", "binary"),
        ("blank.txt", "whitespace"),
        ("not_found.html", "no article"),
        ("labels_only.csv", "no column holding report text"),
        ("fakes.csv#row 3", "no report text in column 'article_content'"),
        ("report.txt", "does not exist"),
    ]:
        [full] = [o for o in reasons if o.endswith(origin)]
        assert word in reasons[full]
    assert summary_line(output, "reports:") == (
        f"reports: {added} added, 0 replaced, {unchanged} unchanged"
    )
    assert summary_line(output, "failed:") == f"failed: {len(bad_origins)}"
    assert summary_line(output, "files read:") == "files read: 7 (skipped 1 of other types)"


def test_mixed_batch_loads_the_good_and_names_each_bad(tmp_path: Path) -> None:
    paths, bad_origins = _mixed_batch(tmp_path)
    db = tmp_path / "sitrep.duckdb"

    result = run_cli("ingest", *paths, "--db", str(db), "--workers", "1")

    assert result.returncode == 1, result.stdout + result.stderr
    _check_mixed_run(result.stdout, bad_origins, added=4, unchanged=0)
    assert summary_line(result.stdout, "comments stored:") == "comments stored: 27"
    titles = query(db, "SELECT title FROM reports")["title"].tolist()
    expected_rows = [r["article_title"] for i, r in enumerate(fakes_rows(4)) if i != 2]
    assert sorted(titles) == sorted([SEED_TITLE, *expected_rows])
    assert query(db, "SELECT count(*) AS n FROM comments").n[0] == 27
    rejections = query(db, "SELECT origin, reason FROM rejections")
    assert sorted(rejections.origin) == sorted(map(str, bad_origins))
    assert rejections.reason.str.len().min() > 5
    run = query(db, "SELECT * FROM ingest_runs").iloc[0]
    assert (run.files_read, run.added, run.rejected, run.comments) == (7, 4, 7, 27)


def test_rerunning_a_bad_batch_is_idempotent_and_records_rejections_again(
    tmp_path: Path,
) -> None:
    paths, bad_origins = _mixed_batch(tmp_path)
    db = tmp_path / "sitrep.duckdb"
    first = run_cli("ingest", *paths, "--db", str(db), "--workers", "1")
    before = query(db, "SELECT report_id, content_hash, ingested_at FROM reports ORDER BY 1")

    second = run_cli("ingest", *paths, "--db", str(db), "--workers", "1")

    assert (first.returncode, second.returncode) == (1, 1), second.stdout + second.stderr
    _check_mixed_run(second.stdout, bad_origins, added=0, unchanged=4)
    after = query(db, "SELECT report_id, content_hash, ingested_at FROM reports ORDER BY 1")
    pd.testing.assert_frame_equal(before, after)  # not duplicated, not even rewritten
    assert query(db, "SELECT count(*) AS n FROM paragraphs").n[0] == sum(
        query(db, "SELECT n_paragraphs FROM reports").n_paragraphs
    )
    assert query(db, "SELECT count(*) AS n FROM comments").n[0] == 27
    runs = query(db, "SELECT run_id FROM ingest_runs ORDER BY started_at").run_id.tolist()
    assert len(runs) == 2 and runs[0] != runs[1]
    per_run = query(
        db, "SELECT run_id, list_sort(list(origin)) AS origins FROM rejections GROUP BY run_id"
    )
    assert sorted(per_run.run_id) == sorted(runs)
    for origins in per_run.origins:
        assert list(origins) == sorted(map(str, bad_origins))


# --- all or nothing per report ------------------------------------------------------------

REPORT_ROW_TABLES = ("reports", "paragraphs", "comments", "events")
BAD_FACTS = {
    # an extractor emitting a column the schema lacks: INSERT fails (binder error)
    "unknown column": (
        {"event_id": "e1", "evidence": "On April 2, ...", "no_such_column": 1},
        "no_such_column",
    ),
    # an extractor that lost the sentence: INSERT fails on the NOT NULL constraint
    "missing evidence": ({"event_id": "e1", "event_type": "Battles", "evidence": None},
                         "evidence"),
}


def _fail_storing(monkeypatch: pytest.MonkeyPatch, marker: str, row: dict[str, object]) -> None:
    """Let the extraction step give the report whose title holds ``marker`` an ``events`` row
    the database refuses; it is inserted after the report's own rows, in the same transaction.
    """
    import analytics.ingest as pipeline

    real_enrich = pipeline.enrich

    def enrich(report: Report) -> Report:
        real_enrich(report)
        if marker in report.title:
            report.facts["events"] = [row]
        return report

    monkeypatch.setattr(pipeline, "enrich", enrich)


def _rows_of(db: Path, report_ids: list[str]) -> dict[str, int]:
    return {
        table: int(
            query(db, f"SELECT count(*) AS n FROM {table} WHERE list_contains(?, report_id)",
                  [report_ids]).n[0]
        )
        for table in REPORT_ROW_TABLES
    }


@pytest.mark.parametrize("failure", list(BAD_FACTS))
def test_report_that_fails_to_store_leaves_no_rows(
    failure: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    row, why = BAD_FACTS[failure]
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("alpha", "bravo", "charlie"):
        (folder / f"{name}.txt").write_text(seed_variant(name.upper()), encoding="utf-8")
    write_csv(folder / "rows.csv", fakes_rows(3))
    db = tmp_path / "sitrep.duckdb"
    _fail_storing(monkeypatch, "BRAVO", row)

    summary = ingest([folder], db, workers=1)

    assert (summary.added, summary.replaced, summary.comments) == (5, 0, 2 * 27)
    assert len(summary.rejections) == 1
    rejection = summary.rejections[0]
    assert rejection.origin == str(folder / "bravo.txt")
    assert "could not be stored" in rejection.reason and why in rejection.reason
    titles = query(db, "SELECT title FROM reports")["title"]
    assert len(titles) == 5 and not titles.str.contains("BRAVO").any()
    assert titles.str.contains("ALPHA").sum() == 1 and titles.str.contains("CHARLIE").sum() == 1
    # nothing of the failed report anywhere: no orphan paragraphs, comments or facts
    orphans = {
        table: int(query(db, f"SELECT count(*) AS n FROM {table} WHERE report_id NOT IN "
                             "(SELECT report_id FROM reports)").n[0])
        for table in REPORT_ROW_TABLES
    }
    assert orphans == dict.fromkeys(REPORT_ROW_TABLES, 0)
    assert query(db, "SELECT count(*) AS n FROM comments").n[0] == 2 * 27
    # the stored reports keep their own extracted events (2 in each seed variant)
    assert query(db, "SELECT count(*) AS n FROM events WHERE contains(evidence, 'Taqsis')"
                 ).n[0] == 2
    stored = query(db, "SELECT origin, reason FROM rejections")
    assert stored.values.tolist() == [[rejection.origin, rejection.reason]]


def test_failed_replacement_keeps_the_old_version_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    alpha, bravo = folder / "alpha.txt", folder / "bravo.txt"
    alpha.write_text(seed_variant("ALPHA"), encoding="utf-8")
    bravo.write_text(seed_variant("BRAVO"), encoding="utf-8")
    db = tmp_path / "sitrep.duckdb"
    assert ingest([folder], db, workers=1).added == 2
    [bravo_id] = query(db, "SELECT report_id FROM reports WHERE contains(title, 'BRAVO')").report_id
    old = _rows_of(db, [bravo_id])
    assert old == {"reports": 1, "paragraphs": 11, "comments": 27, "events": 2}
    # new versions of both: one more comment each; bravo's cannot be stored
    extra = "Latecomer\n\nThe ceasefire in Rastan will not hold for long.\n\n\n"
    for path in (alpha, bravo):
        text = path.read_text(encoding="utf-8")
        marker = "Would love your thoughts"
        path.write_text(text.replace(marker, extra + marker, 1), encoding="utf-8")
    _fail_storing(monkeypatch, "BRAVO", BAD_FACTS["unknown column"][0])

    summary = ingest([folder], db, workers=1)

    assert (summary.added, summary.replaced, len(summary.rejections)) == (0, 1, 1)
    assert summary.rejections[0].origin == str(bravo)
    assert _rows_of(db, [bravo_id]) == old  # the old version, whole
    counts = query(db, "SELECT title, n_comments FROM reports ORDER BY title")
    assert counts.n_comments.tolist() == [28, 27]
    assert query(db, "SELECT count(*) AS n FROM comments").n[0] == 28 + 27
