"""Actor mentions: which armies, groups, states, agencies and people a report names.

The dictionary is ``data/actors.yaml`` so an analyst can add an actor or a spelling without
touching code; this module checks it, expands the spellings, and matches it sentence by
sentence with the shared :class:`~analytics.extraction.text.PhraseMatcher` (Aho-Corasick,
whole words, longest match wins; 0.1-0.2 ms per FA-KES sentence, mostly text folding).
Each hit becomes one ``actor_mentions`` row: the sentence, the words as written, and the
canonical actor.

Decisions a reader would not guess:

* **Acronyms that are English words** ("IS", "US", "WHO") match only in capitals (a rule of
  the matcher), and not even then inside a sentence written mostly in capitals, where
  "IT IS WHAT IT IS" or "LET US KNOW" shout rather than name ISIS or the United States.
  Likewise a state's name or capital in capitals opening a sentence ("MOSCOW (Sputnik) -")
  is a dateline, not a mention.
* **Capitals as metonyms.** "Washington", "Moscow", "Tehran", "Ankara", "Riyadh" and
  "Tel Aviv" name governments in this domain and map to the state. "Damascus" does not: it is
  far more often the city (battles in Damascus, Damascus countryside), which place extraction
  handles; the government is "the Syrian government", "the regime", "the SAA".
* **Demonyms.** "Russian", "Iranian", "Turkish", "Israeli" (and "Saudi") alone map to the
  state, so "the Syrian-Iranian-Russian alliance" names Iran and Russia. "American",
  "British", "French", "Iraqi" only count with a noun ("American troops", "Iraqi military"):
  alone they mostly describe people ("the American public"). A bare "Syrian" is never an
  actor ("Syrian refugees", "the Syrian war"). Geography is excluded through the
  dictionary's ``not_actors`` ("Turkish border"), and a match directly followed by
  ``-based``/``-made``/``-born``/``-speaking``/``-built``/``-language`` is dropped
  ("Britain-based monitor", "Russian-made jets").
* **One actor for the Syrian state.** As in the gold annotation, "the Syrian government"
  (a political actor) and its forces are one canonical actor, *Syrian government forces*;
  units (Tiger Forces, NDF, Republican Guard…) and leaders are separate actors with a
  ``parent`` so counts can roll up (:func:`lineage`). Likewise a head of government is a
  person whose parent is the state ("Iraqi Prime Minister Haider Abadi" yields *Iraq* for
  "Iraqi Prime Minister" and *Haider al-Abadi*, parent *Iraq*).
* **Spelling variants are generated**, not listed: every "al-X" alias also matches "al X";
  an apostrophe may be missing ("Peoples Protection Units"); an alias ending in a capitalised
  word also matches with a trailing "s", because some sources strip apostrophes
  ("Assads forces", "Russias"). A generated variant never overrides another actor's alias.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from analytics.extraction.text import NON_ASCII, Match, PhraseMatcher, Sentence, fold
from analytics.models import Report
from analytics.paths import DATA_DIR

ACTORS_FILE = DATA_DIR / "actors.yaml"

ACTOR_TYPES = frozenset(
    {
        "state armed forces",
        "armed group",
        "designated terrorist organisation",
        "foreign state",
        "coalition",
        "international organisation",
        "media",
        "person",
        "government",
    }
)
ALIGNMENTS = frozenset(
    {"pro-government", "opposition", "jihadist", "Kurdish-led", "foreign", "neutral"}
)
_FIELDS = frozenset({"name", "type", "alignment", "aliases", "parent", "acled_name"})

# Suffixes after which a state's name or demonym locates or describes rather than acts.
_NOT_ACTOR_SUFFIXES = ("-based", "-made", "-born", "-speaking", "-built", "-language")
_DASHES = frozenset("-–—‐‑")
# Capitalised acronyms that are also English words; dropped in sentences that shout.
_WORDLIKE_ACRONYMS = frozenset({"IS", "US", "WHO", "AS", "IT", "AT", "AM", "OR", "ON", "NO"})
_SHOUTING = 0.6  # share of words in capitals from which a sentence shouts
# Above one half, one word in capitals never shouts: with another word kept it is half of them.
_FEWEST_SHOUTED = 2 if _SHOUTING > 0.5 else 1
_CAPITALS = re.compile(r"[A-Z]{2,}")
_DATELINE_END = re.compile(r"\s*(?:[(,:]|[-–—]\s)|\s+[A-Z][a-z]")
_WORD = re.compile(r"[^\W\d_]{2,}")
_AL = re.compile(r"\b([Aa]l)-(?=\w)")


@dataclass(frozen=True)
class Actor:
    """A canonical actor of the dictionary (``data/actors.yaml``)."""

    name: str
    type: str
    alignment: str | None = None
    parent: str | None = None
    aliases: tuple[str, ...] = ()
    acled_name: str | None = None


# A phrase of ``not_actors``: it wins the longest match like an alias, then is dropped.
NOT_AN_ACTOR = Actor(name="", type="not an actor")


def load_actors(path: Path = ACTORS_FILE) -> list[Actor]:
    """The actors of a dictionary file, checked; ``ValueError`` names the faulty entry."""
    return _load(path)[0]


def load_not_actors(path: Path = ACTORS_FILE) -> list[str]:
    """The dictionary's ``not_actors`` phrases (contain an alias but name no actor)."""
    return _load(path)[1]


