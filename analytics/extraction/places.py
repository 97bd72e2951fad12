"""Places: a gazetteer of Syria, place mentions in sentences, and a report's primary place.

The gazetteer is three analyst-editable files in ``data/``:

* ``places.csv`` — generated from GeoNames by ``scripts/build_gazetteer.py`` (~300 Syrian
  cities, towns and villages with their Latin-script alternate names and transliteration
  variants); never edited by hand;
* ``places_extra.csv`` — curated: areas (Eastern Ghouta, the Rastan pocket), villages and
  neighbourhoods GeoNames lacks, regions ("northern Syria"), rivers, facilities, and places
  abroad (kind ``country`` / ``foreign``, no governorate) so that "Iraq" or "Mosul" is known
  to be *not Syrian* rather than mistaken for a Syrian place. A curated row wins over a
  generated one: with a ``geonameid`` it overrides that row (empty cells inherit), and its
  names are looked up before generated ones. Its names get the transliteration variants at
  load time (``transliteration_variants``), so a row lists only the spellings no rule makes;
* ``governorates.csv`` — the 14 governorates, their GeoNames admin1 code, aliases and a
  centroid (the capital's coordinates). Each governorate is also a place (kind
  ``governorate``), found as "Aleppo province", "Rif Dimashq", "Damascus countryside"…

``load_gazetteer`` merges and validates them (``GazetteerError`` names file, row, problem)
into a ``PhraseMatcher[Place]`` — whole words, case- and accent-insensitive — so "Deir
ez-Zor", "Deir Ezzor", "Dayr az Zawr" and "DEIR EZ-ZOR" are one place.

Ambiguity. A name is dropped from the matcher when it is

* shorter than four letters ("Tal", "Bab", "Hol": "al-Hol" and "Al Bab" are still found);
* in ``AMBIGUOUS``: a common English word ("seen", "soda", "tell"), a part of place names
  that is no place on its own ("Sheikh", "Khan", "Deir"), a word of group names ("Sham" as in
  *Ahrar al-Sham*), a person's name ("Omar", "Assad") or a thing's ("Sana", "Sabah").

A match counts only when written as a proper noun — its words capitalised except articles
and descriptors ("eastern Aleppo", "Deir az-zor"), so "hama" and "Sheikh said" are not
places — unless the whole sentence is in lower case (some readers' comments). Whole-word
matching keeps "Hama" out of "Hamas". "Damascus" used for the government ("Damascus said",
"the Damascus regime", "ties with Damascus", "Moscow and Damascus") is no place mention, and a
city named after a direction word ("northern Homs") stands for its governorate.

Slot rule: capitalised names after "the village(s)/town/city/district/neighbourhood/area/
countryside/suburb… of" that the gazetteer lacks are kept as a ``Place`` with no coordinates
and no governorate (``source="text"``), so a report's village is never silently dropped.

``primary_place`` weighs the mentions of title and article to find the main event's place
and governorate; its docstring and ``Weights`` give the rules.
"""

from __future__ import annotations

import csv
import dataclasses
import itertools
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from analytics.extraction.text import Match, PhraseMatcher, Sentence, fold
from analytics.models import Report
from analytics.paths import DATA_DIR

T = TypeVar("T")

PLACES_FILE = DATA_DIR / "places.csv"
EXTRA_FILE = DATA_DIR / "places_extra.csv"
GOVERNORATES_FILE = DATA_DIR / "governorates.csv"
COLUMNS = ("name", "aliases", "admin1", "latitude", "longitude", "kind", "population",
           "geonameid", "source")
GOVERNORATE_COLUMNS = ("name", "code", "aliases", "latitude", "longitude")
KINDS = frozenset({
    "city", "town", "village", "neighbourhood", "camp", "area", "region", "governorate",
    "river", "mountain", "road", "facility", "country", "foreign",
})
"""``country`` and ``foreign`` are places outside Syria: matched, never given a governorate."""
SYRIAN_KINDS = KINDS - {"country", "foreign"}
SPECIFIC_KINDS = frozenset({"city", "town", "village", "neighbourhood", "camp", "facility",
                            "road"})
MIN_LETTERS = 4
def _words(text: str) -> frozenset[str]:
    """Words of a list; ``_`` joins the words of one phrase ("al_sham")."""
    return frozenset(word.replace("_", " ") for word in text.split())


AMBIGUOUS = _words("""
    tell tall tel bab khan sheikh shaykh shaikh sheik abu umm jabal jebel wadi nahr deir dayr
    ain ayn kafr beit bayt hayy qasr burj jisr souq sham al_sham ash_sham as_sham el_sham
    cham mayor mare arab arabi souda sada salam salama nusra nasr nasra hezbollah hizbollah
    islam islamic hamas fateh fatah ahrar daesh sana sabah rasm
    hassan hasan hussein husain ali omar umar ahmed ahmad mohammed muhammad mahmoud hamza
    hamzah khaled khalid abbas ibrahim issa musa mousa yusuf youssef bashar hafez maher
    assad asad qassem qasim adnan nasser naser salah saleh karim rami amer amir amin
    jamal kamal hamid rashid said saeed mansour mansur ayman tarek tariq zaid zayd rifaat
    bakr omran osman uthman akbar hadi mahdi nour noor
    mara dana kara ezra nazi mari masada dali shaka sousa neva beria aman
    haul hums chums humus shin karma murk souse soda seen sane slog slug
    post mall media hope victory free army mission station hill hills lake dam airport base
    road bridge camp border crossing gate valley plain mountain mountains village city town
    east west north south eastern western northern southern central upper lower new old
    great little big masjid jami mosque church castle citadel mazraa karama karamah
    thawra jazira jazeera mina marina bahr damask
""")
"""Names dropped from the matcher (folded, hyphens as spaces): common English words ("seen",
"soda", "tell"), parts of place names that are not places on their own ("Sheikh", "Khan",
"Deir"), words of group names ("Sham" in *Ahrar al-Sham*, "Fateh", "Nusra"), people's names
("Omar", "Assad", "Beria", "Dana") and names of things ("Sana", "Sabah", "Jazeera"). Found
by auditing the gazetteer's phrases against an English word list and the FA-KES corpus."""

