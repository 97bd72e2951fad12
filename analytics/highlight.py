"""Report text as safe HTML with its actors, places and dates highlighted.

Everything that comes from a report is escaped; the only markup is the ``<mark>`` spans
added here, so a ``<script>`` in an article shows as text. Mentions are located in each
paragraph by their surface form, as whole words, longest first, without overlaps.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import date

COLOURS = {"actor": "#ffe08a", "place": "#b5e3ff", "date": "#d7f5c4"}


def highlight(text: str, mentions: Iterable[tuple[str, str, str]], anchor: date | None) -> str:
    """``text`` as HTML; ``mentions`` are (kind, surface, canonical name) triples."""
    # imported here: ``analytics.extraction`` loads the whole extraction pipeline, which
    # only the Reports page needs, so other pages start without it
    from analytics.extraction.dates import resolve_dates

    spans: list[tuple[int, int, str, str]] = []
    for kind, surface, name in sorted(set(mentions), key=lambda m: -len(m[1])):
        start = text.find(surface)
        while start >= 0:
            end = start + len(surface)
            if _whole_words(text, start, end) and all(
                end <= s or start >= e for s, e, _, _ in spans
            ):
                spans.append((start, end, kind, name))
            start = text.find(surface, start + 1)
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


def _whole_words(text: str, start: int, end: int) -> bool:
    """``text[start:end]`` neither starts nor ends inside a word ("Syria" in "Syrian")."""
    inside_before = start > 0 and text[start - 1].isalnum() and text[start].isalnum()
    inside_after = end < len(text) and text[end].isalnum() and text[end - 1].isalnum()
    return not (inside_before or inside_after)
