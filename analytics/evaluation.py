"""``python -m analytics evaluate``: how well extraction matches hand-made gold on real text.

Two gold sets (their paths are arguments; the Makefile and tests point at ``../shared``):

* the seed report against ``seed_report.json``: comment segmentation, the required events
  (type, sub-type, date and precision, place), the evacuation field by field, the actors and
  places of the article;
* the FA-KES dev corpus, read **without** its ``date`` and ``location`` columns: the date of
  each report's main event against ``date``, and its primary governorate against
  ``location``; printed beside two trivial rules (first explicit date in the text, first
  governorate named) that any extractor must beat to be worth having, and beside the
  ceiling of the date: the share of gold dates that are written in the text at all.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from analytics.extraction import enrich
from analytics.extraction.actors import find_actors
from analytics.extraction.dates import report_anchor, resolve_dates
from analytics.extraction.places import fakes_label, find_mentions
from analytics.extraction.text import Sentence, fold
from analytics.models import Report
from analytics.paths import SEEDS_DIR
from analytics.readers.collections import read_collection
from analytics.readers.plaintext import read_plaintext

LIMIT = 10**9


@dataclass
class Score:
    """Hits out of a total, with what was missed, for one measured aspect."""

    name: str
    hits: int
    total: int
    misses: list[str] = field(default_factory=list)

    @property
    def value(self) -> float:
        return self.hits / self.total if self.total else 0.0

    def line(self) -> str:
        return f"{self.name:<46} {self.hits:>4}/{self.total:<4} {self.value:6.1%}"


@dataclass
class SeedResult:
    scores: list[Score]
    spurious_events: list[str]
    events_found: int
    actor_precision: Score
    place_precision: Score


def seed_file_for(gold_path: Path) -> Path:
    """The seed text a gold file annotates: ``seeds/<its "file">``."""
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    return SEEDS_DIR / gold["file"]


def evaluate_seed(gold_path: Path, seed_path: Path) -> SeedResult:
    """Run the seed through the reader and extractors and compare with its gold file."""
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    report = enrich(read_plaintext(seed_path, LIMIT).reports[0])
    scores = [_comments(report, gold), _body(report, gold)]
    events = report.facts.get("events", [])
    matched: set[int] = set()
    required_hits, misses = 0, []
    for gold_event in gold["events"]:
        index = _matching_event(events, gold_event)
        if index is not None:
            matched.add(index)
            required_hits += gold_event["required"]
        elif gold_event["required"]:
            misses.append(f"{gold_event['id']}: {gold_event['summary']}")
    required = [e for e in gold["events"] if e["required"]]
    scores.append(Score("seed: required events found", required_hits, len(required), misses))
    spurious = [str(e["evidence"])[:80] for i, e in enumerate(events) if i not in matched]
    scores.append(_evacuation(report, gold))
    actor_recall, actor_precision = _actors(report, gold)
    place_recall, place_precision = _places(report, gold)
    scores += [actor_recall, place_recall, _governorates(report, gold)]
    return SeedResult(scores, spurious, len(events), actor_precision, place_precision)


def evaluate_fakes(csv_path: Path) -> list[Score]:
    """Main-event date and primary governorate on FA-KES, read without its gold columns."""
    reports = read_collection(csv_path, LIMIT, {"date": "", "location": ""}).reports
    gold = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    gold_dates = [pd.to_datetime(d, format="%m/%d/%Y").date() for d in gold["date"]]
    gold_places = [p.strip().lower() for p in gold["location"]]
    date_hits = baseline_date_hits = place_hits = baseline_place_hits = reachable = 0
    date_misses: Counter[str] = Counter()
    place_misses: Counter[str] = Counter()
    for report, want_date, want_place in zip(reports, gold_dates, gold_places, strict=True):
        baseline_date_hits += _first_explicit_date(report) == want_date
        reachable += want_date in _dates_in_text(report)
        baseline_place_hits += _first_governorate(report) == want_place
        enrich(report)
        got_date = report.derived.get("primary_event_date")
        got_place = fakes_label(report.derived.get("primary_admin1"))
        if got_date == want_date:
            date_hits += 1
        else:
            date_misses[_date_miss(got_date, want_date)] += 1
        if got_place == want_place:
            place_hits += 1
        else:
            place_misses[f"{want_place} -> {got_place}"] += 1
    n = len(reports)
    return [
        Score("fa-kes: main-event date exact", date_hits, n,
              [f"{k}: {v}" for k, v in date_misses.most_common(8)]),
        Score("fa-kes: baseline, first explicit date", baseline_date_hits, n),
        Score("fa-kes: ceiling, gold date in the text", reachable, n),
        Score("fa-kes: primary governorate", place_hits, n,
              [f"{k}: {v}" for k, v in place_misses.most_common(8)]),
        Score("fa-kes: baseline, first governorate named", baseline_place_hits, n),
    ]


def report_text(seed: SeedResult | None, fakes: list[Score] | None) -> str:
    """The printed evaluation table."""
    lines = ["measure                                        hits/total   value"]
    if seed:
        lines += [s.line() for s in seed.scores]
        lines.append(seed.actor_precision.line())
        lines.append(seed.place_precision.line())
        lines += [f"    not in gold: {m}" for m in seed.actor_precision.misses]
        lines += [f"    not in gold: {m}" for m in seed.place_precision.misses]
        lines.append(f"{'seed: events extracted, of which not in gold':<46} "
                     f"{seed.events_found:>4}, {len(seed.spurious_events)}")
        for score in seed.scores:
            lines += [f"    missed {m}" for m in score.misses]
        lines += [f"    spurious event: {s}" for s in seed.spurious_events]
    if fakes:
        lines += [s.line() for s in fakes]
        for score in fakes:
            lines += [f"    miss {m}" for m in score.misses]
    return "\n".join(lines)


# --- seed measures ---------------------------------------------------------------------------


def _comments(report: Report, gold: dict) -> Score:
    items = gold["comments"]["items"]
    hits, misses = 0, []
    for n, expected in enumerate(items):
        got = report.comments[n] if n < len(report.comments) else None
        ok = (
            got is not None
            and got.author == expected["author"]
            and got.text.startswith(expected["starts"])
            and len(got.paragraphs) == expected.get("paragraphs", 1)
        )
        hits += ok
        if not ok:
            misses.append(f"comment {expected['n']}: {expected['starts']}")
    extra = max(0, len(report.comments) - len(items))
    return Score("seed: comments segmented exactly", hits, len(items) + extra, misses)


def _body(report: Report, gold: dict) -> Score:
    want = gold["report"]
    ok = (
        report.title == want["title"]
        and str(report.published) == want["published"]
        and len(report.paragraphs) == want["body_paragraphs"]
        and report.paragraphs[0].startswith(want["body_first_words"])
        and report.paragraphs[-1].endswith(want["body_last_words"])
    )
    return Score("seed: title, date and body paragraphs", int(ok), 1)


def _date_iso(value: object, precision: object) -> str | None:
    if not isinstance(value, date):
        return None
    if precision == "month":
        return value.strftime("%Y-%m")
    if precision == "year":
        return value.strftime("%Y")
    return value.isoformat()


def _matching_event(events: list[dict], gold_event: dict) -> int | None:
    for index, event in enumerate(events):
        if not str(event["evidence"]).startswith(gold_event["evidence_starts"]):
            continue
        if _date_iso(event["event_date"], event["date_precision"]) != gold_event["date"]:
            continue
        if "acled_event_type" in gold_event and (
            event["event_type"] != gold_event["acled_event_type"]
            or event["sub_event_type"] != gold_event["acled_sub_event_type"]
        ):
            continue
        return index
    return None


def _evacuation(report: Report, gold: dict) -> Score:
    rows = report.facts.get("evacuations", [])
    fields = 0
    hits, misses = 0, []
    for want in gold["evacuations"]:
        got = rows[0] if rows else {}
        checks = {
            "date": _date_iso(got.get("event_date"), got.get("date_precision")) == want["date"],
            "people": got.get("people_best") == want["people"],
            "buses": got.get("buses") == want["buses"],
            "group": got.get("group_name") == want["group"],
            "origin": got.get("origin") == want["origin"],
            "destination": got.get("destination") == want["destination"],
            "claimed_by": got.get("claimed_by") == want["claimed_by"],
        }
        fields += len(checks)
        hits += sum(checks.values())
        misses += [f"evacuation {k}: got {got.get(k)!r}" for k, ok in checks.items() if not ok]
    return Score("seed: evacuation fields right", hits, fields, misses)


def _article_mentions(report: Report, table: str, key: str) -> set[str]:
    return {
        str(row[key]) for row in report.facts.get(table, []) if row["comment_position"] is None
    }


def _canonical_actor(name: str) -> str:
    """The gold's name for an actor, as our dictionary names it ("Turkey" → "Turkey")."""
    found = find_actors(name)
    return found[0].entry.name if len(found) == 1 else name


