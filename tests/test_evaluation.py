"""Extraction measured against hand-made gold on real text (the figures are in README.md).

Floors: every required seed item found with at most two spurious events; FA-KES primary
governorate >= 93%. The FA-KES main-event date is held to what its gold allows (see
README, "Extraction quality"): above the trivial first-date rule, >= 71%, and within 3% of
the ceiling that any text-based rule has on this gold (measured by ``evaluate_fakes``).
"""

from __future__ import annotations

import pytest

from analytics.evaluation import evaluate_fakes, evaluate_seed, report_text
from tests.conftest import FAKES_CSV, GOLD_FILE, SEED_FILE


@pytest.fixture(scope="module")
def seed():
    return evaluate_seed(GOLD_FILE, SEED_FILE)


@pytest.fixture(scope="module")
def fakes():
    result = {s.name: s for s in evaluate_fakes(FAKES_CSV)}
    print(report_text(None, list(result.values())))
    return result


def score(result, name):
    return next(s for s in result.scores if s.name == name)


@pytest.mark.parametrize("name", [
    "seed: comments segmented exactly",
    "seed: title, date and body paragraphs",
    "seed: required events found",
    "seed: evacuation fields right",
    "seed: required actors found",
    "seed: required places found",
    "seed: places with the right governorate",
])
def test_every_required_seed_item_is_found(seed, name):
    found = score(seed, name)
    assert found.hits == found.total > 0, found.misses


def test_at_most_two_spurious_events_on_the_seed(seed):
    assert len(seed.spurious_events) <= 2, seed.spurious_events
    assert seed.events_found >= 2


def test_actor_and_place_precision_on_the_seed(seed):
    assert seed.actor_precision.value >= 0.9, seed.actor_precision.misses
    assert seed.place_precision.value >= 0.85, seed.place_precision.misses


def test_fakes_primary_governorate_floor(fakes):
    found = fakes["fa-kes: primary governorate"]
    assert found.total == 384
    assert found.value >= 0.93
    assert found.hits > fakes["fa-kes: baseline, first governorate named"].hits


def test_fakes_main_event_date(fakes):
    found = fakes["fa-kes: main-event date exact"]
    assert found.total == 384
    assert found.value >= 0.71
    assert found.hits > fakes["fa-kes: baseline, first explicit date"].hits


def test_fakes_main_event_date_close_to_what_the_text_allows(fakes):
    """The issue's 75% lies above the ceiling (gold dates the text states at all, 73.2%):
    hold the rule to nearly all of what is reachable instead."""
    found = fakes["fa-kes: main-event date exact"]
    ceiling = fakes["fa-kes: ceiling, gold date in the text"]
    assert found.hits <= ceiling.hits < found.total
    assert found.hits >= 0.97 * ceiling.hits


def test_evaluate_command_prints_the_table(tmp_path):
    from tests.conftest import run_cli

    result = run_cli("evaluate", "--gold", str(GOLD_FILE))
    assert result.returncode == 0, result.stderr
    assert "seed: required events found                       2/2" in result.stdout
    missing = run_cli("evaluate", "--fakes", str(tmp_path / "nope.csv"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
