"""Reader for a report saved as plain text in the seed's shape.

Shape: the title line (with the report date in it), the article's paragraphs separated by
one blank line, then the comments. In the comment section a new comment starts after two
or more blank lines, or at a display-name line (a short line with no end punctuation)
that heads it; the comment widget's boilerplate at the end is dropped. The layout is the
only signal a saved page keeps, so segmentation is done on blank-line gaps, not on words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from analytics.extraction.dates import report_date
from analytics.models import Comment, InputError, ReadResult, Report
from analytics.paths import DATA_DIR
from analytics.readers.decoding import read_text

BOILERPLATE_FILE = DATA_DIR / "comment_boilerplate.txt"
_END_PUNCTUATION = tuple(".!?:;,…\"'”’)]")
_URL = re.compile(r"https?://|www\.", re.IGNORECASE)


@dataclass
class Block:
    """A paragraph and the number of blank lines in front of it."""

    text: str
    gap: int


def read_plaintext(path: Path, max_bytes: int) -> ReadResult:
    """Read one ``.txt`` report file."""
    report = parse_plaintext(read_text(path, max_bytes), origin=str(path))
    return ReadResult(path=str(path), reports=[report])


def parse_plaintext(text: str, origin: str = "") -> Report:
    """Split saved-page text into title, body paragraphs and comments."""
    lines = text.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    title = lines[0].strip() if lines else ""
    blocks = [b for b in _blocks(lines[1:]) if not is_boilerplate(b.text)]
    if not blocks:
        raise InputError("no article text after the title line")
    body, comment_blocks = _split_body(blocks)
    report = Report(
        title=title,
        paragraphs=[b.text for b in body],
        comments=_comments(comment_blocks),
        origin=origin,
    )
    report.published = report_date(title, report.paragraphs[0][:300])
    if report.published is None:
        report.warnings.append("no report date found in the title or the first paragraph")
    return report


def is_display_name(line: str) -> bool:
    """A commenter's name heading a comment: short, a few words, no end punctuation, no URL."""
    line = line.strip()
    words = line.split()
    return (
        0 < len(words) <= 4
        and len(line) <= 40
        and "\n" not in line
        and not line.endswith(_END_PUNCTUATION)
        and not _URL.search(line)
        and any(ch.isalpha() for ch in line)
    )


def is_boilerplate(text: str) -> bool:
    """Comment-widget text ("Would love your thoughts, please comment.x") listed in data/."""
    normalised = " ".join(text.split()).lower()
    return any(normalised.startswith(phrase) for phrase in _boilerplate_phrases())


@lru_cache(maxsize=1)
def _boilerplate_phrases() -> tuple[str, ...]:
    lines = BOILERPLATE_FILE.read_text(encoding="utf-8").splitlines()
    return tuple(
        " ".join(line.split()).lower()
        for line in lines
        if line.strip() and not line.startswith("#")
    )


def _blocks(lines: list[str]) -> list[Block]:
    """Group lines into paragraphs; a paragraph's lines are joined with a newline."""
    blocks: list[Block] = []
    current: list[str] = []
    gap = 0
    for line in lines:
        if line.strip():
            current.append(line.strip())
            continue
        if current:
            blocks.append(Block("\n".join(current), gap))
            current, gap = [], 0
        gap += 1
    if current:
        blocks.append(Block("\n".join(current), gap))
    return blocks


def _starts_comment(blocks: list[Block], i: int) -> bool:
    """Block ``i`` is a display name that heads the next paragraph (one blank line between)."""
    return is_display_name(blocks[i].text) and i + 1 < len(blocks) and blocks[i + 1].gap == 1


def _split_body(blocks: list[Block]) -> tuple[list[Block], list[Block]]:
    """The article ends at the first double gap or the first display-name line."""
    for i, block in enumerate(blocks):
        if i > 0 and (block.gap >= 2 or _starts_comment(blocks, i)):
            return blocks[:i], blocks[i:]
    return blocks, []


def _comments(blocks: list[Block]) -> list[Comment]:
    comments: list[Comment] = []
    current: Comment | None = None
    for i, block in enumerate(blocks):
        if _starts_comment(blocks, i):
            if current is not None and current.paragraphs:
                comments.append(current)
            current = Comment(paragraphs=[], author=block.text)
            continue
        if current is None or (block.gap >= 2 and current.paragraphs):
            if current is not None:
                comments.append(current)
            current = Comment(paragraphs=[])
        current.paragraphs.append(block.text)
    if current is not None and current.paragraphs:
        comments.append(current)
    return comments