_SLOT_NOUNS = _words("""
    village villages town towns city cities district districts neighbourhood neighbourhoods
    neighborhood neighborhoods area areas countryside suburb suburbs outskirts hamlet hamlets
    settlement settlements locality localities camp camps region
""")
"""Nouns that introduce a place name: "the village of X", "the towns of X and Y"."""
_NAME_TOKEN = r"(?:(?:al|el|ar|as|ash|ad|at|az|an|ez|es|ad|adh|ath)-)?[A-Z][\w'’]*(?:-[\w'’]+)*"
_CONNECTOR = r"(?:al|el|ar|as|ash|ad|at|az|an|ez|es|bin|ibn|abu|um|umm|de|du)"
_NAME = re.compile(rf"{_NAME_TOKEN}(?:\s+(?:{_CONNECTOR}\s+)?{_NAME_TOKEN})*")
_LIST_SEPARATOR = re.compile(r"\s*(?:,\s*(?:and\s+)?|\s+and\s+)")
_NOT_A_NAME = frozenset(fold(w) for w in (
    "The", "Syria", "Syrias", "Syrian", "Iraq", "Turkey", "Lebanon", "Jordan", "Israel",
    "Iran", "Russia", "Islamic", "State", "President", "Government", "This", "That", "These",
    "It", "He", "She", "They", "We", "A", "An", "In", "On", "At", "As", "Its",
))
_GOVERNMENT_AFTER = re.compile(
    r"^\s*(?:s\b|'s\b|’s\b)?\s*(?:(?:has|have|had|will|would|also|has\s+also|had\s+also|"
    r"has\s+not|had\s+not|would\s+not|will\s+not)\s+)?"
    r"(?:government|regime|authorities|officials?|leadership|delegation|envoy|ambassador|"
    r"said|says|say|wants|wanted|accused|accuses|denied|denies|deny|rejected|rejects|reject|"
    r"claimed|claims|insists|insisted|agreed|agrees|refused|refuses|demanded|demands|"
    r"announced|announces|blamed|blames|warned|warns|responded|considers|considered|"
    r"promises|promised|pledged|vowed|welcomed|condemned|denounced|approved|allowed|"
    r"invited|hopes|hoped|regime's|government's|ally|allies|backers?|loyalists?|"
    r"and\s+(?:its|his)\s+allies|and\s+(?:moscow|tehran|ankara|washington|russia|iran))\b",
    re.IGNORECASE,
)
"""After "Damascus": it names the government ("Damascus said", "the Damascus regime")."""
_GOVERNMENT_BEFORE = re.compile(
    r"\b(?:ties|relations|talks|negotiations|dialogue|deal|agreement|contacts?|cooperation|"
    r"support|supporting|supported|backing|pressure|envoys?|ambassador)\s+(?:with|to|for|on|"
    r"between|by)\s+$|\b(?:moscow|tehran|ankara|washington|russia|iran|moscow's|tehran's)\s+"
    r"and\s+$|\b(?:allies|ally)\s+(?:of|in)\s+$",
    re.IGNORECASE,
)
"""Before "Damascus": it names the government ("ties with Damascus", "Moscow and Damascus")."""
CAPITALS_AS_GOVERNMENT = frozenset({"Damascus"})


class GazetteerError(ValueError):
    """A gazetteer file has a row that cannot be used; the message names file, row, problem."""


@dataclass(frozen=True)
class Place:
    """A place as the gazetteer knows it (or as the text names it, ``source="text"``)."""

    name: str
    admin1: str | None
    """The governorate's canonical name (``data/governorates.csv``); ``None`` if unknown or
    outside Syria."""
    latitude: float | None
    longitude: float | None
    kind: str
    source: str


@dataclass(slots=True)
class Mention:
    """A place found in a sentence."""

    sentence: Sentence
    start: int
    end: int
    surface: str
    place: Place
    as_government: bool = False
    preposition: str | None = None
    """The preposition governing the name ("in", "from"…), shared along "X, Y and Z"."""


# --------------------------------------------------------------------------- transliteration

_ARTICLE_WORDS = ("al", "el", "ul", "ar", "er", "as", "es", "ash", "esh", "ad", "ed", "at",
                  "et", "az", "ez", "an", "en", "adh", "ath", "eth", "edh")
