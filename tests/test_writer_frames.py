"""The writer's frames: built column-wise (Arrow), storing what pandas' list-of-dicts frames
would store."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pandas as pd
import pyarrow as pa

from analytics.models import Comment, Report
from analytics.store.writer import FactColumns, PreparedReport, _frames


def _report(n: int, facts: dict[str, list[dict[str, object]]]) -> PreparedReport:
    report = Report(title=f"t{n}", paragraphs=["a", "b"], published=date(2018, 1, n + 1),
                    comments=[Comment(["c"], sentiment_score=0.5, sentiment_label="positive")],
                    facts=facts, derived={"primary_location": None, "primary_latitude": 1.5})
    return PreparedReport(report, f"r{n}", f"k{n}", f"h{n}")


def _expected(batch: list[PreparedReport], table: str) -> pd.DataFrame:
    return pd.DataFrame([{**row, "report_id": p.report_id}
                         for p in batch for row in p.report.facts.get(table, [])])


def _stored(frame: pa.Table | pd.DataFrame) -> list[tuple[object, ...]]:
    """The rows DuckDB reads from a frame, columns by name, in order."""
    con = duckdb.connect()
    con.register("_frame", frame)
    names = sorted(con.execute("SELECT * FROM _frame LIMIT 0").fetchdf().columns)
    select = ", ".join(f'"{name}"' for name in names)
    return [tuple(row) for row in con.execute(f"SELECT {select} FROM _frame").fetchall()]


def test_fact_rows_of_one_shape_and_of_several_store_what_pandas_frames_store():
    batch = [
        _report(0, {"events": [{"a": 1, "b": "x"}, {"a": 2, "b": None}],
                    "evacuations": [{"p": 1.0}], "actor_mentions": [{"s": "x", "n": None}]}),
        _report(1, {"events": [{"a": 3, "b": "y"}],
                    "evacuations": [{"p": None, "q": "extra"}],  # a new column
                    "actor_mentions": [{"s": "y", "n": 2.5}]}),
        _report(2, {"events": [], "evacuations": [{"q": "z", "p": 2.0}],  # other order
                    "actor_mentions": [{"s": "z", "n": float("nan")}]}),  # NaN is missing
        _report(3, {"events": [{"report_id": "kept?", "a": 4, "b": "w"}]}),  # own report_id
    ]
    frames = _frames(batch, datetime(2026, 1, 1))
    for table in ("events", "evacuations", "actor_mentions"):
        assert _stored(frames[table]) == _stored(_expected(batch, table)), table
    assert isinstance(frames["actor_mentions"], pa.Table)  # one shape: no pandas
    assert _stored(frames["events"])[-1][-1] == "r3"
    assert frames["paragraphs"]["position"].to_pylist() == [1, 2] * 4
    assert all(frames["comments"]["sentiment_model"].to_pylist())
    assert frames["reports"]["primary_latitude"].to_pylist() == [1.5] * 4


def test_fact_rows_that_bring_their_own_report_id_get_the_reports():
    batch = [_report(0, {"events": [{"report_id": "own", "a": 1}]}),
             _report(1, {"events": [{"report_id": "own", "a": 2}]})]
    frames = _frames(batch, datetime(2026, 1, 1))
    assert _stored(frames["events"]) == _stored(_expected(batch, "events"))
    assert _stored(frames["events"]) == [(1, "r0"), (2, "r1")]


def test_a_column_arrow_cannot_type_gets_pandas_frame():
    batch = [_report(0, {"events": [{"a": 1}]}), _report(1, {"events": [{"a": "one"}]})]
    frames = _frames(batch, datetime(2026, 1, 1))
    assert isinstance(frames["events"], pd.DataFrame)
    assert frames["events"]["a"].tolist() == [1, "one"]


def test_fact_columns_are_the_rows_they_were_made_of():
    import pickle

    rows = [{"a": 1, "b": "x"}, {"a": 2, "b": None}, {"a": 3, "b": "z"}]
    columns = FactColumns.of([dict(row) for row in rows])
    assert isinstance(columns, FactColumns)
    assert columns.columns == ((1, 2, 3), ("x", None, "z"))
    assert columns == rows and list(columns) == rows and len(columns) == 3
    assert columns[1] == rows[1] and columns[-1] == rows[-1] and columns[1:] == rows[1:]
    assert pickle.loads(pickle.dumps(columns)) == rows
    assert FactColumns.of([]) == []
    mixed = [{"a": 1, "b": "x"}, {"b": "y", "a": 2}]  # same keys, another order: kept as rows
    assert FactColumns.of(mixed) is mixed


def test_fact_columns_store_what_the_same_rows_store():
    """Reports whose rows came as ``FactColumns`` (from workers) store what the rows store,
    also next to reports with plain rows, rows of another shape, or their own report_id."""
    tables = [
        {"events": [{"a": 1, "b": "x"}, {"a": 2, "b": None}], "actor_mentions": [{"s": "x"}]},
        {"events": [{"a": 3, "b": "y"}], "actor_mentions": [], "evacuations": [{"p": 1.0}]},
        {"events": [{"a": 4, "b": "w"}], "evacuations": [{"q": "z", "p": 2.0}]},
        {"events": [{"b": "v", "a": 5}], "evacuations": [{"report_id": "own", "p": 3.0}]},
    ]
    as_rows = [_report(n, facts) for n, facts in enumerate(tables)]
    for shapes in (tables[:3], tables):
        as_columns = [_report(n, {t: FactColumns.of(rows) for t, rows in facts.items()})
                      for n, facts in enumerate(shapes)]
        half = as_columns[:1] + as_rows[1:len(shapes)]
        for batch in (as_columns, half):
            frames = _frames(batch, datetime(2026, 1, 1))
            expected = _frames(as_rows[:len(shapes)], datetime(2026, 1, 1))
            for table in ("events", "evacuations", "actor_mentions"):
                assert _stored(frames[table]) == _stored(expected[table]), table
    columns_only = [_report(n, {t: FactColumns.of(rows) for t, rows in facts.items()})
                    for n, facts in enumerate(tables[:2])]
    assert isinstance(_frames(columns_only, datetime(2026, 1, 1))["events"], pa.Table)


def test_write_replaces_the_reports_said_to_be_stored_and_adds_the_others(tmp_path):
    """``Store.write(batch, stored)`` deletes old rows only of the reports in ``stored``: a
    replaced report keeps no row of its old version, a new one is simply added."""
    from analytics.store.writer import Store

    with Store(tmp_path / "w.duckdb") as store:
        store.write([_report(0, {})], stored=set())
        new, other = _report(0, {}), _report(1, {})
        new.report.paragraphs = ["new"]
        store.write([new, other], stored=store.stored_hashes(["r0", "r1"]))
        paragraphs = store.con.execute(
            "SELECT report_id, text FROM paragraphs ORDER BY 1, 2").fetchall()
        reports = store.con.execute("SELECT report_id FROM reports ORDER BY 1").fetchall()
    assert paragraphs == [("r0", "new"), ("r1", "a"), ("r1", "b")]
    assert reports == [("r0",), ("r1",)]
