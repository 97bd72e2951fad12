"""Comment sentiment, computed once at ingestion and stored with each comment.

VADER is used because it is built for short, informal social-media text, ships its lexicon
inside the package (works offline) and needs no model download. It sits behind the small
``SentimentModel`` protocol so another scorer (a transformer, a domain lexicon) can be
swapped in without touching the pipeline or the store.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analytics.models import Report

# VADER's authors' recommended cut-offs on the compound score.
POSITIVE_FROM = 0.05
NEGATIVE_TO = -0.05


class SentimentModel(Protocol):
    """Anything that maps a text to a score in -1..1."""

    name: str

    def score(self, text: str) -> float: ...


class _WindowedVader(SentimentIntensityAnalyzer):
    """VADER with its two hot helpers given only the words they look at.

    ``_negation_check`` and ``_special_idioms_check`` lower-case the *whole* comment every
    time they are called, once per sentiment word: quadratic in the comment's length, and most
    of ingestion's time on long comments. Both only read the three words before the current
    one and the two after it, so they get that window; the scores are identical (a test
    compares them with stock VADER on real comments and articles).
    """

    def _negation_check(self, valence, words, start_i, i):  # type: ignore[no-untyped-def]
        low = max(0, i - 3)
        return SentimentIntensityAnalyzer._negation_check(
            valence, words[low : i + 1], start_i, i - low
        )

    def _special_idioms_check(self, valence, words, i):  # type: ignore[no-untyped-def]
        low = max(0, i - 3)
        return SentimentIntensityAnalyzer._special_idioms_check(
            valence, words[low : i + 3], i - low
        )


class VaderModel:
    """VADER's compound score."""

    name = "vader-3.3.2"

    def __init__(self) -> None:
        self._analyzer = _WindowedVader()

    def score(self, text: str) -> float:
        return float(self._analyzer.polarity_scores(text)["compound"])


def label(score: float) -> str:
    """negative / neutral / positive, by VADER's standard thresholds."""
    if score >= POSITIVE_FROM:
        return "positive"
    if score <= NEGATIVE_TO:
        return "negative"
    return "neutral"


@lru_cache(maxsize=1)
def default_model() -> SentimentModel:
    """One analyzer per process: loading the lexicon takes ~50 ms."""
    return VaderModel()


def score_comments(report: Report, model: SentimentModel | None = None) -> None:
    """Fill ``sentiment_score`` and ``sentiment_label`` of every comment of ``report``."""
    model = model or default_model()
    for comment in report.comments:
        comment.sentiment_score = round(model.score(comment.text), 4)
        comment.sentiment_label = label(comment.sentiment_score)
