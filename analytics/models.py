"""The records that flow from readers to the store.

Readers produce ``Report`` objects (plain data, picklable, so they can be built in worker
processes); enrichment adds comment sentiment; the store writes them. Nothing here touches
the database or Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass
class Comment:
    """One reader comment under a report. ``paragraphs`` keeps the author's own breaks."""

    paragraphs: list[str]
    author: str | None = None
    posted_at: datetime | None = None
    sentiment_score: float | None = None
    sentiment_label: str | None = None

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass
class Report:
    """One article with its comments, as read from a file or a collection row."""

    title: str
    paragraphs: list[str]
    comments: list[Comment] = field(default_factory=list)
    published: date | None = None
    source: str | None = None
    url: str | None = None
    origin: str = ""
    """The file the report came from (and ``#row N`` for a collection row)."""
    identity_hint: str | None = None
    """A key given by the reader that identifies the report across versions (collection
    row key); when absent the identity comes from the URL or the title and date."""
    warnings: list[str] = field(default_factory=list)
    facts: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    """Extracted rows by table name (``events``, ``actor_mentions``…), written with the report."""
    derived: dict[str, object] = field(default_factory=dict)
    """Extracted columns of the report's own row (``primary_event_date``, ``primary_admin1``…)."""

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass
class Rejection:
    """An input that could not be read: the file (or row) and a reason a person can act on."""

    origin: str
    reason: str


@dataclass
class ReadResult:
    """What one input file gave: its reports and the parts of it that were rejected."""

    path: str
    reports: list[Report] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


class InputError(Exception):
    """Raised by a reader when a whole file cannot be used; the message is the reason."""
