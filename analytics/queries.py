"""Every SQL statement the dashboard runs, by name, with bound parameters only.

Pages never hold SQL: they call ``run(reader, "name", filters, **extra)``. The statements are
assembled here, once, at import time, from constant fragments — the filtered-reports,
filtered-events and filtered-comments CTEs that implement ``Filters`` — so a filter means the
same thing on every page. Values always travel as parameters (``$start``, ``$actors``…);
nothing from a user is ever formatted into SQL. Aggregation happens in DuckDB: pages receive
only the rows they draw.

What a filter means:
* dates: a report's publication date; an event's or evacuation's own date;
* governorates / places: reports whose main event is there or whose article names a place
  there; events and evacuations located there (origin or destination);
* actors: reports whose article mentions them; events where they are actor 1 or 2;
  evacuations of that group; comments that mention them;
* event types: events of those types, and reports that have one;
* sources: the outlet of the report, or the source an event is attributed to;
* sentiment: comments scored in the range;
* text: reports whose title or body contains it; events and evacuations whose evidence
  sentence does; comments that contain it.

How they run fast (issue #5): every statement reads the read-side tables that ``publish``
builds into each snapshot (``analytics.store.rollups``: pre-aggregates keyed by an integer
report id, sorted and denormalized copies). A statement is assembled per *set of active
filters* from constant fragments, so DuckDB only plans the conditions in use; values still
travel as parameters. Comment aggregates are precomputed for the default sentiment range
only: with a narrower range, or free text (which applies to comment text), the comment
queries switch to an exact statement over ``ro_comments``. Every statement returns the same
columns and values as the plain SQL over the base tables (``tests/test_rollups.py``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping, Sequence
from functools import cache, lru_cache

import duckdb
import pandas as pd

from analytics.db import Reader
from analytics.filters import SENTIMENT_RANGE, Filters
from analytics.store.rollups import EXTREMES_PER_REPORT, WORD_SEPARATOR

GRAINS = ("day", "week", "month")

# --- filter fragments, one per active filter -------------------------------------------------

# On a report-keyed table aliased ``x`` with columns rid, published, source.
_REPORT_CONDITIONS = {
    "start": "x.published >= $start",
    "end": "x.published <= $end",
    "sources": "list_contains($sources, x.source)",
    "admin1": "x.rid IN (SELECT rid FROM ro_report_admin1 WHERE list_contains($admin1, admin1))",
    "places": "x.rid IN (SELECT rid FROM ro_report_places WHERE list_contains($places, place))",
    "actors": "x.rid IN (SELECT rid FROM ro_report_actors WHERE list_contains($actors, actor))",
    "event_types": "x.rid IN (SELECT rid FROM ro_report_event_types "
    "WHERE list_contains($event_types, event_type))",
    "text": "x.rid IN (SELECT rid FROM memory.main.report_hits "
    "WHERE snapshot = current_database() AND text = $text)",
    # When every chosen governorate / actor has a filter bit (``rollups.FILTER_BITS``), the
    # report's bits replace the semi-join above.
    "admin1_bits": "(x.admin1_bits & $admin1_mask) <> 0",
    "actors_bits": "(x.actor_bits & $actors_mask) <> 0",
}
# Free text containing NUL (the separator in ro_report_text.doc): straight from the base tables.
_REPORT_TEXT_NUL = """x.rid IN (SELECT r.rid FROM ro_reports r JOIN reports t USING (report_id)
    WHERE contains(lower(t.title), $text) UNION SELECT r.rid FROM ro_reports r
    JOIN paragraphs p USING (report_id) WHERE contains(lower(p.text), $text))"""
_EVENT_CONDITIONS = {
    "start": "e.event_date >= $start",
    "end": "e.event_date <= $end",
    "admin1": "list_contains($admin1, e.admin1)",
    "places": "list_contains($places, e.location)",
    "actors": "(list_contains($actors, e.actor1) OR list_contains($actors, e.actor2))",
    "event_types": "list_contains($event_types, e.event_type)",
    "sources": "(list_contains($sources, e.outlet) OR list_contains($sources, e.source))",
    "text": "contains(e.evidence_lc, $text)",
}
_EVACUATION_CONDITIONS = {
    "start": "v.event_date >= $start",
    "end": "v.event_date <= $end",
    "admin1": "(list_contains($admin1, v.origin_admin1) "
    "OR list_contains($admin1, v.destination_admin1))",
    "places": "(list_contains($places, v.origin) OR list_contains($places, v.destination))",
    "actors": "list_contains($actors, v.group_name)",
    "sources": "(list_contains($sources, v.outlet) OR list_contains($sources, v.claimed_by))",
    "text": "contains(v.evidence_lc, $text)",
}
MULTI = ("sources", "admin1", "places", "actors", "event_types")


def active_filters(params: Mapping[str, object]) -> frozenset[str]:
    """Which filters restrict anything: only their fragments go into the statement."""
    on = {k for k in ("start", "end") if params.get(k) is not None}
    on |= {k for k in MULTI if params.get(k)}
    text = str(params.get("text") or "")
    if text:
        on.add("text_nul" if "\x00" in text else "text")
    if (params.get("sent_lo"), params.get("sent_hi")) != SENTIMENT_RANGE:
        on.add("sentiment")
    on |= {f"{k}_bits" for k in ("admin1", "actors")
           if k in on and params.get(f"{k}_mask") is not None}
    if params.get("actor_mask") is not None:  # the profiled actor has a filter bit
        on.add("actor_bit")
    return frozenset(on)


def filter_masks(filters: Filters, bits: Mapping[tuple[str, str], int],
                 actor: object = None) -> dict[str, object]:
    """``admin1_mask``/``actors_mask`` for the chosen governorates and actors when each has a
    filter bit in ``bits`` ((kind, value) -> bit, ``Reader.filter_bits``), else None; and
    ``actor_mask`` for the page's profiled ``actor`` when it has one."""
    masks: dict[str, object] = {}
    if actor and ("actor", actor) in bits:
        masks["actor_mask"] = 1 << bits[("actor", actor)]
    for key, kind, values in (("admin1", "admin1", filters.admin1),
                              ("actors", "actor", filters.actors)):
        found = [bits.get((kind, value)) for value in values]
        masks[f"{key}_mask"] = (sum(1 << b for b in set(found))  # type: ignore[misc]
                                if found and None not in found else None)
    return masks


