"""Places: a gazetteer of Syria, place mentions in sentences, and a report's primary place.

The gazetteer is three analyst-editable files in ``data/``:

* ``places.csv`` — generated from GeoNames by ``scripts/build_gazetteer.py`` (~300 Syrian
  cities, towns and villages with their Latin-script alternate names and transliteration
  variants);
* ``places_extra.csv`` — curated: areas (Eastern Ghouta, the Rastan pocket), villages and
  neighbourhoods GeoNames lacks, regions ("northern Syria"), rivers, and foreign countries
  and cities (kind ``country`` / ``foreign``, no governorate) so that "Iraq" or "Mosul" is
  recognised as *not Syrian* rather than mistaken for a Syrian place. A curated row wins over
  a generated one: with a ``geonameid`` it overrides that row's fields (empty cells inherit),
  and its names and aliases are looked up before generated ones;
* ``governorates.csv`` — the 14 governorates, their GeoNames admin1 code, aliases and a
  centroid (the capital's coordinates). Each governorate is also a place (kind
  ``governorate``), found as "Aleppo province", "Rif Dimashq", "Damascus countryside"…

Matching uses the shared ``PhraseMatcher`` (whole words, case- and accent-insensitive), so
"Deir ez-Zor", "Deir Ezzor", "Dayr az Zawr" and "DEIR EZ-ZOR" are one place: the variants are
in the data, and the fold makes case and accents irrelevant. Curated rows get the same
article variants at load time (``al-Rastan`` / ``Rastan``, hyphen / space).

Ambiguity. A name is dropped from the matcher when it is

* shorter than four letters ("Tal", "Bab", "Hol": "al-Hol" and "Al Bab" are still found);
* a common English word or a word common in Syria reporting that is not a place
  (``AMBIGUOUS``: "Tell", "Sheikh", "Khan", "Mayor", "Sham" as in *Ahrar al-Sham*, "Nusra",
  first names such as "Hassan" or "Omar"…).

And a match counts only when it is written with a capital ("Hama" but not "hama"), unless
the whole sentence is in lower case (some readers' comments), because every place name is a
proper noun. Whole-word matching already keeps "Hama" out of "Hamas". "Damascus" used for
the government ("Damascus said", "Damascus and Moscow", "ties with Damascus") is not a place
mention; the same holds for other capitals used that way.

Slot rule: a capitalised name after "the village(s)/town/city/district/neighbourhood/area/
countryside/suburb of" that the gazetteer lacks is kept as a ``Place`` with no coordinates and
no governorate (``source="text"``), so that a report's village is never silently dropped.
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
AMBIGUOUS = frozenset("""
    tell tall tal bab khan sheikh shaykh shaikh sheik abu umm jabal jebel wadi nahr deir dayr
    ain ayn kafr beit bayt hayy qasr burj jisr souq suq sham al-sham ash-sham ash sham
    as-sham el-sham mayor mare marea hama's homs's arab arabi souda sada salam salama
    nusra nasr nasra hezbollah hizbollah islam islamic hamas fateh fatah ahrar daesh
    hassan hasan hussein husain ali omar umar ahmed ahmad mohammed muhammad mahmoud hamza
    hamzah khaled khalid abbas ibrahim issa isa musa mousa yusuf youssef bashar hafez maher
    assad asad qassem qasim adnan nasser naser salah saleh karim rami amer amir amin
    jamal kamal hamid rashid said saeed mansour mansur ayman tarek tariq zaid zayd rifaat
    bakr omran osman uthman akbar hadi mahdi
    nour noor nur rose post mall media sana raqqa24 moscow aman amal hope victory
    free army mission station hill hills lake dam airport base road bridge camp border
    crossing gate valley plain mountain mountains village city town east west north south
    eastern western northern southern central upper lower new old great little big
    masjid jami mosque church castle citadel castello mazraa mazraat
    halab damas damask tadmor damascene aleppan sweida
    karama karamah thawra salam jazira jazeera mina marina bahr nil
    syria syrian iraq iraqi turkey turkish jordan jordanian lebanon lebanese israel
    iran russia america europe
