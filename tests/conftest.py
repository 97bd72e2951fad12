"""Shared fixtures: real files from ../shared and small real DuckDB databases in tmp dirs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analytics.ingest import ingest
from analytics.paths import PROJECT_DIR, SEEDS_DIR

SHARED = Path(os.environ.get("SITREP_SHARED", PROJECT_DIR.parent / "shared"))
SEED_FILE = SEEDS_DIR / "000_cddafe3289ae453d.txt"
GOLD_FILE = SHARED / "gold" / "seed_report.json"
FAKES_CSV = SHARED / "corpora" / "fa-kes" / "fakes_dev.csv"


@pytest.fixture(scope="session")
def gold() -> dict:
    return json.loads(GOLD_FILE.read_text(encoding="utf-8"))


@pytest.fixture()
def db_path(tmp_path: Path) -> Path:
    """A fresh master database location (nothing created yet)."""
    return tmp_path / "db" / "sitrep.duckdb"


@pytest.fixture()
def seed_db(db_path: Path) -> Path:
    """A master database holding the seed report, published for readers."""
    summary = ingest([SEEDS_DIR], db_path, workers=1)
    assert summary.added == 1 and summary.ok
    return db_path


def run_cli(*args: str, cwd: Path = PROJECT_DIR, env: dict[str, str] | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``python -m analytics ARGS`` as a user would, capturing its output."""
    return subprocess.run(
        [sys.executable, "-m", "analytics", *args],
        cwd=cwd, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, **(env or {})},
    )
