"""Stable report ids, so that re-ingesting is idempotent and a new version replaces the old.

Identity must survive edits (a page re-saved with ten more comments is the same report), so
it is *not* the content: it is the URL when there is one, else the reader's row key for a
collection row (file name plus the row's id column, or its row number), else the title with
the date. The content hash, computed separately, tells "unchanged" from "replaced".
"""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePath
from urllib.parse import urlsplit, urlunsplit

from analytics.models import Report


def identity_key(report: Report) -> str:
    """The text that identifies ``report`` across versions (see module docstring)."""
    if report.url:
        return "url:" + normalise_url(report.url)
    if report.identity_hint:
        return "row:" + report.identity_hint
    if report.title.strip():
        published = report.published.isoformat() if report.published else ""
        return "doc:" + _squash(report.title) + "|" + published
    return "file:" + PurePath(report.origin).name


def report_id(report: Report) -> str:
    return _digest(identity_key(report))[:16]


def content_hash(report: Report) -> str:
    """Hash of everything a reader produced; any change means the stored report is replaced."""
    parts: list[str] = [
        report.title,
        report.published.isoformat() if report.published else "",
        report.source or "",
        report.url or "",
        *report.paragraphs,
    ]
    for comment in report.comments:
        posted = comment.posted_at.isoformat() if comment.posted_at else ""
        parts += ["\x1ecomment", comment.author or "", posted, *comment.paragraphs]
    return _digest("\x1f".join(parts))


def normalise_url(url: str) -> str:
    """Scheme and host lower-cased, fragment and trailing slash dropped."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
