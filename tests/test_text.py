"""Sentence splitting and folding: the fast paths give exactly what the reference ways give."""

from __future__ import annotations

import random

import blingfire
import pandas as pd

from analytics.extraction.text import _text_to_sentences, fold, fold_by_table
from tests.conftest import FAKES_CSV


def _articles() -> list[str]:
    return pd.read_csv(FAKES_CSV, dtype=str)["article_content"].dropna().head(200).tolist()


def test_sentence_splitter_call_gives_blingfires_own_output():
    texts = [*_articles(), "", " ", "a", "Hello. World!\n\nAgain", "\0abc. def", "é" * 5000,
             "x" * 100_000, "Mr. Smith went to Washington. He arrived at 5 p.m."]
    texts += [p for body in _articles()[:20] for p in body.split("\n\n")]
    for text in texts:
        assert _text_to_sentences(text) == blingfire.text_to_sentences(text), text[:80]


def test_fold_equals_folding_character_by_character():
    rng = random.Random(3)
    alphabet = [chr(c) for c in [*range(0x250), *range(0x370, 0x3FF), *range(0x1E00, 0x2100),
                                 0x130, 0x3A3, 0x1FEF, 0x212A, 0xFB01, 0x2019, 0x60, 0x1C5]]
    texts = [*_articles(), "Deir ez-Zor’s `quoted` — ΣΟΦΙΑ İstanbul ﬁne", "ASCII only", ""]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
              for _ in range(20_000)]
    for text in texts:
        folded = fold(text)
        assert folded == fold_by_table(text), text
        assert len(folded) == len(text)
