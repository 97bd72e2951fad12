"""Counts as reports write them, turned into a low / best / high range.

"1,065 militants", "about 5,000 people", "more than 2,000", "at least 70", "hundreds of
families", "two buses", "dozens". Reports hedge their numbers and analysts need to see the
hedge, so every count is a range: exact figures have low = best = high; "more than N" has
low = N and no high; vague quantities ("hundreds") get a conventional range and a best guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "a hundred": 100, "a thousand": 1000,
}
VAGUE = {  # word: (low, best, high)
    "dozens": (24, 36, 99),
    "scores": (40, 60, 99),
    "hundreds": (200, 300, 999),
    "thousands": (2000, 3000, 9999),
    "tens of thousands": (20000, 30000, 99999),
    "several": (3, 5, 9),
    "a few": (2, 3, 5),
    "a dozen": (12, 12, 12),
}
SCALES = {"thousand": 1000, "million": 1_000_000}

_NUMBER = (
    r"(?P<decimal>\d+\.\d+)\s*(?P<dscale>thousand|million)"
    r"|(?P<digits>\d{1,3}(?:[,.]\d{3})+|\d+)(?:\s*(?P<scale>thousand|million))?"
    r"|(?P<words>(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three"
    r"|four|five|six|seven|eight|nine))?|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
    r"|seventeen|eighteen|nineteen|one|two|three|four|five|six|seven|eight|nine|ten"
    r"|a hundred|a thousand)"
    r"|(?P<vague>tens of thousands|dozens|scores|hundreds|thousands|several|a few|a dozen)"
)
_HEDGE = (
    r"(?P<hedge>more than|over|at least|nearly|almost|about|around|some|approximately"
    r"|roughly|up to|less than|fewer than|an estimated|estimated)\s+"
)
QUANTITY = re.compile(rf"\b(?:{_HEDGE})?(?:{_NUMBER})\b", re.IGNORECASE)


@dataclass(frozen=True)
class Quantity:
    start: int
    end: int
    surface: str
    low: int | None
    best: int
    high: int | None


def parse_quantity(match: re.Match[str]) -> Quantity | None:
    """The range a ``QUANTITY`` match stands for."""
    best: int
    if match.group("decimal"):
        best = round(float(match.group("decimal")) * SCALES[match.group("dscale").lower()])
        low, high = best, best
    elif match.group("digits"):
        digits = re.sub(r"[,.]", "", match.group("digits"))
        best = int(digits) * SCALES.get((match.group("scale") or "").lower(), 1)
        low, high = best, best
    elif match.group("words"):
        best = _words_value(match.group("words").lower())
        low, high = best, best
    else:
        low, best, high = VAGUE[match.group("vague").lower()]
    hedge = (match.group("hedge") or "").lower()
    if hedge in ("more than", "over", "at least"):
        low, high = best, None
    elif hedge in ("nearly", "almost", "up to", "less than", "fewer than"):
        low, high = None, best
    elif hedge in ("about", "around", "some", "approximately", "roughly", "an estimated",
                   "estimated"):
        low, high = round(best * 0.9), round(best * 1.1)
    return Quantity(match.start(), match.end(), match.group(0), low, best, high)


def quantities(text: str) -> list[Quantity]:
    """Every count in ``text``, in order (years such as 2018 are left out)."""
    found = []
    for match in QUANTITY.finditer(text):
        quantity = parse_quantity(match)
        if quantity is None:
            continue
        digits = match.group("digits")
        if digits and digits.isdigit() and len(digits) == 4 and 1900 <= int(digits) <= 2100:
            continue  # a year
        found.append(quantity)
    return found


def _words_value(text: str) -> int:
    if text in WORDS:
        return WORDS[text]
    tens, _, unit = text.replace("-", " ").partition(" ")
    return WORDS[tens] + WORDS.get(unit, 0)