_ARTICLE_ALT = "|".join(sorted(_ARTICLE_WORDS, key=len, reverse=True))
_LEADING_ARTICLE = re.compile(rf"^(?:{_ARTICLE_ALT})[\s-]+(?=\w)", re.IGNORECASE)
_INNER_ARTICLE = re.compile(rf"(?<=\w)[\s-]+({_ARTICLE_ALT})[\s-]+(?=\w)", re.IGNORECASE)
WORD_VARIANTS: dict[str, tuple[str, ...]] = {
    "dayr": ("deir", "dair", "der"), "deir": ("dayr", "dair"), "dair": ("deir",),
    "ayn": ("ain", "ein"), "ain": ("ayn", "ein"), "ein": ("ain",),
    "tall": ("tal", "tell", "tel"), "tal": ("tall", "tell", "tel"), "tell": ("tal", "tall"),
    "kafr": ("kfar", "kafar", "kafer"), "kfar": ("kafr",), "kafar": ("kafr",),
    "shaykh": ("sheikh", "shaikh", "sheik"), "sheikh": ("shaykh", "shaikh"),
    "bayt": ("beit", "bait"), "beit": ("bayt", "bait"),
    "jabal": ("jebel", "jabel"), "jebel": ("jabal",),
    "khirbat": ("khirbet", "kherbet"), "khirbet": ("khirbat",),
    "umm": ("um", "om"), "qasr": ("kasr",), "abu": ("abou",), "hayy": ("hay",),
    "burj": ("borj",), "mazra'at": ("mazraat", "mazraa"), "madinat": ("madinet",),
}
"""Whole-word spellings that English-language reports use interchangeably."""
_MAX_COMBINATIONS = 48


def fold_ascii(text: str) -> str:
    """Accents removed and the Arabic ʿayn/hamza marks written as an apostrophe."""
    text = re.sub(r"[‘’`ʿʾ´ʼ]", "'", text)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _case_like(template: str, word: str) -> str:
    return word.capitalize() if template[:1].isupper() else word


def _word_variants(word: str) -> list[str]:
    """Spellings of one word, the word itself first."""
    out = [word, *(_case_like(word, v) for v in WORD_VARIANTS.get(word.lower(), ()))]
    if "'" in word:
        out.append(word.replace("'", ""))
    for form in list(out):
        if len(form) > 4 and form.lower().endswith("ah"):  # Raqqah / Raqqa
            out.append(form[:-1])
        elif len(form) > 4 and form.lower().endswith(("eh", "ia")):  # Talbiseh / Talbisa
            out.append(form[:-2] + "a")
        collapsed = re.sub(r"([a-z])\1", r"\1", form, flags=re.IGNORECASE)  # Raqqa / Raqa
        if collapsed != form and len(collapsed) >= 4:
            out.append(collapsed)
        last = re.search(r"(ou|o|u)(?=[^aeiou']*$)", form)  # Zor / Zour / Zur, last syllable
        if last and len(form) >= 3:
            for vowel in ("ou", "o", "u"):
                if vowel != last.group(1):
                    out.append(form[:last.start()] + vowel + form[last.end():])
    return list(dict.fromkeys(out))


def _article_choices(article: str, tail: str) -> list[str]:
    """How "ez Zor" is written: ez-Zor, az-Zor, al-Zor, el-Zor, Zor, Ezzor…"""
    article = article.lower()
    consonants = article[1:]
    forms = [f"{article} {tail}", f"{article}-{tail}", f"al-{tail}", f"al {tail}",
             f"el-{tail}", f"el {tail}", tail, f"Al{tail.lower()}"]  # Maaret Alnouman
    if consonants and consonants != "l":
        for vowel in "ae":
            forms += [f"{vowel}{consonants}-{tail}", f"{vowel}{consonants} {tail}"]
    if consonants and tail[:len(consonants)].lower() == consonants:
        forms.append(f"{article.capitalize()}{tail.lower()}")  # ez Zor -> Ezzor
        forms.append(f"{article[0].upper()}{tail.lower()}")  # ez Zor -> Ezor
    return list(dict.fromkeys(forms))


def _inner_article_forms(name: str) -> list[str]:
    pieces = _INNER_ARTICLE.split(name)  # [head, article, tail, article, tail…]
    if len(pieces) == 1:
        return [name]
    head, rest = pieces[0], pieces[1:]
    choices: list[list[str]] = [[head]]
    for i in range(0, len(rest) - 1, 2):
        article, tail = rest[i], rest[i + 1]
        next_article = _INNER_ARTICLE.search(tail)
        if next_article:  # only the last word after the article varies here
            choices.append([f"{article} "])
            continue
        choices.append(_article_choices(article, tail))
    return [" ".join(c).replace("  ", " ").strip() for c in itertools.product(*choices)]