""".split()) - {"syria", "iraq", "turkey", "jordan", "lebanon", "israel", "iran", "russia",
                "raqqa24", "tadmor", "sweida", "halab"}
"""Names that are dropped from the matcher (folded, as a whole phrase). Country names are
kept out of this list on purpose: they are curated ``country`` places."""

_SLOT = re.compile(
    r"\b(?:villages?|towns?|city|cities|districts?|neighbou?rhoods?|areas?|countryside|"
    r"suburbs?|outskirts|hamlets?|settlements?|localit(?:y|ies)|camps?|region)\s+of\s+",
    re.IGNORECASE,
)
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
    r"^\s*(?:s\b|'s\b|’s\b)?\s*(?:government|regime|authorities|officials?|leadership|"
    r"delegation|envoy|ambassador|said|says|say|has|have|had|will|would|wants|accused|"
    r"accuses|denied|denies|rejected|rejects|claimed|claims|insists|insisted|agreed|"
    r"refused|demanded|announced|blamed|warned|responded|considers|blames|promises|promised|"
    r"pledged|vowed|welcomed|condemned|denounced|approved|allowed|invited|hopes|hoped|"
    r"regime's|government's|ally|allies|backers?|loyalists?|"
    r"and\s+(?:its|his)\s+allies|and\s+(?:moscow|tehran|ankara|washington|russia|iran))\b",
    re.IGNORECASE,
)
_GOVERNMENT_BEFORE = re.compile(
    r"\b(?:ties|relations|talks|negotiations|dialogue|deal|agreement|contacts?|cooperation|"
    r"support|supporting|supported|backing|pressure|envoys?|ambassador)\s+(?:with|to|for|on|"
    r"between|by)\s+$|\b(?:moscow|tehran|ankara|washington|russia|iran|moscow's|tehran's)\s+"
    r"and\s+$|\bbetween\s+$|\b(?:allies|ally)\s+(?:of|in)\s+$",
    re.IGNORECASE,
)
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


@dataclass(frozen=True)
class _Entry:
    """What the matcher stores: the place, and whether it is also a governorate's name."""

    place: Place
    population: int = 0


@dataclass(frozen=True)
class Mention:
    """A place found in a sentence."""

    sentence: Sentence
    start: int
    end: int
    surface: str
    place: Place
    population: int = 0
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
             f"el-{tail}", f"el {tail}", tail]
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
                 f"el-{core}"]
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
class _Row:
    name: str
    aliases: list[str]
    admin1: str | None
    latitude: float | None
    longitude: float | None
    kind: str
    population: int
    geonameid: str
    source: str


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


def _read_places(path: Path, curated: bool) -> list[_Row]:
    governorates = _governorate_names()
    rows: list[_Row] = []
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
        rows.append(_Row(name, aliases, admin1, lat, lon, kind, int(population), geonameid,
                         raw["source"] or ("curated" if curated else "geonames")))
    return rows


def _merge(generated: list[_Row], curated: list[_Row]) -> list[_Row]:
    """Curated rows first; a curated row with a geonameid overrides that generated row."""
    by_id = {row.geonameid: row for row in generated if row.geonameid}
    merged: list[_Row] = []
    replaced: set[str] = set()
    for row in curated:
        base = by_id.get(row.geonameid) if row.geonameid else None
        if base is not None:
            replaced.add(row.geonameid)
            row = _Row(
                name=row.name,
                aliases=[*row.aliases, base.name, *base.aliases],
                admin1=row.admin1 or base.admin1,
                latitude=row.latitude if row.latitude is not None else base.latitude,
                longitude=row.longitude if row.longitude is not None else base.longitude,
                kind=row.kind or base.kind,
                population=row.population or base.population,
                geonameid=row.geonameid,
                source=row.source,
            )
        elif not row.kind:
            raise GazetteerError(f"{EXTRA_FILE}: {row.name}: geonameid {row.geonameid} is not "
                                 f"in {PLACES_FILE.name}, so kind is required")
        merged.append(row)
    merged += [r for r in generated if r.geonameid not in replaced]
    return merged


_WORDS = re.compile(r"[\s-]+")
_ARTICLE = re.compile(r"^(?:al|el|ar|as|ash|ad|at|az|an|adh|ath)[\s-]+(?=\w)", re.IGNORECASE)


def name_variants(name: str) -> list[str]:
    """Article and hyphen variants of one name: ``al-Rastan`` -> Rastan, al Rastan, el-Rastan."""
    out = [name]
    core = _ARTICLE.sub("", name)
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
    return letters < MIN_LETTERS or key in AMBIGUOUS


def _unique(phrases: Iterable[tuple[str, T]]) -> Iterator[tuple[str, T]]:
    """The first entry for each phrase, ambiguous phrases left out."""
    seen: set[str] = set()
    for phrase, entry in phrases:
        key = _key(phrase)
        if key not in seen:
            seen.add(key)
            if not is_ambiguous(phrase):
                yield phrase, entry