def _canonical_place(name: str) -> str:
    found = find_mentions([Sentence(0, 1, f"in {name}")])
    return found[0].place.name if found else name


def _actors(report: Report, gold: dict) -> tuple[Score, Score]:
    found = _article_mentions(report, "actor_mentions", "actor")
    required = {_canonical_actor(a) for a in gold["actors_in_body"]["required"]}
    optional = {_canonical_actor(a) for a in gold["actors_in_body"]["optional"]}
    # a person the gold names by their state ("Iraqi Prime Minister Haider Abadi" → Iraq)
    optional |= {a for a in found if _parent_in(a, required)}
    allowed = required | optional
    recall = Score("seed: required actors found", len(required & found), len(required),
                   sorted(required - found))
    precision = Score("seed: actors found that the gold lists", len(found & allowed), len(found),
                      sorted(found - allowed))
    return recall, precision


def _parent_in(actor: str, names: set[str]) -> bool:
    from analytics.extraction.actors import lineage

    return any(parent in names for parent in lineage(actor)[1:])


def _places(report: Report, gold: dict) -> tuple[Score, Score]:
    names = _article_mentions(report, "place_mentions", "place")
    required = gold["places_in_body"]["required"]
    allowed = required + gold["places_in_body"]["optional"]

    def covers(found: str, wanted: str) -> bool:
        # same gazetteer entry, or an area named after the place ("Rastan pocket" ~ "Rastan")
        return found == _canonical_place(wanted) or fold(wanted) in fold(found).split()

    missed = [p for p in required if not any(covers(n, p) for n in names)]
    extra = sorted(n for n in names if not any(covers(n, p) for p in allowed))
    recall = Score("seed: required places found", len(required) - len(missed), len(required),
                   missed)
    precision = Score("seed: places found that the gold lists", len(names) - len(extra),
                      len(names), extra)
    return recall, precision


