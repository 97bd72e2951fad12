"""The plain-text reader against the hand-made gold annotation of the seed report."""

from __future__ import annotations

from datetime import date

import pytest

from analytics.models import InputError
from analytics.readers.plaintext import is_display_name, parse_plaintext, read_plaintext
from tests.conftest import SEED_FILE


@pytest.fixture(scope="module")
def seed():
    return read_plaintext(SEED_FILE, max_bytes=10**7).reports[0]


def test_title_and_date_match_gold(seed, gold):
    assert seed.title == gold["report"]["title"]
    assert seed.published == date.fromisoformat(gold["report"]["published"])
    assert seed.warnings == []


def test_body_paragraphs_match_gold(seed, gold):
    assert len(seed.paragraphs) == gold["report"]["body_paragraphs"]
    assert seed.paragraphs[0].startswith(gold["report"]["body_first_words"])
    assert seed.paragraphs[-1].endswith(gold["report"]["body_last_words"])


def test_comments_match_gold_one_by_one(seed, gold):
    items = gold["comments"]["items"]
    assert len(seed.comments) == gold["comments"]["count"] == len(items)
    for comment, expected in zip(seed.comments, items, strict=True):
        assert comment.author == expected["author"], expected
        assert comment.text.startswith(expected["starts"]), expected
        assert len(comment.paragraphs) == expected.get("paragraphs", 1), expected


def test_widget_boilerplate_is_dropped(seed, gold):
    boilerplate = gold["comments"]["boilerplate_dropped"]
    assert all(boilerplate not in c.text for c in seed.comments)
    assert all(boilerplate not in p for p in seed.paragraphs)


def test_comment_text_keeps_the_authors_words(seed):
    raw = SEED_FILE.read_text(encoding="utf-8")
    for comment in seed.comments:
        for paragraph in comment.paragraphs:
            assert paragraph in raw


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Richard M", True),
        ("Eskandar Black", True),
        ("Nice summation.", False),
        ("Hear, hear! Well done!", False),
        ("https://www.youtube.com/watch?v=owbG0YAsb5E", False),
        ("The USA is ISIS.", False),
        ("a line that is far too long to be anybody's display name here", False),
    ],
)
def test_display_name_lines(line, expected):
    assert is_display_name(line) is expected


def test_report_without_comments_or_date():
    report = parse_plaintext("Weekly summary\n\nFighting continued near Idlib.\n\nMore later.")
    assert report.title == "Weekly summary"
    assert report.paragraphs == ["Fighting continued near Idlib.", "More later."]
    assert report.comments == []
    assert report.published is None
    assert report.warnings, "a missing date must be flagged, never invented"


def test_title_only_is_rejected():
    with pytest.raises(InputError, match="no article text"):
        parse_plaintext("Just a title\n\n\n")
