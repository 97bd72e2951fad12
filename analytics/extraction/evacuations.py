"""Evacuations and displacements: how many people, on how many buses, from where to where,
under which deal, claimed by whom.

Reports spread one evacuation over several sentences ("1,065 militants … were evacuated from
Douma under a deal …, SANA reported." / "According to SANA, these people were evacuated using
20 buses." / "Their destination is the town of Jarabulus"). A record starts at a sentence
that says people were moved (an evacuation verb and a count of people or vehicles) and then
absorbs the following sentences of the next few paragraphs that keep talking about it
(evacuees, buses, destination, convoy…) until another evacuation starts. Each record is also
coded as an ACLED event (an *Agreement* when it happened under a deal).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from analytics.extraction.dates import DateMention
from analytics.extraction.events import TIME_PRECISION
from analytics.extraction.facts import (
    SentenceFacts,
    armed_actors,
    canonical,
    geo_precision,
    is_government,
)
from analytics.extraction.numbers import Quantity, quantities

_MOVED = re.compile(
    r"\b(?:evacuat(?:ed|ion|ions|ing)|displaced|bussed|bused|transferred|relocated|"
    r"deported|expelled|forced out|departed|left for|fled|exodus)\b", re.IGNORECASE)
_FOLLOW_UP = re.compile(
    r"\b(?:evacuat\w*|evacuees|buses|convoys?|destination|these people|the displaced|"
    r"departed|arrived)\b", re.IGNORECASE)
_WHO = (r"(?:militants?|fighters?|rebels?|gunmen|people|persons|civilians|residents|families|"
        r"family members|individuals|evacuees|wounded|injured|sick|patients|children|women|"
        r"members|terrorists|jihadists|combatants|insurgents)")
_WHO_AFTER = re.compile(rf"^\s*(?:\w+\s+){{0,2}}?(?P<who>{_WHO}(?:\s+and\s+(?:their\s+)?"
                        rf"(?:\w+\s+)?{_WHO})?)\b", re.IGNORECASE)
_VEHICLES = re.compile(r"^\s*(?:\w+\s+)?(?:buses|bus|vehicles|trucks|ambulances|coaches)\b",
                       re.IGNORECASE)
_DEAL = re.compile(
    r"\b(?:under|as part of|in line with|according to)\s+(?P<deal>(?:a|an|the)\s+"
    r"(?:[\w-]+\s+){0,3}?(?:deal|agreement|truce|settlement|accord|understanding)"
    r"(?:\s+(?:between|with|reached with|brokered by)\s+[^,.;]+)?)", re.IGNORECASE)
_TO = re.compile(r"\b(?:to|towards|for|bound for|destination is|destined for|heading to|"
                 r"arrived in|arrived at|reached)\s+(?:the\s+)?(?:\w+\s+of\s+)?$", re.IGNORECASE)
_FROM = re.compile(r"\b(?:from|out of|left|leaving)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?"
                   r"(?:of\s+)?$", re.IGNORECASE)
FOLLOW_PARAGRAPHS = 2
_NOT_DONE = re.compile(r"\b(?:could|would|will|may|might|set for|expected|plans?|planned|"
                       r"to be|due to|scheduled|would see|could see)\b", re.IGNORECASE)
_TALLY = re.compile(r"\bsince (?:the|its|it|march|20\d\d|then|the start|the beginning)\b|"
                    r"\bmillions?\b.*\bdisplaced\b|\bdisplaced\b.*\bmillions?\b",
                    re.IGNORECASE)
_OTHER_FATE = re.compile(r"\b(?:kill|killed|killing|dead|died|wounded|injured|arrested|"
                         r"detained)\b",
                         re.IGNORECASE)
_BACK_REFERENCE = re.compile(
    r"\b(?:these|those|the) (?:people|evacuees|fighters|militants|civilians|families|persons)\b"
    r"|\b(?:they|them|their)\b", re.IGNORECASE)


@dataclass
class Evacuation:
    facts: list[SentenceFacts] = field(default_factory=list)
    people: Quantity | None = None
    who: str | None = None
    buses: int | None = None
    origin: object | None = None
    destination: object | None = None
    group: str | None = None
    counterpart: str | None = None
    deal: str | None = None
    claimed_by: str | None = None
    when: DateMention | None = None

    def absorb(self, facts: SentenceFacts) -> None:
        """Fill what is still unknown from one more sentence about this evacuation."""
        self.facts.append(facts)
        text = facts.sentence.text
        for quantity in quantities(text):
            if self.buses is None and _VEHICLES.match(text[quantity.end : quantity.end + 50]):
                self.buses = quantity.best
        if self.people is None and (linked := linked_quantity(text)):
            self.people, self.who = linked
        for place in facts.places:
            if place.entry.kind in ("river", "country"):
                continue
            before = text[max(0, place.start - 40) : place.start]
            if self.destination is None and _TO.search(before):
                self.destination = place.entry
            elif self.origin is None and _FROM.search(before):
                self.origin = place.entry
        if self.deal is None and (deal := _DEAL.search(text)):
            self.deal = " ".join(deal.group("deal").split())
        self._parties(facts)
        self.claimed_by = self.claimed_by or facts.source
        if self.when is None and facts.dates:
            self.when = facts.dates[0]

    def _parties(self, facts: SentenceFacts) -> None:
        for match in armed_actors(facts):
            name = canonical(match.entry)
            if is_government(match.entry):
                self.counterpart = self.counterpart or name
            elif self.group is None and match.entry.type in (
                "armed group", "designated terrorist organisation"
            ):
                self.group = name


def find_evacuations(facts: list[SentenceFacts]) -> list[Evacuation]:
    """Evacuation records of the article, each with the sentences that describe it."""
    records: list[Evacuation] = []
    current: Evacuation | None = None
    for sentence_facts in facts:
        sentence = sentence_facts.sentence
        if sentence.comment is not None:
            continue
        follows = (
            current is not None
            and sentence.paragraph - current.facts[-1].sentence.paragraph <= FOLLOW_PARAGRAPHS
        )
        if _starts(sentence_facts) and not (follows and _refers_back(current, sentence_facts)):
            current = Evacuation()
            records.append(current)
            current.absorb(sentence_facts)
        elif follows and (
            _FOLLOW_UP.search(sentence.text) or _continues(current, sentence_facts)  # type: ignore[arg-type]
        ):
            current.absorb(sentence_facts)  # type: ignore[union-attr]
    return records


def evacuation_rows(
    records: list[Evacuation], report_id: str, fallback_date: DateMention | None
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Rows for the ``evacuations`` table and the matching ``events`` rows."""
    evacuations, events = [], []
    for n, record in enumerate(records, start=1):
        when = record.when or fallback_date
        precision = when.precision if when else "unknown"
        first = record.facts[0]
        evacuation_id = f"{report_id}-v{n}"
        origin, destination = record.origin, record.destination
        evacuations.append({
            "evacuation_id": evacuation_id,
            "event_date": when.value if when else None,
            "date_precision": precision,
            "time_precision": TIME_PRECISION[precision],
            "people_low": record.people.low if record.people else None,
            "people_best": record.people.best if record.people else None,
            "people_high": record.people.high if record.people else None,
            "buses": record.buses,
            "who": record.who,
            "group_name": record.group,
            "origin": getattr(origin, "name", None),
            "origin_admin1": getattr(origin, "admin1", None),
            "origin_latitude": getattr(origin, "latitude", None),
            "origin_longitude": getattr(origin, "longitude", None),
            "destination": getattr(destination, "name", None),
            "destination_admin1": getattr(destination, "admin1", None),
            "destination_latitude": getattr(destination, "latitude", None),
            "destination_longitude": getattr(destination, "longitude", None),
            "deal": record.deal,
            "claimed_by": record.claimed_by,
            "evidence": first.sentence.text,
            "sentence_indexes": ",".join(str(f.sentence.index) for f in record.facts),
        })
        place = origin or destination
        events.append({
            "event_id": f"{report_id}-e{first.sentence.index}",
            "sentence_index": first.sentence.index,
            "event_date": when.value if when else None,
            "date_precision": precision,
            "time_precision": TIME_PRECISION[precision],
            "event_type": "Strategic developments",
            "sub_event_type": "Agreement" if record.deal else "Other",
            "actor1": record.group or record.counterpart,
            "actor2": record.counterpart if record.group else None,
            "admin1": getattr(place, "admin1", None),
            "location": getattr(place, "name", None),
            "latitude": getattr(place, "latitude", None),
            "longitude": getattr(place, "longitude", None),
            "geo_precision": geo_precision(place) if place is not None else None,  # type: ignore[arg-type]
            "places": "; ".join(dict.fromkeys(
                m.entry.name for f in record.facts for m in f.places)) or None,
            "fatalities": None,
            "source": record.claimed_by,
            "evidence": first.sentence.text,
            "confidence": 0.9 if record.people and (origin or destination) else 0.6,
        })
    return evacuations, events