def _phrases(rows: list[_Row]) -> Iterator[tuple[str, _Entry]]:
    """(phrase, entry) in priority order: curated names and aliases, then generated names
    by population, then generated aliases, then governorates; the matcher keeps the first."""
    entries = [
        (row, _Entry(Place(row.name, row.admin1, row.latitude, row.longitude, row.kind,
                           row.source), row.population))
        for row in rows
    ]
    curated = [(r, e) for r, e in entries if r.source != "geonames"]
    generated = sorted(((r, e) for r, e in entries if r.source == "geonames"),
                       key=lambda pair: (-pair[0].population, pair[0].name))
    for row, entry in curated:
        for phrase in (row.name, *row.aliases):
            for variant in transliteration_variants(phrase):
                yield variant, entry
    for row, entry in generated:
        yield row.name, entry
    for row, entry in generated:
        for alias in row.aliases:
            yield alias, entry
    governorates = [
        (g, _Entry(Place(g.name, g.name, g.latitude, g.longitude, "governorate",
                         "governorates")))
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
    "{} provinces", "{} city",
)


@lru_cache(maxsize=1)
def load_rows() -> tuple[_Row, ...]:
    """Generated and curated rows, merged and validated."""
    return tuple(_merge(_read_places(PLACES_FILE, curated=False),
                        _read_places(EXTRA_FILE, curated=True)))


@lru_cache(maxsize=1)
def _matcher() -> PhraseMatcher[_Entry]:
    return PhraseMatcher(_unique(_phrases(list(load_rows()))))


@lru_cache(maxsize=1)
def load_gazetteer() -> PhraseMatcher[Place]:
    """The gazetteer as a matcher of ``Place`` entries (curated first, ambiguous names out)."""
    return PhraseMatcher((p, e.place) for p, e in _unique(_phrases(list(load_rows()))))


# --------------------------------------------------------------------------- matching


def _capitalised(text: str, match: Match[_Entry]) -> bool:
    """The name is written as a proper noun (its first letter after an article in capitals)."""
    if any(word[:1].isupper() for word in _WORDS.split(match.surface)):
        return True
    return text == text.lower()


def _as_government(text: str, match: Match[_Entry]) -> bool:
    """``Damascus`` used for the Syrian government ("Damascus said", "ties with Damascus")."""
    if match.entry.place.name not in CAPITALS_AS_GOVERNMENT or match.entry.place.kind not in (
            "city", "governorate"):
        return False
    if match.surface.lower() != match.entry.place.name.lower():
        return False
    return bool(_GOVERNMENT_AFTER.match(text[match.end:match.end + 40])
                or _GOVERNMENT_BEFORE.search(text[max(0, match.start - 40):match.start]))


def _slot_places(sentence: Sentence, taken: list[tuple[int, int]]) -> Iterator[Mention]:
    """Names after "the town of", "the villages of A, B and C"… that the gazetteer lacks."""
    text = sentence.text
    for slot in _SLOT.finditer(text):
        position = slot.end()
        while True:
            name = _NAME.match(text, position)
            if not name:
                break
            start, end = name.start(), name.end()
            surface = name.group(0).rstrip("'’")
            end = start + len(surface)
            if not any(s < end and start < e for s, e in taken) and fold(surface) not in \
                    _NOT_A_NAME and not is_ambiguous(surface):
                place = Place(surface, None, None, None, "village", "text")
                yield Mention(sentence, start, end, surface, place)
            separator = _LIST_SEPARATOR.match(text, name.end())
            if not separator:
                break
            position = separator.end()


def find_mentions(sentences: Iterable[Sentence]) -> list[Mention]:
    """Every place mentioned in the sentences, in order, including governments-by-capital."""
    matcher = _matcher()
    mentions: list[Mention] = []
    for sentence in sentences:
        text = sentence.text
        found: list[Mention] = []
        for match in matcher.find(text):
            if not _capitalised(text, match):
                continue
            found.append(Mention(sentence, match.start, match.end, match.surface,
                                 match.entry.place, match.entry.population,
                                 _as_government(text, match)))
        if "of" in text:
            taken = [(m.start, m.end) for m in found]
            found += list(_slot_places(sentence, taken))
            found.sort(key=lambda m: m.start)
        previous: Mention | None = None
        for i, m in enumerate(found):
            if previous is not None and _LIST_GAP.fullmatch(text, previous.end, m.start):
                prep = previous.preposition
            else:
                prep = _preposition(text, m.start)
            found[i] = previous = dataclasses.replace(m, preposition=prep)
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
    first: float = 8.0
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
    echo: float = 1.0
    """Extra factor for sentences that repeat the title's words (they tell the main event),
    ``1 + echo * share of the title's words in the sentence``."""


