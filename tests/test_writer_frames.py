"""The writer's frames: built column-wise, equal to pandas' list-of-dicts frames."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

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


def test_fact_rows_of_one_shape_and_of_several_give_pandas_own_frames():
    batch = [
        _report(0, {"events": [{"a": 1, "b": "x"}, {"a": 2, "b": None}],
                    "evacuations": [{"p": 1.0}]}),
        _report(1, {"events": [{"a": 3, "b": "y"}],
                    "evacuations": [{"p": None, "q": "extra"}]}),  # a new column
        _report(2, {"events": [], "evacuations": [{"q": "z", "p": 2.0}]}),  # other order
        _report(3, {"events": [{"report_id": "kept?", "a": 4, "b": "w"}]}),  # own report_id
    ]
    frames = _frames(batch, datetime(2026, 1, 1))
    for table in ("events", "evacuations"):
        pd.testing.assert_frame_equal(frames[table], _expected(batch, table), check_exact=True)
    assert list(frames["events"]["report_id"]) == ["r0", "r0", "r1", "r3"]
    assert frames["paragraphs"]["position"].tolist() == [1, 2] * 4
    assert frames["comments"]["sentiment_model"].notna().all()
    assert frames["reports"]["primary_latitude"].tolist() == [1.5] * 4


def test_fact_rows_that_bring_their_own_report_id_get_the_reports():
    batch = [_report(0, {"events": [{"report_id": "own", "a": 1}]}),
             _report(1, {"events": [{"report_id": "own", "a": 2}]})]
    frames = _frames(batch, datetime(2026, 1, 1))
    pd.testing.assert_frame_equal(frames["events"], _expected(batch, "events"), check_exact=True)
    assert frames["events"]["report_id"].tolist() == ["r0", "r1"]
