"""Comment sentiment: VADER's scores, labels by its thresholds, and the fast path exact."""

from __future__ import annotations

import pandas as pd
import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analytics.extraction.sentiment import VaderModel, label
from analytics.extraction.text import split_sentences
from analytics.readers.plaintext import read_plaintext
from tests.conftest import FAKES_CSV, SEED_FILE


def real_texts() -> list[str]:
    seed = read_plaintext(SEED_FILE, 10**7).reports[0]
    texts = [c.text for c in seed.comments]
    texts += ["It is not good at all, never so bad, kind of nice, but the least bad."]
    articles = pd.read_csv(FAKES_CSV, dtype=str)["article_content"].head(60)
    texts += [s for body in articles for s in split_sentences(body)]
    texts.append(" ".join(c.text for c in seed.comments))  # one very long text
    return texts


def test_fast_vader_gives_exactly_the_stock_scores():
    stock = SentimentIntensityAnalyzer()
    fast = VaderModel()
    texts = real_texts()
    assert len(texts) > 500
    for text in texts:
        assert fast.score(text) == stock.polarity_scores(text)["compound"], text


@pytest.mark.parametrize(("score", "expected"), [
    (0.05, "positive"), (0.049, "neutral"), (-0.049, "neutral"), (-0.05, "negative"),
    (1.0, "positive"), (-1.0, "negative"), (0.0, "neutral"),
])
def test_labels_follow_vader_thresholds(score, expected):
    assert label(score) == expected


RULE_WORDS = (
    "not no never so this without doubt least at very kind of but BUT GOOD good bad BAD great "
    "terrible nor or sort kinda isn't don't the shit bomb yeah right kiss death die for "
    "extremely barely ! ? :) :( 😀 love hate war killed NOT happy sad"
).split()


def test_fast_vader_matches_stock_on_texts_built_to_hit_each_rule():
    """Negations, boosters, "kind of", "no", "least", "but", ALL CAPS, idioms and emojis in
    every order: the fast path must not differ from stock VADER anywhere."""
    import random

    rng = random.Random(7)
    stock, fast = SentimentIntensityAnalyzer(), VaderModel()
    for _ in range(3000):
        text = " ".join(rng.choice(RULE_WORDS) for _ in range(rng.randint(1, 12)))
        assert fast.score(text) == stock.polarity_scores(text)["compound"], text
