"""The only code that writes the master database.

A batch of reports is written in one transaction: the old rows of every report in it are
deleted from every report table, then the new rows are inserted from DataFrames (DuckDB
reads them column-wise, orders of magnitude faster than row-by-row inserts). If the
transaction fails, nothing of it is kept; the pipeline then retries report by report, so
one bad report cannot take the others down with it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Container, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path
from typing import overload

import duckdb
import pandas as pd
import pyarrow as pa

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


class FactColumns(Sequence[dict[str, object]]):
    """One table's rows of one report, held column by column: a read-only sequence of the
    same row dicts, in order.

    Workers send the rows of their reports this way (``FactColumns.of``): a dict per row
    pickled, unpickled and then taken apart again by the writer's frames was most of what
    the main process did with them. Here the worker transposes once, the pickle is ~15 %
    smaller, the main process unpickles it in half the time, and ``_frames`` joins the
    columns of a batch as they are (~0.2 ms less CPU per benchmark report in all)."""

    __slots__ = ("columns", "names")

    def __init__(self, names: tuple[str, ...], columns: tuple[Sequence[object], ...]) -> None:
        self.names = names
        self.columns = columns

    @classmethod
    def of(cls, rows: list[dict[str, object]]) -> FactColumns | list[dict[str, object]]:
        """The rows as columns when they all have the same keys in the same order (as the
        extractors write them), else the rows themselves."""
        if not rows:
            return rows
        names = tuple(rows[0])
        if not names or any(tuple(row) != names for row in rows):
            return rows
        return cls(names, tuple(zip(*(row.values() for row in rows), strict=True)))

    def __len__(self) -> int:
        return len(self.columns[0])

    @overload
    def __getitem__(self, index: int) -> dict[str, object]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, object]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, object] | list[dict[str, object]]:
        if isinstance(index, slice):
            return list(self)[index]
        return dict(zip(self.names, [column[index] for column in self.columns], strict=True))

    def __iter__(self) -> Iterator[dict[str, object]]:
        names = self.names
        return (dict(zip(names, values, strict=True)) for values in zip(*self.columns, strict=True))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to lists, which are unhashable

    def __repr__(self) -> str:
        return f"FactColumns({list(self)!r})"

    def __reduce__(self) -> tuple[object, ...]:
        return FactColumns, (self.names, self.columns)


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

    def write(self, batch: list[PreparedReport], stored: Container[str] | None = None) -> None:
        """Replace-or-insert every report of ``batch`` in one transaction (all or nothing).

        ``stored``: which of the batch's reports are already in the database (as
        ``stored_hashes`` tells), when the caller knows; only their old rows are looked for
        and deleted. A report's rows are written and deleted together, so one that is not
        stored has none: a fresh ingest then deletes nothing instead of scanning every report
        table once per batch (which grows with the database)."""
        if not batch:
            return
        frames = _frames(batch, datetime.now(UTC).replace(tzinfo=None))
        ids = [p.report_id for p in batch if stored is None or p.report_id in stored]
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            for table in REPORT_TABLES if ids else ():
                # table names come from the schema's constant list, never from input
                con.execute(
                    f"DELETE FROM {table} WHERE report_id IN (SELECT unnest(?))", [ids]
                )
            for table, frame in frames.items():
                if len(frame) == 0:
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
                       string_agg(DISTINCT coalesce(outlet, source), '; '
                                  ORDER BY coalesce(outlet, source)),
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


Frame = pa.Table | pd.DataFrame


def _frames(batch: list[PreparedReport], now: datetime) -> dict[str, Frame]:
    """Column-wise rows of every table for a batch of reports, as Arrow tables.

    Paragraphs and comments are gathered as one list per column, and rows of one shape are
    transposed (``_frame``) before Arrow sees them: Arrow types a column of
    Python values in C, where pandas costs a dict lookup per cell of a list of dicts and
    then a second conversion of every string column. Rows of mixed shapes, or values Arrow
    cannot type, get pandas' own frame, as before.
    """
    model_name = default_model().name
    reports: list[dict[str, object]] = []
    paragraphs: dict[str, list[object]] = {"report_id": [], "position": [], "text": []}
    comments: dict[str, list[object]] = {
        key: [] for key in ("report_id", "position", "author", "text", "posted_at",
                            "sentiment_score", "sentiment_label", "sentiment_model")
    }
    facts: dict[str, list[tuple[Sequence[dict[str, object]], str]]] = {}
    for p in batch:
        r = p.report
        reports.append(
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
            facts.setdefault(table, []).append((rows, p.report_id))
    frames: dict[str, Frame] = {
        "reports": _frame(reports),
        "paragraphs": _arrow(paragraphs) if paragraphs["text"] else pd.DataFrame(),
        "comments": _arrow(comments) if comments["text"] else pd.DataFrame(),
    }
    frames.update({table: _fact_frame(parts) for table, parts in facts.items()})
    return frames


def _fact_frame(parts: list[tuple[Sequence[dict[str, object]], str]]) -> Frame:
    """One table's frame from each report's rows: their columns joined as they are when
    every report sent ``FactColumns`` of one shape, else ``_frame`` of all the rows."""
    parts = [(rows, report_id) for rows, report_id in parts if len(rows)]
    first = parts[0][0] if parts else None
    if isinstance(first, FactColumns) and "report_id" not in first.names and all(
        isinstance(rows, FactColumns) and rows.names == first.names for rows, _ in parts
    ):
        columns: dict[str, list[object]] = {
            name: list(chain.from_iterable(rows.columns[i] for rows, _ in parts))  # type: ignore[attr-defined]
            for i, name in enumerate(first.names)
        }
        columns["report_id"] = [rid for rows, rid in parts for _ in range(len(rows))]
        return _arrow(columns)
    rows_of = [row for rows, _ in parts for row in rows]
    return _frame(rows_of, [rid for rows, rid in parts for _ in range(len(rows))])


def _frame(rows: list[dict[str, object]], report_ids: list[str] | None = None) -> Frame:
    """``pd.DataFrame(rows)`` (each row given its report's id, if ``report_ids``), as an Arrow
    table when every row has the same keys in the same order (the usual case: one extractor
    writes them all): the rows are then transposed in C and handed over as columns, without
    a new dict per row."""
    keys = list(rows[0]) if rows else []
    uniform = (keys and (report_ids is None or "report_id" not in keys)
               and all(list(row) == keys for row in rows))
    if not uniform:
        if report_ids is not None:
            rows = [{**row, "report_id": rid} for row, rid in zip(rows, report_ids, strict=True)]
        return pd.DataFrame(rows)
    columns = dict(zip(keys, map(list, zip(*(row.values() for row in rows), strict=True)),
                       strict=True))
    if report_ids is not None:
        columns["report_id"] = report_ids
    return _arrow(columns)


def _arrow(columns: dict[str, list[object]]) -> Frame:
    """An Arrow table of the columns; pandas' frame if a column mixes types Arrow cannot put
    in one column (DuckDB then reads it the way it always did). NaN counts as missing, as
    it does in a pandas frame."""
    try:
        return pa.table({name: pa.array(values, from_pandas=True)
                         for name, values in columns.items()})
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pd.DataFrame(columns)
