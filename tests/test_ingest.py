"""The ingest pipeline end to end on real DuckDB files: idempotence, replacement, schema."""

from __future__ import annotations

import duckdb
import pytest

from analytics.db import NoData, Reader
from analytics.extraction.sentiment import label
from analytics.ingest import ingest
from analytics.store.schema import SCHEMA_VERSION, current_version, migrate
from analytics.store.snapshots import current_snapshot
from tests.conftest import FAKES_CSV, SEED_FILE


def counts(db) -> dict[str, int]:
    reader = Reader(db)
    try:
        return {
            t: int(reader.scalar(f"SELECT count(*) FROM {t}"))
            for t in ("reports", "paragraphs", "comments")
        }
    finally:
        reader.close()


def test_seed_is_stored_with_paragraphs_comments_and_sentiment(seed_db, gold):
    assert counts(seed_db) == {"reports": 1, "paragraphs": 11, "comments": 27}
    reader = Reader(seed_db)
    report = reader.query("SELECT * FROM reports").iloc[0]
    assert report["title"] == gold["report"]["title"]
    assert str(report["published"])[:10] == gold["report"]["published"]
    comments = reader.query("SELECT * FROM comments ORDER BY position")
    assert comments["position"].tolist() == list(range(1, 28))
    assert comments["author"].tolist()[:2] == ["Richard M", "Jim Prendergast"]
    assert comments["sentiment_score"].between(-1, 1).all()
    assert [label(s) for s in comments["sentiment_score"]] == comments["sentiment_label"].tolist()
    # the obvious ones, read by a person: an insult and a compliment
    by_text = dict(zip(comments["text"], comments["sentiment_label"], strict=True))
    assert by_text["Move, Bitch! Get out the way!"] == "negative"
    assert by_text["Nice summation."] == "positive"
    reader.close()


def test_reingesting_adds_nothing(seed_db):
    before = counts(seed_db)
    summary = ingest([SEED_FILE], seed_db, workers=1)
    assert (summary.added, summary.replaced, summary.unchanged) == (0, 0, 1)
    assert counts(seed_db) == before


def test_changed_report_replaces_the_old_rows(seed_db, tmp_path):
    text = SEED_FILE.read_text(encoding="utf-8")
    changed = text.replace(
        "\n\nWould love your thoughts",
        "\n\n\nA late comment that was not there before.\n\nWould love your thoughts",
    )
    assert changed != text
    (tmp_path / "changed.txt").write_text(changed, encoding="utf-8")
    summary = ingest([tmp_path / "changed.txt"], seed_db, workers=1)
    assert (summary.added, summary.replaced, summary.unchanged) == (0, 1, 0)
    assert counts(seed_db) == {"reports": 1, "paragraphs": 11, "comments": 28}