def _where(conditions: Mapping[str, str], active: frozenset[str], text: bool = True) -> str:
    parts = [sql for key, sql in conditions.items()
             if key in active and (text or key != "text")
             and not (f"{key}_bits" in active and f"{key}_bits" in conditions)]
    if text and "text_nul" in active:
        parts.append(_REPORT_TEXT_NUL if conditions is _REPORT_CONDITIONS
                     else conditions["text"])
    return " AND ".join(parts) or "TRUE"


def _fragments(active: frozenset[str]) -> dict[str, str]:
    """The pieces templates refer to as {R}, {RN}, {FR}, {FE}, {FV}, {WV}, {FC}, {WC}, {AC}."""
    report = _where(_REPORT_CONDITIONS, active)
    report_no_text = _where(_REPORT_CONDITIONS, active, text=False)
    # With free text, the comments are the kept matches themselves (``TEXT_HITS``): no
    # probe of every comment row per statement.
    evacuations = _where(_EVACUATION_CONDITIONS, active)
    comments = (
        "(SELECT * EXCLUDE (snapshot, text) FROM memory.main.comment_hits "
        "WHERE snapshot = current_database() AND text = $text)"
        if active & {"text", "text_nul"} else "ro_comments")
    sentiment = ("AND x.sentiment_score BETWEEN $sent_lo AND $sent_hi"
                 if "sentiment" in active else "AND x.sentiment_score BETWEEN -1 AND 1")
    return {
        "R": report,
        "RN": report_no_text,
        "FR": f"fr AS (SELECT * FROM ro_reports x WHERE {report})",
        "FE": f"fe AS (SELECT *, e.rowid AS erow FROM ro_events e "
              f"WHERE {_where(_EVENT_CONDITIONS, active)})",
        "FV": f"fv AS (SELECT * FROM ro_evacuations v WHERE {evacuations})",
        "WV": evacuations,
        # exact comments: every filter, the sentiment range and the text on the comment
        # (the report's id and title are joined only by the statements that show them)
        "FC": f"""fc AS (
            SELECT x.* FROM {comments} x WHERE {report_no_text} {sentiment})""",
        # the profiled actor's comments (``$actor``): by its bit, else by its comment rows
        "AC": ("(x.mention_bits & $actor_mask) <> 0" if "actor_bit" in active
               else "x.crow IN (SELECT crow FROM ro_comment_mentions WHERE actor = $actor)"),
        # the same conditions on ro_comments itself, text searched in place
        "WC": f"{report_no_text} {sentiment}" + (
            " AND contains(x.text_lc, $text)" if active & {"text", "text_nul"} else ""),
    }


