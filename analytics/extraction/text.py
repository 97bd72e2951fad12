"""Sentences and dictionary matching, shared by every extractor.

Every extracted fact keeps the sentence it came from, so all extractors work sentence by
sentence over the same split, made by ``syntok`` (a rule-based segmenter that handles
abbreviations, quotes and numbers well and runs at ~3 ms per article). Dictionary lookups
(actors, places) use an Aho-Corasick automaton (``pyahocorasick``) over text folded to
lower-case ASCII-ish characters *one for one*, so match offsets are offsets in the original
sentence and the surface form is shown exactly as written.
"""

from __future__ import annotations

import ctypes
import re
import threading
import unicodedata
from collections.abc import Iterable
from typing import Generic, NamedTuple, TypeVar

import ahocorasick
import blingfire

from analytics.models import Report

T = TypeVar("T")

_FOLD = str.maketrans(
    {
        "’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'", "ʿ": "'", "ʾ": "'",
        "“": '"', "”": '"', "–": "-", "—": "-", "‐": "-", "‑": "-", "\u00a0": " ",
    }
)
_FOLD_BACKTICK = "`"  # the one ASCII character ``_FOLD`` replaces
assert [chr(c) for c in _FOLD if c < 128] == [_FOLD_BACKTICK]


class Sentence(NamedTuple):
    """A sentence of a report: its order, where it sits, and its text.

    Immutable like the frozen dataclass it was, and built twice as fast (0.9 µs less per
    sentence, ~95 sentences per benchmark report): a named tuple."""

    index: int
    """0-based order among the report's sentences (article first, then comments)."""
    paragraph: int
    """1-based position of its paragraph in the article, or of its comment."""
    text: str
    comment: int | None = None
    """1-based comment position when the sentence is in a comment, else ``None``."""


class Match(NamedTuple, Generic[T]):
    """A dictionary hit: character span in the sentence, text as written, and its entry.

    A named tuple for the same reason as ``Sentence`` (~125 matches per benchmark report)."""

    start: int
    end: int
    surface: str
    entry: T


def split_sentences(text: str) -> list[str]:
    """Sentences of one paragraph (runs of whitespace inside a sentence become one space)."""
    if not text.strip():
        return []
    return [s for s in map(str.strip, _text_to_sentences(text).split("\n")) if s]


class _SentenceBuffer(threading.local):
    """Output buffer for blingfire, reused across calls (one per thread)."""

    def __init__(self) -> None:
        self.buffer = ctypes.create_string_buffer(1 << 16)


_TO_SENTENCES = blingfire.blingfire["TextToSentences"]  # our own handle: blingfire's own
_TO_SENTENCES.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
_TO_SENTENCES.restype = ctypes.c_int  # ``text_to_sentences`` keeps its untyped one
_BUFFER = _SentenceBuffer()


def _text_to_sentences(text: str) -> str:
    """``blingfire.text_to_sentences`` without its per-call costs: that wrapper allocates and
    zero-fills a fresh ctypes buffer (twice the input) each call, more time than the C
    splitter itself on a short comment. Same call, same limit, same output."""
    data = text.encode("utf-8")
    limit = len(data) * 2  # the wrapper's buffer size, so over-long output fails the same way
    holder = _BUFFER
    if len(holder.buffer) < limit:
        holder.buffer = ctypes.create_string_buffer(limit)
    written = _TO_SENTENCES(data, len(data), holder.buffer, limit)
    if written == -1 or written > limit:
        return ""
    # the wrapper reads up to the first NUL of a zeroed buffer; the C side writes no further
    # than ``written`` bytes, so up to the first NUL among those is the same text
    return ctypes.string_at(holder.buffer, written).split(b"\0", 1)[0].decode("utf-8")


def report_sentences(report: Report, comments: bool = False) -> list[Sentence]:
    """The article's sentences in order (and, if asked, the comments' after them)."""
    sentences: list[Sentence] = []
    for position, paragraph in enumerate(report.paragraphs, start=1):
        for text in split_sentences(paragraph):
            sentences.append(Sentence(len(sentences), position, text))
    if comments:
        for position, comment in enumerate(report.comments, start=1):
            for text in split_sentences(comment.text):
                sentences.append(Sentence(len(sentences), position, text, position))
    return sentences