class ActorMatcher(PhraseMatcher[Actor]):
    """A :class:`PhraseMatcher` over actor names and aliases that also applies the rules
    a dictionary cannot express: not-actor phrases, ``-based`` suffixes, shouted acronyms."""

    def __init__(self, phrases: Iterable[tuple[str, Actor]]) -> None:
        phrases = list(phrases)
        super().__init__(phrases)
        self._acronyms = frozenset(phrase for phrase, _ in phrases if phrase.isupper())

    def find(self, text: str) -> list[Match[Actor]]:
        shouting: bool | None = None
        kept = []
        for match in super().find(text):
            if match.entry is NOT_AN_ACTOR:
                continue
            if text[match.end : match.end + 1] in _DASHES and fold(
                text[match.end : match.end + 10]
            ).startswith(_NOT_ACTOR_SUFFIXES):
                continue
            if match.start == 0 and self._is_dateline(text, match):
                continue
            if match.surface in _WORDLIKE_ACRONYMS:
                if shouting is None:
                    shouting = self._is_shouting(text)
                if shouting:
                    continue
            kept.append(match)
        return kept

    def _is_dateline(self, text: str, match: Match[Actor]) -> bool:
        """``MOSCOW (Sputnik) -``: a capital in capitals opening a sentence is a dateline."""
        return (
            match.entry.type == "foreign state"
            and match.surface.isupper()
            and match.surface not in self._acronyms
            and _DATELINE_END.match(text, match.end) is not None
        )

    def _is_shouting(self, text: str) -> bool:
        """Most words other than known acronyms are in capitals ("IT IS WHAT IT IS")."""
        if self._few_capitals(text):
            return False
        words = _WORD.findall(text)
        # known acronyms are all in capitals: count every word, then take them out (in C)
        acronyms = sum(map(self._acronyms.__contains__, words))
        kept = len(words) - acronyms
        return kept >= 2 and (sum(map(str.isupper, words)) - acronyms) / kept >= _SHOUTING

    def _few_capitals(self, text: str) -> bool:
        """Too few words in capitals for ``text`` to shout, by a cheap upper bound; ``False``
        when the bound does not apply or is not low enough.

        Where every letter is ASCII (other characters may be quotes, dashes…), a word in
        capitals is a whole run of two or more capitals, so there are no more of them (other
        than acronyms) than such runs (other than acronyms). Finding the runs costs a quarter
        of finding every word, and rules out nearly every sentence (~0.25 ms less CPU per
        benchmark report); the rest are counted exactly."""
        if not text.isascii() and any(map(str.isalnum, NON_ASCII.findall(text))):
            return False
        runs = _CAPITALS.findall(text)
        return len(runs) - sum(map(self._acronyms.__contains__, runs)) < _FEWEST_SHOUTED


