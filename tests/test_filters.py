"""The filter state round-trips through the URL, and bad URLs give notices, not errors."""

from __future__ import annotations

from datetime import date

import pytest

from analytics.filters import Filters

CASES = [
    Filters(),
    Filters(start=date(2018, 3, 1)),
    Filters(end=date(2018, 5, 31)),
    Filters(admin1=("Homs", "Rif Dimashq")),
    Filters(places=("Douma",)),
    Filters(actors=("Hayat Tahrir al-Sham", "Jaish al-Islam")),
    Filters(event_types=("Battles",)),
    Filters(sources=("sana", "reuters")),
    Filters(sentiment=(-0.5, 0.25)),
    Filters(text="chemical attack"),
    Filters(start=date(2018, 3, 1), end=date(2018, 5, 31), admin1=("Homs",),
            actors=("Jaish al-Islam",), sentiment=(-1.0, 0.0), text="douma"),
]


@pytest.mark.parametrize("filters", CASES, ids=lambda f: f.describe())
def test_url_round_trip_is_lossless(filters):
    params = filters.to_query_params()
    again = Filters.from_query_params(params)
    assert again == filters
    assert again.notices == ()
    assert again.to_query_params() == params


def test_defaults_write_nothing():
    assert Filters().to_query_params() == {}
    assert Filters().describe() == "all data"


def test_multi_values_repeat_the_key_like_streamlit_does():
    params = Filters(actors=("A", "B"), sentiment=(-0.5, 0.5)).to_query_params()
    assert params == {"actor": ["A", "B"], "sent": ["-0.5", "0.5"]}


@pytest.mark.parametrize(
    ("params", "notice"),
    [
        ({"from": "2018-13-45"}, "'from'"),
        ({"to": "yesterday"}, "'to'"),
        ({"sent": ["x", "y"]}, "'sent'"),
        ({"sent": ["0.5", "-0.5"]}, "'sent'"),
        ({"sent": "2,3"}, "'sent'"),
        ({"from": "2018-05-01", "to": "2018-01-01"}, "start is after the end"),
        ({"colour": "red"}, "unknown parameter 'colour'"),
        ({"actor": ["", " "]}, "'actor'"),
    ],
)
def test_malformed_parameters_are_dropped_with_a_notice(params, notice):
    filters = Filters.from_query_params({**params, "q": "douma"})
    assert filters.text == "douma"  # the good parameter survives
    assert any(notice in n for n in filters.notices), filters.notices


def test_describe_says_what_is_shown():
    text = Filters(start=date(2018, 3, 1), end=date(2018, 5, 31), admin1=("Homs",),
                   actors=("HTS",)).describe()
    assert text == "2018-03-01 to 2018-05-31; governorates: Homs; actors: HTS"


def test_sql_params_are_plain_values():
    params = Filters(admin1=("Homs",), text="Douma").sql_params()
    assert params["admin1"] == ["Homs"] and params["text"] == "douma"
    assert params["sent_lo"] == -1.0 and params["start"] is None


def test_previous_period_has_the_same_length_just_before():
    march = Filters(start=date(2018, 3, 1), end=date(2018, 3, 31), actors=("HTS",))
    before = march.previous_period(None, None)
    assert (before.start, before.end) == (date(2018, 1, 29), date(2018, 2, 28))
    assert before.actors == ("HTS",)
    open_ended = Filters().previous_period(date(2018, 1, 1), date(2018, 1, 10))
    assert (open_ended.start, open_ended.end) == (date(2017, 12, 22), date(2017, 12, 31))
    assert Filters().previous_period(None, None) is None
