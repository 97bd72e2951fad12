"""The benchmark's corpus: real sentences and comments, recombined into many reports.

Bodies are built from the sentences of the FA-KES articles (``../shared/corpora/fa-kes``,
when present) and of the seed report; comments from the seed's 27 real comments, verbatim
or recombined sentence by sentence. Each report gets a title, a publication date spread
evenly over 2011–2019, an outlet, a unique URL and a skewed number of comments (log-normal:
median ≈ 30, a long tail to several hundred, a few reports with none). Everything is drawn
from ``random.Random(seed)``: the same seed and sizes give byte-identical files.

The reports are written as JSON Lines (one report per line: title, text with paragraphs
joined by blank lines, published, source, url, comments as ``{author, text}``), which the
collections reader ingests like any user's file.
"""

from __future__ import annotations

import json
import math
import random
import re
import statistics
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from analytics.paths import PROJECT_DIR, SEEDS_DIR

FAKES_CSV = PROJECT_DIR.parent / "shared" / "corpora" / "fa-kes" / "fakes_dev.csv"
FIRST_DAY, LAST_DAY = date(2011, 1, 1), date(2019, 12, 31)
REPORTS_PER_FILE = 1000

# Comment counts: log-normal around MEDIAN_COMMENTS, a few reports without any and a few
# "hot" ones with hundreds (about 33 on average: 100,000 reports ≈ 3.3 million comments).
MEDIAN_COMMENTS = 30
COMMENT_SIGMA = 0.5
NO_COMMENTS_SHARE = 0.03
HOT_SHARE, HOT_RANGE = 0.005, (150, 700)
MAX_COMMENTS = 900
VERBATIM_SHARE = 0.3  # comments that are one of the seed's comments as written
ANONYMOUS_SHARE = 0.25

_SENTENCE_END = re.compile(r"(?<=[.!?\"”])\s+(?=[A-Z\"“‘'(0-9])")
_FIRST_NAMES = ("Ahmad Anna Ben Carlos Dana Elias Fatima George Hana Ivan Jim Karim Lena Maya "
                "Nadia Omar Paul Rami Sara Tom Ursula Victor Walid Yusuf Zaid Richard Ryan").split()
_LAST_NAMES = ("Haddad Smith Novak Khoury Brown Petrov Saleh Garcia Jones Nasser Miller Rossi "
               "Azar Klein Prendergast Glantz Weber Mansour Haddad Costa Lee").split()
_HANDLES = ("truthseeker observer anon_reader syriawatcher eastmed peacenow realist "
            "oldsoldier newsjunkie skeptic").split()


@dataclass(frozen=True)
class CorpusStats:
    """What was written, for the results' description of the corpus."""

    reports: int
    comments: int
    text_bytes: int
    median_comments: float
    mean_comments: float
    max_comments: int
    no_comment_reports: int
    body_sentences: int
    comment_sentences: int
    seed_comments: int
    fakes_articles: int
    files: list[str]

    def to_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class _Pools:
    articles: list[tuple[str, list[str]]]  # (title, sentences)
    comments: list[tuple[str | None, str]]  # the seed's comments: (author, text)
    comment_sentences: list[str]
    sources: list[str]
    fakes_articles: int


def sentences_of(text: str) -> list[str]:
    """A plain split on sentence ends: good enough to recombine, and fast."""
    out = []
    for sentence in _SENTENCE_END.split(" ".join(text.split())):
        sentence = sentence.strip()
        if 20 <= len(sentence) <= 500:
            out.append(sentence)
    return out


def _pools(fakes: Path | None) -> _Pools:
    from analytics.readers import ReaderOptions, read_file

    seed_reports = []
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        seed_reports += read_file(path, ReaderOptions()).reports
    articles = [(r.title, sentences_of(" ".join(r.paragraphs))) for r in seed_reports]
    comments = [(c.author, c.text) for r in seed_reports for c in r.comments]
    comment_sentences = [s for _, text in comments for s in sentences_of(text)]
    # Short replies ("Hear, hear! Well done!") are sentences too.
    comment_sentences += [t for _, t in comments if len(t) < 20]
    sources = ["South Front"]
    fakes_articles = 0
    if fakes is not None and fakes.exists():
        frame = pd.read_csv(fakes, dtype=str, keep_default_na=False)
        for row in frame.itertuples():
            sentences = sentences_of(row.article_content)
            if len(sentences) >= 3:
                articles.append((row.article_title.strip(), sentences))
                fakes_articles += 1
        sources = sorted({s for s in frame["source"] if s}) + sources
    return _Pools(articles, comments, comment_sentences, sources, fakes_articles)