# --- the statements ---------------------------------------------------------------------------

QUERIES: dict[str, str] = {
    # --- filter widgets ----------------------------------------------------------------
    "filter_options": """
        SELECT kind, value, n FROM ro_filter_options ORDER BY kind, n DESC, value
    """,
    "date_span": """
        SELECT first, last FROM ro_date_span
    """,
    # --- overview -----------------------------------------------------------------------
    "overview_totals": """
        WITH {FR}, {FE}, {FV}
        SELECT
            (SELECT count(*) FROM fr)                                   AS reports,
            (SELECT count(*) FROM fe)                                   AS event_mentions,
            (SELECT count(DISTINCT key) FROM fe)                        AS events,
            (SELECT coalesce(sum(people_best), 0) FROM fv)              AS people_evacuated,
            (SELECT coalesce(sum(c_n), 0)::BIGINT FROM fr)              AS comments,
            (SELECT sum(c_sum) / sum(c_n) FROM fr)                      AS mean_sentiment
    """,
    "overview_timeline": """
        WITH {FR}, {FE},
        r AS (SELECT date_trunc($grain, published) AS period, count(*) AS reports
              FROM fr WHERE published IS NOT NULL GROUP BY 1),
        e AS (SELECT date_trunc($grain, event_date) AS period, count(DISTINCT key) AS events
              FROM fe WHERE event_date IS NOT NULL GROUP BY 1)
        SELECT coalesce(r.period, e.period) AS period, coalesce(reports, 0) AS reports,
               coalesce(events, 0) AS events
        FROM r FULL JOIN e ON r.period = e.period ORDER BY period
    """,
    "latest_reports": """
        WITH {FR}
        SELECT report_id, published, title, source, primary_location, primary_admin1,
               n_comments
        FROM fr ORDER BY published DESC NULLS LAST, title, report_id LIMIT $limit
    """,
    # --- events -------------------------------------------------------------------------
    # Distinct events (group keys) are counted in two steps, grouped by key first: DuckDB
    # runs that faster than count(DISTINCT key) over ~400 k event mentions.
    "events_timeline": """
        WITH {FE}
        SELECT period, event_type, count(*) AS events, sum(n)::BIGINT AS mentions
        FROM (SELECT date_trunc($grain, event_date) AS period, event_type, key, count(*) AS n
              FROM fe WHERE event_date IS NOT NULL GROUP BY ALL)
        GROUP BY ALL ORDER BY period, event_type
    """,
    "events_map": """
        WITH {FE}
        SELECT location, admin1, latitude, longitude, event_type, count(*) AS events,
               min(first_date) AS first_date, max(last_date) AS last_date
        FROM (SELECT location, admin1, latitude, longitude, event_type, key,
                     min(event_date) AS first_date, max(event_date) AS last_date
              FROM fe WHERE latitude IS NOT NULL AND longitude IS NOT NULL GROUP BY ALL)
        GROUP BY ALL ORDER BY events DESC, location, admin1, event_type, latitude, longitude
    """,
    # The newest rows picked on narrow columns, then only those read in full (a top-N over
    # ~400 k rows carrying 17 columns costs about twice as much).
    "events_table": """
        WITH {FE},
        top AS (
            SELECT erow FROM fe
            WHERE ($span_start IS NULL OR event_date >= $span_start)
              AND ($span_end IS NULL OR event_date <= $span_end)
              AND (len($pick_locations) = 0 OR list_contains($pick_locations, location))
            ORDER BY event_date DESC NULLS LAST, event_id LIMIT $limit)
        SELECT event_date, date_precision, event_type, sub_event_type, location, admin1,
               actor1, actor2, fatalities, source, evidence, title, report_id, event_id,
               group_id, latitude, longitude
        FROM ro_events WHERE rowid IN (SELECT erow FROM top)
        ORDER BY event_date DESC NULLS LAST, event_id
    """,
    "events_acled": """
        WITH {FE}
        SELECT event_id, event_date, time_precision, event_type, sub_event_type, actor1,
               actor2, admin1, location, latitude, longitude, geo_precision, fatalities,
               source, evidence AS notes, report_id
        FROM fe ORDER BY event_date, event_id
    """,
    # --- evacuations --------------------------------------------------------------------
    # On a ~2,000-row table a statement's fixed cost (parse, plan, pipelines, the DataFrame)
    # is nearly all of its cost: each is one SELECT on ro_evacuations with the filter in
    # its WHERE ({WV}), without the CTE and the subquery that cost ~0.4 ms each.
    "evacuations_over_time": """
        SELECT date_trunc($grain, event_date) AS period,
               sum(coalesce(people_best, 0)) AS people, sum(coalesce(buses, 0)) AS buses,
               count(*) AS evacuations,
               sum(sum(coalesce(people_best, 0))) OVER (ORDER BY period) AS cumulative
        FROM ro_evacuations v WHERE {WV} AND event_date IS NOT NULL
        GROUP BY period ORDER BY period
    """,
    "evacuation_flows": """
        SELECT coalesce(origin, 'unknown') AS origin,
               coalesce(destination, 'unknown') AS destination,
               sum(coalesce(people_best, 0)) AS people, count(*) AS evacuations
        FROM ro_evacuations v WHERE {WV}
        GROUP BY ALL HAVING sum(coalesce(people_best, 0)) > 0
        ORDER BY people DESC, origin, destination
    """,
    "evacuations_table": """
        SELECT event_date, people_low, people_best, people_high, buses, who, group_name,
               origin, origin_admin1, destination, destination_admin1, deal, claimed_by,
               evidence, title, report_id
        FROM ro_evacuations v WHERE {WV}
        ORDER BY event_date DESC NULLS LAST, evacuation_id LIMIT $limit
    """,
    # --- actors (article mentions, counted per report in ro_report_actors) --------------
    "top_actors": """
        SELECT actor, sum(mentions)::BIGINT AS mentions, count(*) AS reports
        FROM ro_report_actors x WHERE {R}
        GROUP BY actor ORDER BY mentions DESC, actor LIMIT $limit
    """,
    "actor_mentions_over_time": """
        SELECT date_trunc($grain, published) AS period, actor,
               sum(mentions)::BIGINT AS mentions
        FROM ro_report_actors x
        WHERE {R} AND published IS NOT NULL AND list_contains($chosen, actor)
        GROUP BY ALL ORDER BY period, actor
    """,
    # Reports naming both actors of a pair, among the top ``limit``: each report's set of
    # top actors as a bit mask, masks counted, then expanded to pairs (no self-join of
    # ~1 M rows). ``limit`` above 62 uses the pair join instead (see _ALTERNATIVES).
    "comention_matrix": """
        WITH m AS (SELECT rid, actor, mentions FROM ro_report_actors x WHERE {R}),
        top AS (SELECT actor FROM m GROUP BY actor ORDER BY sum(mentions) DESC, actor
                LIMIT $limit),
        bits AS (SELECT actor, (row_number() OVER (ORDER BY actor) - 1)::INTEGER AS bit
                 FROM top),
        masks AS (SELECT bit_or((1::BIGINT) << b.bit) AS mask
                  FROM m JOIN bits b USING (actor) GROUP BY m.rid),
        counted AS (SELECT mask, count(*) AS n FROM masks GROUP BY mask)
        SELECT a.actor AS actor_a, b.actor AS actor_b, sum(n)::BIGINT AS reports
        FROM counted, bits a, bits b
        WHERE (mask >> a.bit) & 1 = 1 AND (mask >> b.bit) & 1 = 1
        GROUP BY ALL ORDER BY reports DESC, actor_a, actor_b
    """,
    "actor_profile": """
        SELECT coalesce(sum(mentions), 0)::BIGINT AS mentions, count(*) AS reports,
               min(published) AS first_seen, max(published) AS last_seen,
               (SELECT list(DISTINCT surface ORDER BY surface) FROM ro_actor_surfaces x
                WHERE x.actor = $actor AND {R}) AS surfaces
        FROM ro_report_actors x WHERE x.actor = $actor AND {R}
    """,
    "actor_places": """
        WITH {FE}
        SELECT location, admin1, count(DISTINCT key) AS events
        FROM fe WHERE (actor1 = $actor OR actor2 = $actor) AND location IS NOT NULL
        GROUP BY ALL ORDER BY events DESC, location, admin1 LIMIT 15
    """,
    "actor_events": """
        WITH {FE}
        SELECT event_type,
               count(*) FILTER (WHERE actor1 = $actor) AS as_actor1,
               count(*) FILTER (WHERE actor2 = $actor) AS as_actor2
        FROM fe WHERE actor1 = $actor OR actor2 = $actor GROUP BY ALL ORDER BY event_type
    """,
    # The report filters imply the comment filter's "report mentions one of the actors"
    # (an article mention is a mention), so comment aggregates need only {RN}.
    "actor_comment_sentiment": """
        SELECT coalesce(sum(comments), 0)::BIGINT AS comments,
               sum(s) / sum(comments) AS mean_sentiment,
               coalesce(sum(negative), 0)::BIGINT AS negative,
               coalesce(sum(positive), 0)::BIGINT AS positive
        FROM ro_comment_actors x WHERE x.actor = $actor AND {RN}
    """,
    # --- comments -----------------------------------------------------------------------
    "sentiment_histogram": """
        SELECT bucket, sentiment_label, sum(n)::BIGINT AS comments
        FROM ro_comment_buckets x WHERE {RN}
        GROUP BY ALL ORDER BY bucket, sentiment_label
    """,
    "sentiment_over_time": """
        SELECT date_trunc($grain, day) AS period, sum(s) / sum(n) AS mean_sentiment,
               sum(n)::BIGINT AS comments
        FROM ro_comment_days x WHERE {RN} AND day IS NOT NULL GROUP BY 1 ORDER BY 1
    """,
    "sentiment_per_report": """
        SELECT report_id, title, published, c_sum / c_n AS mean_sentiment, c_n AS comments
        FROM ro_reports x WHERE {RN} AND c_n > 0
        ORDER BY comments DESC, published DESC, report_id LIMIT $limit
    """,
    "sentiment_by_actor": """
        SELECT actor, sum(m_sum) / sum(mentions) AS mean_sentiment,
               sum(mentions)::BIGINT AS comments
        FROM ro_comment_actors x WHERE {RN}
        GROUP BY actor HAVING sum(mentions) >= $min_comments
        ORDER BY comments DESC, actor LIMIT $limit
    """,
    "top_commenters": """
        SELECT author, sum(n)::BIGINT AS comments, sum(s) / sum(n) AS mean_sentiment
        FROM ro_comment_authors x WHERE {RN}
        GROUP BY author ORDER BY comments DESC, author LIMIT $limit
    """,
    # Winners picked by rank on narrow columns, then their text fetched by (side, ord).
    "extreme_comments": """
        WITH picked AS (
            (SELECT side, ord FROM ro_comment_extremes x
             WHERE side = 'most negative' AND {RN} ORDER BY ord LIMIT $limit)
            UNION ALL
            (SELECT side, ord FROM ro_comment_extremes x
             WHERE side = 'most positive' AND {RN} ORDER BY ord LIMIT $limit))
        SELECT side, t.sentiment_score, t.author, t.text, r.title, t.report_id
        FROM picked p JOIN ro_comment_extremes t USING (side, ord)
        JOIN ro_reports r ON r.rid = t.rid
        ORDER BY side, ord
    """,
    # --- reports ------------------------------------------------------------------------
    "search_reports": """
        WITH {FR}
        SELECT report_id, published, title, source, primary_location, n_comments
        FROM fr ORDER BY published DESC NULLS LAST, title, report_id LIMIT $limit
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


def _exact_comments(active: frozenset[str], params: Mapping[str, object]) -> bool:
    """Comment pre-aggregates hold the default sentiment range and no comment-text filter."""
    return bool(active & {"sentiment", "text", "text_nul"})


# Exact statements over detail tables, used when ``when`` says the fast one cannot answer.
_ALTERNATIVES: dict[str, tuple[Callable[[frozenset[str], Mapping[str, object]], bool], str]] = {
    "overview_totals": (lambda active, params: "sentiment" in active, """
        WITH {FR}, {FE}, {FV},
        c AS (SELECT sentiment_score FROM ro_comments x
              WHERE x.rid IN (SELECT rid FROM fr)
                AND x.sentiment_score BETWEEN $sent_lo AND $sent_hi)
        SELECT
            (SELECT count(*) FROM fr)                                   AS reports,
            (SELECT count(*) FROM fe)                                   AS event_mentions,
            (SELECT count(DISTINCT key) FROM fe)                        AS events,
            (SELECT coalesce(sum(people_best), 0) FROM fv)              AS people_evacuated,
            (SELECT count(*) FROM c)                                    AS comments,
            (SELECT avg(sentiment_score) FROM c)                        AS mean_sentiment
    """),
    "comention_matrix": (lambda active, params: int(params["limit"]) > 62, """
        WITH m AS (SELECT rid, actor, mentions FROM ro_report_actors x WHERE {R}),
        top AS (SELECT actor FROM m GROUP BY actor ORDER BY sum(mentions) DESC, actor
                LIMIT $limit),
        pairs AS (SELECT rid, actor FROM m WHERE actor IN (SELECT actor FROM top))
        SELECT a.actor AS actor_a, b.actor AS actor_b, count(*) AS reports
        FROM pairs a JOIN pairs b USING (rid)
        GROUP BY ALL ORDER BY reports DESC, actor_a, actor_b
    """),
    # One statement on ro_comments: the actor's comments by bit or by row ({AC}), the text
    # searched in place (no kept search to fill for the one statement of the Actors page
    # that needs it).
    "actor_comment_sentiment": (_exact_comments, """
        SELECT count(*) AS comments, avg(sentiment_score) AS mean_sentiment,
               count(*) FILTER (WHERE sentiment_label = 'negative') AS negative,
               count(*) FILTER (WHERE sentiment_label = 'positive') AS positive
        FROM ro_comments x WHERE {AC} AND {WC}
    """),
    "sentiment_histogram": (_exact_comments, """
        WITH {FC}
        SELECT floor(sentiment_score * 10) / 10 AS bucket, sentiment_label,
               count(*) AS comments
        FROM fc GROUP BY ALL ORDER BY bucket, sentiment_label
    """),
    "sentiment_over_time": (_exact_comments, """
        WITH {FC}
        SELECT date_trunc($grain, day) AS period, avg(sentiment_score) AS mean_sentiment,
               count(*) AS comments
        FROM fc WHERE day IS NOT NULL GROUP BY 1 ORDER BY 1
    """),
    # The top reports picked before the join to their titles: rid follows (published,
    # report_id), so (published DESC, rid) orders the groups as (published DESC, report_id).
    "sentiment_per_report": (_exact_comments, """
        WITH {FC}
        SELECT r.report_id, r.title, r.published, g.mean_sentiment, g.comments
        FROM (SELECT rid, any_value(published) AS published,
                     avg(sentiment_score) AS mean_sentiment, count(*) AS comments
              FROM fc GROUP BY rid
              ORDER BY comments DESC, published DESC, rid LIMIT $limit) g
        JOIN ro_reports r USING (rid)
        ORDER BY comments DESC, published DESC, report_id
    """),
    "sentiment_by_actor": (_exact_comments, """
        WITH {FC}
        SELECT a.actor, sum(fc.sentiment_score * a.k) / sum(a.k) AS mean_sentiment,
               sum(a.k)::BIGINT AS comments
        FROM fc JOIN ro_comment_mentions a USING (crow)
        GROUP BY a.actor HAVING sum(a.k) >= $min_comments
        ORDER BY comments DESC, a.actor LIMIT $limit
    """),
    "top_commenters": (_exact_comments, """
        WITH {FC}
        SELECT author, count(*) AS comments, avg(sentiment_score) AS mean_sentiment
        FROM fc WHERE author IS NOT NULL GROUP BY author
        ORDER BY comments DESC, author LIMIT $limit
    """),
    # Only comments scored at or beyond the ``limit``-th most extreme score (ties included)
    # are joined to their report for the report_id tie-break: 10 to a few thousand rows
    # instead of every matching comment (300,000 for "killed" at 100,000 reports).
    "extreme_comments": (
        lambda active, params: _exact_comments(active, params)
        or int(params["limit"]) > EXTREMES_PER_REPORT, """
        WITH {FC},
        bounds AS (SELECT list_max(min(sentiment_score, $limit)) AS lo,
                          list_min(max(sentiment_score, $limit)) AS hi FROM fc),
        picked AS (
            (SELECT 'most negative' AS side, crow, position, sentiment_score, title, report_id
             FROM fc JOIN ro_reports USING (rid)
             WHERE sentiment_score <= (SELECT lo FROM bounds)
             ORDER BY sentiment_score, report_id, position LIMIT $limit)
            UNION ALL
            (SELECT 'most positive', crow, position, sentiment_score, title, report_id
             FROM fc JOIN ro_reports USING (rid)
             WHERE sentiment_score >= (SELECT hi FROM bounds)
             ORDER BY sentiment_score DESC, report_id, position LIMIT $limit)),
        c AS (SELECT rowid AS crow, author, text FROM comments
              WHERE rowid IN (SELECT crow FROM picked))
        SELECT side, p.sentiment_score, c.author, c.text, p.title, report_id
        FROM picked p JOIN c USING (crow)
        ORDER BY side, CASE side WHEN 'most negative' THEN p.sentiment_score
                                 ELSE -p.sentiment_score END, report_id, position
    """),
}

# Free-text matches, searched once per (snapshot, text) and kept by the Reader (``memo``):
# a page runs up to eight statements with the same text, and a substring search over every
# comment (900 MB at 100,000 reports) is the single most expensive thing a filter does.
# Statements read the kept rows from ``memory.main.<name>`` (see ``_fragments``).
#
# Reports are found through the word index (``ro_words``/``ro_report_words``): the text is
# split into pieces by the index's own separator. A single piece (no separator) is contained
# in a document exactly when it is contained in one of its words, so the words holding it
# give the answer. With separators, a piece followed by one must end a word, a piece after
# one must start a word, a piece between two must be a word; the reports having every piece
# are candidates, and ``contains`` on just those keeps the answer exact. A text made only of
# separators is searched in full. (Which case applies is decided before the statement runs:
# DuckDB cannot skip a branch on a subquery's value, and would scan every document.)
_REPORT_CANDIDATES = f"""
    WITH need AS (
        SELECT i, p[i] AS piece, len(p) AS n
        FROM (SELECT string_split_regex($text, '{WORD_SEPARATOR}') AS p), range(1, len(p) + 1) r(i)
        WHERE p[i] <> ''),
    w AS (SELECT need.i, v.word FROM need JOIN ro_words v ON CASE
              WHEN n = 1 THEN contains(v.word, piece)
              WHEN i = 1 THEN suffix(v.word, piece)
              WHEN i = n THEN starts_with(v.word, piece)
              ELSE v.word = piece END)
    SELECT x.rid FROM w JOIN ro_report_words x USING (word) GROUP BY x.rid
    HAVING count(DISTINCT w.i) = (SELECT count(*) FROM need)
"""
REPORT_SEARCHES: dict[str, str] = {
    "one word": _REPORT_CANDIDATES,
    "words": f"""
        SELECT rid FROM ro_report_text
        WHERE rid IN ({_REPORT_CANDIDATES}) AND contains(doc, $text)""",
    "separators only": "SELECT rid FROM ro_report_text WHERE contains(doc, $text)",
}


def report_search(pieces: Sequence[str]) -> str:
    """Which ``REPORT_SEARCHES`` statement answers a text split into ``pieces``."""
    if len(pieces) == 1:
        return REPORT_SEARCHES["one word"]
    return REPORT_SEARCHES["words" if any(pieces) else "separators only"]


TEXT_HITS: dict[str, str] = {
    "report_hits": REPORT_SEARCHES["separators only"],
    "comment_hits": "SELECT * EXCLUDE (text_lc, mention_bits) FROM ro_comments "
    "WHERE contains(text_lc, $text)",
}

_SPLITTER_LOCK = threading.Lock()


@cache
def _splitter() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


@lru_cache(maxsize=256)
def split_words(text: str) -> tuple[str, ...]:
    """``text`` cut where the word index cuts documents (``WORD_SEPARATOR``), by DuckDB's own
    function so a search and the index never disagree on a word; kept per text, since every
    statement of a page with a text filter asks."""
    with _SPLITTER_LOCK:
        row = _splitter().execute(
            f"SELECT string_split_regex(?, '{WORD_SEPARATOR}')", [text]).fetchone()
    return tuple(row[0]) if row else ()


def text_searches(sql: str, params: Mapping[str, object]) -> list[tuple[str, str]]:
    """The kept searches (``TEXT_HITS`` table, statement) that ``sql`` reads."""
    out = []
    for table, search in TEXT_HITS.items():
        if f"memory.main.{table}" in sql:
            if table == "report_hits":
                search = report_search(split_words(str(params["text"])))
            out.append((table, search))
    return out


# Extra parameters some queries need, with their defaults.
DEFAULTS: dict[str, object] = {
    "grain": "week", "limit": 50, "chosen": [], "actor": "", "min_comments": 3,
    "span_start": None, "span_end": None, "pick_locations": [], "report_id": "",
    "admin1_mask": None, "actors_mask": None, "actor_mask": None,
}


@cache
def _assemble(template: str, active: frozenset[str]) -> tuple[str, tuple[str, ...]]:
    fragments = _fragments(active)
    sql = re.sub(r"\{(R|RN|FR|FE|FV|WV|FC|WC|AC)\}", lambda m: fragments[m.group(1)], template)
    return sql, tuple(dict.fromkeys(re.findall(r"\$(\w+)", sql)))


def statement(name: str, params: Mapping[str, object]) -> tuple[str, dict[str, object]]:
    """The SQL for ``name`` given every candidate parameter, and the parameters it binds."""
    active = active_filters(params)
    template = QUERIES[name]
    alternative = _ALTERNATIVES.get(name)
    if alternative and alternative[0](active, params):
        template = alternative[1]
    sql, names = _assemble(template, active)
    return sql, {key: params[key] for key in names}


def bind(name: str, filters: Filters | None = None,
         bits: Mapping[tuple[str, str], int] | None = None,
         **extra: object) -> tuple[str, dict[str, object]]:
    """``statement`` for a filter state and a page's extra parameters; with the snapshot's
    filter ``bits``, governorates and actors that have one are filtered by bit."""
    filters = filters or Filters()
    candidates: dict[str, object] = {
        **DEFAULTS, **filters.sql_params(),
        **(filter_masks(filters, bits, extra.get("actor")) if bits else {}), **extra}
    sql, params = statement(name, candidates)
    if params.get("grain") not in (None, *GRAINS):
        raise ValueError(f"grain must be one of {GRAINS}")
    return sql, params


def run(
    reader: Reader, name: str, filters: Filters | None = None, **extra: object
) -> pd.DataFrame:
    """Run the named query with the filters' parameters and ``extra`` bound by name."""
    bits = (reader.filter_bits()
            if (filters and (filters.admin1 or filters.actors)) or extra.get("actor") else None)
    sql, params = bind(name, filters, bits, **extra)
    for table, search in text_searches(sql, params):
        reader.memo(table, search, str(params["text"]))
    return reader.query(sql, params)
