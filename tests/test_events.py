"""Event triggers: the RE2 prefilter finds a trigger exactly where Python's engine does."""

from __future__ import annotations

import random

import pandas as pd

from analytics.extraction.events import _QUOTES, RuleBook, _ascii_prefilter, load_rules
from analytics.extraction.text import fold, split_sentences
from tests.conftest import FAKES_CSV


def _sentences() -> list[str]:
    articles = pd.read_csv(FAKES_CSV, dtype=str)["article_content"].dropna().head(80)
    return [_QUOTES.sub(lambda m: " " * len(m.group(0)), fold(s))
            for body in articles for s in split_sentences(body)]


def test_prefilter_agrees_with_python_on_real_sentences():
    book = load_rules()
    assert book.ascii_trigger is not None  # the shipped rules are RE2-compatible
    texts = _sentences()
    hits = [book.any_match(t) for t in texts]
    assert hits == [book.any_trigger.search(t) is not None for t in texts]
    assert 50 < sum(hits) < len(texts)


def test_prefilter_agrees_with_python_on_word_edges_and_case():
    """Triggers glued to other words, split by punctuation, in capitals, next to non-ASCII
    letters (those sentences take Python's engine)."""
    book = load_rules()
    rng = random.Random(5)
    words = ("air strike strikes airstrike clashes clash shelling shelled killed civilians "
             "were protest protesters riot deal was reached car bomb exploded ø ß x_ "
             "AIR STRIKE Clashes 2019 , . - _ suicide bomber barrel bombs").split()
    for _ in range(3000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 8)))
        text = text.replace(" _ ", "_") if rng.random() < 0.2 else text
        assert book.any_match(text) == (book.any_trigger.search(text) is not None), text


def test_rules_whose_syntax_means_something_else_in_re2_use_python():
    for pattern in (r"\bair\s+strike", r"\bstrike$", r"\bstrike\Z", r"(?=air)air",
                    r"(a)\1", r"\bx\S"):
        assert _ascii_prefilter(pattern) is None, pattern
    assert _ascii_prefilter(r"\bair ?strikes?\b") is not None


def test_a_book_without_the_prefilter_still_finds_triggers():
    book = load_rules()
    plain = RuleBook(book.rules, book.blockers, book.any_trigger, None)
    assert plain.any_match("airstrikes hit the town") == book.any_match(
        "airstrikes hit the town")
    assert plain.any_match("air strikes hit the town")


def _python_triggers(book: RuleBook, text: str) -> set[int]:
    patterns = [t for rule in book.rules for t in rule.triggers]
    return {n for n, pattern in enumerate(patterns) if pattern.search(text)}


def test_trigger_set_names_the_triggers_python_finds():
    """``triggers_in`` lets ``classify`` try only the triggers RE2 found: on ASCII text it
    must name exactly those Python's engine matches, and defer (``None``) on other text."""
    book = load_rules()
    assert book.ascii_triggers is not None
    texts = _sentences()
    rng = random.Random(11)
    words = ("air strike strikes airstrike clashes clash shelling shelled killed civilians "
             "were protest protesters riot deal was reached car bomb exploded x_ "
             "AIR STRIKE Clashes 2019 , . - suicide bomber barrel bombs attack").split()
    texts += [" ".join(rng.choice(words) for _ in range(rng.randint(1, 8))) for _ in range(2000)]
    found = 0
    for text in texts:
        matching = book.triggers_in(text)
        if not text.isascii():
            assert matching is None
            continue
        assert matching is not None and set(matching) == _python_triggers(book, text), text
        found += bool(matching)
    assert found > 100
    assert book.triggers_in("shelling of the town ø") is None


def test_fatalities_found_after_every_death_word():
    """``fatalities`` skips sentences without a death word: each wording of a death that
    ties a count to it must still give the count."""
    from analytics.extraction.events import fatalities

    stated = [
        "The raid ended, killing 12 people.", "Shelling killed 12 in the town.",
        "The death toll rose to 12 on Monday.", "The death toll of 12 was confirmed.",
        "The strike hit the market, leaving 12 dead.", "The blast left 12 in the rubble.",
        "12 civilians were killed in the raid.", "12 people dead after the raid.",
        "12 of them died in hospital.", "It caused 12 deaths.", "12 soldiers lost their lives.",
        "Twelve people were killed.", "SHELLING KILLED 12 IN THE TOWN.",
    ]
    for text in stated:
        assert fatalities(text) == 12, text
    assert fatalities("12 people were wounded in 3 raids.") is None


def test_each_sentence_is_attributed_once_however_many_events_share_its_paragraph(
        monkeypatch):
    """Events look for their source through their paragraph's sentences: each sentence's
    attribution is worked out once (``SentenceFacts.source``) and every event gets it."""
    from collections import Counter

    import analytics.extraction.facts as facts_module
    from analytics.extraction import enrich
    from analytics.models import Report

    calls: Counter[int] = Counter()
    original = facts_module.attribution

    def counting(facts):
        calls[facts.sentence.index] += 1
        return original(facts)

    monkeypatch.setattr(facts_module, "attribution", counting)
    report = Report(title="Shelling near Damascus", paragraphs=[
        "Government forces shelled Douma on Monday, killing 5 civilians. Rebels shelled "
        "Harasta on Monday, killing 3 soldiers. Clashes erupted in Jobar on Monday. Local "
        "sources said the fighting went on all night."])
    enrich(report)
    events = report.facts["events"]
    assert len(events) >= 2
    assert max(calls.values()) == 1
    assert {event["source"] for event in events} == {"local sources"}


def test_death_words_are_found_alike_in_ascii_and_other_text():
    """The ASCII shortcut (a substring of the lower-cased text) finds a death word where the
    case-blind regex does, and non-ASCII sentences still give their counts."""
    from analytics.extraction.events import _ANY_DEATH_WORD, _names_death, fatalities

    rng = random.Random(11)
    words = "KILLED Kill dead DIED Deaths lost their LIVES leaving LEFT kil led 12 , ’ é".split()
    for _ in range(3000):
        text = rng.choice(("", " ")).join(rng.choice(words) for _ in range(rng.randint(1, 6)))
        assert _names_death(text) == (_ANY_DEATH_WORD.search(text) is not None), text
    assert fatalities("12 civilians were killed in Ma’arrat al-Nu‘man.") == 12
    assert fatalities("Shelling hit Ma’arrat al-Nu‘man.") is None
