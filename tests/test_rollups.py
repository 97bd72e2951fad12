"""The read-side tables and rewritten queries give exactly what the plain SQL gives.

``analytics.queries`` reads pre-aggregates built at publish time (``analytics.store.rollups``)
and switches to exact statements for filters those cannot answer. Here every rewritten query
runs next to the straightforward SQL it replaced — kept below as ``REFERENCE``, over the base
tables, and nowhere in the product — on the seed + FA-KES database, for many filter
combinations, and the two results must be the same rows (floats to 1e-9: sums are added in a
different order). Orders are compared too where the reference's order is total.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analytics import queries
from analytics.db import Reader
from analytics.filters import Filters
from analytics.ingest import ingest
from analytics.paths import SEEDS_DIR
from analytics.store import rollups
from analytics.store.rollups import WORD_SEPARATOR
from analytics.store.snapshots import current_snapshot
from tests.conftest import FAKES_CSV

# --- the reference: the statements as they were before the read-side tables -----------------

_REPORT_CONDITIONS = """
    ($start IS NULL OR r.published >= $start)
    AND ($end IS NULL OR r.published <= $end)
    AND (len($sources) = 0 OR list_contains($sources, r.source))
    AND (len($admin1) = 0 OR list_contains($admin1, r.primary_admin1) OR r.report_id IN (
        SELECT report_id FROM place_mentions
        WHERE len($admin1) > 0 AND comment_position IS NULL AND list_contains($admin1, admin1)))
    AND (len($places) = 0 OR r.report_id IN (
        SELECT report_id FROM place_mentions
        WHERE len($places) > 0 AND comment_position IS NULL AND list_contains($places, place)))
    AND (len($actors) = 0 OR r.report_id IN (
        SELECT report_id FROM actor_mentions
        WHERE len($actors) > 0 AND comment_position IS NULL AND list_contains($actors, actor)))
    AND (len($event_types) = 0 OR r.report_id IN (
        SELECT report_id FROM events
        WHERE len($event_types) > 0 AND list_contains($event_types, event_type)))
"""
_REPORT_TEXT = """
    AND ($text = '' OR contains(lower(r.title), $text) OR r.report_id IN (
        SELECT report_id FROM paragraphs WHERE $text <> '' AND contains(lower(text), $text)))
