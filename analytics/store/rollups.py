"""Read-side tables built into every published snapshot (never in the master).

The master stays normalized for the writer. A snapshot is read-only, so at publish time we
can afford to precompute what the dashboard's queries would otherwise recompute on every
render over millions of rows (3.6 M comments, 11 M actor mentions at 100,000 reports).

Conventions shared by all ``ro_*`` tables:

* ``rid`` is a dense INTEGER per report, numbered in (published, report_id) order. Joins and
  semi-joins on it are far cheaper than on the 16+ character ``report_id``, and because every
  table is stored sorted on it (or on a date), DuckDB's zone maps skip row groups outside a
  date filter.
* Tables keyed by report carry ``published`` and ``source``, so date and outlet filters apply
  to them directly, without a join to the reports.
* Comment aggregates (``c_n``/``c_sum``, ``ro_comment_*``) cover the comments whose score is in
  the filters' default range ``[-1, 1]``: a narrower sentiment range, or free text applied to
  comment text, is answered exactly from ``ro_comments`` instead (see ``analytics.queries``).

``STATEMENTS`` run in order against the snapshot's catalog, after the copy and before the
snapshot becomes current, so a failure leaves the previous snapshot in place.
"""

from __future__ import annotations

import duckdb

# Bump when a statement changes: readers republish snapshots built by another version.
VERSION = 10

# Most extreme comments kept per report and side; ``extreme_comments`` with a larger limit
# falls back to the exact query.
EXTREMES_PER_REPORT = 5

# What separates words in the free-text index: anything but a letter or a digit (RE2 syntax,
# the same expression splits the searched text in ``queries.TEXT_HITS``).
WORD_SEPARATOR = r"[^\pL\pN]+"

# Governorates and actors that get a bit in ``admin1_bits``/``actor_bits`` (a BIGINT, sign
# bit unused).
FILTER_BITS = 63

