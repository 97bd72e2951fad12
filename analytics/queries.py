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
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

import pandas as pd

from analytics.db import Reader
from analytics.filters import Filters

GRAINS = ("day", "week", "month")

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

QUERIES: dict[str, str] = {
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

# Extra parameters some queries need, with their defaults.
DEFAULTS: dict[str, object] = {
    "grain": "week", "limit": 50, "chosen": [], "actor": "", "min_comments": 3,
    "span_start": None, "span_end": None, "pick_locations": [], "report_id": "",
}


@cache
def parameters(name: str) -> tuple[str, ...]:
    """The named parameters a query uses."""
    return tuple(dict.fromkeys(re.findall(r"\$(\w+)", QUERIES[name])))


def run(
    reader: Reader, name: str, filters: Filters | None = None, **extra: object
) -> pd.DataFrame:
    """Run the named query with the filters' parameters and ``extra`` bound by name."""
    sql = QUERIES[name]
    candidates: Mapping[str, object] = {**DEFAULTS, **(filters or Filters()).sql_params(), **extra}
    params = {key: candidates[key] for key in parameters(name)}
    if params.get("grain") not in (None, *GRAINS):
        raise ValueError(f"grain must be one of {GRAINS}")
    return reader.query(sql, params)
