"""The writer's frames: built column-wise (Arrow), storing what pandas' list-of-dicts frames
would store."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pandas as pd
import pyarrow as pa

from analytics.models import Comment, Report
from analytics.store.writer import PreparedReport, _frames


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