def build_matcher(actors: Iterable[Actor], not_actors: Iterable[str] = ()) -> ActorMatcher:
    """A matcher over every actor's name, aliases and their generated spelling variants."""
    chosen: dict[str, tuple[str, Actor]] = {}

    def add(phrase: str, entry: Actor) -> None:
        key = fold(phrase.strip())
        if not key:
            return
        if key not in chosen:
            chosen[key] = (phrase, entry)
        elif chosen[key][1] is entry and chosen[key][0].isupper() and not phrase.isupper():
            # "Isis" next to "ISIS": keep the spelling that also matches in lower case
            chosen[key] = (phrase, entry)

    entries = [(a, (a.name, *a.aliases)) for a in actors]
    entries.append((NOT_AN_ACTOR, tuple(not_actors)))
    for entry, phrases in entries:  # explicit spellings first: they beat generated ones
        for phrase in phrases:
            add(phrase, entry)
    for entry, phrases in entries:
        for phrase in phrases:
            for variant in spelling_variants(phrase)[1:]:
                add(variant, entry)
    return ActorMatcher(chosen.values())


@lru_cache(maxsize=1)
def default_matcher() -> ActorMatcher:
    """The matcher over ``data/actors.yaml``, built once per process."""
    actors, not_actors = _load(ACTORS_FILE)
    return build_matcher(actors, not_actors)


@lru_cache(maxsize=1)
def actors_by_name() -> Mapping[str, Actor]:
    """The default dictionary's actors by canonical name."""
    return {actor.name: actor for actor in load_actors()}


def lineage(name: str, actors: Mapping[str, Actor] | None = None) -> tuple[str, ...]:
    """The actor and its parents up the chain: ``("Tiger Forces", "Syrian government forces")``."""
    by_name = actors_by_name() if actors is None else actors
    chain = [name]
    while (actor := by_name.get(chain[-1])) is not None and actor.parent:
        chain.append(actor.parent)
    return tuple(chain)


def find_actors(text: str) -> list[Match[Actor]]:
    """Actor mentions in a text, in order, with the words as written and the actor."""
    return default_matcher().find(text)


def actor_mentions(report: Report, sentences: Iterable[Sentence]) -> list[dict[str, object]]:
    """Rows for the ``actor_mentions`` table (without ``report_id``, which the writer adds):
    one per mention in every given sentence, article and comments alike."""
    del report  # every extractor takes the report; actor mentions need only its sentences
    return [
        {
            "comment_position": sentence.comment,
            "sentence": sentence.text,
            "surface": match.surface,
            "actor": match.entry.name,
        }
        for sentence in sentences
        for match in find_actors(sentence.text)
    ]


def spelling_variants(phrase: str) -> list[str]:
    """The phrase first, then the spellings it also stands for (see the module docstring)."""
    forms = [phrase]
    if "'" in phrase or "’" in phrase:
        forms.append(phrase.replace("'", "").replace("’", ""))
    forms += [_AL.sub(r"\1 ", form) for form in forms if _AL.search(form)]
    for form in list(forms):
        last = re.split(r"[\s-]", form)[-1]
        if len(last) >= 3 and last[0].isupper() and not last.isupper() and last[-1] not in "sS":
            forms.append(form + "s")
    return list(dict.fromkeys(forms))


def _load(path: Path) -> tuple[list[Actor], list[str]]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: cannot read the actor dictionary: {error}") from error
    actors, not_actors = _parse(path, text)  # cached by content: an edited file is re-read
    return list(actors), list(not_actors)