def transliteration_variants(name: str) -> list[str]:
    """Spellings of a place name as English-language reports write it, the name first.

    Articles (``Ar Rastan`` / ``al-Rastan`` / ``Rastan``, ``Deir ez-Zor`` / ``Deir az-Zor`` /
    ``Deir al-Zor`` / ``Deir Ezzor``), hyphen or space, word spellings (``WORD_VARIANTS``),
    final ``-ah``/``-a`` and ``-eh``/``-a``, double letters, ``o``/``ou``/``u`` in the last
    syllable, apostrophes dropped. Accents are folded (the matcher ignores them anyway).
    """
    plain = re.sub(r"\s+", " ", fold_ascii(name)).strip().strip("'")
    cores = [plain]
    match = _LEADING_ARTICLE.match(plain)
    if match:
        core = plain[match.end():]
        article = match.group(0).strip(" -")
        cores = [core, f"{article} {core}", f"{article}-{core}", f"al-{core}", f"al {core}",
                 f"el-{core}", f"Al{core.lower()}"]
        if core[:1].lower() in "tdrzsn":
            cores.append(f"a{core[:1].lower()}-{core}")
    out: list[str] = [plain]
    for core in cores:
        for form in _inner_article_forms(core):
            words = re.split(r"([\s-]+)", form)
            options = [_word_variants(w) if i % 2 == 0 else [w] for i, w in enumerate(words)]
            for combo in itertools.islice(itertools.product(*options), _MAX_COMBINATIONS):
                out.append("".join(combo))
    out += [f.replace("-", " ") for f in out if "-" in f]
    out += [f.replace("'", "") for f in out if "'" in f]
    seen: set[str] = set()
    kept = []
    for form in out:
        key = form.lower()
        if key not in seen:
            seen.add(key)
            kept.append(form)
    return kept


# --------------------------------------------------------------------------- loading


@dataclass
class PlaceRow:
    """A row of ``places.csv`` / ``places_extra.csv`` as read and validated."""

    name: str
    aliases: list[str]
    admin1: str | None
    latitude: float | None
    longitude: float | None
    kind: str
    population: int
    geonameid: str
    source: str
    inherited_aliases: list[str] = dataclasses.field(default_factory=list)
    """Aliases of the generated row a curated row overrides (already variants)."""


