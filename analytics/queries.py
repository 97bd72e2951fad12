"""Every SQL statement the dashboard runs, by name, with bound parameters only.

Pages never hold SQL: they call ``run(reader, "name", params)``. Keeping the statements in
one place makes them easy to review for injection (there is no string formatting here) and
to benchmark one by one.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analytics.db import Reader

QUERIES: dict[str, str] = {
    "totals": """
        SELECT
            (SELECT count(*) FROM reports)                       AS reports,
            (SELECT count(*) FROM comments)                      AS comments,
            (SELECT avg(sentiment_score) FROM comments)          AS mean_sentiment,
            (SELECT min(published) FROM reports)                 AS first_published,
            (SELECT max(published) FROM reports)                 AS last_published
    """,
    "latest_reports": """
        SELECT report_id, published, title, source, n_comments, origin_file
        FROM reports
        ORDER BY published DESC NULLS LAST, title
        LIMIT $limit
    """,
    "search_reports": """
        SELECT report_id, published, title, source, n_comments
        FROM reports
        WHERE $text = '' OR contains(lower(title), lower($text))
        ORDER BY published DESC NULLS LAST, title
        LIMIT $limit
    """,
    "report": """
        SELECT report_id, title, published, source, url, origin_file, ingested_at, warnings
        FROM reports WHERE report_id = $report_id
    """,
    "report_paragraphs": """
        SELECT position, text FROM paragraphs WHERE report_id = $report_id ORDER BY position
    """,
    "report_comments": """
        SELECT position, author, text, posted_at, sentiment_score, sentiment_label
        FROM comments WHERE report_id = $report_id ORDER BY position
    """,
    "sentiment_labels": """
        SELECT sentiment_label, count(*) AS comments
        FROM comments GROUP BY sentiment_label ORDER BY sentiment_label
    """,
    "rejections": """
        SELECT rejected_at, origin, reason FROM rejections ORDER BY rejected_at DESC LIMIT $limit
    """,
}


def run(reader: Reader, name: str, params: Mapping[str, object] | None = None) -> pd.DataFrame:
    """Run the named query with ``params`` bound by name."""
    return reader.query(QUERIES[name], dict(params or {}))
