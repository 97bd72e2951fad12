"""Dates of reports: from a metadata value, or written out in a title or a first line.

A report's date anchors every relative date inside it ("On April 2", "yesterday"), so a
wrong date is worse than none: we only accept a date that is written in full (day, month
name or number, four-digit year) and return ``None`` otherwise, never today's date.
Metadata values go through ``dateutil``, which knows far more layouts than a regex would.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from dateutil import parser as dateutil_parser

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
# "April 3, 2018" / "April 2 2017" and "3 April 2018" / "Sun 10 Jul 2016"
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.IGNORECASE)
_DAY_MONTH_YEAR = re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE)
_ISO = re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b")

EARLIEST = date(1990, 1, 1)


def parse_date_value(value: object) -> date | None:
    """A date from a metadata field (CSV column, meta tag, JSON value), or ``None``.

    Accepts ``date``/``datetime`` objects and strings such as ``2018-04-03``,
    ``2018-04-03T10:00:00Z``, ``4/3/2018`` (month first, as in US-made corpora) or
    ``3 April 2018``. Anything ambiguous beyond that, or outside 1990..next year, is ``None``.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return _plausible(value.date())
    if isinstance(value, date):
        return _plausible(value)
    text = str(value).strip()
    if not text or text.lower() in {"nan", "nat", "none", "null"}:
        return None
    found = find_date(text)
    if found is not None:
        return found
    if not re.search(r"\d{4}", text):
        return None
    try:
        parsed = dateutil_parser.parse(text, default=datetime(1900, 1, 1))
    except (ValueError, OverflowError):
        return None
    return _plausible(parsed.date())


def find_date(text: str) -> date | None:
    """The first complete date written in ``text`` ("April 3, 2018", "10 Jul 2016", ISO)."""
    best: tuple[int, date] | None = None
    for pattern in (_MONTH_DAY_YEAR, _DAY_MONTH_YEAR, _ISO):
        for match in pattern.finditer(text):
            found = _from_match(match)
            if found is not None:
                if best is None or match.start() < best[0]:
                    best = (match.start(), found)
                break
    return best[1] if best else None


def _from_match(match: re.Match[str]) -> date | None:
    month_text = match.group("month").lower().rstrip(".")
    month = MONTHS.get(month_text) or (int(month_text) if month_text.isdigit() else None)
    if month is None:
        return None
    try:
        return _plausible(date(int(match.group("year")), month, int(match.group("day"))))
    except ValueError:
        return None


def _plausible(value: date) -> date | None:
    latest = date(date.today().year + 1, 12, 31)
    return value if EARLIEST <= value <= latest else None
