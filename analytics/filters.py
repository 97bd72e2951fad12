"""The dashboard's filter state: one frozen object that converts to and from the URL.

Every page reads the same ``Filters``; every query takes it and turns it into bound SQL
parameters (never string formatting). The URL is the source of truth for a shared view, so
``from_query_params`` accepts anything a person may paste — unknown keys and malformed values
are dropped and reported as notices, never raised — and ``to_query_params`` writes only what
differs from the defaults, so that URL → state → URL is lossless and short.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta

SENTIMENT_RANGE = (-1.0, 1.0)
GRAINS = ("day", "week", "month")

# URL parameter name for every field; multi-valued fields repeat the key (?actor=a&actor=b),
# as Streamlit's widgets bound with ``bind="query-params"`` write them.
PARAMS: dict[str, str] = {
    "start": "from",
    "end": "to",
    "admin1": "gov",
    "places": "place",
    "actors": "actor",
    "event_types": "type",
    "sources": "source",
    "sentiment": "sent",
    "text": "q",
}
MULTI = ("admin1", "places", "actors", "event_types", "sources")
MAX_VALUES = 50
MAX_TEXT = 200


@dataclass(frozen=True)
class Filters:
    """What the analyst narrowed the data to. Empty means "no restriction"."""

    start: date | None = None
    end: date | None = None
    admin1: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    sentiment: tuple[float, float] = SENTIMENT_RANGE
    text: str = ""
    notices: tuple[str, ...] = field(default=(), compare=False, repr=False)

    # --- URL -----------------------------------------------------------------------------

    @classmethod
    def from_query_params(cls, params: Mapping[str, str | Sequence[str]]) -> Filters:
        """Parse URL parameters; what cannot be used is listed in ``notices``."""
        notices: list[str] = []
        values: dict[str, object] = {}
        by_param = {param: name for name, param in PARAMS.items()}
        for key, raw in params.items():
            items = [raw] if isinstance(raw, str) else list(raw)
            name = by_param.get(key)
            if name is None:
                if key not in IGNORED_PARAMS:
                    notices.append(f"ignored unknown parameter '{key}'")
                continue
            try:
                values[name] = _parse(name, items)
            except ValueError as error:
                notices.append(f"ignored '{key}': {error}")
        start, end = values.get("start"), values.get("end")
        if isinstance(start, date) and isinstance(end, date) and start > end:
            notices.append("ignored 'from'/'to': the start is after the end")
            values.pop("start"), values.pop("end")
        return cls(**values, notices=tuple(notices))  # type: ignore[arg-type]

    def to_query_params(self) -> dict[str, list[str]]:
        """Only the fields that differ from the defaults, as lists of strings."""
        out: dict[str, list[str]] = {}
        for f in fields(self):
            if f.name == "notices":
                continue
            value = getattr(self, f.name)
            if value == f.default:
                continue
            param = PARAMS[f.name]
            if f.name in MULTI:
                out[param] = list(value)
            elif f.name == "sentiment":
                out[param] = [f"{value[0]:g}", f"{value[1]:g}"]  # as st.slider binds a range
            elif isinstance(value, date):
                out[param] = [value.isoformat()]
            else:
                out[param] = [str(value)]
        return out

    # --- for people and for SQL ----------------------------------------------------------

    @property
    def is_default(self) -> bool:
        return self == Filters()

    def describe(self) -> str:
        """The filters in plain English, for captions and exported charts."""
        parts = []
        if self.start or self.end:
            parts.append(
                f"{self.start.isoformat() if self.start else 'start'} to "
                f"{self.end.isoformat() if self.end else 'latest'}"
            )
        labels = {
            "admin1": "governorates", "places": "places", "actors": "actors",
            "event_types": "event types", "sources": "sources",
        }
        for name, label in labels.items():
            chosen = getattr(self, name)
            if chosen:
                parts.append(f"{label}: {', '.join(chosen)}")
        if self.sentiment != SENTIMENT_RANGE:
            parts.append(f"comment sentiment {self.sentiment[0]:+.2f} to {self.sentiment[1]:+.2f}")
        if self.text:
            parts.append(f'text contains "{self.text}"')
        return "; ".join(parts) if parts else "all data"

    def previous_period(self, first: date | None, last: date | None) -> Filters | None:
        """The same filters over the period of equal length just before this one (the data's
        first and last dates stand in for an open start or end); ``None`` if unknown."""
        start, end = self.start or first, self.end or last
        if start is None or end is None:
            return None
        length = end - start
        return replace(self, start=start - length - timedelta(days=1),
                       end=start - timedelta(days=1), notices=())

    def with_(self, **changes: object) -> Filters:
        return replace(self, **changes)  # type: ignore[arg-type]

    def sql_params(self) -> dict[str, object]:
        """Named parameters shared by every filtered query (see ``analytics.queries``)."""
        return {
            "start": self.start,
            "end": self.end,
            "admin1": list(self.admin1),
            "places": list(self.places),
            "actors": list(self.actors),
            "event_types": list(self.event_types),
            "sources": list(self.sources),
            "sent_lo": self.sentiment[0],
            "sent_hi": self.sentiment[1],
            "text": self.text.lower(),
        }


# Parameters that belong to pages or to Streamlit itself, not to the shared filters.
IGNORED_PARAMS = frozenset({"grain", "report", "profile", "embed", "embed_options"})


def _parse(name: str, items: list[str]) -> object:
    items = [i.strip() for i in items if i is not None]
    if name in ("start", "end"):
        try:
            return date.fromisoformat(items[-1])
        except (ValueError, IndexError):
            raise ValueError(f"'{items[-1] if items else ''}' is not a date (YYYY-MM-DD)") from None
    if name in MULTI:
        kept = tuple(dict.fromkeys(i for i in items if i))[:MAX_VALUES]
        if not kept:
            raise ValueError("no value")
        return kept
    if name == "sentiment":
        parts = items if len(items) == 2 else (items[-1].split(",") if items else [])
        try:
            low, high = (float(x) for x in parts)
        except ValueError:
            raise ValueError("expected two numbers like sent=-0.5&sent=0.5") from None
        if not all(math.isfinite(v) for v in (low, high)) or not (-1 <= low <= high <= 1):
            raise ValueError("expected -1 <= low <= high <= 1")
        return (low, high)
    text = items[-1] if items else ""
    return text[:MAX_TEXT]
