"""The one module of ``analytics`` that imports Streamlit: cached resources and loaders.

Pages call ``load(name, params)``; results are cached per (query, parameters, snapshot
version), so a newly published snapshot invalidates them without a restart, and the same
view asked twice costs nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import streamlit as st

from analytics.db import Reader
from analytics.filters import Filters
from analytics.ingest import ingest
from analytics.paths import SEEDS_DIR, default_db_path
from analytics.queries import run
from analytics.store.snapshots import current_snapshot


@st.cache_resource
def reader(db: str) -> Reader:
    """One reader per database per server process (it hands out a cursor per query)."""
    return Reader(Path(db))


def db_path() -> Path:
    return default_db_path()


def ensure_data() -> Reader:
    """The reader for this server's database, loading the seeds on the very first run."""
    path = db_path()
    if current_snapshot(path) is None and os.environ.get("SITREP_NO_SEED") != "1":
        with st.spinner("First run: loading the seed reports…"):
            ingest([SEEDS_DIR], path, workers=1)
    return reader(str(path))


def load(name: str, filters: Filters | None = None, **extra: object) -> pd.DataFrame:
    """Run a named query against the newest snapshot, cached per snapshot version."""
    r = ensure_data()
    frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in extra.items()))
    return _cached(str(r.master), r.version, name, filters or Filters(), frozen)


@st.cache_data(max_entries=1024, show_spinner=False)
def _cached(
    db: str, version: str | None, name: str, filters: Filters,
    extra: tuple[tuple[str, object], ...],
) -> pd.DataFrame:
    params = {k: list(v) if isinstance(v, tuple) else v for k, v in extra}
    return run(reader(db), name, filters, **params)


def require_frame() -> None:
    """Make sure this page runs inside ``app.py`` (the frame with the shared filters).

    Streamlit treats an app with a ``pages/`` folder as a legacy multipage app until
    ``st.navigation`` has run once in the server: a visitor whose first request is a deep
    link (``/events?...``) would get the page script alone, without the sidebar filters.
    Pages call this first; in that case it switches the server to ``st.navigation`` mode
    and reruns, so the frame renders the requested page (same URL, same parameters).
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
