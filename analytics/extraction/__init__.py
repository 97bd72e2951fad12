"""Extraction: what the pipeline learns from a report's text, stored with the report.

``enrich`` is the single entry point the ingest pipeline calls (in worker processes) for
each report, between reading and storing.
"""

from __future__ import annotations

from analytics.extraction.sentiment import score_comments
from analytics.models import Report


def enrich(report: Report) -> Report:
    """Add comment sentiment (and, as extractors are added, facts) to ``report``."""
    score_comments(report)
    return report
