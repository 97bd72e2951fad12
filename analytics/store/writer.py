"""The only code that writes the master database.

A batch of reports is written in one transaction: the old rows of every report in it are
deleted from every report table, then the new rows are inserted from DataFrames (DuckDB
reads them column-wise, orders of magnitude faster than row-by-row inserts). If the
transaction fails, nothing of it is kept; the pipeline then retries report by report, so
one bad report cannot take the others down with it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from analytics.extraction.sentiment import default_model
from analytics.identity import content_hash, identity_key, report_id
from analytics.models import Rejection, Report
from analytics.store.schema import REPORT_TABLES, migrate


@dataclass
class PreparedReport:
    """A report with its id and content hash worked out (done in worker processes)."""

    report: Report
    report_id: str
    identity_key: str
    content_hash: str

    @classmethod
    def of(cls, report: Report) -> PreparedReport:
        return cls(report, report_id(report), identity_key(report), content_hash(report))


class Store:
    """A read-write connection to the master database, migrated to the current schema."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.con = duckdb.connect(str(path))
        migrate(self.con)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def stored_hashes(self, ids: Iterable[str]) -> dict[str, str]:
        """Content hashes of the reports among ``ids`` that are already stored."""
        rows = self.con.execute(
            "SELECT report_id, content_hash FROM reports WHERE report_id IN (SELECT unnest(?))",
            [list(ids)],
        ).fetchall()
        return dict(rows)

    def write(self, batch: list[PreparedReport]) -> None:
        """Replace-or-insert every report of ``batch`` in one transaction (all or nothing)."""
        if not batch:
            return
        frames = _frames(batch, datetime.now(UTC).replace(tzinfo=None))
        ids = [p.report_id for p in batch]
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            for table in REPORT_TABLES:
                # table names come from the schema's constant list, never from input
                con.execute(
                    f"DELETE FROM {table} WHERE report_id IN (SELECT unnest(?))", [ids]
                )
            for table, frame in frames.items():
                if frame.empty:
                    continue
                con.register("_incoming", frame)
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _incoming")
                con.unregister("_incoming")
            con.execute("COMMIT")
        except Exception:
            # Unregistering inside the aborted transaction would raise "Current transaction
            # is aborted" and hide the real error (the reason the user sees): roll back first.
            con.execute("ROLLBACK")
            with contextlib.suppress(duckdb.Error):
                con.unregister("_incoming")
            raise

    def rebuild_event_groups(self, window_days: int = 3) -> None:
        """Group event mentions of the same type and place within ``window_days`` of each
        other (chained) into distinct events, across reports and outlets."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.execute("DELETE FROM event_group_members")
            self.con.execute("DELETE FROM event_groups")
            self.con.execute(EVENT_GROUPING, {"window": window_days})
            self.con.execute(
                "INSERT INTO event_group_members SELECT group_id, event_id FROM _grouped"
            )
            self.con.execute(
                """
                INSERT INTO event_groups
                SELECT group_id, any_value(event_type), any_value(sub_event_type),
                       any_value(location), any_value(admin1), any_value(latitude),
                       any_value(longitude), min(event_date), max(event_date), count(*),
                       count(DISTINCT report_id),
                       string_agg(DISTINCT coalesce(outlet, source), '; '),
                       max(fatalities)
                FROM _grouped GROUP BY group_id
                """
            )
            self.con.execute("DROP TABLE _grouped")
            self.con.execute("COMMIT")
        except Exception:
            self.con.execute("ROLLBACK")
            raise

    def record_rejections(self, run_id: str, rejections: list[Rejection]) -> None:
        if not rejections:
            return
        self.con.executemany(
            "INSERT INTO rejections VALUES (?, ?, ?, now()::TIMESTAMP)",
            [[run_id, r.origin, r.reason] for r in rejections],
        )

    def start_run(self, run_id: str, paths: list[str]) -> None:
        self.con.execute(
            "INSERT INTO ingest_runs (run_id, started_at, paths) VALUES (?, now()::TIMESTAMP, ?)",
            [run_id, "\n".join(paths)],
        )

    def finish_run(self, run_id: str, counts: dict[str, int]) -> None:
        self.con.execute(
            "UPDATE ingest_runs SET finished_at = now()::TIMESTAMP, files_read = ?, added = ?, "
            "replaced = ?, unchanged = ?, comments = ?, rejected = ? WHERE run_id = ?",
            [
                counts["files_read"],
                counts["added"],
                counts["replaced"],
                counts["unchanged"],
                counts["comments"],
                counts["rejected"],
                run_id,
            ],
        )


EVENT_GROUPING = """
CREATE TEMP TABLE _grouped AS
WITH keyed AS (
    SELECT e.*, r.source AS outlet, coalesce(e.location, e.admin1) AS place_key
    FROM events e JOIN reports r USING (report_id)
),
flagged AS (
    SELECT *,
        CASE WHEN event_date IS NULL OR place_key IS NULL THEN 1
             WHEN event_date - lag(event_date) OVER w > $window THEN 1
             WHEN lag(event_date) OVER w IS NULL THEN 1
             ELSE 0 END AS starts_group
    FROM keyed
    WINDOW w AS (PARTITION BY event_type, sub_event_type, place_key ORDER BY event_date, event_id)
),
numbered AS (
    SELECT *, sum(starts_group) OVER (
        PARTITION BY event_type, sub_event_type, place_key ORDER BY event_date, event_id
        ROWS UNBOUNDED PRECEDING) AS n
    FROM flagged
)
SELECT *, left(md5(CASE WHEN event_date IS NULL OR place_key IS NULL THEN event_id
          ELSE concat_ws('|', event_type, sub_event_type, place_key, n) END), 16) AS group_id
