"""Where Sitrep keeps its files; every default can be overridden by an environment variable.

``SITREP_DB`` names the master database the ingest CLI writes; the dashboard reads the
published snapshots next to it (see ``analytics.store.snapshots``).
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_DIR / "data"
SEEDS_DIR = PROJECT_DIR / "seeds"


def default_db_path() -> Path:
    """The master database: ``$SITREP_DB`` or ``data/sitrep.duckdb``."""
    return Path(os.environ.get("SITREP_DB", DATA_DIR / "sitrep.duckdb"))
