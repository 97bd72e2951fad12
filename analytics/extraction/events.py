"""Sentence-level events, coded with ACLED's taxonomy, each traceable to its sentence.

A sentence of the article is an event when one of the trigger patterns of
``data/event_rules.yaml`` matches it and nothing blocks it (a plan, a threat, a condition, a
denial, or someone's quoted words are not events). The rules file decides the ACLED
event_type / sub_event_type; this module fills the rest the way ACLED coders do:

* date: the sentence's own date (most precise first), else the last date of its paragraph,
  else the report's date with ``week`` precision — a report is about recent days;
* place: the most specific place of the sentence, else of its paragraph, else the report's
  primary place; ``geo_precision`` says how exact that is (1 place, 2 region, 3 province);
* actors: "between X and Y" gives both; otherwise actor1 is the first armed actor before the
  trigger and actor2 the first different one after it, or else elsewhere in the paragraph;
  the media are never actors: they are the ``source`` ("SANA reported");
* fatalities: a count next to killed / dead / death toll.

Rule-based on purpose: every decision can be read, argued with and changed by an analyst,
and it is fast enough to run on every report at ingestion.
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import re2
import yaml

from analytics.extraction.dates import DateMention
from analytics.extraction.facts import (
    SentenceFacts,
    armed_actors,
    best_place,
    canonical,
    geo_precision,
    is_government,
)
from analytics.extraction.numbers import quantities
from analytics.extraction.places import Place
from analytics.extraction.text import Match
from analytics.paths import DATA_DIR

RULES_FILE = DATA_DIR / "event_rules.yaml"
TIME_PRECISION = {"day": 1, "week": 2, "month": 3, "year": 3, "unknown": 3}
_QUOTES = re.compile(r"\"[^\"]*\"|“[^”]*”")
_BETWEEN = re.compile(r"\bbetween\b", re.IGNORECASE)
_KILLED_AFTER = re.compile(
    r"^\s*(?:\w+\s+){0,4}?(?:were |was |have been |had been )?(?:killed|dead|died|deaths|"
    r"lost their lives|people were killed)\b", re.IGNORECASE)
_KILLED_BEFORE = re.compile(
    r"(?:killing|killed|death toll (?:rose |climbed |reached )?(?:to|of|at)|leaving|left)\s+"
    r"(?:at least |some |about |more than |nearly )?$", re.IGNORECASE)
_DEATH_WORDS = ("kill", "dead", "died", "death", "lost their lives", "leaving", "left")
"""Every match of ``_KILLED_AFTER`` and of ``_KILLED_BEFORE`` contains one of these."""
_ANY_DEATH_WORD = re.compile("|".join(map(re.escape, _DEATH_WORDS)), re.IGNORECASE)


@dataclass(frozen=True)
class Rule:
    event_type: str
    sub_event_type: str
    triggers: tuple[re.Pattern[str], ...]
    requires_any: tuple[re.Pattern[str], ...]
    actor1: str | None


@dataclass(frozen=True)
class RuleBook:
    rules: tuple[Rule, ...]
    blockers: tuple[re.Pattern[str], ...]
    any_trigger: re.Pattern[str]
    """All triggers in one pattern: most sentences match none and are dismissed at once."""
    ascii_trigger: re2._Regexp | None = None
    """``any_trigger`` compiled with RE2 for ASCII sentences, or ``None`` if it can't be."""
    ascii_triggers: re2.Set | None = None
    """Every trigger in one RE2 set, numbered in rule order (``triggers_in``), or ``None``."""

    def any_match(self, text: str) -> bool:
        """Whether some trigger matches somewhere in ``text`` (where is for the rules)."""
        if self.ascii_trigger is not None and text.isascii():
            return self.ascii_trigger.search(text) is not None
        return self.any_trigger.search(text) is not None

    def triggers_in(self, text: str) -> Container[int] | None:
        """Numbers of the triggers (rule by rule, in order) that match somewhere in ``text``,
        from one RE2 pass; ``None`` when only trying each trigger can tell (text not ASCII,
        rules RE2 cannot run). Most sentences that have a trigger match one or two of the
        few dozen, and Python's engine then has to find only those."""
        if self.ascii_triggers is None or self.ascii_trigger is None or not text.isascii():
            return None
        found = self.ascii_triggers.Match(text)
        if found:
            return frozenset(found)
        # RE2's set also answers "none" when it runs out of memory; the alternation, which
        # falls back to another engine instead, confirms it
        return frozenset() if self.ascii_trigger.search(text) is None else None