FROM numbered
"""


def _frames(batch: list[PreparedReport], now: datetime) -> dict[str, pd.DataFrame]:
    """Column-wise rows of every table for a batch of reports.

    Columns are gathered as lists and handed to pandas as such: building a frame from a list
    of dicts costs pandas a dict lookup per cell, most of the main process's time per report.
    """
    model_name = default_model().name
    reports = _Columns()
    paragraphs: dict[str, list[object]] = {"report_id": [], "position": [], "text": []}
    comments: dict[str, list[object]] = {
        key: [] for key in ("report_id", "position", "author", "text", "posted_at",
                            "sentiment_score", "sentiment_label", "sentiment_model")
    }
    facts: dict[str, _Columns] = {}
    for p in batch:
        r = p.report
        reports.add(
            {
                "report_id": p.report_id,
                "identity_key": p.identity_key,
                "content_hash": p.content_hash,
                "title": r.title,
                "published": r.published,
                "source": r.source,
                "url": r.url,
                "origin_file": r.origin,
                "ingested_at": now,
                "n_paragraphs": len(r.paragraphs),
                "n_comments": len(r.comments),
                "body_chars": sum(len(t) for t in r.paragraphs),
                "warnings": "; ".join(r.warnings) or None,
                **r.derived,
            }
        )
        n = len(r.paragraphs)
        paragraphs["report_id"] += [p.report_id] * n
        paragraphs["position"] += range(1, n + 1)
        paragraphs["text"] += r.paragraphs
        n = len(r.comments)
        comments["report_id"] += [p.report_id] * n
        comments["position"] += range(1, n + 1)
        comments["author"] += [c.author for c in r.comments]
        comments["text"] += [c.text for c in r.comments]
        comments["posted_at"] += [c.posted_at for c in r.comments]
        comments["sentiment_score"] += [c.sentiment_score for c in r.comments]
        comments["sentiment_label"] += [c.sentiment_label for c in r.comments]
        comments["sentiment_model"] += [
            model_name if c.sentiment_score is not None else None for c in r.comments
        ]
        for table, rows in r.facts.items():
            if table not in REPORT_TABLES:
                raise ValueError(f"unknown fact table {table!r}")
            facts.setdefault(table, _Columns()).extend(rows, p.report_id)
    frames = {
        "reports": reports.frame(),
        "paragraphs": pd.DataFrame(paragraphs) if paragraphs["text"] else pd.DataFrame(),
        "comments": pd.DataFrame(comments) if comments["text"] else pd.DataFrame(),
    }
    frames.update({table: columns.frame() for table, columns in facts.items()})
    return frames


class _Columns:
    """Rows given as dicts, kept as one list per column while every row has the same keys in
    the same order (then the frame is built from the columns); rows that differ fall back to
    pandas' list-of-dicts path, which fills what a row lacks with NaN as before."""

    def __init__(self) -> None:
        self.keys: tuple[str, ...] | None = None
        self.columns: list[list[object]] = []
        self.rows: list[dict[str, object]] | None = None  # set once rows differ
        self.count = 0

    def add(self, row: dict[str, object]) -> None:
        self._extend([row], None)

    def extend(self, rows: list[dict[str, object]], report_id: str) -> None:
        """Add fact rows with the report's id as their last column."""
        self._extend(rows, report_id)

    def _extend(self, rows: list[dict[str, object]], report_id: str | None) -> None:
        if not rows:
            return
        self.count += len(rows)
        if self.rows is None:
            shapes = set(map(tuple, rows))
            keys = shapes.pop() if len(shapes) == 1 else None
            if keys is not None and (report_id is None or "report_id" not in keys):
                if report_id is not None:
                    keys = (*keys, "report_id")
                if self.keys is None:
                    self.keys = keys
                    self.columns = [[] for _ in keys]
                if keys == self.keys:
                    # transposed in C: one list per column
                    values = zip(*(row.values() for row in rows), strict=True)
                    for column, column_values in zip(self.columns, values, strict=False):
                        column.extend(column_values)
                    if report_id is not None:
                        self.columns[-1].extend([report_id] * len(rows))
                    return
            self.rows = self._as_rows()
        if report_id is None:
            self.rows.extend(rows)
        else:
            self.rows.extend({**row, "report_id": report_id} for row in rows)

    def _as_rows(self) -> list[dict[str, object]]:
        if self.keys is None:
            return []
        keys = self.keys
        return [dict(zip(keys, values, strict=True))
                for values in zip(*self.columns, strict=True)]

    def frame(self) -> pd.DataFrame:
        if self.rows is not None or not self.count:
            return pd.DataFrame(self.rows or [])
        assert self.keys is not None
        return pd.DataFrame(dict(zip(self.keys, self.columns, strict=True)))