def test_snapshot_holds_exactly_the_master_rows_after_a_replacement(seed_db, tmp_path):
    """A publish copies the checkpointed master file: after rows were deleted and written
    again (a replaced report), every master table reads the same in the snapshot."""
    changed = SEED_FILE.read_text(encoding="utf-8").replace("Nice summation.", "Nice summary.")
    (tmp_path / "changed.txt").write_text(changed, encoding="utf-8")
    assert ingest([tmp_path / "changed.txt"], seed_db, workers=1).replaced == 1
    con = duckdb.connect()
    try:
        con.execute("ATTACH ? AS master (READ_ONLY)", [str(seed_db)])
        con.execute("ATTACH ? AS snap (READ_ONLY)", [str(current_snapshot(seed_db))])
        tables = [t for (t,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'master'").fetchall()]
        assert {"reports", "comments", "paragraphs", "events"} <= set(tables)
        for table in tables:  # names from the catalog, quoted
            differ = con.execute(
                f'SELECT count(*) FROM (FROM master."{table}" EXCEPT ALL FROM snap."{table}" '
                f'UNION ALL (FROM snap."{table}" EXCEPT ALL FROM master."{table}"))'
            ).fetchone()[0]
            assert differ == 0, table
        texts = {t for (t,) in con.execute("SELECT text FROM snap.comments").fetchall()}
        assert "Nice summary." in texts and "Nice summation." not in texts
    finally:
        con.close()


def test_fakes_then_seed_in_one_run_with_workers(db_path):
    summary = ingest([FAKES_CSV, SEED_FILE], db_path, workers=2)
    assert summary.ok
    assert summary.added == 385
    assert counts(db_path)["reports"] == 385
    again = ingest([FAKES_CSV], db_path, workers=2)
    assert (again.added, again.replaced, again.unchanged) == (0, 0, 384)


def test_every_run_is_recorded(seed_db):
    ingest([SEED_FILE], seed_db, workers=1)
    runs = Reader(seed_db).query("SELECT * FROM ingest_runs ORDER BY started_at")
    assert len(runs) == 2
    assert runs["added"].tolist() == [1, 0]
    assert runs["unchanged"].tolist() == [0, 1]
    assert runs["finished_at"].notna().all()


def test_reader_without_data_says_so(db_path):
    with pytest.raises(NoData, match="run an ingest first"):
        Reader(db_path).query("SELECT 1")


def test_reader_sees_a_new_snapshot_without_reopening(seed_db, tmp_path):
    reader = Reader(seed_db)
    first = reader.version
    assert reader.scalar("SELECT count(*) FROM reports") == 1
    ingest([FAKES_CSV], seed_db, workers=1)
    assert reader.version != first
    assert reader.scalar("SELECT count(*) FROM reports") == 385
    assert current_snapshot(seed_db).name == reader.version


def test_reader_threads_keep_their_cursors_across_publishes(seed_db, tmp_path):
    """Each thread reuses its own cursor; after every publish (and once its old snapshot is
    detached) the same threads read the newest snapshot."""
    from concurrent.futures import ThreadPoolExecutor

    reader = Reader(seed_db)
    text = SEED_FILE.read_text(encoding="utf-8")
    (tmp_path / "changed.txt").write_text(
        text.replace("\n\nWould love your thoughts",
                     "\n\n\nA late comment.\n\nWould love your thoughts"), encoding="utf-8")

    def counts_now(_: int) -> tuple[int, int]:
        return (int(reader.scalar("SELECT count(*) FROM reports")),
                int(reader.scalar("SELECT count(*) FROM comments")))

    with ThreadPoolExecutor(max_workers=3) as pool:
        assert set(pool.map(counts_now, range(30))) == {(1, 27)}
        ingest([tmp_path / "changed.txt"], seed_db, workers=1)
        assert set(pool.map(counts_now, range(30))) == {(1, 28)}
        ingest([FAKES_CSV], seed_db, workers=1)  # a third snapshot: the first is detached
        assert set(pool.map(counts_now, range(30))) == {(385, 28)}
    reader.close()


def test_schema_is_versioned_and_migrations_are_idempotent(tmp_path):
    con = duckdb.connect(str(tmp_path / "m.duckdb"))
    assert current_version(con) == 0
    assert migrate(con) == SCHEMA_VERSION
    assert migrate(con) == SCHEMA_VERSION
    rows = con.execute("SELECT version FROM schema_info").fetchall()
    assert [r[0] for r in rows] == list(range(1, SCHEMA_VERSION + 1))


def test_newer_schema_is_refused(tmp_path):
    con = duckdb.connect(str(tmp_path / "m.duckdb"))
    migrate(con)
    con.execute("INSERT INTO schema_info VALUES (?, 'from the future', now()::TIMESTAMP)",
                [SCHEMA_VERSION + 1])
    with pytest.raises(RuntimeError, match="newer than this Sitrep"):
        migrate(con)


def test_ingest_leaves_no_cyclic_garbage_and_restores_the_collector(db_path):
    """The pipeline runs with Python's cyclic collector paused (``_cycle_collector_paused``),
    which is only safe while reading, extracting and writing make no reference cycles:
    anything a collection finds afterwards would have piled up for the whole run."""
    import gc

    gc.collect()
    assert gc.isenabled()
    ingest([SEED_FILE, FAKES_CSV], db_path, workers=1)
    assert gc.isenabled()
    assert gc.collect() == 0


def test_work_units_reach_the_workers_whole(tmp_path):
    """``_Unit`` pickles reports as tuples of their fields: what a worker gets back must be
    equal to what was read, comments and all."""
    import pickle
    from datetime import date, datetime
    from pathlib import Path

    from analytics.ingest import _Unit
    from analytics.models import Comment, Rejection, Report
    from analytics.readers import ReaderOptions

    report = Report("t", ["p1", "p2"], [Comment(["a", "b"], "x", datetime(2020, 1, 2, 3, 4)),
                                        Comment(["c"])], date(2020, 1, 1), "s", "u", "o#row 1",
                    "hint", ["w"])
    unit = _Unit(Path("f.jsonl"), ReaderOptions(), [report], [Rejection("o", "r")])
    assert pickle.loads(pickle.dumps(unit)) == unit
    file_unit = _Unit(tmp_path / "a.txt", ReaderOptions())
    assert pickle.loads(pickle.dumps(file_unit)) == file_unit


def test_preload_builds_what_enrich_would_build_on_first_use():
    """``preload`` leaves every dictionary and the model cached: workers forked afterwards
    inherit them instead of building their own."""
    from analytics.extraction import preload
    from analytics.extraction.actors import default_matcher
    from analytics.extraction.events import load_rules
    from analytics.extraction.places import _governorate_of_capital, load_gazetteer
    from analytics.extraction.sentiment import default_model

    cached = (default_model, default_matcher, load_gazetteer, _governorate_of_capital,
              load_rules)
    for function in cached:
        function.cache_clear()
    preload()
    assert all(function.cache_info().currsize == 1 for function in cached)


def test_dictionaries_are_loaded_before_the_workers_fork(db_path, monkeypatch):
    """With ``fork`` the pool's workers start from the parent's memory: it preloads once."""
    import multiprocessing

    import analytics.ingest as pipeline

    calls = []
    monkeypatch.setattr(pipeline, "preload", lambda: calls.append("preload"))
    ingest([FAKES_CSV], db_path, workers=2)
    forks = multiprocessing.get_context().get_start_method() == "fork"
    assert calls == (["preload"] if forks else [])


def test_reports_enriched_by_a_worker_get_the_facts_enrich_gives(tmp_path):
    """A worker sends rows back column by column (``FactColumns``): the main process's
    reports must end up with the same rows, derived columns and sentiment as ``enrich``."""
    import copy
    import pickle

    from analytics.extraction import enrich
    from analytics.ingest import _apply, _process, _work_units
    from analytics.readers import ReaderOptions
    from analytics.store.writer import FactColumns

    unit = next(_work_units([FAKES_CSV], ReaderOptions()))
    expected = [enrich(copy.deepcopy(report)) for report in unit.reports]
    done = pickle.loads(pickle.dumps(_process(pickle.loads(pickle.dumps(unit)))))
    result = _apply(unit, done)
    assert any(isinstance(rows, FactColumns) for r in result.reports for rows in r.facts.values())
    for got, want in zip(result.reports, expected, strict=True):
        assert {t: list(rows) for t, rows in got.facts.items()} == want.facts
        assert got.derived == want.derived
        assert [(c.sentiment_score, c.sentiment_label) for c in got.comments] == [
            (c.sentiment_score, c.sentiment_label) for c in want.comments]
