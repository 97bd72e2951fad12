"""Export any table for use elsewhere: CSV, JSON Lines or Parquet, chosen by extension.

Reads the published snapshot (so an export works while an ingest is running), or the
master file read-only when nothing was published yet. The table name is checked against
the schema's list before it is used.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

import pandas as pd

from analytics.db import NoData, Reader
from analytics.store.schema import EXPORTABLE_TABLES

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}

# Tables that outside tools read by contract (README, "Export contract"): fixed columns first,
# in ACLED's names where ACLED has one, then Sitrep's extra columns.
CONTRACTS: dict[str, str] = {
    "events": """
        SELECT event_id, event_date, time_precision, event_type, sub_event_type, actor1,
               actor2, admin1, location, latitude, longitude, fatalities, source,
               evidence AS notes, report_id, date_precision, geo_precision, places, confidence,
               sentence_index
        FROM events ORDER BY event_date, event_id
    """,
    "evacuations": """
        SELECT event_date, people_best AS people, buses, group_name AS "group", origin,
               origin_admin1, destination, destination_admin1, claimed_by, evidence, report_id,
               evacuation_id, time_precision, date_precision, people_low, people_high, who,
               deal, origin_latitude, origin_longitude, destination_latitude,
               destination_longitude, sentence_indexes
        FROM evacuations ORDER BY event_date, evacuation_id
    """,
    "reports": """
        SELECT report_id, title, published, source, url, primary_event_date, primary_location,
               primary_admin1, primary_date_precision, primary_latitude, primary_longitude,
               origin_file, ingested_at, n_paragraphs, n_comments, body_chars, warnings,
               identity_key, content_hash
        FROM reports ORDER BY published, report_id
    """,
}


class ExportError(Exception):
    pass


def export_table(db: Path, table: str, out: Path | None, stdout: TextIO) -> int:
    """Write ``table`` to ``out`` (or CSV to ``stdout``); returns the number of rows."""
    if table not in EXPORTABLE_TABLES:
        raise ExportError(f"unknown table {table!r} (tables: {', '.join(EXPORTABLE_TABLES)})")
    fmt = "csv" if out is None else FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise ExportError(f"{out}: unknown format; use one of {', '.join(FORMATS)}")
    frame = read_table(db, table)
    if out is None:
        frame.to_csv(stdout, index=False)
    elif fmt == "csv":
        frame.to_csv(out, index=False)
    elif fmt == "jsonl":
        frame.to_json(out, orient="records", lines=True, date_format="iso", force_ascii=False)
    else:
        frame.to_parquet(out, index=False)
    return len(frame)


def read_table(db: Path, table: str) -> pd.DataFrame:
    reader = Reader(db)
    try:
        # table is one of EXPORTABLE_TABLES (checked by the caller)
        return reader.query(CONTRACTS.get(table, f"SELECT * FROM {table}"))
    except NoData as error:
        raise ExportError(str(error)) from error
    finally:
        reader.close()
