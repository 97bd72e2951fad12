"""Report text as safe HTML with its actors, places and dates highlighted.

Everything that comes from a report is escaped; the only markup is the ``<mark>`` spans
added here, so a ``<script>`` in an article shows as text. Mentions are located in each
paragraph by their surface form, longest first, without overlaps.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import date

from analytics.extraction.dates import resolve_dates

COLOURS = {"actor": "#ffe08a", "place": "#b5e3ff", "date": "#d7f5c4"}


def highlight(text: str, mentions: Iterable[tuple[str, str, str]], anchor: date | None) -> str:
    """``text`` as HTML; ``mentions`` are (kind, surface, canonical name) triples."""
    spans: list[tuple[int, int, str, str]] = []
    for kind, surface, name in sorted(set(mentions), key=lambda m: -len(m[1])):
        start = text.find(surface)
        while start >= 0:
            end = start + len(surface)
            if all(end <= s or start >= e for s, e, _, _ in spans):
                spans.append((start, end, kind, name))
            start = text.find(surface, end)
    for found in resolve_dates(text, anchor):
        if all(found.end <= s or found.start >= e for s, e, _, _ in spans):
            spans.append((found.start, found.end, "date", found.iso))
    out, position = [], 0
    for start, end, kind, name in sorted(spans):
        out.append(html.escape(text[position:start]))
        out.append(
            f'<mark class="sitrep-{kind}" title="{html.escape(kind)}: {html.escape(name)}" '
            f'style="background:{COLOURS[kind]}">{html.escape(text[start:end])}</mark>'
        )
        position = end
    out.append(html.escape(text[position:]))
    return "".join(out)