"""
# Reports passing every filter (text included).
FR = f"fr AS (SELECT r.* FROM reports r WHERE {_REPORT_CONDITIONS} {_REPORT_TEXT})"
# Reports passing every filter but the text one (comments apply the text to themselves).
FR_NO_TEXT = f"fr AS (SELECT r.* FROM reports r WHERE {_REPORT_CONDITIONS})"

FE = """
fe AS (
    SELECT e.*, r.title, r.source AS outlet, m.group_id
    FROM events e
    JOIN reports r USING (report_id)
    LEFT JOIN event_group_members m USING (event_id)
    WHERE ($start IS NULL OR e.event_date >= $start)
      AND ($end IS NULL OR e.event_date <= $end)
      AND (len($admin1) = 0 OR list_contains($admin1, e.admin1))
      AND (len($places) = 0 OR list_contains($places, e.location))
      AND (len($actors) = 0 OR list_contains($actors, e.actor1)
           OR list_contains($actors, e.actor2))
      AND (len($event_types) = 0 OR list_contains($event_types, e.event_type))
      AND (len($sources) = 0 OR list_contains($sources, r.source)
           OR list_contains($sources, e.source))
      AND ($text = '' OR contains(lower(e.evidence), $text))
)"""

FV = """
fv AS (
    SELECT v.*, r.title, r.source AS outlet
    FROM evacuations v
    JOIN reports r USING (report_id)
    WHERE ($start IS NULL OR v.event_date >= $start)
      AND ($end IS NULL OR v.event_date <= $end)
      AND (len($admin1) = 0 OR list_contains($admin1, v.origin_admin1)
           OR list_contains($admin1, v.destination_admin1))
      AND (len($places) = 0 OR list_contains($places, v.origin)
           OR list_contains($places, v.destination))
      AND (len($actors) = 0 OR list_contains($actors, v.group_name))
      AND (len($sources) = 0 OR list_contains($sources, r.source)
           OR list_contains($sources, v.claimed_by))
      AND ($text = '' OR contains(lower(v.evidence), $text))
)"""

FC = f"""
{FR_NO_TEXT},
fc AS (
    SELECT c.*, fr.title, fr.published, fr.source,
           coalesce(CAST(c.posted_at AS DATE), fr.published) AS day
    FROM comments c JOIN fr USING (report_id)
    WHERE c.sentiment_score BETWEEN $sent_lo AND $sent_hi
      AND ($text = '' OR contains(lower(c.text), $text))
      AND (len($actors) = 0 OR fr.report_id IN (
          SELECT report_id FROM actor_mentions
          WHERE len($actors) > 0 AND list_contains($actors, actor)))
)"""

FM = f"""
{FR},
fm AS (
    SELECT a.*, fr.published FROM actor_mentions a JOIN fr USING (report_id)
    WHERE a.comment_position IS NULL
)"""

REFERENCE: dict[str, str] = {
    # --- filter widgets ----------------------------------------------------------------
    "filter_options": """
        SELECT 'admin1' AS kind, admin1 AS value, count(*) AS n FROM place_mentions
            WHERE admin1 IS NOT NULL GROUP BY admin1
        UNION ALL SELECT 'place', place, count(*) FROM place_mentions GROUP BY place
        UNION ALL SELECT 'actor', actor, count(*) FROM actor_mentions GROUP BY actor
        UNION ALL SELECT 'event_type', event_type, count(*) FROM events GROUP BY event_type
        UNION ALL SELECT 'source', source, count(*) FROM reports
            WHERE source IS NOT NULL GROUP BY source
        ORDER BY kind, n DESC, value
    """,
    "date_span": """
        SELECT min(published) AS first, max(published) AS last FROM reports
    """,
    # --- overview -----------------------------------------------------------------------
    "overview_totals": f"""
        WITH {FR}, {FE}, {FV}
        SELECT
            (SELECT count(*) FROM fr)                                   AS reports,
            (SELECT count(*) FROM fe)                                   AS event_mentions,
            (SELECT count(DISTINCT coalesce(group_id, event_id)) FROM fe) AS events,
            (SELECT coalesce(sum(people_best), 0) FROM fv)              AS people_evacuated,
            (SELECT count(*) FROM comments c JOIN fr USING (report_id)
                WHERE c.sentiment_score BETWEEN $sent_lo AND $sent_hi)  AS comments,
            (SELECT avg(c.sentiment_score) FROM comments c JOIN fr USING (report_id)
                WHERE c.sentiment_score BETWEEN $sent_lo AND $sent_hi)  AS mean_sentiment
    """,
    "overview_timeline": f"""
        WITH {FR}, {FE},
        r AS (SELECT date_trunc($grain, published) AS period, count(*) AS reports
              FROM fr WHERE published IS NOT NULL GROUP BY 1),
        e AS (SELECT date_trunc($grain, event_date) AS period,
                     count(DISTINCT coalesce(group_id, event_id)) AS events
              FROM fe WHERE event_date IS NOT NULL GROUP BY 1)
        SELECT coalesce(r.period, e.period) AS period, coalesce(reports, 0) AS reports,
               coalesce(events, 0) AS events
        FROM r FULL JOIN e ON r.period = e.period ORDER BY period
    """,
    "latest_reports": f"""
        WITH {FR}
        SELECT report_id, published, title, source, primary_location, primary_admin1,
               n_comments
        FROM fr ORDER BY published DESC NULLS LAST, title LIMIT $limit
    """,
    # --- events -------------------------------------------------------------------------
    "events_timeline": f"""
        WITH {FE}
        SELECT date_trunc($grain, event_date) AS period, event_type,
               count(DISTINCT coalesce(group_id, event_id)) AS events,
               count(*) AS mentions
        FROM fe WHERE event_date IS NOT NULL GROUP BY ALL ORDER BY period, event_type
    """,
    "events_map": f"""
        WITH {FE}
        SELECT location, admin1, latitude, longitude, event_type,
               count(DISTINCT coalesce(group_id, event_id)) AS events,
               min(event_date) AS first_date, max(event_date) AS last_date
        FROM fe WHERE latitude IS NOT NULL AND longitude IS NOT NULL
        GROUP BY ALL ORDER BY events DESC
    """,
    "events_table": f"""
        WITH {FE}
        SELECT event_date, date_precision, event_type, sub_event_type, location, admin1,
               actor1, actor2, fatalities, source, evidence, title, report_id, event_id,
               group_id, latitude, longitude
        FROM fe
        WHERE ($span_start IS NULL OR event_date >= $span_start)
          AND ($span_end IS NULL OR event_date <= $span_end)
          AND (len($pick_locations) = 0 OR list_contains($pick_locations, location))
        ORDER BY event_date DESC NULLS LAST, event_id LIMIT $limit
    """,
    "events_acled": f"""
        WITH {FE}
        SELECT event_id, event_date, time_precision, event_type, sub_event_type, actor1,
               actor2, admin1, location, latitude, longitude, geo_precision, fatalities,
               source, evidence AS notes, report_id
        FROM fe ORDER BY event_date, event_id
    """,
    # --- evacuations --------------------------------------------------------------------
    "evacuations_over_time": f"""
        WITH {FV}, p AS (
            SELECT date_trunc($grain, event_date) AS period,
                   sum(coalesce(people_best, 0)) AS people, sum(coalesce(buses, 0)) AS buses,
                   count(*) AS evacuations
            FROM fv WHERE event_date IS NOT NULL GROUP BY 1)
        SELECT *, sum(people) OVER (ORDER BY period) AS cumulative FROM p ORDER BY period
    """,
    "evacuation_flows": f"""
        WITH {FV}
        SELECT coalesce(origin, 'unknown') AS origin,
               coalesce(destination, 'unknown') AS destination,
               sum(coalesce(people_best, 0)) AS people, count(*) AS evacuations
        FROM fv GROUP BY ALL HAVING sum(coalesce(people_best, 0)) > 0 ORDER BY people DESC
    """,
    "evacuations_table": f"""
        WITH {FV}
        SELECT event_date, people_low, people_best, people_high, buses, who, group_name,
               origin, origin_admin1, destination, destination_admin1, deal, claimed_by,
               evidence, title, report_id
        FROM fv ORDER BY event_date DESC NULLS LAST LIMIT $limit
    """,
    # --- actors -------------------------------------------------------------------------
    "top_actors": f"""
        WITH {FM}
        SELECT actor, count(*) AS mentions, count(DISTINCT report_id) AS reports
        FROM fm GROUP BY actor ORDER BY mentions DESC, actor LIMIT $limit
    """,
    "actor_mentions_over_time": f"""
        WITH {FM}
        SELECT date_trunc($grain, published) AS period, actor, count(*) AS mentions
        FROM fm WHERE published IS NOT NULL AND list_contains($chosen, actor)
        GROUP BY ALL ORDER BY period, actor
    """,
    "comention_matrix": f"""
        WITH {FM},
        top AS (SELECT actor FROM fm GROUP BY actor ORDER BY count(*) DESC, actor
                LIMIT $limit),
        pairs AS (SELECT DISTINCT report_id, actor FROM fm WHERE actor IN (SELECT actor FROM top))
        SELECT a.actor AS actor_a, b.actor AS actor_b, count(*) AS reports
        FROM pairs a JOIN pairs b USING (report_id)
        GROUP BY ALL ORDER BY reports DESC
    """,
    "actor_profile": f"""
        WITH {FM}
        SELECT count(*) AS mentions, count(DISTINCT report_id) AS reports,
               min(published) AS first_seen, max(published) AS last_seen,
               list(DISTINCT surface ORDER BY surface) AS surfaces
        FROM fm WHERE actor = $actor
    """,
    "actor_places": f"""
        WITH {FE}
        SELECT location, admin1, count(DISTINCT coalesce(group_id, event_id)) AS events
        FROM fe WHERE (actor1 = $actor OR actor2 = $actor) AND location IS NOT NULL
        GROUP BY ALL ORDER BY events DESC LIMIT 15
    """,
    "actor_events": f"""
        WITH {FE}
        SELECT event_type,
               count(*) FILTER (WHERE actor1 = $actor) AS as_actor1,
               count(*) FILTER (WHERE actor2 = $actor) AS as_actor2
        FROM fe WHERE actor1 = $actor OR actor2 = $actor GROUP BY ALL ORDER BY event_type
    """,
    "actor_comment_sentiment": f"""
        WITH {FC}
        SELECT count(*) AS comments, avg(sentiment_score) AS mean_sentiment,
               count(*) FILTER (WHERE sentiment_label = 'negative') AS negative,
               count(*) FILTER (WHERE sentiment_label = 'positive') AS positive
        FROM fc WHERE (report_id, position) IN (
            SELECT report_id, comment_position FROM actor_mentions
            WHERE actor = $actor AND comment_position IS NOT NULL)
    """,
    # --- comments -----------------------------------------------------------------------
    "sentiment_histogram": f"""
        WITH {FC}
        SELECT floor(sentiment_score * 10) / 10 AS bucket, sentiment_label,
               count(*) AS comments
        FROM fc GROUP BY ALL ORDER BY bucket
    """,
    "sentiment_over_time": f"""
        WITH {FC}
        SELECT date_trunc($grain, day) AS period, avg(sentiment_score) AS mean_sentiment,
               count(*) AS comments
        FROM fc WHERE day IS NOT NULL GROUP BY 1 ORDER BY 1
    """,
    "sentiment_per_report": f"""
        WITH {FC}
        SELECT report_id, any_value(title) AS title, any_value(published) AS published,
               avg(sentiment_score) AS mean_sentiment, count(*) AS comments
        FROM fc GROUP BY report_id ORDER BY comments DESC, published DESC LIMIT $limit
    """,
    "sentiment_by_actor": f"""
        WITH {FC}
        SELECT a.actor, avg(fc.sentiment_score) AS mean_sentiment, count(*) AS comments
        FROM fc JOIN actor_mentions a
          ON a.report_id = fc.report_id AND a.comment_position = fc.position
        GROUP BY a.actor HAVING count(*) >= $min_comments
        ORDER BY comments DESC LIMIT $limit
    """,
    "top_commenters": f"""
        WITH {FC}
        SELECT author, count(*) AS comments, avg(sentiment_score) AS mean_sentiment
        FROM fc WHERE author IS NOT NULL GROUP BY author
        ORDER BY comments DESC, author LIMIT $limit
    """,
    "extreme_comments": f"""
        WITH {FC}
        (SELECT 'most negative' AS side, sentiment_score, author, text, title, report_id
         FROM fc ORDER BY sentiment_score, report_id, position LIMIT $limit)
        UNION ALL
        (SELECT 'most positive', sentiment_score, author, text, title, report_id
         FROM fc ORDER BY sentiment_score DESC, report_id, position LIMIT $limit)
    """,
    # --- reports ------------------------------------------------------------------------
    "search_reports": f"""
        WITH {FR}
        SELECT report_id, published, title, source, primary_location, n_comments
        FROM fr ORDER BY published DESC NULLS LAST, title LIMIT $limit
    """,
    "report": """
        SELECT report_id, title, published, source, url, origin_file, ingested_at, warnings,
               primary_event_date, primary_date_precision, primary_location, primary_admin1
        FROM reports WHERE report_id = $report_id
    """,
    "report_paragraphs": """
        SELECT position, text FROM paragraphs WHERE report_id = $report_id ORDER BY position
    """,
    "report_comments": """
        SELECT position, author, text, posted_at, sentiment_score, sentiment_label
        FROM comments WHERE report_id = $report_id ORDER BY position
    """,
    "report_mentions": """
        SELECT 'actor' AS kind, surface, actor AS name FROM actor_mentions
            WHERE report_id = $report_id AND comment_position IS NULL
        UNION SELECT 'place', surface, place FROM place_mentions
            WHERE report_id = $report_id AND comment_position IS NULL
    """,
    "report_events": """
        SELECT event_date, date_precision, event_type, sub_event_type, location, actor1,
               actor2, fatalities, source, evidence
        FROM events WHERE report_id = $report_id ORDER BY sentence_index
    """,
    "rejections": """
        SELECT rejected_at, origin, reason FROM rejections ORDER BY rejected_at DESC LIMIT $limit
    """,
}


REFERENCE_DEFAULTS: dict[str, object] = {
    "grain": "week", "limit": 50, "chosen": [], "actor": "", "min_comments": 3,
    "span_start": None, "span_end": None, "pick_locations": [], "report_id": "",
}
REFERENCE["actor_places_all"] = REFERENCE["actor_places"].replace("LIMIT 15", "")
# Reference statements whose ORDER BY is total: the row order must match as well.
ORDERED = {
    "filter_options", "overview_timeline", "events_timeline", "events_table", "events_acled",
    "evacuations_over_time", "top_actors", "actor_mentions_over_time", "actor_events",
    "sentiment_over_time", "top_commenters", "extreme_comments",
}
# Limits large enough that ties at the cut cannot pick different rows.
ALL = 1_000_000


@pytest.fixture(scope="module")
def reader(tmp_path_factory) -> Reader:
    db = tmp_path_factory.mktemp("rollups") / "sitrep.duckdb"
    summary = ingest([FAKES_CSV, SEEDS_DIR], db, workers=2)
    assert summary.ok and summary.added > 300
    r = Reader(db)
    yield r
    r.close()


def _values(reader: Reader, kind: str) -> list[str]:
    options = reader.query("SELECT kind, value FROM ro_filter_options ORDER BY n DESC, value")
    return options[options["kind"] == kind]["value"].dropna().astype(str).tolist()


def _variants(reader: Reader) -> list[Filters]:
    actors, govs = _values(reader, "actor"), _values(reader, "admin1")
    places, types = _values(reader, "place"), _values(reader, "event_type")
    sources = _values(reader, "source")
    return [
        Filters(),
        Filters(start=date(2015, 1, 1), end=date(2016, 6, 30)),
        Filters(start=date(2017, 1, 1)),
        Filters(actors=(actors[0],)),
        Filters(actors=(actors[1], actors[2])),
        Filters(admin1=(govs[0],)),
        Filters(places=(places[0],)),
        Filters(event_types=(types[0],)),
        Filters(sources=(sources[0],)),
        Filters(sentiment=(-0.5, 0.3)),
        Filters(sentiment=(0.0, 1.0)),
        Filters(text="killed"),
        Filters(text="Hospital"),
        Filters(text="no such words anywhere"),
        Filters(start=date(2016, 1, 1), admin1=(govs[1],), actors=(actors[0],)),
        Filters(sources=(sources[0],), event_types=(types[0], types[1]), text="the"),
        Filters(places=(places[1],), sentiment=(-1.0, 0.0), text="a"),
        Filters(end=date(2016, 12, 31), actors=(actors[3],), sentiment=(-0.2, 0.2)),
        # actors beyond the filter bits, alone and with one that has a bit
        Filters(actors=(actors[-1],)),
        Filters(actors=(actors[0], actors[-2]), admin1=(govs[0], govs[-1])),
    ]


def _extras(reader: Reader, name: str) -> list[dict[str, object]]:
    actors = _values(reader, "actor")
    per_actor = [{"actor": actors[0]}, {"actor": actors[5]}, {"actor": "nobody"}]
    return {
        "overview_timeline": [{"grain": g} for g in ("day", "week", "month")],
        "latest_reports": [{"limit": ALL}],
        "events_timeline": [{"grain": "week"}, {"grain": "month"}],
        "events_map": [{}],
        "events_table": [{"limit": ALL},
                         {"limit": ALL, "span_start": date(2016, 1, 1),
                          "span_end": date(2016, 12, 31)}],
        "evacuations_over_time": [{"grain": "week"}],
        "evacuations_table": [{"limit": ALL}],
        "top_actors": [{"limit": ALL}],
        "actor_mentions_over_time": [{"grain": "week", "chosen": actors[:5]},
                                     {"grain": "month", "chosen": []}],
        "comention_matrix": [{"limit": 12}, {"limit": 70}],
        "actor_profile": per_actor,
        "actor_places": [{"actor": actors[0]}],
        "actor_events": per_actor,
        "actor_comment_sentiment": per_actor,
        "sentiment_over_time": [{"grain": "week"}, {"grain": "day"}],
        "sentiment_per_report": [{"limit": ALL}],
        "sentiment_by_actor": [{"limit": ALL, "min_comments": 1}, {"limit": ALL}],
        "top_commenters": [{"limit": ALL}],
        "extreme_comments": [{"limit": 5}, {"limit": 3}, {"limit": 20}],
        "search_reports": [{"limit": ALL}],
    }.get(name, [{}])


def _reference(reader: Reader, name: str, filters: Filters, extra: dict) -> pd.DataFrame:
    sql = REFERENCE[name]
    candidates = {**REFERENCE_DEFAULTS, **filters.sql_params(), **extra}
    used = dict.fromkeys(re.findall(r"\$(\w+)", sql))
    return reader.query(sql, {key: candidates[key] for key in used})


def _canonical(frame: pd.DataFrame, ordered: bool) -> pd.DataFrame:
    frame = frame.copy()
    for column in frame.columns:  # lists (surfaces) compare as tuples
        if frame[column].dtype == object:
            frame[column] = frame[column].map(
                lambda v: tuple(v) if hasattr(v, "__len__") and not isinstance(v, str) else v)
    if not ordered:
        frame = frame.sort_values(list(frame.columns), na_position="last", kind="stable")
    return frame.reset_index(drop=True)


ROLLUP_QUERIES = [name for name in REFERENCE if name in queries.QUERIES
                  and not name.startswith("report") and name != "rejections"]


@pytest.mark.parametrize("name", ROLLUP_QUERIES)
def test_query_matches_the_plain_sql(reader: Reader, name: str) -> None:
    checked = 0
    for filters in _variants(reader):
        for extra in _extras(reader, name):
            expected = _reference(reader, name, filters, extra)
            if name == "actor_places":  # a fixed LIMIT 15 cutting ties: cut by the new order
                expected = _reference(reader, "actor_places_all", filters, extra).sort_values(
                    ["events", "location", "admin1"], ascending=[False, True, True],
                    na_position="last", kind="stable").head(15)
            got = queries.run(reader, name, filters, **extra)
            ordered = name in ORDERED
            pd.testing.assert_frame_equal(
                _canonical(got, ordered), _canonical(expected, ordered),
                check_exact=False, rtol=1e-9, obj=f"{name} {filters.describe()} {extra}")
            checked += len(expected)
    assert checked > 0, f"{name}: every combination was empty, the test proves nothing"


def test_limits_cut_the_same_ordered_rows(reader: Reader) -> None:
    """With the pages' limits, results are the head of the full, deterministically ordered
    result (the rewritten statements break the reference's ties by key)."""
    for name, limit in (("top_actors", 20), ("sentiment_per_report", 15),
                        ("sentiment_by_actor", 15), ("top_commenters", 15),
                        ("latest_reports", 15), ("search_reports", 50)):
        for filters in _variants(reader)[:6]:
            full = queries.run(reader, name, filters, limit=ALL)
            cut = queries.run(reader, name, filters, limit=limit)
            pd.testing.assert_frame_equal(cut, full.head(limit), obj=name)


def test_fast_and_exact_paths_are_both_taken() -> None:
    """The comment queries use pre-aggregates only when those can answer."""
    fast, _ = queries.bind("sentiment_histogram", Filters(actors=("x",)))
    ranged, _ = queries.bind("sentiment_histogram", Filters(sentiment=(-0.5, 0.5)))
    text, _ = queries.bind("sentiment_histogram", Filters(text="x"))
    assert "ro_comment_buckets" in fast
    assert "ro_comments" in ranged and "memory.main.comment_hits" in text
    sql, params = queries.bind("top_actors", Filters(start=date(2016, 1, 1)), limit=5)
    assert set(params) == {"start", "limit"} and "$start" in sql


def test_publish_builds_every_read_table(reader: Reader) -> None:
    tables = set(reader.query(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = "
        "current_database()")["table_name"])
    assert set(rollups.STATEMENTS) <= tables


def test_a_failed_build_keeps_the_previous_snapshot(tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "sitrep.duckdb"
    assert ingest([SEEDS_DIR], db, workers=1).added == 1
    before = current_snapshot(db)
    monkeypatch.setitem(rollups.STATEMENTS, "broken", "CREATE TABLE ro_x AS SELECT nope")
    with pytest.raises(Exception, match="nope"):
        ingest([FAKES_CSV], db, workers=1)
    assert current_snapshot(db) == before
    assert not list(before.parent.glob("*.tmp*"))


def test_a_snapshot_without_read_tables_is_republished_on_first_read(tmp_path: Path) -> None:
    """Snapshots published by an older Sitrep lack the ``ro_*`` tables: the Reader publishes
    the snapshot again (from the snapshot, not the master) and reads the new one."""
    db = tmp_path / "sitrep.duckdb"
    assert ingest([SEEDS_DIR], db, workers=1).added == 1
    legacy = current_snapshot(db)
    con = duckdb.connect(str(legacy))
    for name in rollups.STATEMENTS:
        con.execute(f"DROP TABLE {name}")
    con.close()
    reader = Reader(db)
    try:
        totals = queries.run(reader, "overview_totals")
        assert int(totals["reports"].iloc[0]) == 1
        assert current_snapshot(db) != legacy
    finally:
        reader.close()


def test_kept_text_searches_stay_exact(reader: Reader) -> None:
    """Free-text matches are searched once per (snapshot, text) and kept: after more texts
    than the Reader keeps, and after ``forget``, every answer still equals the reference."""
    from analytics.db import MEMO_KEYS

    words = ["syria", "aleppo", "killed", "army", "the", "rebels", "damascus", "said",
             "attack", "government", "russia"]
    assert len(words) > MEMO_KEYS
    for word in [*words, *words[:3]]:
        filters = Filters(text=word)
        for name in ("search_reports", "sentiment_histogram"):
            expected = _reference(reader, name, filters, {"limit": ALL})
            got = queries.run(reader, name, filters, limit=ALL)
            pd.testing.assert_frame_equal(
                _canonical(got, False), _canonical(expected, False),
                check_exact=False, rtol=1e-9, obj=f"{name} {word}")
    kept = reader.query("SELECT count(DISTINCT text) AS n FROM memory.main.comment_hits")
    assert 0 < int(kept["n"].iloc[0]) <= MEMO_KEYS
    assert len(reader._memo["comment_hits"]) == MEMO_KEYS
    reader.forget()
    assert reader.query("SELECT count(*) AS n FROM memory.main.report_hits")["n"].iloc[0] == 0


# Texts that exercise every branch of the word-index search: inside a word, whole words,
# several words, punctuation and spaces at either end, only separators, digits, non-ASCII
# letters, a separator the index splits on inside a word (al-nusra), no match at all.
TRICKY_TEXTS = [
    "ill", "killed", "aleppo", "hayat tahrir", "al-nusra", " douma", "douma ", " the ",
    "syria,", "--", " ", ".", "2016", "16 ", "é", "ة", "civilians were", "said that the",
    "tahrir al", "x y z", "no-such-thing", "’s",
]


@pytest.mark.parametrize("text", TRICKY_TEXTS)
def test_text_search_through_the_word_index_is_exact(reader: Reader, text: str) -> None:
    """The reports the word index finds are exactly those whose title or body contains the
    text (plain substring search over the base tables)."""
    reader.forget()
    filters = Filters(text=text)
    expected = _reference(reader, "search_reports", filters, {"limit": ALL})
    got = queries.run(reader, "search_reports", filters, limit=ALL)
    assert sorted(got["report_id"]) == sorted(expected["report_id"]), text


def test_word_index_holds_every_word_of_every_report(reader: Reader) -> None:
    """Each report's distinct words are in ``ro_report_words``: a word the index misses
    would silently drop reports from a search."""
    missing = reader.query(f"""
        SELECT count(*) AS n FROM (
            SELECT DISTINCT rid, unnest(string_split_regex(doc, '{WORD_SEPARATOR}')) AS word
            FROM ro_report_text) t
        WHERE word <> '' AND NOT EXISTS (
            SELECT 1 FROM ro_report_words x JOIN ro_words v USING (word)
            WHERE x.rid = t.rid AND v.word = t.word)""")
    assert int(missing["n"].iloc[0]) == 0
    words = reader.query("SELECT count(*) AS n FROM ro_words")
    assert int(words["n"].iloc[0]) > 1000


def test_governorates_and_actors_filter_by_bit_when_they_have_one(reader: Reader) -> None:
    """The frequent values filter by bit, the rest by their report list; both are exact
    (``test_query_matches_the_plain_sql`` covers values of each kind)."""
    bits = reader.filter_bits()
    actors = _values(reader, "actor")
    assert len(actors) > rollups.FILTER_BITS  # the test corpus has rarer actors too
    with_bit = [a for a in actors if ("actor", a) in bits]
    without = [a for a in actors if ("actor", a) not in bits]
    assert len(with_bit) == rollups.FILTER_BITS and without
    fast, params = queries.bind("top_actors", Filters(actors=(with_bit[0],)), bits)
    assert "actor_bits &" in fast and params["actors_mask"] == 1 << bits[("actor", with_bit[0])]
    slow, params = queries.bind("top_actors", Filters(actors=(with_bit[0], without[0])), bits)
    assert "actor_bits" not in slow and "ro_report_actors WHERE list_contains" in slow


def test_profiled_actor_comments_by_bit_equal_those_by_comment_rows(reader: Reader) -> None:
    """The Actors page's comment sentiment with free text or a sentiment range finds the
    actor's comments by its bit in ``ro_comments.mention_bits`` when it has one: the same
    counts and mean as through its comment rows in ``ro_comment_mentions``."""
    bits = reader.filter_bits()
    with_bit = [a for a in _values(reader, "actor") if ("actor", a) in bits][:6]
    found = 0
    for filters in (Filters(text="the"), Filters(sentiment=(-0.5, 0.9)),
                    Filters(text="a", start=date(2016, 1, 1))):
        for actor in with_bit:
            by_bit, bit_params = queries.bind("actor_comment_sentiment", filters, bits,
                                              actor=actor)
            assert "mention_bits &" in by_bit
            assert bit_params["actor_mask"] == 1 << bits[("actor", actor)]
            by_rows, row_params = queries.bind("actor_comment_sentiment", filters, actor=actor)
            assert "ro_comment_mentions" in by_rows and "mention_bits" not in by_rows
            got, expected = reader.query(by_bit, bit_params), reader.query(by_rows, row_params)
            pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-9,
                                          obj=f"{actor} {filters.describe()}")
            found += int(expected["comments"].iloc[0])
    assert found > 0, "no actor's comment matched: the comparison proves nothing"
