"""Reader for collections: CSV / TSV, JSON Lines and Parquet files with one report per row.

Columns are found by their common names (``title``/``article_title``, ``body``/``text``/
``content``/``article_content``, ``date``/``published``, ``source``, ``url``, an id column)
or mapped explicitly (``--map body=story``; ``--map date=`` ignores a column). A row without
text is rejected on its own; a file without any text column is rejected as a whole, with the
columns it does have, so the user can write the right ``--map``.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from analytics.extraction.dates import parse_date_value, report_date
from analytics.models import Comment, InputError, ReadResult, Rejection, Report
from analytics.readers.decoding import decode, read_bytes

FIELDS: dict[str, tuple[str, ...]] = {
    "body": ("body", "text", "content", "article_content", "article_text", "article", "full_text",
             "story", "maintext"),
    "title": ("title", "article_title", "headline", "heading"),
    "published": ("published", "date", "published_at", "publish_date", "pubdate",
                  "date_published", "datetime", "timestamp", "time"),
    "source": ("source", "publisher", "outlet", "site", "source_name", "site_name", "domain"),
    "url": ("url", "link", "article_url", "permalink", "href"),
    "id": ("id", "unit_id", "article_id", "guid", "uid", "doc_id", "report_id"),
    "comments": ("comments",),
}
SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson", ".parquet")


def read_collection(
    path: Path, max_bytes: int, column_map: Mapping[str, str] | None = None
) -> ReadResult:
    """Read every row of a collection file into a ``Report``; bad rows become rejections."""
    frame = load_frame(path, max_bytes)
    columns = resolve_columns(list(frame.columns), column_map or {})
    if "body" not in columns:
        looked_for = ", ".join(FIELDS["body"])
        raise InputError(
            f"no column holding report text (looked for: {looked_for}); the file has columns: "
            f"{', '.join(map(str, frame.columns))}. Name one with --map body=COLUMN"
        )
    result = ReadResult(path=str(path))
    ids = _row_keys(frame, columns.get("id"), path.name)
    records = frame.to_dict(orient="records")
    for number, (record, key) in enumerate(zip(records, ids, strict=True), start=1):
        origin = f"{path}#row {number}"
        try:
            result.reports.append(_report(record, columns, origin, key))
        except InputError as error:
            result.rejections.append(Rejection(origin, str(error)))
    return result


def load_frame(path: Path, max_bytes: int) -> pd.DataFrame:
    """The file as a DataFrame of strings (Parquet keeps its types)."""
    suffix = path.suffix.lower()
    data = read_bytes(path, max_bytes)
    try:
        if suffix == ".parquet":
            return pd.read_parquet(io.BytesIO(data))
        text = decode(data)
        if suffix in (".jsonl", ".ndjson"):
            rows = []
            for number, line in enumerate(text.splitlines(), start=1):
                if not line.strip():
                    continue
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as error:  # error.lineno counts within the line
                    raise InputError(f"invalid JSON on line {number}: {error.msg}") from error
            if not all(isinstance(row, dict) for row in rows):
                raise InputError("JSON Lines file must hold one JSON object per line")
            return pd.DataFrame(rows)
        sep = "\t" if suffix == ".tsv" else ","
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except InputError:
        raise
    except json.JSONDecodeError as error:
        raise InputError(f"invalid JSON on line {error.lineno}: {error.msg}") from error
    except (ValueError, pd.errors.ParserError, OSError) as error:
        raise InputError(f"cannot parse {suffix.lstrip('.')} file: {error}") from error


def resolve_columns(columns: list[str], column_map: Mapping[str, str]) -> dict[str, str]:
    """Which column feeds which field; explicit mappings win, an empty mapping ignores it."""
    by_name = {str(c).strip().lower(): c for c in columns}
    resolved: dict[str, str] = {}
    for field, names in FIELDS.items():
        if field in column_map or (field == "published" and "date" in column_map):
            wanted = column_map.get(field, column_map.get("date", ""))
            if wanted:
                if wanted.strip().lower() not in by_name:
                    raise InputError(
                        f"--map {field}={wanted}: no such column (columns: "
                        f"{', '.join(map(str, columns))})"
                    )
                resolved[field] = by_name[wanted.strip().lower()]
            continue
        for name in names:
            if name in by_name:
                resolved[field] = by_name[name]
                break
    return resolved


def _report(record: dict[str, object], columns: dict[str, str], origin: str, key: str) -> Report:
    def text(field: str) -> str:
        value = record.get(columns[field]) if field in columns else None
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return ""
        return str(value).strip()

    body = text("body")
    if not body:
        raise InputError(f"no report text in column '{columns['body']}'")
    paragraphs = [p.strip() for p in body.replace("\r\n", "\n").split("\n\n") if p.strip()]
    title = text("title") or _first_sentence(paragraphs[0])
    report = Report(
        title=title,
        paragraphs=paragraphs,
        source=text("source") or None,
        url=text("url") or None,
        origin=origin,
        identity_hint=key,
        comments=_comments(record.get(columns["comments"])) if "comments" in columns else [],
    )
    raw_date = text("published")
    if raw_date:
        report.published = parse_date_value(raw_date)
        if report.published is None:
            report.warnings.append(
                f"unparseable date {raw_date[:40]!r} in column '{columns['published']}'; "
                "date left empty"
            )
    else:
        report.published = report_date(title, paragraphs[0][:300])
        if report.published is None:
            report.warnings.append("no report date found in the row")
    return report


def _comments(value: object) -> list[Comment]:
    """A ``comments`` cell: a list of strings or of {author, text, posted_at} objects."""
    if isinstance(value, str) and value.strip().startswith("["):
        value = json.loads(value)
    if value is None or isinstance(value, float) or not hasattr(value, "__iter__"):
        return []
    comments = []
    for item in value:  # type: ignore[attr-defined]
        # JSON gives dicts: ``type`` answers at once where the ABC check costs ~1 µs a comment
        if type(item) is dict or isinstance(item, Mapping):
            body = str(item.get("text") or item.get("body") or "").strip()
            posted = item.get("posted_at") or item.get("date")
            comments.append(
                Comment(
                    paragraphs=[p for p in map(str.strip, body.split("\n\n")) if p],
                    author=(str(item["author"]).strip() or None) if item.get("author") else None,
                    posted_at=_posted_at(posted) if posted else None,
                )
            )
        elif str(item).strip():
            comments.append(Comment(paragraphs=[str(item).strip()]))
    return [c for c in comments if c.paragraphs]


def _posted_at(value: object) -> datetime | None:
    """A comment's time as naive UTC, or ``None``. ISO 8601 strings (nearly all) go through
    ``datetime.fromisoformat``, ~50x cheaper than ``pd.to_datetime`` per call, which a
    collection with millions of comments would pay once each; anything else through pandas.
    """
    if isinstance(value, str):
        try:
            parsed: datetime | None = datetime.fromisoformat(value.strip())
        except ValueError:
            parsed = None
        else:
            if not 1900 <= parsed.year <= 2200:  # pandas' own limits decide odd values
                parsed = None
        if parsed is not None:
            if parsed.tzinfo is not None:
                parsed = parsed.astimezone(UTC).replace(tzinfo=None)
            return parsed
    stamp = pd.to_datetime(value, errors="coerce", utc=True)
    return None if pd.isna(stamp) else stamp.tz_convert(None).to_pydatetime()


def _row_keys(frame: pd.DataFrame, id_column: str | None, file_name: str) -> list[str]:
    """``file#id`` per row (``#2`` etc. for repeated ids), else ``file#row N``."""
    if id_column is None:
        return [f"{file_name}#row {n}" for n in range(1, len(frame) + 1)]
    seen: Counter[str] = Counter()
    keys = []
    for n, value in enumerate(frame[id_column].astype(str), start=1):
        value = value.strip()
        if not value or value.lower() == "nan":
            keys.append(f"{file_name}#row {n}")
            continue
        seen[value] += 1
        keys.append(f"{file_name}#id {value}" + (f" ({seen[value]})" if seen[value] > 1 else ""))
    return keys


def _first_sentence(text: str, limit: int = 120) -> str:
    end = min((i for i in (text.find(". "), text.find("\n")) if i > 0), default=len(text))
    sentence = text[: end + 1 if end < len(text) else end].strip()
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"