def claimed_sentences(records: list[Evacuation]) -> set[int]:
    return {f.sentence.index for r in records for f in r.facts}


def _starts(facts: SentenceFacts) -> bool:
    """People (or vehicles) were moved: a count tied to an evacuation verb, stated as done —
    not a plan ("are set for evacuation"), not a war-long tally ("… displaced since 2011")."""
    text = facts.sentence.text
    if _MOVED.search(text) is None:  # both tests below need an evacuation verb
        return False  # (tested first: most sentences have none, and then one search does)
    if _TALLY.search(text):
        return False
    return linked_quantity(text) is not None or any(
        _VEHICLES.match(text[q.end : q.end + 50]) for q in quantities(text)
    )


def linked_quantity(text: str) -> tuple[Quantity, str] | None:
    """The count of people an evacuation verb is about, and who they are: "1,065 militants
    … were evacuated", "evacuating some 5 thousand people", "the evacuation of 120 fighters"."""
    found: list[Quantity] | None = None  # counted once, and only if a verb needs them
    for verb in _MOVED.finditer(text):
        if _NOT_DONE.search(text[max(0, verb.start() - 40) : verb.start()]):
            continue
        if found is None:
            found = quantities(text)
        for quantity in found:
            who = _WHO_AFTER.match(text[quantity.end : quantity.end + 50])
            before = text[max(0, quantity.start - 30) : quantity.start]
            if who is None or _OTHER_FATE.search(before):
                continue
            if quantity.end <= verb.start():
                between = text[quantity.end : verb.start()]
                if verb.group(0).lower() == "displaced" and not between.strip(" ,"):
                    continue  # "900,000 displaced Syrians": an adjective, not a movement
            elif quantity.start >= verb.end():
                between = text[verb.end() : quantity.start]
                if len(between.split()) > 4 or _NOT_DONE.search(between):
                    continue
            else:
                continue
            if len(between.split()) <= 10 and not _OTHER_FATE.search(between):
                return quantity, who.group("who").lower()
    return None


def _refers_back(current: Evacuation | None, facts: SentenceFacts) -> bool:
    """A sentence that says more about the evacuation just described rather than a new one:
    it points back ("these people", "they") or adds vehicles without a new count of people."""
    if current is None:
        return False
    text = facts.sentence.text
    if _BACK_REFERENCE.search(text):
        return True
    return linked_quantity(text) is None


def _continues(current: Evacuation, facts: SentenceFacts) -> bool:
    """A sentence naming the group or the destination of the current record, next to it."""
    close = facts.sentence.paragraph - current.facts[-1].sentence.paragraph <= 1
    names = {canonical(m.entry) for m in armed_actors(facts)}
    return close and current.group is not None and current.group in names and bool(
        re.search(r"\b(?:evacuated|evacuees|fighters|the group)\b", facts.sentence.text, re.I)
    )