WEIGHTS = Weights()
_TAGS = re.compile(r"\s*(?:tags|keywords|topics|related)\b", re.IGNORECASE)
"""A keyword list ("Tags Syria Idlib Hezbollah…") names places without narrating events."""
_LOCATED = frozenset({"in", "at", "near", "on", "around", "outside", "inside", "across", "over"})
_DESTINATION = frozenset({"to", "towards", "toward", "into"})
_FILLER = frozenset("""
    the a its their rebel-held opposition-held government-held regime-held besieged embattled
    northern southern eastern western central north south east west northeastern northwestern
    southeastern southwestern north-eastern north-western south-eastern south-western rural
    countryside outskirts suburbs city town village villages province district area
    neighbourhood neighborhood region of syrias syrian nearby key strategic border jihadist
    militant rebel is isis isil daesh and
""".split())
_WORD = re.compile(r"[\w'-]+")
_LIST_GAP = re.compile(r"\s*(?:,\s*)?(?:(?:and|or|&)\s+)?", re.IGNORECASE)


def _preposition(text: str, start: int) -> str | None:
    """The preposition governing a name: "in" for "in the northern town of X", else None."""
    words = _WORD.findall(text[max(0, start - 80):start])
    for word in reversed(words[-6:]):
        word = word.lower()
        if word in _LOCATED or word in _DESTINATION or word == "from":
            return word
        if word not in _FILLER:
            return None
    return None


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
    title = [Sentence(-1, 0, report.title)] if report.title else []
    year = report.published.year if report.published else None
    return choose(find_mentions(title + article), year, title=report.title)


def choose(mentions: list[Mention], year: int | None = None, weights: Weights = WEIGHTS,
           title: str = "") -> tuple[Place | None, str | None]:
    """The winning governorate and its best place, from the mentions of title and article."""
    echo = _Echo(title)
    votes: dict[str, float] = defaultdict(float)
    places: dict[tuple[str, str], float] = defaultdict(float)
    by_key: dict[tuple[str, str], Place] = {}
    foreign = _sentences_abroad(mentions)
    first = True
    for m in mentions:
        if m.as_government or m.place.admin1 is None or m.start < _tags_end(m.sentence.text):
            continue
        w, main = _weight(m, weights, year)
        if m.sentence.index >= 0:
            w *= 1.0 + weights.echo * echo(m.sentence)
        if m.sentence.index in foreign:
            w *= weights.foreign
        elif first and main:
            w += weights.first
            first = False
        specific = m.place.kind in SPECIFIC_KINDS
        votes[m.place.admin1] += w if specific else w * weights.area
        key = (m.place.name, m.place.admin1)
        places[key] += w if specific else w * weights.area * 0.5
        by_key[key] = m.place
    if not votes:
        for m in mentions:
            if m.place.source == "text":
                return m.place, None
        return None, None
    admin1 = max(votes, key=lambda a: votes[a])
    best = max((k for k in places if k[1] == admin1), key=lambda k: places[k])
    return by_key[best], admin1


_STOPWORDS = frozenset("""
    the a an of in on at to for from by with and or but as is are was were be been has have
    had its their his her this that these those after over into near says said say syria
    syrian syrias more than least about some will would could also which who while amid
""".split())


class _Echo:
    """Share of the title's content words that a sentence repeats (0..1), cached."""

    def __init__(self, title: str) -> None:
        self.words = {w for w in _WORD.findall(title.lower()) if w not in _STOPWORDS}
        self.cache: dict[int, float] = {}

    def __call__(self, sentence: Sentence) -> float:
        if not self.words:
            return 0.0
        if sentence.index not in self.cache:
            words = set(_WORD.findall(sentence.text.lower()))
            self.cache[sentence.index] = len(self.words & words) / len(self.words)
        return self.cache[sentence.index]


def _tags_end(text: str) -> int:
    """Where a leading keyword list ("Tags Syria Idlib Hezbollah The rebels…") ends: at the
    first capitalised article, which starts the narrative glued to it; 0 without a list."""
    if not _TAGS.match(text):
        return 0
    narrative = _NARRATIVE.search(text)
    return narrative.start() if narrative else len(text)


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
    if prep == "from":
        w *= weights.origin
        main = False
    elif prep in _DESTINATION:
        w *= weights.destination
        main = False
    elif prep is not None:
        w *= weights.located
    past = _PAST.search(m.sentence.text)
    if past and (not past.group("year") or (year is not None and int(past.group("year")) < year)):
        w *= weights.past
        main = False
    return w, main


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
