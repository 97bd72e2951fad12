"""Dates of reports: from a metadata value, or written out in a title or a first line.

A report's date anchors every relative date inside it ("On April 2", "yesterday"), so a
wrong date is worse than none: we only accept a date that is written in full (day, month
name or number, four-digit year) and return ``None`` otherwise, never today's date.
Metadata values go through ``dateutil``, which knows far more layouts than a regex would.

Inside a report's text, ``resolve_dates`` finds every date expression of a sentence and
resolves it against the report's date (partial dates, weekdays, "yesterday", "last week"),
``report_date`` reads the report's own date from its title or first line, and
``main_event_date`` dates the report's main event. All regex-based, tens of µs a sentence:
dateparser's ``search_dates`` takes ~12 ms a sentence and misreads news usage (it puts "on
Wednesday" in a Wednesday report a week back and splits "Sun 10 Jul 2016" in two dates).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

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
_MONTH_FIRST = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


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
    slashed = _MONTH_FIRST.fullmatch(text)
    if slashed is not None:  # "4/5/2017", most corpora's form: what dateutil reads, 50x faster
        try:
            month, day, year = map(int, slashed.groups())
            return _plausible(date(year, month, day))
        except ValueError:
            pass  # "13/5/2017": dateutil reads it day first
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


# --------------------------------------------------------------------------------------
# Dates written in report text, resolved against the report's own date
# --------------------------------------------------------------------------------------
#
# Rules (``resolve_dates``), in words:
#
# * Complete dates need no anchor: "April 3, 2018", "3 April 2018", "Tuesday 4 Apr 2017",
#   "2018-04-03" (ISO, also 2018/04/03) and numeric day-month-year forms. Numeric forms:
#   "03.04.2018" and "03-04-2018" are read day first (the European and Arab usage of the
#   outlets that write them: Sputnik, Al-Manar); "3/4/2018" is read by value when one part
#   is above 12, otherwise it is ambiguous and resolved to whichever reading is not after
#   and nearest the anchor (day first when there is no anchor). Two-digit years are ignored.
# * "March 2016", "mid-March 2016" -> month; "in 2016", "since 2011", "by early 2016" -> year.
# * A partial date ("April 2", "2 April", "Sunday, April 2") is the most recent such date
#   *not after* the anchor, unless the clause before it says future ("will", "next",
#   "scheduled", "expected to"…), in which case it is the next such date on/after it.
# * A month alone needs a preposition or modifier ("in March", "since May", "late June",
#   "last April", "next June"): the most recent such month not after the anchor's month
#   (the anchor's own month counts), "last" -> strictly before, "next"/future -> after.
# * A weekday ("on Sunday", "Monday night", "late Friday", "Saturdays attack") is the most
#   recent such weekday before the anchor; the anchor's own weekday means the anchor day
#   itself (news usage: "on Wednesday" in a Wednesday report is that Wednesday), "last
#   Sunday" -> strictly before, "next Sunday" or a future cue -> the next one. "every
#   Friday", "on Fridays" and names such as "Good Friday" are not dates.
# * "yesterday", "the day before yesterday", "today", "tonight", "this morning", "last
#   night" (the evening before the anchor), "tomorrow"; "last/this/next week" (week
#   precision: value is that week's Monday), "last/this/next month", "earlier this month"
#   (month), "last/this/next year" (year), "three days/weeks/months/years ago".
# * Without an anchor only complete dates, "March 2016" and years are returned: relative
#   expressions are skipped, never guessed.
# * Month and weekday names must be Capitalised or in CAPITALS, as news writes them ("in
#   may" is not a month); overlapping readings keep the longest ("Sunday, April 2" is one
#   date, not a weekday and a date). ``report_date`` (complete dates only) ignores case.

PRECISIONS = ("day", "week", "month", "year")


@dataclass(frozen=True)
class DateMention:
    """A date expression in a sentence and the date it stands for.

    ``value`` is the day itself for precision ``day``, and the *first day of the period*
    otherwise: the Monday of the week, the 1st of the month, January 1st of the year.
    ``kind`` says how it was written: ``full`` (with a year), ``numeric``, ``partial``
    (month and day, no year), ``month`` (a month, with or without a year), ``year``,
    ``weekday`` or ``relative`` ("yesterday", "last week"); ``main_event_date`` adds
    ``report`` for an event dated by the report itself (empty span).
    """

    start: int
    end: int
    surface: str
    value: date
    precision: str
    kind: str = "full"

    @property
    def iso(self) -> str:
        """``YYYY-MM-DD`` (day, and week: its Monday), ``YYYY-MM`` (month) or ``YYYY``."""
        if self.precision == "year":
            return f"{self.value.year:04d}"
        if self.precision == "month":
            return f"{self.value.year:04d}-{self.value.month:02d}"
        return self.value.isoformat()


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_FULL_MONTHS = [
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
]
_WD_ANY = (
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|mon|tues?|wed|thur?s?|fri|sat|sun)\.?,?"
)


def _cased(names: list[str]) -> str:
    """Alternation of Capitalised and UPPER forms, longest first, for case-sensitive use."""
    forms = {n.capitalize() for n in names} | {n.upper() for n in names}
    return "|".join(sorted(forms, key=lambda f: (-len(f), f)))


_CAP_MONTH = rf"(?P<month>{_cased(list(MONTHS))})\.?"
_DAY_ONLY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?(?![\d:])"
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}

# Complete dates, anywhere (used by ``report_date``)
_P_FULL_MDY = re.compile(
    rf"\b(?:{_WD_ANY}\s+)?{_MONTH}\s+{_DAY}(?!\d),?\s+(?:of\s+)?{_YEAR}\b", re.IGNORECASE
)
_P_FULL_DMY = re.compile(
    rf"\b(?:{_WD_ANY}\s+)?(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE
)
_P_ISO = re.compile(
    r"(?<![\d./-])(?P<year>(?:19|20)\d\d)(?P<sep>[-/.])(?P<month>[01]?\d)(?P=sep)"
    r"(?P<day>[0-3]?\d)(?![\d])"
)
_P_NUMERIC = re.compile(
    r"(?<![\d./-])(?P<a>[0-3]?\d)(?P<sep>[./-])(?P<b>[0-3]?\d)(?P=sep)"
    r"(?P<year>(?:19|20)\d\d)(?![\d])"
)

# ``resolve_dates`` scans a sentence for key words with three plain alternations of literals
# (month and weekday names; numbers with separators and years; "yesterday", "week"…), which
# Python's regex engine searches fast, then reads the few characters around each hit with
# small anchored patterns: ``_B_*`` end where the key word starts (the text before it),
# ``_F_*`` start where it ends.
_T_NAMES = re.compile(
    "|".join(sorted(_cased(list(MONTHS)).split("|") + _cased(list(WEEKDAYS)).split("|"),
                    key=lambda f: (-len(f), f)))
)
_T_NUMBERS = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{2,4}|(?:19|20)\d\d")
_T_WORDS = re.compile(
    "yesterday|Yesterday|tomorrow|Tomorrow|afternoon|Afternoon|tonight|Tonight|morning"
    "|Morning|evening|Evening|today|Today|month|Month|night|Night|week|Week|year|Year|day|Day"
)
_DIGIT = re.compile(r"\d")
_NUMERIC = re.compile(r"(\d{1,4})([./-])(\d{1,2})\2(\d{2,4})")
_BACK = 40
_F_AFTER_MONTH = re.compile(
    r"\.?(?:\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?(?![\d:A-Za-z]))?"
    r"(?:,?\s+(?:of\s+)?(?P<year>(?:19|20)\d\d)(?!\d))?"
)
_B_DAY_FIRST = re.compile(
    r"(?:\b(?i:the)\s+)?(?<![\d.,])(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?$"
)
_B_WEEKDAY_PREFIX = re.compile(rf"\b(?i:{_WD_ANY})\s+(?:the\s+)?$")
_B_MONTH_PREP = re.compile(
    r"\b(?P<prep>(?i:in|since|during|until|till|through|throughout|from|before|after|last"
    r"|this|next|early|mid|late|(?:the\s+)?(?:end|beginning|start|middle)\s+of))[\s-]+"
    r"(?:(?i:early|mid|late)[\s-]+)?$"
)
_B_PERIOD = re.compile(
    r"\b(?i:early|mid|late|(?:the\s+)?(?:end|beginning|start|middle)\s+of)[\s-]+$"
)
_B_YEAR_PREP = re.compile(
    r"\b(?i:in|since|during|until|till|through|throughout|from|before|after|by|early|mid"
    r"|late|(?:the\s+)?(?:end|beginning|start|middle|spring|summer|autumn|fall|winter)\s+of)"
    r"[\s-]+(?:(?i:early|mid|late)[\s-]+)?$"
)
_B_MODIFIER = re.compile(
    r"\b(?P<mod>(?i:last|next|this\s+coming|this\s+past|this|coming|past))\s+$"
)
_B_NOT_A_DAY = re.compile(r"\b(?i:every|each|most|all|good|black|holy|ash|bloody)\s+$")
_B_HABIT = re.compile(r"\b(?i:on|every|most|all|some)\s+$")
_B_DAY_BEFORE = re.compile(r"(?:\b(?i:the)\s+)?\b(?i:day\s+before)\s+$")
_B_EARLIER = re.compile(r"\b(?i:earlier|later)\s+$")
_B_LAST = re.compile(r"\b(?i:last)\s+$")
_B_THIS = re.compile(r"\b(?i:this)\s+$")
_B_RELATIVE = re.compile(r"\b(?P<rel>(?i:last|this|next|earlier\s+this|later\s+this))\s+$")
_B_COUNT = re.compile(
    r"\b(?P<n>\d{1,2}|(?i:an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven"
    r"|twelve))\s+$"
)
_F_AGO = re.compile(r"\s+(?i:ago)(?![A-Za-z])")
_F_DAYPART = re.compile(r"\s+(?i:morning|afternoon|evening|night)(?![A-Za-z])")
_FUTURE_CUE = re.compile(
    r"\b(?i:will|shall|next|upcoming|scheduled|planned|plans?\s+to|set\s+to|due\s+to"
    r"|expected\s+to|to\s+be\s+held|going\s+to|is\s+to|are\s+to|ahead\s+of|tomorrow)\b"
)

_Found = tuple[int, int, date, str, str]
"""start, end, value, precision, kind"""


def _first_of_week(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _month_shift(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


_LATEST_YEAR = date.today().year + 1


def _safe_date(year: int, month: int, day: int) -> date | None:
    """The date if it exists and lies in 1990..next year (the year of import), else None."""
    if not EARLIEST.year <= year <= _LATEST_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _future(text: str, start: int) -> bool:
    """Does the clause just before ``start`` speak of the future ("will meet on …")?"""
    return _FUTURE_CUE.search(text, max(0, start - 50), start) is not None


def _before(pattern: re.Pattern[str], text: str, start: int) -> re.Match[str] | None:
    """``pattern`` (ending in ``$``) matched on the text just before ``start``."""
    return pattern.search(text[max(0, start - _BACK) : start])


def _back_to(found: re.Match[str], start: int) -> int:
    """Where a ``_before`` match begins, as an offset in the whole text."""
    return start - (len(found.string) - found.start())


def _numeric_date(a: int, b: int, year: int, slashed: bool, anchor: date | None) -> date | None:
    """A numeric day/month/year date; see the rules above for the ambiguous slashed forms."""
    day_first = _safe_date(year, b, a)
    month_first = _safe_date(year, a, b)
    if not slashed or month_first is None or a == b:
        return day_first or month_first
    if day_first is None:
        return month_first
    if anchor is None:
        return day_first
    readings = [d for d in (day_first, month_first) if d <= anchor]
    return max(readings) if readings else min(day_first, month_first)


def _partial(month: int, day: int, anchor: date, future: bool) -> date | None:
    """The most recent month/day not after ``anchor`` (the next on/after it if future)."""
    step = 1 if future else -1
    for offset in range(9):  # more than two candidate years only for February 29
        found = _safe_date(anchor.year + step * offset, month, day)
        if found is None:
            if month == 2 and day == 29:
                continue
            return None
        if (found >= anchor) if future else (found <= anchor):
            return found
    return None


def _at_month(text: str, start: int, end: int, anchor: date | None) -> _Found | None:
    name = text[start:end]
    month = MONTHS[name.lower()]
    name_end = end
    after = _F_AFTER_MONTH.match(text, end)
    end = after.end()
    day, year = after["day"], after["year"]
    if day is None:
        day_first = _before(_B_DAY_FIRST, text, start)
        if day_first is not None:
            day, start = day_first["day"], _back_to(day_first, start)
    if day is not None:
        weekday = _before(_B_WEEKDAY_PREFIX, text, start)
        if weekday is not None:
            start = _back_to(weekday, start)
        if year is not None:
            found = _safe_date(int(year), month, int(day))
            return (start, end, found, "day", "full") if found else None
        if anchor is None:
            return None
        modifier = _before(_B_MODIFIER, text, start)
        mod = modifier["mod"].lower() if modifier else ""
        future = mod == "next" or (mod != "last" and _future(text, start))
        found = _partial(month, int(day), anchor, future)
        return (start, end, found, "day", "partial") if found else None
    if year is not None:
        period = _before(_B_PERIOD, text, start)
        found = _safe_date(int(year), month, 1)
        start = _back_to(period, start) if period else start
        return (start, end, found, "month", "month") if found else None
    prep = _before(_B_MONTH_PREP, text, start)
    if anchor is None or prep is None or name.lower() not in _FULL_MONTHS:
        return None
    end = name_end
    word = prep["prep"].lower()
    if word == "last":
        year_ = anchor.year if month < anchor.month else anchor.year - 1
    elif word == "next":
        year_ = anchor.year if month > anchor.month else anchor.year + 1
    elif word == "this":
        year_ = anchor.year
    elif month > anchor.month and not _future(text, start):
        year_ = anchor.year - 1
    elif month < anchor.month and word in ("in", "until", "till", "before") and _future(
        text, start
    ):
        year_ = anchor.year + 1
    else:
        year_ = anchor.year
    found = _safe_date(year_, month, 1)
    return (_back_to(prep, start), end, found, "month", "month") if found else None


def _at_numeric(text: str, start: int, end: int, anchor: date | None) -> _Found | None:
    if (start and text[start - 1] in "./-") or _SEPARATED_NUMBER.match(text, end):
        return None
    numeric = _NUMERIC.fullmatch(text, start, end)
    if numeric is None:
        return None
    a, sep, b, c = numeric.groups()
    if len(a) == 4 and len(c) <= 2 and a[:2] in ("19", "20"):
        found = _safe_date(int(a), int(b), int(c))
    elif len(c) == 4 and len(a) <= 2 and c[:2] in ("19", "20"):
        found = _numeric_date(int(a), int(b), int(c), sep == "/", anchor)
    else:
        return None
    return (start, end, found, "day", "numeric") if found else None


def _at_year(text: str, start: int, end: int, anchor: date | None) -> _Found | None:
    if _SEPARATED_NUMBER.match(text, end):
        return None
    prep = _before(_B_YEAR_PREP, text, start)
    if prep is None:
        return None
    found = _safe_date(int(text[start:end]), 1, 1)
    return (_back_to(prep, start), end, found, "year", "year") if found else None


def _at_weekday(text: str, start: int, end: int, anchor: date | None) -> _Found | None:
    if anchor is None:
        return None
    weekday = WEEKDAYS.index(text[start:end].lower())
    plural = _F_PLURAL.match(text, end)
    if plural is not None:
        if plural.group() == "s" and _before(_B_HABIT, text, start):
            return None  # "on Fridays": a habit, not a day
        end = plural.end()
    if _before(_B_NOT_A_DAY, text, start):
        return None
    part = _F_DAYPART.match(text, end)
    end = part.end() if part else end
    modifier = _before(_B_MODIFIER, text, start)
    mod = " ".join(modifier["mod"].lower().split()) if modifier else ""
    start = _back_to(modifier, start) if modifier else start
    back = (anchor.weekday() - weekday) % 7
    ahead = (weekday - anchor.weekday()) % 7
    if mod in ("next", "coming", "this coming"):
        found = anchor + timedelta(days=ahead or 7)
    elif mod in ("last", "past", "this past"):
        found = anchor - timedelta(days=back or 7)
    elif back and _future(text, start):
        found = anchor + timedelta(days=ahead)
    else:
        found = anchor - timedelta(days=back)
    return start, end, found, "day", "weekday"


def _at_word(text: str, start: int, end: int, anchor: date | None) -> _Found | None:
    if anchor is None:
        return None
    word = text[start:end].lower()
    plural = _F_PLURAL.match(text, end)
    if plural is not None:
        end = plural.end()
    if word == "yesterday":
        before = _before(_B_DAY_BEFORE, text, start)
        if before is not None:
            return _back_to(before, start), end, anchor - timedelta(days=2), "day", "relative"
        return start, end, anchor - timedelta(days=1), "day", "relative"
    if word in ("today", "tonight"):
        earlier = _before(_B_EARLIER, text, start)
        start = _back_to(earlier, start) if earlier else start
        return start, end, anchor, "day", "relative"
    if word == "tomorrow":
        return start, end, anchor + timedelta(days=1), "day", "relative"
    if word == "night":
        last = _before(_B_LAST, text, start)
        if last is None:
            return None
        return _back_to(last, start), end, anchor - timedelta(days=1), "day", "relative"
    if word in ("morning", "afternoon", "evening"):
        this = _before(_B_THIS, text, start)
        return (_back_to(this, start), end, anchor, "day", "relative") if this else None
    ago = _F_AGO.match(text, end)
    if ago is not None:
        count = _before(_B_COUNT, text, start)
        if count is None:
            return None
        number = count["n"].lower()
        n = int(number) if number.isdigit() else _NUMBER_WORDS[number]
        start, end = _back_to(count, start), ago.end()
        if word == "day":
            return start, end, anchor - timedelta(days=n), "day", "relative"
        if word == "week":
            return start, end, _first_of_week(anchor - timedelta(weeks=n)), "week", "relative"
        if word == "month":
            return start, end, _month_shift(anchor, -n), "month", "relative"
        return start, end, date(anchor.year - n, 1, 1), "year", "relative"
    if word not in ("week", "month", "year"):
        return None
    relative = _before(_B_RELATIVE, text, start)
    if relative is None:
        return None
    shift = {"last": -1, "next": 1}.get(relative["rel"].lower(), 0)
    start = _back_to(relative, start)
    if word == "week":
        return start, end, _first_of_week(anchor) + timedelta(weeks=shift), "week", "relative"
    if word == "month":
        return start, end, _month_shift(anchor, shift), "month", "relative"
    return start, end, date(anchor.year + shift, 1, 1), "year", "relative"


_SEPARATED_NUMBER = re.compile(r"[./-]\d")
_F_PLURAL = re.compile(r"'?s(?![A-Za-z])")


def _scan(text: str, anchor: date | None) -> list[_Found]:
    found: list[_Found] = []

    def add(resolved: _Found | None) -> None:
        if resolved is not None and resolved[2] is not None:
            found.append(resolved)

    for match in _T_NAMES.finditer(text):
        start, end = match.span()
        if (start and text[start - 1].isalpha()) or (
            end < len(text) and text[end].isalpha() and text[end] != "s"
        ):
            continue
        if match.group().lower() in MONTHS:
            if end == len(text) or not text[end].isalpha():
                add(_at_month(text, start, end, anchor))
        else:
            add(_at_weekday(text, start, end, anchor))
    if _DIGIT.search(text):
        for match in _T_NUMBERS.finditer(text):
            start, end = match.span()
            if (start and text[start - 1].isalnum()) or (
                end < len(text) and text[end].isdigit()
            ):
                continue
            handler = _at_year if end - start == 4 else _at_numeric
            add(handler(text, start, end, anchor))
    if anchor is not None:
        lower = text.lower()
        if (
            "day" in lower or "night" in lower or "week" in lower or "month" in lower
            or "year" in lower or "morning" in lower or "afternoon" in lower
            or "evening" in lower or "tomorrow" in lower
        ):
            for match in _T_WORDS.finditer(text):
                start, end = match.span()
                if (start and text[start - 1].isalpha()) or (
                    end < len(text) and text[end].isalpha() and text[end] != "s"
                ):
                    continue
                add(_at_word(text, start, end, anchor))
    return found


def resolve_dates(text: str, anchor: date | None) -> list[DateMention]:
    """Every date expression in ``text`` (a sentence), resolved against ``anchor``.

    ``anchor`` is the report's date; see the rules in the comment above. Mentions come in
    text order and never overlap (the longest reading of a stretch of text wins).
    """
    found = _scan(text, anchor)
    if len(found) > 1:
        found.sort(key=lambda f: (f[0] - f[1], f[0]))
        kept: list[_Found] = []
        for item in found:
            if all(item[1] <= k[0] or item[0] >= k[1] for k in kept):
                kept.append(item)
        found = sorted(kept)
    return [DateMention(s, e, text[s:e], value, precision, kind)
            for s, e, value, precision, kind in found]


# --------------------------------------------------------------------------------------
# The report's own date, from its title or the start of its text
# --------------------------------------------------------------------------------------

_LEAD_IN = re.compile(
    r"^\W*(?:(?:posted|published|updated|last\s+updated|date\s+of\s+publication|date"
    r"|first\s+published)(?:\s+(?:on|at))?\s*:?\s*)?",
    re.IGNORECASE,
)
# "Apr 232017": day and year run together (a scraping artefact of some outlets)
_P_GLUED = re.compile(rf"\b{_MONTH}\s+(?P<day>[0-3]\d)(?P<year>(?:19|20)\d\d)\b", re.IGNORECASE)
_P_DATELINE = re.compile(
    rf"^\W*[A-Z][A-Za-z .'-]{{1,40}},\s+(?:[A-Z][a-z]+,\s+)?{_CAP_MONTH}\s+{_DAY_ONLY}"
    r"(?:,?\s+(?P<year>(?:19|20)\d\d))?\s*(?:\([^)]{1,40}\))?\s*[-–—]"
)
_EVENT_PREPOSITION = re.compile(
    r"\b(?:on|since|in|from|until|till|by|before|after|of|between|and|to)\s+$", re.IGNORECASE
)
_COMPLETE = (_P_FULL_MDY, _P_FULL_DMY, _P_ISO, _P_NUMERIC, _P_GLUED)
REPORT_DATE_WINDOW = 300


def report_date(title: str, body_start: str) -> date | None:
    """The report's own date, written in its title or at the start of its text, or ``None``.

    In order: (1) a complete date opening the text, after an optional "Posted on",
    "Published", "Date of publication", "Last updated at" ("Wed 05 Apr 2017 …", "Posted on
    April 2 2017 by …", "19.07.2016(updated …", "05-09-2013 …"); (2) a complete date in the
    title ("Syrian War Report – April 3, 2018: …"); (3) a dateline ("DAMASCUS, April 3, 2018
    (Reuters) -"; without a year only when the title or text start gives exactly one year);
    (4) the first complete date within the first 300 characters that is not the object of
    a preposition ("… Monitor AFP Sunday 29 Jun 2014", "… in Raqqa 21 November 2016 SANA":
    the date line after a repeated headline), since "on August 21 2013" is an event's date.
    Only complete dates count (see the module docstring): ``None`` rather than a guess.
    """
    head = body_start[:REPORT_DATE_WINDOW]
    opening = _LEAD_IN.match(head)
    offset = opening.end() if opening else 0
    for pattern in _COMPLETE:
        match = pattern.match(head, offset)
        if match is not None:
            found = _complete(match)
            if found is not None:
                return found
    for pattern in _COMPLETE:
        match = pattern.search(title)
        if match is not None:
            found = _complete(match)
            if found is not None:
                return found
    dateline = _P_DATELINE.match(head)
    if dateline is not None:
        years = {int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", f"{title} {head}")}
        year = int(dateline["year"]) if dateline["year"] else (
            years.pop() if len(years) == 1 else None
        )
        if year is not None:
            found = _safe_date(year, MONTHS[dateline["month"].lower()], int(dateline["day"]))
            if found is not None:
                return found
    candidates = []
    for pattern in _COMPLETE:
        for match in pattern.finditer(head):
            if _EVENT_PREPOSITION.search(head[max(0, match.start() - 12) : match.start()]):
                continue
            found = _complete(match)
            if found is not None:
                candidates.append((match.start(), found))
                break
    return min(candidates)[1] if candidates else None


def _complete(match: re.Match[str]) -> date | None:
    """The date of a match of one of the complete-date patterns (no anchor needed)."""
    if "a" in match.re.groupindex:
        slashed = match["sep"] == "/"
        return _numeric_date(int(match["a"]), int(match["b"]), int(match["year"]), slashed, None)
    if match.re is _P_ISO:
        return _safe_date(int(match["year"]), int(match["month"]), int(match["day"]))
    return _from_match(match)


# --------------------------------------------------------------------------------------
# The date of a report's main event
# --------------------------------------------------------------------------------------

LEAD_SENTENCES = 1
"""How many article sentences, after the title, make the lead."""
MAX_LEAD_DAYS = 10
"""How far before the report date an explicit lead date may lie and still be the event's."""
MAX_RELATIVE_DAYS = 6
"""The same for a weekday or "yesterday" (with ``relative=True``)."""
_EXPLICIT_KINDS = ("full", "numeric", "partial")


class _Titled(Protocol):
    title: str
    paragraphs: list[str]
    published: date | None


class _SentenceLike(Protocol):
    text: str
    comment: int | None


def report_anchor(report: _Titled) -> date | None:
    """The date relative dates in a report resolve against: its published date, else the
    date written in its title or first paragraph (``report_date``)."""
    if report.published is not None:
        return report.published
    first = report.paragraphs[0] if report.paragraphs else ""
    return report_date(report.title, first[:REPORT_DATE_WINDOW])


def main_event_date(
    report: _Titled, sentences: Iterable[_SentenceLike], relative: bool = False
) -> DateMention | None:
    """The date of the report's main event, or ``None`` when the report has no date at all.

    ``report`` is a ``Report`` (title, paragraphs, published) and ``sentences`` its
    ``Sentence`` list (``report_sentences``; comment sentences are ignored). Rules:

    1. The anchor is the report's date: ``report.published``, else ``report_date`` on the
       title and first paragraph.
    2. The lead is the title and the first ``LEAD_SENTENCES`` article sentence(s): news
       puts the main event there. The first day-precision date *written out* in the lead
       (month and day, with or without a year: "On April 2, government forces…", "…used
       chemical weapons on March 25") that lies before the anchor by at most
       ``MAX_LEAD_DAYS`` days is the event's date.
    3. With ``relative=True`` a weekday or "yesterday"/"last night" in the lead that lies
       at most ``MAX_RELATIVE_DAYS`` before the anchor counts too (after rule 2 fails).
       Off by default because the one measured corpus disagrees: in the 31 FA-KES reports
       where the lead's "on Monday"/"yesterday" falls before the report date, the
       annotated incident date is the report date 15 times and the weekday's date never
       (71.6% exact without the rule, 67.7% with it; see tests/test_dates.py).
    4. Otherwise the event is dated by the report itself: the anchor, precision ``day``,
       ``kind`` ``"report"`` and an empty span (``start == end == 0``, ``surface == ""``).
    5. Without an anchor: the first complete date in the lead, else ``None``.

    A returned mention's ``start``/``end`` are offsets in the title or sentence it came
    from. Dates after the anchor or far before it are background ("the attack of March
    2011"), not the report's news.
    """
    anchor = report_anchor(report)
    lead = [report.title]
    for sentence in sentences:
        if len(lead) > LEAD_SENTENCES:
            break
        if sentence.comment is None:
            lead.append(sentence.text)
    mentions = [m for text in lead for m in resolve_dates(text, anchor)]
    if anchor is None:
        return next((m for m in mentions if m.precision == "day"), None)
    for kinds, limit, wanted in (
        (_EXPLICIT_KINDS, MAX_LEAD_DAYS, True),
        (("weekday", "relative"), MAX_RELATIVE_DAYS, relative),
    ):
        if not wanted:
            continue
        for mention in mentions:
            if (
                mention.precision == "day"
                and mention.kind in kinds
                and 0 < (anchor - mention.value).days <= limit
            ):
                return mention
    return DateMention(0, 0, "", anchor, "day", "report")