def comment_count(rng: random.Random) -> int:
    """A skewed number of comments: median ≈ 30, a tail of several hundred, a few none."""
    draw = rng.random()
    if draw < NO_COMMENTS_SHARE:
        return 0
    if draw < NO_COMMENTS_SHARE + HOT_SHARE:
        return rng.randint(*HOT_RANGE)
    n = round(math.exp(rng.gauss(math.log(MEDIAN_COMMENTS), COMMENT_SIGMA)))
    return max(1, min(MAX_COMMENTS, n))


def _authors(rng: random.Random, pools: _Pools) -> list[str]:
    seed_authors = sorted({a for a, _ in pools.comments if a})
    made = [f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}" for _ in range(300)]
    made += [f"{rng.choice(_HANDLES)}{rng.randint(1, 999)}" for _ in range(200)]
    return seed_authors + sorted(set(made))


def _comment(rng: random.Random, pools: _Pools, authors: list[str]) -> dict[str, object]:
    if rng.random() < VERBATIM_SHARE:
        author, text = rng.choice(pools.comments)
    else:
        parts = []
        for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
            if rng.random() < 0.25:  # a reader quoting the news
                parts.append(rng.choice(rng.choice(pools.articles)[1]))
            else:
                parts.append(rng.choice(pools.comment_sentences))
        text = " ".join(parts)
        if rng.random() < 0.2 and len(parts) > 1:
            text = "\n\n".join(parts)
        author = rng.choice(authors)
    if rng.random() < ANONYMOUS_SHARE:
        author = None
    return {"author": author, "text": text}


def _body(rng: random.Random, pools: _Pools) -> tuple[str, list[str]]:
    title, sentences = rng.choice(pools.articles)
    length = min(len(sentences), rng.randint(6, 18))
    start = rng.randint(0, len(sentences) - length)
    chosen = list(sentences[start : start + length])
    for _ in range(rng.choice((0, 0, 1, 2, 3))):  # a few sentences from another report
        chosen.insert(rng.randint(0, len(chosen)), rng.choice(rng.choice(pools.articles)[1]))
    paragraphs, i = [], 0
    while i < len(chosen):
        size = rng.randint(1, 4)
        paragraphs.append(" ".join(chosen[i : i + size]))
        i += size
    if rng.random() < 0.3:
        title = chosen[0][:110].rstrip(" .")
    return title, paragraphs


def reports(n: int, seed: int, fakes: Path | None = FAKES_CSV) -> Iterator[dict[str, object]]:
    """``n`` report records, deterministic for a given ``seed`` (and the same input files)."""
    rng = random.Random(seed)
    pools = _pools(fakes)
    authors = _authors(rng, pools)
    span = (LAST_DAY - FIRST_DAY).days
    for i in range(n):
        title, paragraphs = _body(rng, pools)
        published = FIRST_DAY + timedelta(days=rng.randint(0, span))
        yield {
            "title": title,
            "text": "\n\n".join(paragraphs),
            "published": published.isoformat(),
            "source": rng.choice(pools.sources),
            "url": f"https://reports.bench.example/{seed}/{i:07d}",
            "comments": [_comment(rng, pools, authors) for _ in range(comment_count(rng))],
        }


def write_corpus(folder: Path, n: int, seed: int, fakes: Path | None = FAKES_CSV) -> CorpusStats:
    """Write ``n`` reports as ``corpus-NNN.jsonl`` files (1,000 reports each) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("corpus-*.jsonl"):
        old.unlink()
    counts: list[int] = []
    text_bytes = 0
    files: list[str] = []
    out = None
    try:
        for i, record in enumerate(reports(n, seed, fakes)):
            if i % REPORTS_PER_FILE == 0:
                if out is not None:
                    out.close()
                path = folder / f"corpus-{i // REPORTS_PER_FILE:03d}.jsonl"
                files.append(str(path))
                out = path.open("w", encoding="utf-8")
            comments: list[dict[str, object]] = record["comments"]  # type: ignore[assignment]
            counts.append(len(comments))
            text_bytes += sum(
                len(str(t).encode("utf-8"))
                for t in (record["title"], record["text"], *(c["text"] for c in comments))
            )
            out.write(json.dumps(record, ensure_ascii=False) + "\n")  # type: ignore[union-attr]
    finally:
        if out is not None:
            out.close()
    pools = _pools(fakes)
    return CorpusStats(
        reports=n,
        comments=sum(counts),
        text_bytes=text_bytes,
        median_comments=float(statistics.median(counts)) if counts else 0.0,
        mean_comments=statistics.fmean(counts) if counts else 0.0,
        max_comments=max(counts, default=0),
        no_comment_reports=sum(1 for c in counts if c == 0),
        body_sentences=sum(len(s) for _, s in pools.articles),
        comment_sentences=len(pools.comment_sentences),
        seed_comments=len(pools.comments),
        fakes_articles=pools.fakes_articles,
        files=files,
    )
