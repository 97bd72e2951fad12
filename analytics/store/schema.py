"""The DuckDB schema, versioned, and the migrations that bring any older database up to date.

Each migration is a numbered SQL script applied once, in order, inside one transaction with
the update of ``schema_info``; a database written by an older Sitrep is upgraded the first
time a newer one opens it for writing. Never edit a released migration: add the next one.

Tables carry no PRIMARY KEY constraints on purpose: the writer replaces a report by deleting
and re-inserting its rows in one transaction, and uniqueness of ``report_id`` is guaranteed
by the writer (see ``analytics.store.writer``), which keeps bulk loads fast.
The column reference is in README.md ("Data model").
"""

from __future__ import annotations

import duckdb

MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "reports, paragraphs, comments, rejections, ingest runs; room for extraction tables",
        """
        CREATE TABLE reports (
            report_id      VARCHAR NOT NULL,   -- sha256 of identity_key, 16 hex chars
            identity_key   VARCHAR NOT NULL,   -- url:… / row:file#id / doc:title|date / file:name
            content_hash   VARCHAR NOT NULL,   -- decides added / replaced / unchanged
            title          VARCHAR,
            published      DATE,               -- NULL when the report's date is unknown
            source         VARCHAR,
            url            VARCHAR,
            origin_file    VARCHAR NOT NULL,
            ingested_at    TIMESTAMP NOT NULL, -- UTC
            n_paragraphs   INTEGER NOT NULL,
            n_comments     INTEGER NOT NULL,
            body_chars     INTEGER NOT NULL,
            warnings       VARCHAR             -- reader warnings, '; '-separated, or NULL
        );
        CREATE TABLE paragraphs (
            report_id      VARCHAR NOT NULL,
            position       INTEGER NOT NULL,   -- 1-based order in the article
            text           VARCHAR NOT NULL
        );
        CREATE TABLE comments (
            report_id       VARCHAR NOT NULL,
            position        INTEGER NOT NULL,  -- 1-based order under the report
            author          VARCHAR,           -- NULL for anonymous comments
            text            VARCHAR NOT NULL,  -- paragraphs joined by a blank line
            posted_at       TIMESTAMP,         -- when the page gives it
            sentiment_score DOUBLE,            -- -1..1 (VADER compound)
            sentiment_label VARCHAR,           -- negative / neutral / positive
            sentiment_model VARCHAR
        );
        CREATE TABLE rejections (
            run_id         VARCHAR NOT NULL,
            origin         VARCHAR NOT NULL,   -- file, or file#row N
            reason         VARCHAR NOT NULL,
            rejected_at    TIMESTAMP NOT NULL
        );
        CREATE TABLE ingest_runs (
            run_id         VARCHAR NOT NULL,
            started_at     TIMESTAMP NOT NULL,
            finished_at    TIMESTAMP,
            paths          VARCHAR NOT NULL,
            files_read     INTEGER,
            added          INTEGER,
            replaced       INTEGER,
            unchanged      INTEGER,
            comments       INTEGER,
            rejected       INTEGER
        );
        -- Extraction tables: filled by the extraction step, in the same transaction as the
        -- report they come from. Every fact keeps the sentence it came from.
        CREATE TABLE events (
            event_id        VARCHAR NOT NULL,
            report_id       VARCHAR NOT NULL,
            event_date      DATE,
            time_precision  VARCHAR,           -- day / week / month / year / unknown
            event_type      VARCHAR,           -- ACLED event_type
            sub_event_type  VARCHAR,           -- ACLED sub_event_type
            actor1          VARCHAR,
            actor2          VARCHAR,
            admin1          VARCHAR,
            location        VARCHAR,
            latitude        DOUBLE,
            longitude       DOUBLE,
            geo_precision   INTEGER,
            fatalities      INTEGER,
            source          VARCHAR,           -- who the text says claimed it
            evidence        VARCHAR NOT NULL,  -- the sentence
            confidence      DOUBLE
        );
        CREATE TABLE evacuations (
            evacuation_id      VARCHAR NOT NULL,
            report_id          VARCHAR NOT NULL,
            event_date         DATE,
            time_precision     VARCHAR,
            people_low         INTEGER,
            people_best        INTEGER,
            people_high        INTEGER,
            buses              INTEGER,
            who                VARCHAR,
            group_name         VARCHAR,
            origin             VARCHAR,
            origin_admin1      VARCHAR,
            destination        VARCHAR,
            destination_admin1 VARCHAR,
            deal               VARCHAR,
            claimed_by         VARCHAR,
            evidence           VARCHAR NOT NULL
        );
        CREATE TABLE actor_mentions (
            report_id          VARCHAR NOT NULL,
            comment_position   INTEGER,        -- NULL when the mention is in the article
            sentence           VARCHAR NOT NULL,
            surface            VARCHAR NOT NULL,
            actor              VARCHAR NOT NULL -- canonical actor name
        );
        CREATE TABLE place_mentions (
            report_id          VARCHAR NOT NULL,
            comment_position   INTEGER,
            sentence           VARCHAR NOT NULL,
            surface            VARCHAR NOT NULL,
            place              VARCHAR NOT NULL,
            admin1             VARCHAR,
            latitude           DOUBLE,
            longitude          DOUBLE
        );
        """,
    ),
    (
        2,
        "extraction: report's main event, ACLED precision codes, event groups",
        """
        ALTER TABLE reports ADD COLUMN primary_event_date DATE;
        ALTER TABLE reports ADD COLUMN primary_date_precision VARCHAR;
        ALTER TABLE reports ADD COLUMN primary_location VARCHAR;
        ALTER TABLE reports ADD COLUMN primary_admin1 VARCHAR;
        ALTER TABLE reports ADD COLUMN primary_latitude DOUBLE;
        ALTER TABLE reports ADD COLUMN primary_longitude DOUBLE;
        ALTER TABLE events ADD COLUMN sentence_index INTEGER;
        ALTER TABLE events ADD COLUMN date_precision VARCHAR;
        ALTER TABLE events ALTER time_precision TYPE INTEGER;  -- ACLED: 1 day, 2 week, 3 month+
        ALTER TABLE events ADD COLUMN places VARCHAR;           -- every place the sentence names
        ALTER TABLE evacuations ADD COLUMN date_precision VARCHAR;
        ALTER TABLE evacuations ALTER time_precision TYPE INTEGER;
        ALTER TABLE evacuations ADD COLUMN origin_latitude DOUBLE;
        ALTER TABLE evacuations ADD COLUMN origin_longitude DOUBLE;
        ALTER TABLE evacuations ADD COLUMN destination_latitude DOUBLE;
        ALTER TABLE evacuations ADD COLUMN destination_longitude DOUBLE;
        ALTER TABLE evacuations ADD COLUMN sentence_indexes VARCHAR;
        ALTER TABLE actor_mentions ADD COLUMN sentence_index INTEGER;
        ALTER TABLE place_mentions ADD COLUMN sentence_index INTEGER;
        -- Distinct events: mentions of the same type, place and a few days apart, across
        -- reports and outlets, grouped. Rebuilt from `events` after every ingest.
        CREATE TABLE event_groups (
            group_id        VARCHAR NOT NULL,
            event_type      VARCHAR,
            sub_event_type  VARCHAR,
            location        VARCHAR,
            admin1          VARCHAR,
            latitude        DOUBLE,
            longitude       DOUBLE,
            first_date      DATE,
            last_date       DATE,
            mentions        INTEGER,
            reports         INTEGER,
            sources         VARCHAR,           -- '; '-separated outlets and claimed sources
            fatalities      INTEGER            -- the highest figure any mention gives
        );
        CREATE TABLE event_group_members (
            group_id        VARCHAR NOT NULL,
            event_id        VARCHAR NOT NULL
        );
        """,
    ),
]

SCHEMA_VERSION = MIGRATIONS[-1][0]

# Every table that holds rows of a report; replacing a report clears all of them.
REPORT_TABLES = (
    "reports",
    "paragraphs",
    "comments",
    "events",
    "evacuations",
    "actor_mentions",
    "place_mentions",
)
EXPORTABLE_TABLES = (*REPORT_TABLES, "event_groups", "rejections", "ingest_runs")


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version of an open database (0 for a new, empty file)."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_info'"
    ).fetchone()
    if not exists or not exists[0]:
        return 0
    row = con.execute("SELECT max(version) FROM schema_info").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply every migration newer than the database; returns the resulting version."""
    version = current_version(con)
    if version > SCHEMA_VERSION:
        raise RuntimeError(
            f"database schema v{version} is newer than this Sitrep (v{SCHEMA_VERSION}); "
            "upgrade Sitrep"
        )
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_info "
        "(version INTEGER NOT NULL, description VARCHAR, applied_at TIMESTAMP NOT NULL)"
    )
    for number, description, sql in MIGRATIONS:
        if number <= version:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute(
                "INSERT INTO schema_info VALUES (?, ?, now()::TIMESTAMP)", [number, description]
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        version = number
    return version
