"""What an analyst selected on a chart, turned into plain values for the next query.

Streamlit hands chart selections back as nested dictionaries whose shape depends on the
chart library and the selection tool; these functions read them (see ``analytics.charts``
for the payloads each chart produces) so pages stay free of that plumbing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

import pandas as pd

GRAIN_DAYS = {"day": 1, "week": 7, "month": 31}


def _selection(event: object) -> Mapping[str, object]:
    if event is None:
        return {}
    selection = event.get("selection") if isinstance(event, Mapping) else getattr(
        event, "selection", None)
    return selection if isinstance(selection, Mapping) else {}


def timeline_span(event: object, grain: str) -> tuple[date | None, date | None]:
    """The dates covered by a box selection, or by the bars clicked, on the events timeline."""
    selection = _selection(event)
    for box in selection.get("box", []) or []:  # type: ignore[union-attr]
        xs = box.get("x") if isinstance(box, Mapping) else None
        if xs and len(xs) == 2:
            low, high = sorted(pd.to_datetime(x).date() for x in xs)
            return low, high
    starts = [
        pd.to_datetime(point["customdata"][0]).date()
        for point in selection.get("points", []) or []  # type: ignore[union-attr]
        if isinstance(point, Mapping) and point.get("customdata")
    ]
    if not starts:
        return None, None
    return min(starts), max(starts) + timedelta(days=GRAIN_DAYS.get(grain, 7) - 1)


def map_locations(event: object) -> list[str]:
    """Places picked on the events map (clicked, boxed or lassoed)."""
    return list(dict.fromkeys(
        str(point["customdata"][0])
        for point in _selection(event).get("points", []) or []  # type: ignore[union-attr]
        if isinstance(point, Mapping) and point.get("customdata")
    ))
