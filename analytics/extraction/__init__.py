"""Extraction: what the pipeline learns from a report's text, stored with the report.

``enrich`` is the single entry point the ingest pipeline calls (in worker processes) for
each report, between reading and storing. It splits the report into sentences once, finds
the actors, places and dates of every sentence once, and hands those to the extractors:
comment sentiment, actor and place mentions, evacuations, events, and the report's main
event (its date and primary place). Everything lands in ``report.facts`` (rows of the
extraction tables) and ``report.derived`` (columns of the report's own row), so the store
writes it in the same transaction as the report.
"""

from __future__ import annotations

from analytics.extraction.actors import default_matcher
from analytics.extraction.dates import DateMention, main_event_date
from analytics.extraction.evacuations import claimed_sentences, evacuation_rows, find_evacuations
from analytics.extraction.events import default_date, extract_events, load_rules
from analytics.extraction.facts import analyse
from analytics.extraction.places import preload as preload_places
from analytics.extraction.places import primary_from_mentions
from analytics.extraction.sentiment import default_model, score_comments
from analytics.extraction.text import report_sentences
from analytics.identity import report_id
from analytics.models import Report


def enrich(report: Report) -> Report:
    """Add comment sentiment, mentions, events, evacuations and the main event to ``report``."""
    score_comments(report)
    rid = report_id(report)
    sentences = report_sentences(report, comments=True)
    facts, article_places = analyse(sentences, report.published)
    article = [f for f in facts if f.sentence.comment is None]
    article_sentences = [f.sentence for f in article]

    main_date = main_event_date(report, article_sentences)
    place, admin1 = primary_from_mentions(report, article_places)
    fallback_date = _as_fallback(main_date) or default_date(report.published)

    records = find_evacuations(article)
    evacuations, evacuation_events = evacuation_rows(records, rid, fallback_date)
    events = extract_events(article, rid, fallback_date, place, skip=claimed_sentences(records))
    report.facts = {
        "actor_mentions": [
            {"comment_position": f.sentence.comment, "sentence_index": f.sentence.index,
             "sentence": f.sentence.text, "surface": m.surface, "actor": m.entry.name}
            for f in facts for m in f.actors
        ],
        "place_mentions": [
            {"comment_position": f.sentence.comment, "sentence_index": f.sentence.index,
             "sentence": f.sentence.text, "surface": m.surface, "place": m.entry.name,
             "admin1": m.entry.admin1, "latitude": m.entry.latitude,
             "longitude": m.entry.longitude}
            for f in facts for m in f.places
        ],
        "events": sorted(events + evacuation_events, key=lambda e: e["sentence_index"]),
        "evacuations": evacuations,
    }
    report.derived = {
        "primary_event_date": main_date.value if main_date else None,
        "primary_date_precision": main_date.precision if main_date else None,
        "primary_location": place.name if place else None,
        "primary_admin1": admin1,
        "primary_latitude": place.latitude if place else None,
        "primary_longitude": place.longitude if place else None,
    }
    return report


def preload() -> None:
    """Load the dictionaries and the model ``enrich`` uses, which it otherwise does on first
    use (~0.6 s of CPU: YAML, gazetteer spellings, automata). A parent that is about to fork
    its workers calls this so they inherit them, instead of each building its own."""
    default_model()
    default_matcher()
    preload_places()
    load_rules()


def _as_fallback(found: DateMention | None) -> DateMention | None:
    """The main event's date, as the date of event sentences that state none (week precision:
    "the days around the report")."""
    if found is None:
        return None
    precision = "week" if found.precision == "day" else found.precision
    return DateMention(0, 0, "", found.value, precision)