def fold(text: str) -> str:
    """Lower-case, accents and typographic quotes/dashes removed, *same length* as ``text``."""
    if text.isascii():  # the common case
        if _FOLD_BACKTICK in text:
            text = text.replace(_FOLD_BACKTICK, "'")
        return text.lower()
    # Each character folds on its own, so the few distinct non-ASCII ones (curly quotes,
    # dashes, accented letters) are swapped with str.replace and the rest lower-cased: the
    # same as one character-by-character table lookup, several times cheaper on a sentence.
    folded = text.replace(_FOLD_BACKTICK, "'") if _FOLD_BACKTICK in text else text
    for ch in set(NON_ASCII.findall(text)):
        swap = _SWAPS.get(ch)
        if swap is None:
            swap = _SWAPS[ch] = _swap(ch)
        if not swap:
            return fold_by_table(text)
        folded = folded.replace(ch, swap)
    return folded.lower()


def fold_by_table(text: str) -> str:
    """``fold`` one character at a time (translation tables): the definition, and the way
    for the odd character that ``lower`` would not leave as it folded."""
    translated = text.translate(_FOLD)
    if translated.isascii():
        return translated.lower()
    # One character maps to one character, so a translation table does it in C; it learns
    # each character the first time it is seen (a few hundred distinct ones in practice).
    unseen = set(translated).difference(_FOLDED_CHARS)
    for ch in unseen:
        _FOLD_TABLE[ord(ch)] = _fold_char(ch)
        _FOLDED_CHARS.add(ch)
    return translated.translate(_FOLD_TABLE)


def _swap(ch: str) -> str:
    """What a non-ASCII character folds to, or "" when it cannot simply be swapped in before
    lower-casing the text (its folding would change again: "İ"-like, non-idempotent)."""
    folded = _fold_char(_FOLD.get(ord(ch), ch))
    if folded.isascii() or (folded.lower() == folded and _fold_char(folded) == folded):
        return folded
    return ""


NON_ASCII = re.compile(r"[^\x00-\x7f]")
"""One character outside ASCII (the rare characters ``fold`` and the matchers look at)."""
_SWAPS: dict[str, str] = {}


def _fold_char(ch: str) -> str:
    """One character folded: its NFKD base (accent dropped), lower-cased if that stays one
    character ("İ" lower-cases to two)."""
    base = unicodedata.normalize("NFKD", ch)[0] if ord(ch) > 127 else ch
    lowered = base.lower()
    return lowered if len(lowered) == 1 else base


_FOLD_TABLE: dict[int, str] = {}
_FOLDED_CHARS: set[str] = set()


class PhraseMatcher(Generic[T]):
    """Finds dictionary phrases in text: whole words only, longest match first, no overlaps.

    Matching ignores case and accents, except for phrases written in capitals (acronyms such
    as ``IS``, ``US``, ``SAA``), which must appear in capitals: "is" is not Islamic State.
    """

    def __init__(self, phrases: Iterable[tuple[str, T]]) -> None:
        self._automaton = ahocorasick.Automaton()
        count = 0
        for phrase, entry in phrases:
            key = fold(phrase.strip())
            # the first entry for a phrase wins: dictionaries list preferred senses first
            if key and key not in self._automaton:
                exact = phrase.strip() if phrase.strip().isupper() else None
                self._automaton.add_word(key, (len(key), entry, exact))
                count += 1
        self.size = count
        if count:
            self._automaton.make_automaton()

    def find(self, text: str) -> list[Match[T]]:
        if not self.size:
            return []
        folded = fold(text)
        size = len(folded)
        hits = []
        for end_index, (length, entry, exact) in self._automaton.iter(folded):
            start, end = end_index - length + 1, end_index + 1
            if exact is not None and text[start:end] != exact:
                continue
            # whole words only: no letter or digit just before or just after
            if (start == 0 or not folded[start - 1].isalnum()) and (
                end >= size or not folded[end].isalnum()
            ):
                hits.append((start, end, entry))
        if not hits:
            return []
        if len(hits) == 1:  # the usual case: nothing to order or overlap
            start, end, entry = hits[0]
            return [Match(start, end, text[start:end], entry)]
        return _longest_first(text, hits)


def _longest_first(text: str, hits: list[tuple[int, int, T]]) -> list[Match[T]]:
    """The hits as matches, the longest at each start first, overlapping ones dropped."""
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    taken_until = -1
    matches = []
    for start, end, entry in hits:
        if start >= taken_until:
            taken_until = end
            matches.append(Match(start, end, text[start:end], entry))
    return matches