@lru_cache(maxsize=8)
def _parse(path: Path, text: str) -> tuple[tuple[Actor, ...], tuple[str, ...]]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ValueError(f"{path}: the actor dictionary is not valid YAML: {error}") from error
    if isinstance(data, list):
        raw_actors, raw_not_actors = data, []
    elif isinstance(data, dict):
        unknown = set(data) - {"actors", "not_actors"}
        if unknown:
            raise ValueError(f"{path}: unknown top-level keys {sorted(unknown)}")
        raw_actors, raw_not_actors = data.get("actors") or [], data.get("not_actors") or []
    else:
        raise ValueError(f"{path}: expected a list of actors (or actors: and not_actors:)")
    if not isinstance(raw_actors, list) or not isinstance(raw_not_actors, list):
        raise ValueError(f"{path}: 'actors' and 'not_actors' must be lists")
    actors = tuple(_parse_entry(path, i, raw) for i, raw in enumerate(raw_actors, start=1))
    not_actors = tuple(str(phrase) for phrase in raw_not_actors if str(phrase).strip())
    _check_consistency(path, actors, not_actors)
    return actors, not_actors


def _parse_entry(path: Path, index: int, raw: object) -> Actor:
    where = f"{path}: entry #{index}"
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected a mapping with name, type, aliases…, got {raw!r}")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"{where}: missing name")
    where = f"{where} ({name!r})"
    unknown = set(raw) - _FIELDS
    if unknown:
        raise ValueError(f"{where}: unknown fields {sorted(unknown)}")
    kind = raw.get("type")
    if kind not in ACTOR_TYPES:
        raise ValueError(f"{where}: unknown type {kind!r}; use one of {sorted(ACTOR_TYPES)}")
    alignment = raw.get("alignment")
    if alignment is not None and alignment not in ALIGNMENTS:
        raise ValueError(
            f"{where}: unknown alignment {alignment!r}; use one of {sorted(ALIGNMENTS)}"
        )
    aliases = raw.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str | int) for a in aliases):
        raise ValueError(f"{where}: aliases must be a list of names")
    parent, acled = raw.get("parent"), raw.get("acled_name")
    for field, value in (("parent", parent), ("acled_name", acled)):
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{where}: {field} must be a name, got {value!r}")
    return Actor(
        name=name.strip(),
        type=kind,
        alignment=alignment,
        parent=parent.strip() if parent else None,
        aliases=tuple(str(a).strip() for a in aliases if str(a).strip()),
        acled_name=acled,
    )


def _check_consistency(path: Path, actors: tuple[Actor, ...], not_actors: tuple[str, ...]):
    by_name: dict[str, Actor] = {}
    owner: dict[str, str] = {}  # folded spelling -> canonical name
    for actor in actors:
        if actor.name in by_name:
            raise ValueError(f"{path}: actor {actor.name!r} is defined twice")
        by_name[actor.name] = actor
        for phrase in (actor.name, *actor.aliases):
            key = fold(phrase)
            if owner.setdefault(key, actor.name) != actor.name:
                raise ValueError(
                    f"{path}: entry {actor.name!r}: alias {phrase!r} already belongs to "
                    f"{owner[key]!r} (an alias may name one actor only)"
                )
    for phrase in not_actors:
        if fold(phrase) in owner:
            raise ValueError(
                f"{path}: not_actors phrase {phrase!r} is an alias of {owner[fold(phrase)]!r}"
            )
    for actor in actors:
        if actor.parent is None:
            continue
        if actor.parent not in by_name:
            raise ValueError(
                f"{path}: entry {actor.name!r}: parent {actor.parent!r} is not a defined actor"
            )
        seen, current = {actor.name}, actor.parent
        while current is not None:
            if current in seen:
                raise ValueError(f"{path}: entry {actor.name!r}: parent chain loops")
            seen.add(current)
            current = by_name[current].parent