STATEMENTS: dict[str, str] = {
    # One row per report with the columns filters and report lists use, lowercased title
    # not needed (it lives in ro_report_text), and the per-report comment count and score
    # sum (default range) that overview_totals and sentiment_per_report add up.
    "ro_reports": """
        CREATE TABLE ro_reports AS
        WITH c AS (
            SELECT report_id, count(*) AS c_n, sum(sentiment_score) AS c_sum
            FROM comments WHERE sentiment_score BETWEEN -1 AND 1 GROUP BY report_id)
        SELECT (row_number() OVER (ORDER BY r.published NULLS LAST, r.report_id))::INTEGER
                   AS rid,
               r.report_id, r.published, r.source, r.title, r.primary_location,
               r.primary_admin1, r.n_comments,
               coalesce(c.c_n, 0)::BIGINT AS c_n, c.c_sum
        FROM reports r LEFT JOIN c USING (report_id)
        ORDER BY rid
    """,
    # Free text over a report: its lowercased title and paragraphs in one string, joined by
    # NUL so a needle without NUL matches exactly when the title or one paragraph contains it.
    # Stored uncompressed: contains() then reads raw bytes, about twice as fast as decoding
    # the compressed strings on every search (the file grows by ~100 MB at 100,000 reports).
    "ro_report_text": """
        CREATE TABLE ro_report_text (rid INTEGER, doc VARCHAR USING COMPRESSION uncompressed);
        INSERT INTO ro_report_text
        WITH p AS (
            SELECT report_id, string_agg(lower(text), chr(0) ORDER BY position) AS body
            FROM paragraphs GROUP BY report_id)
        SELECT r.rid, coalesce(lower(t.title), '') || chr(0) || coalesce(p.body, '') AS doc
        FROM ro_reports r JOIN reports t USING (report_id) LEFT JOIN p USING (report_id)
        ORDER BY r.rid
    """,
    # A word index of ro_report_text, so free text finds reports without reading 170 MB of
    # text per search (see ``queries.TEXT_HITS``). Words are the maximal runs of letters and
    # digits (``WORD_SEPARATOR`` splits them); ``ro_report_words`` lists, per word, the
    # reports that contain it, sorted by word so a lookup reads one or two row groups, and
    # ``ro_words`` is the vocabulary a search scans for the words holding its text. (Word
    # strings, not numbers: the text is split once, and sorted strings compress well. One
    # DISTINCT over the pairs costs a quarter less than de-duplicating each report's list.)
    "ro_report_words": f"""
        CREATE TABLE ro_report_words AS
        SELECT DISTINCT word, rid
        FROM (SELECT rid, unnest(string_split_regex(doc, '{WORD_SEPARATOR}')) AS word
              FROM ro_report_text)
        WHERE word <> ''
        ORDER BY word, rid
    """,
    "ro_words": """
        CREATE TABLE ro_words AS SELECT DISTINCT word FROM ro_report_words ORDER BY word
    """,
    # Governorate filter: a report's primary governorate and those its article names.
    "ro_report_admin1": """
        CREATE TABLE ro_report_admin1 AS
        SELECT DISTINCT r.rid, a.admin1 FROM (
            SELECT report_id, primary_admin1 AS admin1 FROM reports
            WHERE primary_admin1 IS NOT NULL
            UNION
            SELECT report_id, admin1 FROM place_mentions
            WHERE comment_position IS NULL AND admin1 IS NOT NULL
        ) a JOIN ro_reports r USING (report_id)
        ORDER BY r.rid
    """,
    # Place filter: places an article names.
    "ro_report_places": """
        CREATE TABLE ro_report_places AS
        SELECT DISTINCT r.rid, m.place FROM place_mentions m JOIN ro_reports r USING (report_id)
        WHERE m.comment_position IS NULL
        ORDER BY r.rid
    """,
    # Event-type filter on reports.
    "ro_report_event_types": """
        CREATE TABLE ro_report_event_types AS
        SELECT DISTINCT r.rid, e.event_type FROM events e JOIN ro_reports r USING (report_id)
        WHERE e.event_type IS NOT NULL
        ORDER BY r.rid
    """,
    # Filter bits: the 63 governorates and the 63 actors named by the most reports each get a
    # bit, and every report-keyed table carries its report's ``admin1_bits``/``actor_bits``.
    # A governorate or actor filter is then one AND per row instead of a semi-join with a
    # list of report ids (3-4x faster on the comment aggregates). Values without a bit (rarer
    # actors) are filtered through ro_report_admin1/ro_report_actors as before.
    "ro_filter_bits": f"""
        CREATE TABLE ro_filter_bits AS
        SELECT 'admin1' AS kind, admin1 AS value,
               (row_number() OVER (ORDER BY count(*) DESC, admin1) - 1)::INTEGER AS bit
        FROM ro_report_admin1 GROUP BY admin1 QUALIFY bit < {FILTER_BITS}
        UNION ALL
        SELECT 'actor', actor,
               (row_number() OVER (ORDER BY count(DISTINCT report_id) DESC, actor) - 1)::INTEGER
                   AS bit
        FROM actor_mentions WHERE comment_position IS NULL
        GROUP BY actor QUALIFY bit < {FILTER_BITS}
    """,
    "ro_report_bits": """
        CREATE TABLE ro_report_bits AS
        WITH a AS (
            SELECT x.rid, bit_or(1::BIGINT << b.bit) AS bits FROM ro_report_admin1 x
            JOIN ro_filter_bits b ON b.kind = 'admin1' AND b.value = x.admin1 GROUP BY x.rid),
        m AS (
            SELECT r.rid, bit_or(1::BIGINT << b.bit) AS bits
            FROM (SELECT DISTINCT report_id, actor FROM actor_mentions
                  WHERE comment_position IS NULL) x
            JOIN ro_reports r USING (report_id)
            JOIN ro_filter_bits b ON b.kind = 'actor' AND b.value = x.actor GROUP BY r.rid)
        SELECT r.rid, coalesce(a.bits, 0) AS admin1_bits, coalesce(m.bits, 0) AS actor_bits
        FROM ro_reports r LEFT JOIN a USING (rid) LEFT JOIN m USING (rid) ORDER BY r.rid;
        ALTER TABLE ro_reports ADD COLUMN admin1_bits BIGINT DEFAULT 0;
        ALTER TABLE ro_reports ADD COLUMN actor_bits BIGINT DEFAULT 0;
        UPDATE ro_reports SET admin1_bits = b.admin1_bits, actor_bits = b.actor_bits
        FROM ro_report_bits b WHERE ro_reports.rid = b.rid;
    """,
    # Article actor mentions counted per (actor, report): the actor filter and the Actors
    # page (top actors, timeline, co-mentions, profile) read ~0.7 M rows instead of 11 M.
    "ro_report_actors": """
        CREATE TABLE ro_report_actors AS
        SELECT m.actor, r.rid, r.published, r.source, r.admin1_bits, r.actor_bits,
               count(*) AS mentions
        FROM actor_mentions m JOIN ro_reports r USING (report_id)
        WHERE m.comment_position IS NULL
        GROUP BY ALL ORDER BY m.actor, r.rid
    """,
    # The spellings of an actor per report, for the actor profile.
    "ro_actor_surfaces": """
        CREATE TABLE ro_actor_surfaces AS
        SELECT DISTINCT m.actor, r.rid, r.published, r.source, r.admin1_bits, r.actor_bits,
               m.surface
        FROM actor_mentions m JOIN ro_reports r USING (report_id)
        WHERE m.comment_position IS NULL
        ORDER BY m.actor, r.rid
    """,
    # Comments in their exact form for the slow path (sentiment range, free text): integer
    # report key, the day the Comments page plots, the lowercased text (no lower() of 900 MB
    # per query), and ``crow``, the comment's row in ``comments``, so the few comments a page
    # quotes are fetched by row instead of joining every comment. In the order of
    # ``comments``: sorting 3.6 M rows of text doubled the publish time, and joining more
    # columns in here scattered the rows, so the text compressed worse and every search
    # took several times longer.
    "ro_comments": """
        CREATE TABLE ro_comments AS
        SELECT r.rid, c.position, r.published, r.source,
               coalesce(CAST(c.posted_at AS DATE), r.published) AS day,
               c.sentiment_score, c.sentiment_label, c.author, c.rowid AS crow,
               r.admin1_bits, r.actor_bits, lower(c.text) AS text_lc
        FROM comments c JOIN ro_reports r USING (report_id)
    """,
    # Actors named in each comment, keyed by integer report id and by the comment's row
    # ``crow``, with ``k`` the times the comment names the actor (exact path). Grouped here,
    # not per query: DuckDB otherwise pushes a group-by of ~10 M mention rows under the join
    # (6 s at 100,000 reports). One integer key to join on (cheaper than two); sorted by
    # actor, so one actor's rows are a few row groups. Grouped before the joins: a fifth
    # cheaper than joining every mention row first.
    "ro_comment_mentions": """
        CREATE TABLE ro_comment_mentions AS
        WITH m AS (
            SELECT report_id, comment_position AS position, actor, count(*)::INTEGER AS k
            FROM actor_mentions WHERE comment_position IS NOT NULL GROUP BY ALL)
        SELECT c.rid, m.position, c.crow, m.actor, m.k
        FROM m JOIN ro_reports r USING (report_id)
        JOIN ro_comments c ON c.rid = r.rid AND c.position = m.position
        ORDER BY m.actor, c.crow
    """,
    # The bit actors (``ro_filter_bits``) each comment names, from ro_comment_mentions, as a
    # mask in ``ro_comments.mention_bits``: the Actors page's comment sentiment for such an
    # actor, with free text or a sentiment range, is then one scan of ro_comments instead of
    # a semi-join with the actor's comment rows (~1 M for the top actor at 100,000 reports:
    # 73 → 43 ms at p50 with free text). Added by UPDATE (0.8 s in all at 100,000 reports),
    # not by a join in ro_comments, so its rows keep the order of ``comments`` (see above).
    "ro_comment_mention_bits": """
        CREATE TABLE ro_comment_mention_bits AS
        SELECT m.crow, bit_or(1::BIGINT << b.bit) AS mention_bits
        FROM ro_comment_mentions m
        JOIN ro_filter_bits b ON b.kind = 'actor' AND b.value = m.actor
        GROUP BY m.crow;
        ALTER TABLE ro_comments ADD COLUMN mention_bits BIGINT DEFAULT 0;
        UPDATE ro_comments SET mention_bits = b.mention_bits FROM ro_comment_mention_bits b
        WHERE ro_comments.crow = b.crow;
    """,
    # Sentiment histogram: comments per (report, bucket, label).
    "ro_comment_buckets": """
        CREATE TABLE ro_comment_buckets AS
        SELECT rid, published, source, admin1_bits, actor_bits,
               floor(sentiment_score * 10) / 10 AS bucket,
               sentiment_label, count(*) AS n
        FROM ro_comments WHERE sentiment_score BETWEEN -1 AND 1
        GROUP BY ALL ORDER BY rid
    """,
    # Sentiment over time: comments and score sum per (report, day).
    "ro_comment_days": """
        CREATE TABLE ro_comment_days AS
        SELECT rid, published, source, admin1_bits, actor_bits, day, count(*) AS n,
               sum(sentiment_score) AS s
        FROM ro_comments WHERE sentiment_score BETWEEN -1 AND 1
        GROUP BY ALL ORDER BY rid
    """,
    # Top commenters: comments and score sum per (report, author).
    "ro_comment_authors": """
        CREATE TABLE ro_comment_authors AS
        SELECT rid, published, source, admin1_bits, actor_bits, author, count(*) AS n,
               sum(sentiment_score) AS s
        FROM ro_comments WHERE sentiment_score BETWEEN -1 AND 1 AND author IS NOT NULL
        GROUP BY ALL ORDER BY rid
    """,
    # Comment sentiment by actor, per (actor, report): distinct comments that mention the
    # actor (actor profile: count, sum, negative, positive) and mention rows (the Comments
    # page's "by actor" joins mentions, so a comment naming an actor twice counts twice).
    "ro_comment_actors": """
        CREATE TABLE ro_comment_actors AS
        WITH m AS (SELECT rid, position, actor, k FROM ro_comment_mentions)
        SELECT m.actor, c.rid, any_value(c.published) AS published,
               any_value(c.source) AS source, any_value(c.admin1_bits) AS admin1_bits,
               any_value(c.actor_bits) AS actor_bits, count(*) AS comments,
               sum(c.sentiment_score) AS s,
               count(*) FILTER (WHERE c.sentiment_label = 'negative') AS negative,
               count(*) FILTER (WHERE c.sentiment_label = 'positive') AS positive,
               sum(m.k)::BIGINT AS mentions, sum(m.k * c.sentiment_score) AS m_sum
        FROM m JOIN ro_comments c USING (rid, position)
        WHERE c.sentiment_score BETWEEN -1 AND 1
        GROUP BY m.actor, c.rid ORDER BY m.actor, c.rid
    """,
    # Each report's most negative and most positive comments (ties by position): the
    # filtered top N is always among the per-report top N. ``ord`` ranks the candidates of a
    # side in the page's order (score, report_id, position), so the query is an integer
    # top-N on narrow columns, and the winners' text is fetched by (side, ord), which the
    # table's sort order lets DuckDB find without reading every text.
    "ro_comment_extremes": f"""
        CREATE TABLE ro_comment_extremes AS
        WITH ranked AS (
            SELECT c.rid, r.report_id, c.position, c.published, c.source, c.admin1_bits,
                   c.actor_bits, c.sentiment_score, c.author,
                   row_number() OVER (PARTITION BY c.rid ORDER BY c.sentiment_score, c.position)
                       AS neg_rank,
                   row_number() OVER (PARTITION BY c.rid
                                      ORDER BY c.sentiment_score DESC, c.position) AS pos_rank
            FROM ro_comments c JOIN ro_reports r USING (rid)
            WHERE c.sentiment_score BETWEEN -1 AND 1),
        sides AS (
            SELECT 'most negative' AS side,
                   row_number() OVER (ORDER BY sentiment_score, report_id, position) AS ord,
                   * EXCLUDE (neg_rank, pos_rank)
            FROM ranked WHERE neg_rank <= {EXTREMES_PER_REPORT}
            UNION ALL
            SELECT 'most positive',
                   row_number() OVER (ORDER BY sentiment_score DESC, report_id, position),
                   * EXCLUDE (neg_rank, pos_rank)
            FROM ranked WHERE pos_rank <= {EXTREMES_PER_REPORT})
        SELECT s.*, c.text
        FROM sides s JOIN comments c ON c.report_id = s.report_id AND c.position = s.position
        ORDER BY s.side, s.ord
    """,
    # Events with what their filters and tables need from the report and the event group,
    # the distinct-event key and the lowercased evidence, sorted by date.
    "ro_events": """
        CREATE TABLE ro_events AS
        SELECT e.*, r.title, r.source AS outlet, m.group_id,
               coalesce(m.group_id, e.event_id) AS key, lower(e.evidence) AS evidence_lc
        FROM events e
        JOIN reports r USING (report_id)
        LEFT JOIN event_group_members m USING (event_id)
        ORDER BY e.event_date NULLS LAST, e.event_id
    """,
    # Evacuations with their report's title and outlet and the lowercased evidence.
    "ro_evacuations": """
        CREATE TABLE ro_evacuations AS
        SELECT v.*, r.title, r.source AS outlet, lower(v.evidence) AS evidence_lc
        FROM evacuations v JOIN reports r USING (report_id)
        ORDER BY v.event_date NULLS LAST, v.evacuation_id
    """,
    # The sidebar's choices with their counts (the same on every render of a snapshot).
    "ro_filter_options": """
        CREATE TABLE ro_filter_options AS
        SELECT 'admin1' AS kind, admin1 AS value, count(*) AS n FROM place_mentions
            WHERE admin1 IS NOT NULL GROUP BY admin1
        UNION ALL SELECT 'place', place, count(*) FROM place_mentions GROUP BY place
        UNION ALL SELECT 'actor', actor, count(*) FROM actor_mentions GROUP BY actor
        UNION ALL SELECT 'event_type', event_type, count(*) FROM events GROUP BY event_type
        UNION ALL SELECT 'source', source, count(*) FROM reports
            WHERE source IS NOT NULL GROUP BY source
    """,
    # Which read-side tables this snapshot has (see ``analytics.db``: older snapshots are
    # republished on first read).
    "ro_info": f"""
        CREATE TABLE ro_info AS SELECT {VERSION} AS version
    """,
    "ro_date_span": """
        CREATE TABLE ro_date_span AS
        SELECT min(published) AS first, max(published) AS last FROM reports
    """,
}


def build(con: duckdb.DuckDBPyConnection, catalog: str) -> None:
    """Create every ``ro_*`` table inside ``catalog`` (the snapshot being published)."""
    previous = con.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]
    con.execute(f'USE "{catalog}"')  # identifiers: our own catalog names, not input
    try:
        for name in STATEMENTS:  # a republished snapshot may hold another version's tables
            con.execute(f"DROP TABLE IF EXISTS {name}")  # names: constants of this module
        for sql in STATEMENTS.values():
            con.execute(sql)
    finally:
        con.execute(f'USE "{previous}"')