def _read_csv(path: Path, required: Iterable[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows with their line numbers; a missing file or column is a ``GazetteerError``."""
    if not path.exists():
        raise GazetteerError(f"{path}: file not found")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise GazetteerError(f"{path}: missing column(s) {', '.join(missing)}; "
                                 f"has: {', '.join(reader.fieldnames or [])}")
        return [(reader.line_num, {k: (v or "").strip() for k, v in row.items() if k})
                for row in reader]


def _coordinate(value: str, low: float, high: float, what: str, where: str) -> float | None:
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise GazetteerError(f"{where}: {what} {value!r} is not a number") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise GazetteerError(f"{where}: {what} {value} is outside {low}..{high}")
    return number


@dataclass(frozen=True)
class Governorate:
    name: str
    code: str
    aliases: tuple[str, ...]
    latitude: float
    longitude: float


@lru_cache(maxsize=4)
def load_governorates(path: Path = GOVERNORATES_FILE) -> tuple[Governorate, ...]:
    """The governorates, validated: unique names and codes, coordinates inside Syria."""
    out: list[Governorate] = []
    for line, row in _read_csv(path, GOVERNORATE_COLUMNS):
        where = f"{path}: row {line}"
        if not row["name"]:
            raise GazetteerError(f"{where}: empty name")
        lat = _coordinate(row["latitude"], 32.0, 37.5, "latitude", where)
        lon = _coordinate(row["longitude"], 35.5, 42.5, "longitude", where)
        if lat is None or lon is None:
            raise GazetteerError(f"{where}: {row['name']} has no centroid")
        if not row["code"].isdigit():
            raise GazetteerError(f"{where}: code {row['code']!r} is not a number")
        aliases = tuple(a.strip() for a in row["aliases"].split("|") if a.strip())
        out.append(Governorate(row["name"], row["code"].zfill(2), aliases, lat, lon))
    for attribute in ("name", "code"):
        seen = [getattr(g, attribute) for g in out]
        duplicates = sorted({v for v in seen if seen.count(v) > 1})
        if duplicates:
            raise GazetteerError(f"{path}: duplicate {attribute} {', '.join(duplicates)}")
    return tuple(out)


def _governorate_names() -> dict[str, str]:
    """Any name or alias of a governorate (folded) -> its canonical name."""
    names: dict[str, str] = {}
    for g in load_governorates():
        for alias in (g.name, *g.aliases):
            names.setdefault(fold(alias), g.name)
    for g in load_governorates():  # canonical names win over aliases
        names[fold(g.name)] = g.name
    return names


def read_places(path: Path, curated: bool = False) -> list[PlaceRow]:
    """Rows of one places file, validated; a bad row raises ``GazetteerError``."""
    governorates = _governorate_names()
    rows: list[PlaceRow] = []
    seen: set[tuple[str, str | None, str]] = set()
    for line, raw in _read_csv(path, COLUMNS):
        where = f"{path}: row {line}"
        name = raw["name"]
        if not name:
            raise GazetteerError(f"{where}: empty name")
        where = f"{where} ({name})"
        kind = raw["kind"]
        geonameid = raw["geonameid"]
        if geonameid and not geonameid.isdigit():
            raise GazetteerError(f"{where}: geonameid {geonameid!r} is not a number")
        overrides = curated and bool(geonameid)
        if kind and kind not in KINDS:
            raise GazetteerError(f"{where}: kind {kind!r} is not one of {', '.join(sorted(KINDS))}")
        if not kind and not overrides:
            raise GazetteerError(f"{where}: empty kind")
        admin1 = None
        if raw["admin1"]:
            admin1 = governorates.get(fold(raw["admin1"]))
            if admin1 is None:
                raise GazetteerError(f"{where}: admin1 {raw['admin1']!r} is not a governorate "
                                     f"in {GOVERNORATES_FILE.name}")
            if kind in ("country", "foreign"):
                raise GazetteerError(f"{where}: a {kind} place cannot have a governorate")
        lat = _coordinate(raw["latitude"], -90, 90, "latitude", where)
        lon = _coordinate(raw["longitude"], -180, 180, "longitude", where)
        if (lat is None) != (lon is None):
            raise GazetteerError(f"{where}: give both latitude and longitude, or neither")
        if kind in SYRIAN_KINDS - {"river", "region"} and lat is not None and lon is not None \
                and not (32.0 <= lat <= 37.6 and 35.5 <= lon <= 42.5):
            raise GazetteerError(f"{where}: {lat}, {lon} is not in Syria")
        population = raw.get("population") or "0"
        if not population.isdigit():
            raise GazetteerError(f"{where}: population {population!r} is not a whole number")
        aliases = [a.strip() for a in raw["aliases"].split("|") if a.strip()]
        if (fold(name), admin1, geonameid) in seen:
            raise GazetteerError(f"{where}: duplicate of an earlier row")
        seen.add((fold(name), admin1, geonameid))
        rows.append(PlaceRow(name, aliases, admin1, lat, lon, kind, int(population), geonameid,
                         raw["source"] or ("curated" if curated else "geonames")))
    return rows


def _merge(generated: list[PlaceRow], curated: list[PlaceRow]) -> list[PlaceRow]:
    """Curated rows first; a curated row with a geonameid overrides that generated row."""
    by_id = {row.geonameid: row for row in generated if row.geonameid}
    merged: list[PlaceRow] = []
    replaced: set[str] = set()
    for row in curated:
        base = by_id.get(row.geonameid) if row.geonameid else None
        if base is not None:
            replaced.add(row.geonameid)
            row = PlaceRow(
                name=row.name,
                aliases=row.aliases,
                admin1=row.admin1 or base.admin1,
                latitude=row.latitude if row.latitude is not None else base.latitude,
                longitude=row.longitude if row.longitude is not None else base.longitude,
                kind=row.kind or base.kind,
                population=row.population or base.population,
                geonameid=row.geonameid,
                source=row.source,
                inherited_aliases=[base.name, *base.aliases],
            )
        elif not row.kind:
            raise GazetteerError(f"{EXTRA_FILE}: {row.name}: geonameid {row.geonameid} is not "
                                 f"in {PLACES_FILE.name}, so kind is required")
        merged.append(row)
    merged += [r for r in generated if r.geonameid not in replaced]
    return merged


_LOWER_CASE_WORDS = _words("""
    al el ar as ash ad at az an en er es et ed ez of the and de du bin
    north south east west northern southern eastern western central northeast northwest
    southeast southwest northeastern northwestern southeastern southwestern north-east
    north-west south-east south-west north-eastern north-western south-eastern south-western
    rural countryside province provinces governorate governorates city region suburbs
    outskirts border camp refugee river valley pocket district districts neighbourhood
    neighbourhoods neighborhood neighborhoods parts area farms road dam airport airbase air
    base military crossing heights plain mountains field gas oil with capital
    rebel-held opposition-held occupied israeli-occupied syrian
""")
"""Words of a gazetteer phrase that the text may write in lower case ("eastern Aleppo")."""


def name_variants(name: str) -> list[str]:
    """Article and hyphen variants of one name: ``al-Rastan`` -> Rastan, al Rastan, el-Rastan."""
    out = [name]
    core = _LEADING_ARTICLE.sub("", name)
    if core != name:
        out += [core, f"al-{core}", f"al {core}", f"el-{core}"]
    out += [n.replace("-", " ") for n in out if "-" in n]
    out += [n.replace("'", "") for n in out if "'" in n]
    return list(dict.fromkeys(out))


def _key(phrase: str) -> str:
    """The phrase as the matcher sees it (``fold``), with a fast path for ASCII."""
    phrase = phrase.strip()
    return phrase.lower() if phrase.isascii() else fold(phrase)


def is_ambiguous(phrase: str) -> bool:
    """Too short, or a word that is not a place often enough to be left out (see module)."""
    key = _key(phrase)
    letters = sum(ch.isalpha() for ch in key)
    return letters < MIN_LETTERS or key.replace("-", " ") in AMBIGUOUS


def _unique(phrases: Iterable[tuple[str, T]]) -> Iterator[tuple[str, T]]:
    """The first entry for each phrase, ambiguous phrases left out."""
    seen: set[str] = set()
    for phrase, entry in phrases:
        key = _key(phrase)
        if key not in seen:
            seen.add(key)
            if not is_ambiguous(phrase):
                yield phrase, entry


def _phrases(rows: list[PlaceRow]) -> Iterator[tuple[str, Place]]:
    """(phrase, entry) in priority order: curated names and aliases, then generated names
    by population, then generated aliases, then governorates; the matcher keeps the first."""
    entries = [
        (row, Place(row.name, row.admin1, row.latitude, row.longitude, row.kind, row.source))
        for row in rows
    ]
    curated = [(r, e) for r, e in entries if r.source != "geonames"]
    generated = sorted(((r, e) for r, e in entries if r.source == "geonames"),
                       key=lambda pair: (-pair[0].population, pair[0].name))
    for row, entry in curated:
        for phrase in (row.name, *row.aliases):
            for variant in transliteration_variants(phrase):
                yield variant, entry
        for alias in row.inherited_aliases:
            yield alias, entry
    for row, entry in generated:
        yield row.name, entry
    for row, entry in generated:
        for alias in row.aliases:
            yield alias, entry
    governorates = [
        (g, Place(g.name, g.name, g.latitude, g.longitude, "governorate", "governorates"))
        for g in load_governorates()
    ]
    for g, entry in governorates:  # explicit names first: "Damascus countryside" is Rif Dimashq
        for alias in (g.name, *g.aliases):
            for variant in transliteration_variants(alias):
                yield variant, entry
    for g, entry in governorates:
        for alias in (g.name, *g.aliases):
            for variant in name_variants(alias):
                for form in _GOVERNORATE_FORMS:
                    yield form.format(variant), entry
    # possessives written without the apostrophe, as some feeds do ("Aleppos eastern
    # districts"); last, so that they never shadow a real name ("Hamas" is dropped anyway)
    for row, entry in [*curated, *generated]:
        if row.kind in ("city", "town") and not row.name.endswith("s"):
            yield f"{row.name}s", entry


_GOVERNORATE_FORMS = (
    "{} province", "{} governorate", "province of {}", "governorate of {}", "{} countryside",
    "countryside of {}", "{} suburbs", "rural {}", "{} region", "{} governorates",
    "{} provinces",
)


@lru_cache(maxsize=1)
def load_rows() -> tuple[PlaceRow, ...]:
    """Generated and curated rows, merged and validated."""
    return tuple(_merge(read_places(PLACES_FILE, curated=False),
                        read_places(EXTRA_FILE, curated=True)))


@lru_cache(maxsize=1)
def load_gazetteer() -> PhraseMatcher[Place]:
    """The gazetteer as a matcher of ``Place`` entries (curated first, ambiguous names out).

    Built once per process (~0.5 s); ``find_mentions`` adds the rules on top of it."""
    return PhraseMatcher(_unique(_phrases(list(load_rows()))))


def preload() -> None:
    """Build the gazetteer and the tables derived from it now rather than on first use (see
    ``analytics.extraction.preload``)."""
    load_gazetteer()
    _governorate_of_capital()


# --------------------------------------------------------------------------- matching


def _capitalised(text: str, match: Match[Place]) -> bool:
    """The name is written as a proper noun (its first letter after an article in capitals)."""
    if text == text.lower():
        return True
    words = match.surface.split()
    cores = [_LEADING_ARTICLE.sub("", w) for w in words]
    return any(c[:1].isupper() for c in cores) and all(
        c[:1].isupper() or c != w or w.lower() in _LOWER_CASE_WORDS
        for w, c in zip(words, cores, strict=True))


_REGION_OF = re.compile(
    r"\b(?:north|south|east|west|northern|southern|eastern|western|central|northeast(?:ern)?|"
    r"northwest(?:ern)?|southeast(?:ern)?|southwest(?:ern)?|north-east(?:ern)?|"
    r"north-west(?:ern)?|south-east(?:ern)?|south-west(?:ern)?|rural)\s+$",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def _governorate_of_capital() -> dict[Place, Place]:
    """City -> its governorate, for cities named like their governorate ("northern Homs" is
    the governorate's north, not the city's)."""
    governorates = {}
    for g in load_governorates():
        place = Place(g.name, g.name, g.latitude, g.longitude, "governorate", "governorates")
        for alias in (g.name, *g.aliases):
            governorates[(_key(alias), g.name)] = place
    out = {}
    for row in load_rows():
        if row.kind == "city" and row.admin1:
            place = governorates.get((_key(row.name), row.admin1))
            if place is not None:
                out[Place(row.name, row.admin1, row.latitude, row.longitude, row.kind,
                          row.source)] = place
    return out


def _as_government(text: str, match: Match[Place]) -> bool:
    """``Damascus`` used for the Syrian government ("Damascus said", "ties with Damascus")."""
    if match.entry.name not in CAPITALS_AS_GOVERNMENT or match.entry.kind not in (
            "city", "governorate"):
        return False
    if match.surface.lower() != match.entry.name.lower():
        return False
    return bool(_GOVERNMENT_AFTER.match(text[match.end:match.end + 40])
                or _GOVERNMENT_BEFORE.search(text[max(0, match.start - 40):match.start]))


def _slots(text: str) -> Iterator[int]:
    """Where the name starts after each "<slot noun> of " in the text."""
    at = text.find(" of ")
    while at != -1:
        noun = text[max(0, at - 15):at].rsplit(None, 1)
        if noun and noun[-1].lower() in _SLOT_NOUNS:
            yield at + 4
        at = text.find(" of ", at + 4)


def _slot_places(sentence: Sentence, taken: list[tuple[int, int]]) -> Iterator[Mention]:
    """Names after "the town of", "the villages of A, B and C"… that the gazetteer lacks."""
    text = sentence.text
    for slot in _slots(text):
        position = slot
        while True:
            name = _NAME.match(text, position)
            if not name:
                break
            start, end = name.start(), name.end()
            surface = name.group(0).rstrip("'’")
            end = start + len(surface)
            if not any(s < end and start < e for s, e in taken) and not surface.isupper() \
                    and fold(surface) not in _NOT_A_NAME and not is_ambiguous(surface):
                place = Place(surface, None, None, None, "village", "text")
                yield Mention(sentence, start, end, surface, place)
            separator = _LIST_SEPARATOR.match(text, name.end())
            if not separator:
                break
            position = separator.end()


def find_mentions(sentences: Iterable[Sentence]) -> list[Mention]:
    """Every place mentioned in the sentences, in order, including governments-by-capital."""
    matcher = load_gazetteer()
    mentions: list[Mention] = []
    for sentence in sentences:
        text = sentence.text
        found: list[Mention] = []
        for match in matcher.find(text):
            if not _capitalised(text, match):
                continue
            place = match.entry
            if _REGION_OF.search(text, max(0, match.start - 30), match.start):
                place = _governorate_of_capital().get(place, place)
            found.append(Mention(sentence, match.start, match.end, match.surface, place,
                                 _as_government(text, match)))
        if " of " in text:
            taken = [(m.start, m.end) for m in found]
            found += list(_slot_places(sentence, taken))
            found.sort(key=lambda m: m.start)
        previous: Mention | None = None
        for m in found:
            if previous is not None and _LIST_GAP.fullmatch(text, previous.end, m.start):
                prep = previous.preposition
            else:
                prep = _preposition(text, m.start)
            m.preposition = prep
            previous = m
        mentions += found
    return mentions


def place_mentions(report: Report, sentences: list[Sentence]) -> list[dict[str, object]]:
    """Rows for the ``place_mentions`` table, one per place named in a sentence.

    ``Damascus`` used for the government is left out (it names an actor, not a place).
    """
    del report  # the rows come from the sentences; kept for the extractors' common signature
    return [
        {
            "comment_position": m.sentence.comment,
            "sentence": m.sentence.text,
            "surface": m.surface,
            "place": m.place.name,
            "admin1": m.place.admin1,
            "latitude": m.place.latitude,
            "longitude": m.place.longitude,
        }
        for m in find_mentions(sentences)
        if not m.as_government
    ]


# --------------------------------------------------------------------------- primary place


@dataclass(frozen=True)
class Weights:
    """How much a mention counts towards its governorate when choosing the primary place."""

    title: float = 4.0
    lead: float = 1.0
    """Extra weight of the first sentence, falling off as ``lead / (1 + index)``."""
    first: float = 12.0
    """Bonus for the first Syrian place of the report (title, then text)."""
    area: float = 0.6
    """Factor for governorate-, region- and area-level mentions (vs. towns and villages)."""
    past: float = 0.3
    """Factor for sentences about earlier events ("last year", "in 2013")."""
    foreign: float = 0.5
    """Factor for sentences about another country (more places abroad than in Syria)."""
    located: float = 1.5
    """Factor for a place after "in", "at", "near", "on"… (where something happens)."""
    origin: float = 0.5
    """Factor for a place after "from" (where people or fire come from)."""
    destination: float = 0.7
    """Factor for a place after "to", "towards", "into"."""
    dateline: float = 0.5
    """Factor for a dateline ("DAMASCUS (Sputnik) -"): where the reporter files from."""


WEIGHTS = Weights()
_TAGS = re.compile(r"\s*(?:tags|keywords|topics|related)\b", re.IGNORECASE)
"""A keyword list ("Tags Syria Idlib Hezbollah…") names places without narrating events."""
_LOCATED = frozenset({"in", "at", "near", "on", "around", "outside", "inside", "across", "over"})
_DESTINATION = frozenset({"to", "towards", "toward", "into"})
_FILLER = _words("""
    the a its their rebel-held opposition-held government-held regime-held besieged embattled
    northern southern eastern western central north south east west northeastern northwestern
    southeastern southwestern north-eastern north-western south-eastern south-western rural
    countryside outskirts suburbs city town village villages province district area
    neighbourhood neighborhood region of syrias syrian nearby key strategic border jihadist
    militant rebel is isis isil daesh and
""")
_WORD = re.compile(r"[\w'-]+")
_DIRECTIONS = _words("""
    north south east west northeast northwest southeast southwest north-east north-west
    south-east south-west outskirts
""")
_LIST_GAP = re.compile(r"\s*(?:,\s*)?(?:(?:and|or|&)\s+)?", re.IGNORECASE)


def _preposition(text: str, start: int) -> str | None:
    """The preposition governing a name: "in" for "in the northern town of X", else None."""
    words = [w.lower() for w in _WORD.findall(text[max(0, start - 80):start])[-6:]]
    if len(words) >= 2 and words[-1] == "of" and words[-2] in _DIRECTIONS:
        return "near"  # "20 km west of Aleppo", "north of Hama"
    for word in reversed(words):
        if word in _LOCATED or word in _DESTINATION or word == "from":
            return word
        if word not in _FILLER:
            return None
    return None


_ATTRIBUTIVE = re.compile(r"-(?:based|born|backed|allied|aligned|led)\b", re.IGNORECASE)
"""After a name, it describes someone ("the Aleppo-based group"), not where events happen."""
_NARRATIVE = re.compile(r"\s(?:The|A|An)\s")
_PAST = re.compile(
    r"\b(?:last|previous|past)\s+year\b"
    r"|\b(?:\d+|two|three|four|five|several)\s+years?\s+ago\b"
    r"|\b(?:in|since|of)\s+(?:(?:early|late|mid|[A-Z][a-z]+)\s+)?(?P<year>(?:19|20)\d\d)\b",
)


def primary_place(report: Report, sentences: list[Sentence]) -> tuple[Place | None, str | None]:
    """The place and governorate of the report's main event.

    Every mention of a Syrian place votes for its governorate with a weight (``Weights``):
    the title and the lead count most and the first place named gets a bonus (reports name
    the main event first); towns and villages count more than areas and governorate names;
    sentences about earlier events or naming places abroad count less; ``Damascus`` used for
    the government does not vote. The governorate with most weight wins, and the place is
    its most weighted mention, preferring specific places (town, village) to regions.
    Comments are ignored. Without any Syrian place, a place the slot rule found is returned
    without a governorate, or nothing.
    """
    article = [s for s in sentences if s.comment is None]
    return primary_from_mentions(report, find_mentions(article))


def primary_from_mentions(
    report: Report, article_mentions: list[Mention]
) -> tuple[Place | None, str | None]:
    """``primary_place`` for callers that already matched the article's sentences."""
    title = find_mentions([Sentence(-1, 0, report.title)]) if report.title else []
    year = report.published.year if report.published else None
    return choose(title + article_mentions, year)


def choose(mentions: list[Mention], year: int | None = None,
           weights: Weights = WEIGHTS) -> tuple[Place | None, str | None]:
    """The winning governorate and its best place, from the mentions of title and article."""
    votes: dict[str, float] = defaultdict(float)
    places: dict[tuple[str, str], float] = defaultdict(float)
    by_key: dict[tuple[str, str], Place] = {}
    foreign = _sentences_abroad(mentions)
    first = True
    for m in mentions:
        if (m.as_government or m.place.admin1 is None or m.start < _tags_end(m.sentence.text)
                or _ATTRIBUTIVE.match(m.sentence.text, m.end)):
            continue
        w, main = _weight(m, weights, year)
        if m.sentence.index in foreign:
            w *= weights.foreign
        elif first and main:
            w += weights.first
            first = False
        specific = m.place.kind in SPECIFIC_KINDS
        votes[m.place.admin1] += w if specific else w * weights.area
        key = (m.place.name, m.place.admin1)
        places[key] += w
        by_key[key] = m.place
    if not votes:
        for m in mentions:
            if m.place.source == "text":
                return m.place, None
        return None, None
    admin1 = max(votes, key=lambda a: votes[a])
    candidates = [k for k in places if k[1] == admin1]
    specific = [k for k in candidates if by_key[k].kind in SPECIFIC_KINDS]
    best = max(specific or candidates, key=lambda k: places[k])
    return by_key[best], admin1


def _tags_end(text: str) -> int:
    """Where a leading keyword list ("Tags Syria Idlib Hezbollah The rebels…") ends: at the
    first capitalised article, which starts the narrative glued to it; 0 without a list."""
    if not _TAGS.match(text):
        return 0
    narrative = _NARRATIVE.search(text)
    return narrative.start() if narrative else len(text)


def _is_dateline(m: Mention) -> bool:
    """A place name in capitals in a sentence that is not all capitals: "BEIRUT (Reuters)"."""
    return m.surface.isupper() and len(m.surface) > 3 and not m.sentence.text.isupper()


def _sentences_abroad(mentions: list[Mention]) -> set[int]:
    """Sentences about another country: they name more places abroad than in Syria."""
    balance: dict[int, int] = defaultdict(int)
    for m in mentions:
        if m.place.kind in ("foreign", "country") and m.place.name != "Syria":
            balance[m.sentence.index] += 1
        elif m.place.admin1 is not None and not m.as_government:
            balance[m.sentence.index] -= 1
    return {i for i, b in balance.items() if b > 0}


def _weight(m: Mention, weights: Weights, year: int | None) -> tuple[float, bool]:
    """A mention's weight, and whether it may name the main event (not an origin,
    destination or earlier event)."""
    index = m.sentence.index
    w = weights.title if index < 0 else 1.0 + weights.lead / (1.0 + index)
    main = True
    prep = m.preposition
    if _is_dateline(m):
        w *= weights.dateline
        main = False
    elif prep == "from":
        w *= weights.origin
        main = False
    elif prep in _DESTINATION:
        w *= weights.destination
        main = False
    elif prep is not None:
        w *= weights.located
    if _about_the_past(m.sentence.text, year):
        w *= weights.past
        main = False
    return w, main


def _about_the_past(text: str, year: int | None) -> bool:
    """The sentence tells of an earlier event: "last year", "two years ago", "in 2013" (a
    year before the report's)."""
    for match in _PAST.finditer(text):
        named = match.group("year")
        if not named or (year is not None and int(named) < year):
            return True
    return False


def fakes_label(admin1: str | None) -> str:
    """A governorate in FA-KES's ``location`` label space (Rif Dimashq counts as damascus)."""
    if not admin1:
        return ""
    return _FAKES_LABELS.get(admin1, admin1.lower())


_FAKES_LABELS = {
    "Aleppo": "aleppo", "Damascus": "damascus", "Rif Dimashq": "damascus", "Daraa": "daraa",
    "Deir ez-Zor": "deir ezzor", "Hama": "hama", "Al-Hasakah": "hasakeh", "Homs": "homs",
    "Idlib": "idlib", "Latakia": "lattakia", "Quneitra": "quneitra", "Raqqa": "raqqa",
    "As-Suwayda": "sweida", "Tartus": "tartous",
}