def _governorates(report: Report, gold: dict) -> Score:
    got: dict[str, object] = {}
    for row in report.facts.get("place_mentions", []):
        if row["comment_position"] is None:
            got.setdefault(fold(str(row["place"])), row["admin1"])
            for word in str(row["place"]).split():
                got.setdefault(fold(word), row["admin1"])
    want = {_canonical_place(p): g for p, g in gold["places_in_body"]["governorates"].items()}
    misses = [f"{p}: {got.get(fold(p))} (gold {g})" for p, g in want.items()
              if got.get(fold(p)) != g]
    return Score("seed: places with the right governorate", len(want) - len(misses), len(want),
                 misses)


# --- FA-KES helpers --------------------------------------------------------------------------


def _first_governorate(report: Report) -> str | None:
    """The trivial rule: the governorate of the first place named that has one."""
    sentence = Sentence(0, 1, report.title + ". " + report.body)
    for mention in find_mentions([sentence]):
        if mention.place.admin1:
            return fakes_label(mention.place.admin1)
    return None


def _first_explicit_date(report: Report) -> date | None:
    """The trivial rule: the first complete date written in the title or text."""
    for mention in resolve_dates(report.title + ". " + report.body, None):
        if mention.precision == "day":
            return mention.value
    return None


def _dates_in_text(report: Report) -> set[date]:
    """Every day a text-based rule could answer: the report's own date and each date written
    in the title or text, relative ones ("on Monday", "yesterday") resolved against it.

    Its share of gold hits is the ceiling of any such rule on this gold (the crowd's date
    is sometimes one the text never states: a later day, or an unrelated one).
    """
    anchor = report_anchor(report)
    found = {m.value for m in resolve_dates(report.title + ". " + report.body, anchor)
             if m.precision == "day"}
    return found | ({anchor} if anchor else set())


def _date_miss(got: object, want: date) -> str:
    if not isinstance(got, date):
        return "no date"
    days = (got - want).days
    return f"off by {days:+d} day" if abs(days) <= 7 else "other date"
