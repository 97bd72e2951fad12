"""Collections (CSV, JSON Lines, Parquet) on the real FA-KES corpus and small real files."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from analytics.models import InputError
from analytics.readers.collections import read_collection
from tests.conftest import FAKES_CSV

LIMIT = 10**8


@pytest.fixture(scope="module")
def fakes():
    return read_collection(FAKES_CSV, LIMIT)


@pytest.fixture(scope="module")
def fakes_frame():
    return pd.read_csv(FAKES_CSV, dtype=str, keep_default_na=False)


def test_fakes_loads_every_row_with_title_source_and_body(fakes, fakes_frame):
    assert len(fakes.reports) == len(fakes_frame) == 384
    assert fakes.rejections == []
    for report, row in zip(fakes.reports, fakes_frame.itertuples(), strict=True):
        assert report.title == row.article_title.strip()
        assert report.source == row.source.strip()
        assert report.body == row.article_content.strip()


def test_fakes_rows_have_distinct_identities_even_with_repeated_ids(fakes, fakes_frame):
    assert fakes_frame["unit_id"].duplicated().any(), "the corpus repeats some unit_ids"
    hints = [r.identity_hint for r in fakes.reports]
    assert len(set(hints)) == len(hints)


def test_fakes_dates_come_from_the_date_column(fakes, fakes_frame):
    first = fakes_frame.iloc[0]["date"]  # M/D/YYYY
    month, day, year = (int(x) for x in first.split("/"))
    assert fakes.reports[0].published == date(year, month, day)


def test_ignoring_the_date_column_takes_the_date_from_the_text(fakes_frame):
    result = read_collection(FAKES_CSV, LIMIT, {"date": ""})
    first = result.reports[0]
    assert first.body.startswith("Wed 05 Apr 2017")
    assert first.published == date(2017, 4, 5)


def test_jsonl_with_comments(tmp_path):
    path = tmp_path / "feed.jsonl"
    rows = [
        {
            "headline": "Shelling in Idlib",
            "text": "Para one.\n\nPara two.",
            "published": "2018-03-02",
            "url": "https://example.org/a",
            "comments": [
                {"author": "Sam", "text": "Terrible news.", "posted_at": "2018-03-02T10:00:00Z"},
                "An anonymous comment",
            ],
        },
        {"headline": "Talks in Astana", "text": "Delegations met.", "published": "2018-03-03"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    result = read_collection(path, LIMIT)
    first, second = result.reports
    assert first.title == "Shelling in Idlib" and first.paragraphs == ["Para one.", "Para two."]
    assert first.url == "https://example.org/a"
    assert [c.author for c in first.comments] == ["Sam", None]
    assert first.comments[0].posted_at.isoformat() == "2018-03-02T10:00:00"
    assert second.published == date(2018, 3, 3) and second.comments == []


def test_parquet_and_explicit_mapping(tmp_path):
    path = tmp_path / "c.parquet"
    pd.DataFrame(
        {"story": ["Clashes near Daraa."], "head": ["Daraa"], "when": ["2016-05-01"]}
    ).to_parquet(path)
    result = read_collection(path, LIMIT, {"body": "story", "title": "head", "published": "when"})
    assert result.reports[0].title == "Daraa"
    assert result.reports[0].published == date(2016, 5, 1)


def test_csv_without_text_column_names_its_columns(tmp_path):
    path = tmp_path / "no_text.csv"
    path.write_text("id,headline,views\n1,Something,3\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"no column holding report text.*id, headline, views"):
        read_collection(path, LIMIT)


def test_mapping_to_a_missing_column_is_an_error(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("text\nhello\n", encoding="utf-8")
    with pytest.raises(InputError, match="no such column"):
        read_collection(path, LIMIT, {"body": "story"})


def test_row_without_text_is_rejected_alone(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("title,body\nA,First body.\nB,\nC,Third body.\n", encoding="utf-8")
    result = read_collection(path, LIMIT)
    assert [r.title for r in result.reports] == ["A", "C"]
    assert len(result.rejections) == 1
    assert result.rejections[0].origin.endswith("#row 2")
    assert "no report text" in result.rejections[0].reason


@pytest.mark.parametrize("value", [
    "2018-04-03", "2018-04-03T10:15:00", "2018-04-03 10:15:00", "2018-04-03T10:15:00Z",
    "2018-04-03T10:15:00+03:00", "2018-04-03T23:30:00-05:00", "2018-04-03T10:15:00.123456",
    "20180403", "April 3, 2018 10:15", "3 Apr 2018", "not a date", "0001-01-01", 1522750500,
])
def test_comment_times_read_like_pandas(value):
    """The ISO fast path gives what ``pd.to_datetime(utc=True)`` gives, as naive UTC."""
    from analytics.readers.collections import _posted_at

    stamp = pd.to_datetime(value, errors="coerce", utc=True)
    expected = None if pd.isna(stamp) else stamp.tz_convert(None).to_pydatetime()
    assert _posted_at(value) == expected
