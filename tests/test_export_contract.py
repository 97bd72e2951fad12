"""`python -m analytics export` keeps the column contract outside tools rely on."""

from __future__ import annotations

import pandas as pd

from tests.conftest import run_cli

EVENTS = ["event_id", "event_date", "time_precision", "event_type", "sub_event_type", "actor1",
          "actor2", "admin1", "location", "latitude", "longitude", "fatalities", "source",
          "notes", "report_id"]
REPORTS = ["report_id", "title", "published", "source", "url", "primary_event_date",
           "primary_location", "primary_admin1"]
EVACUATIONS = ["event_date", "people", "buses", "group", "origin", "origin_admin1",
               "destination", "destination_admin1", "claimed_by", "evidence", "report_id"]


def export(db, table, tmp_path) -> pd.DataFrame:
    out = tmp_path / f"{table}.csv"
    result = run_cli("export", table, "--db", str(db), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return pd.read_csv(out)


def test_events_export_in_acled_columns(seed_db, tmp_path):
    events = export(seed_db, "events", tmp_path)
    assert list(events.columns[: len(EVENTS)]) == EVENTS
    transfer = events[events.sub_event_type == "Non-violent transfer of territory"].iloc[0]
    assert transfer.event_date == "2018-04-02" and transfer.time_precision == 1
    assert transfer.location == "Taqsis" and transfer.admin1 == "Hama"
    assert transfer.notes.startswith("On April 2, government forces established control")
    assert 34 < transfer.latitude < 36 and 36 < transfer.longitude < 37.5


def test_evacuations_export(seed_db, tmp_path):
    evacuations = export(seed_db, "evacuations", tmp_path)
    assert list(evacuations.columns[: len(EVACUATIONS)]) == EVACUATIONS
    row = evacuations.iloc[0]
    assert (row.people, row.buses, row.group, row.origin, row.destination, row.claimed_by) == (
        1065, 20, "Jaish al-Islam", "Douma", "Jarabulus", "SANA")
    assert (row.origin_admin1, row.destination_admin1) == ("Rif Dimashq", "Aleppo")


def test_reports_export(seed_db, tmp_path):
    reports = export(seed_db, "reports", tmp_path)
    assert list(reports.columns[: len(REPORTS)]) == REPORTS
    row = reports.iloc[0]
    assert row.primary_event_date == "2018-04-02" and row.primary_admin1 == "Homs"