@lru_cache(maxsize=4)
def load_rules(path: Path = RULES_FILE) -> RuleBook:
    """Parse and compile ``event_rules.yaml``; a bad pattern is reported with its rule."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules = []
    for n, raw in enumerate(data.get("rules", []), start=1):
        where = f"{path.name}: rule {n} ({raw.get('sub_event_type', '?')})"
        try:
            rules.append(
                Rule(
                    event_type=raw["event_type"],
                    sub_event_type=raw["sub_event_type"],
                    triggers=tuple(re.compile(p, re.IGNORECASE) for p in raw["triggers"]),
                    requires_any=tuple(
                        re.compile(p, re.IGNORECASE) for p in raw.get("requires_any", [])
                    ),
                    actor1=raw.get("actor1"),
                )
            )
        except KeyError as error:
            raise ValueError(f"{where}: missing {error}") from error
        except re.error as error:
            raise ValueError(f"{where}: bad pattern: {error}") from error
    blockers = tuple(re.compile(p, re.IGNORECASE) for p in data.get("blockers", []))
    any_trigger = re.compile(
        "|".join(f"(?:{t.pattern})" for r in rules for t in r.triggers), re.IGNORECASE
    )
    prefilter = _ascii_prefilter(any_trigger.pattern)
    triggers = [t.pattern for r in rules for t in r.triggers]
    return RuleBook(tuple(rules), blockers, any_trigger, prefilter,
                    _trigger_set(triggers) if prefilter is not None else None)


# Where Python's and RE2's syntax mean different things even on ASCII text: Python's \s also
# matches \x1c-\x1f, its $ also matches before a final newline, \Z is Python's only.
_NOT_FOR_RE2 = re.compile(r"\\[sSZ]|\$")


def _ascii_prefilter(pattern: str) -> re2._Regexp | None:
    """The trigger alternation as an RE2 automaton, which tests a sentence in one linear pass
    (Python's engine tries every trigger at every position: most of the events stage's time).

    Only whether a match exists is asked of it, and only on ASCII text, where RE2 and Python
    agree on ``\\w``, ``\\b``, ``\\d`` and case-insensitivity; for a regular pattern (no
    lookaround or back-reference, which RE2 refuses) both then find a match on the same texts.
    A rules file using syntax whose meaning differs gets ``None``: Python's engine is used.
    """
    if _NOT_FOR_RE2.search(pattern):
        return None
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    try:
        return re2.compile(pattern, options)
    except re2.error:
        return None


def _trigger_set(patterns: list[str]) -> re2.Set | None:
    """The triggers as one RE2 set (numbered in order), under the prefilter's conditions:
    only used when their alternation compiles with RE2, on ASCII text."""
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    triggers = re2.Set.SearchSet(options)
    try:
        for number, pattern in enumerate(patterns):
            if triggers.Add(pattern) != number:
                return None
        triggers.Compile()
    except re2.error:
        return None
    return triggers


def extract_events(
    facts: list[SentenceFacts],
    report_id: str,
    fallback_date: DateMention | None,
    fallback_place: object | None,
    skip: set[int] | frozenset[int] = frozenset(),
) -> list[dict[str, object]]:
    """One row per event sentence of the article (sentences in ``skip`` are coded elsewhere)."""
    book = load_rules()
    rows: list[dict[str, object]] = []
    for i, sentence_facts in enumerate(facts):
        sentence = sentence_facts.sentence
        if sentence.comment is not None or sentence.index in skip:
            continue
        found = classify(sentence_facts, _paragraph(facts, i), book)
        if found is None:
            continue
        rule, trigger_at = found
        rows.append(
            code_event(
                facts, i, rule.event_type, rule.sub_event_type, trigger_at,
                f"{report_id}-e{sentence.index}", fallback_date, fallback_place,
            )
        )
    return rows


def classify(
    facts: SentenceFacts, paragraph: list[SentenceFacts], book: RuleBook
) -> tuple[Rule, int] | None:
    """The first rule whose trigger matches outside quotes and after no blocker."""
    text = _QUOTES.sub(lambda m: " " * len(m.group(0)), facts.folded)
    matching = book.triggers_in(text)
    if not (book.any_match(text) if matching is None else matching):
        return None
    paragraph_text = " ".join(f.folded for f in paragraph)
    number = -1
    for rule in book.rules:
        for pattern in rule.triggers:
            number += 1
            if matching is not None and number not in matching:
                continue  # RE2 found no match of this trigger: Python's engine would not
            match = pattern.search(text)
            if match is None or _blocked(text, match.start(), book):
                continue
            if rule.requires_any and not any(p.search(paragraph_text) for p in rule.requires_any):
                continue
            if rule.actor1 and not _actor1_fits(facts, match.start(), rule.actor1):
                continue
            return rule, match.start()
    return None


def code_event(
    facts: list[SentenceFacts],
    i: int,
    event_type: str,
    sub_event_type: str,
    trigger_at: int,
    event_id: str,
    fallback_date: DateMention | None,
    fallback_place: object | None,
) -> dict[str, object]:
    """Fill date, place, actors, fatalities and source of the event in sentence ``i``."""
    here = facts[i]
    paragraph = _paragraph(facts, i)
    when = _event_date(here, paragraph, fallback_date)
    place_match = best_place(here) or _paragraph_place(paragraph)
    place = place_match.entry if place_match is not None else fallback_place
    actor1, actor2 = _actors(here, paragraph, trigger_at)
    precision = when.precision if when else "unknown"
    return {
        "event_id": event_id,
        "sentence_index": here.sentence.index,
        "event_date": when.value if when else None,
        "date_precision": precision,
        "time_precision": TIME_PRECISION[precision],
        "event_type": event_type,
        "sub_event_type": sub_event_type,
        "actor1": actor1,
        "actor2": actor2,
        "admin1": getattr(place, "admin1", None),
        "location": getattr(place, "name", None),
        "latitude": getattr(place, "latitude", None),
        "longitude": getattr(place, "longitude", None),
        "geo_precision": geo_precision(place) if place is not None else None,  # type: ignore[arg-type]
        "places": "; ".join(dict.fromkeys(m.entry.name for m in here.places)) or None,
        "fatalities": fatalities(here.sentence.text),
        "source": here.source or _paragraph_source(paragraph),
        "evidence": here.sentence.text,
        "confidence": _confidence(here, when, place_match, actor1),
    }


def fatalities(text: str) -> int | None:
    """Deaths stated in the sentence: "killing 12", "70 people were killed", "death toll of 9"."""
    if not _names_death(text):
        # no count can be tied to a death: skip finding the counts (half of the event
        # sentences; ~0.15 ms less CPU per benchmark report)
        return None
    total = 0
    for quantity in quantities(text):
        after = text[quantity.end : quantity.end + 60]
        before = text[max(0, quantity.start - 40) : quantity.start]
        if _KILLED_AFTER.match(after) or _KILLED_BEFORE.search(before):
            total = max(total, quantity.best)
    return total or None


def _names_death(text: str) -> bool:
    """Whether ``text`` holds one of ``_DEATH_WORDS``, in any case. In ASCII text that is a
    plain substring of the lower-cased text, ~15x cheaper than the case-blind regex."""
    if text.isascii():
        lowered = text.lower()
        return any(word in lowered for word in _DEATH_WORDS)
    return _ANY_DEATH_WORD.search(text) is not None


def _blocked(text: str, trigger_at: int, book: RuleBook) -> bool:
    head = text[:trigger_at]
    return any(p.search(head) for p in book.blockers)


def _actor1_fits(facts: SentenceFacts, trigger_at: int, wanted: str) -> bool:
    actors = armed_actors(facts)
    if not actors:
        return wanted == "government" and "government" in facts.folded
    first = next((m for m in actors if m.start < trigger_at), actors[0])
    return is_government(first.entry) == (wanted == "government")


def _paragraph(facts: list[SentenceFacts], i: int) -> list[SentenceFacts]:
    s = facts[i].sentence
    return [
        f for f in facts
        if f.sentence.paragraph == s.paragraph and f.sentence.comment == s.comment
    ]


def _event_date(
    here: SentenceFacts, paragraph: list[SentenceFacts], fallback: DateMention | None
) -> DateMention | None:
    order = {"day": 0, "week": 1, "month": 2, "year": 3}
    if here.dates:
        return min(here.dates, key=lambda d: order[d.precision])
    earlier = [d for f in paragraph if f.sentence.index < here.sentence.index for d in f.dates]
    return earlier[-1] if earlier else fallback


def _paragraph_place(paragraph: list[SentenceFacts]) -> Match[Place] | None:
    for facts in paragraph:
        place = best_place(facts)
        if place is not None:
            return place
    return None


def _actors(
    here: SentenceFacts, paragraph: list[SentenceFacts], trigger_at: int
) -> tuple[str | None, str | None]:
    actors = armed_actors(here)
    names = [canonical(m.entry) for m in actors]
    between = _BETWEEN.search(here.sentence.text)
    if between:
        after = list(dict.fromkeys(
            canonical(m.entry) for m in actors if m.start > between.start()
        ))
        if len(after) >= 2:
            return after[0], after[1]
    before = [canonical(m.entry) for m in actors if m.start < trigger_at]
    actor1 = before[0] if before else (names[0] if names else None)
    after_trigger = [n for n in (canonical(m.entry) for m in actors if m.start >= trigger_at)
                     if n != actor1]
    actor2 = after_trigger[0] if after_trigger else None
    if actor2 is None:
        # elsewhere in the paragraph, a named group ("Hayat Tahrir al-Sham") before a generic
        # one ("local militants")
        others = [(not m.surface[:1].isupper(), canonical(m.entry))
                  for f in paragraph for m in armed_actors(f)]
        actor2 = next((n for _, n in sorted(others, key=lambda o: o[0]) if n != actor1), None)
    return actor1, actor2


def _paragraph_source(paragraph: list[SentenceFacts]) -> str | None:
    for facts in paragraph:
        source = facts.source
        if source:
            return source
    return None


def _confidence(
    here: SentenceFacts, when: DateMention | None, place: object | None, actor1: str | None
) -> float:
    """0.4 for a trigger, plus 0.2 each for a date, a place and an actor in the sentence."""
    score = 0.4
    score += 0.2 if here.dates else 0.0
    score += 0.2 if place is not None and place in here.places else 0.0
    score += 0.2 if actor1 and armed_actors(here) else 0.0
    return round(score, 2)


def default_date(published: date | None) -> DateMention | None:
    """The report's own date as a week-precision fallback for undated event sentences."""
    if published is None:
        return None
    return DateMention(0, 0, "", published, "week")
