"""The one module of ``analytics`` that imports Streamlit: cached resources and loaders.

Pages call ``load(name, params)``; results are cached per (query, parameters, snapshot
version), so a newly published snapshot invalidates them without a restart, and the same
view asked twice costs nothing.

Imports stay light: the export libraries (kaleido, vl-convert) load when a PNG, CSV or ZIP
is asked for, and the ingestion pipeline only when seeding, so a server's first page does
not wait for code it does not run.
"""

from __future__ import annotations

import functools
import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn
from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics.db import NoData, Reader
from analytics.export import csv_bytes, export_all_png, png_bytes, slug
from analytics.filters import Filters
from analytics.paths import SEEDS_DIR, default_db_path
from analytics.queries import run
from analytics.store.snapshots import current_snapshot

if TYPE_CHECKING:
    import altair as alt

# (script, title, icon, URL path); the first is the default page, served at "/".
PAGES: list[tuple[str, str, str, str | None]] = [
    ("pages/overview.py", "Overview", ":material/dashboard:", None),
    ("pages/events.py", "Events", ":material/local_fire_department:", "events"),
    ("pages/evacuations.py", "Evacuations", ":material/directions_bus:", "evacuations"),
    ("pages/actors.py", "Actors", ":material/groups:", "actors"),
    ("pages/comments.py", "Comments", ":material/forum:", "comments"),
    ("pages/reports.py", "Reports", ":material/article:", "reports"),
]
ADD_PAGE = ("pages/add_reports.py", "Add reports", ":material/upload_file:", "add")
MAX_UPLOAD_MB = int(os.environ.get("SITREP_MAX_UPLOAD_MB", "50"))


def read_only() -> bool:
    """``SITREP_READ_ONLY=1``: a shared deployment where nobody can upload or write."""
    return os.environ.get("SITREP_READ_ONLY", "").strip().lower() in {"1", "true", "yes"}


def pages() -> list[tuple[str, str, str, str | None]]:
    """The pages this server offers (no upload page when read-only)."""
    return PAGES if read_only() else [*PAGES, ADD_PAGE]


def upload_folder() -> Path:
    """Where uploaded files are kept: ``uploads/`` next to the database."""
    return db_path().parent / "uploads"


@st.cache_resource
def reader(db: str) -> Reader:
    """One reader per database per server process (it hands out a cursor per query)."""
    return Reader(Path(db))


def db_path() -> Path:
    return default_db_path()


def ensure_data() -> Reader:
    """The reader for this server's database, loading the seeds on the very first run."""
    path = db_path()
    if (current_snapshot(path) is None and os.environ.get("SITREP_NO_SEED") != "1"
            and not read_only()):
        from analytics.ingest import ingest  # the whole pipeline: only for the first run

        with st.spinner("First run: loading the seed reports…"):
            ingest([SEEDS_DIR], path, workers=1)
    return reader(str(path))


def as_date(value: object) -> date | None:
    """A DATE column value from a DataFrame (pandas makes it a Timestamp or NaT) as a date."""
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()  # type: ignore[arg-type]


def require_data() -> None:
    """Raise ``NoData`` when nothing was ever ingested (and first-run seeding is off)."""
    if ensure_data().version is None:
        raise NoData("nothing ingested yet")


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


# --- the shared filters (drawn by app.py, read by every page) ---------------------------------

FILTERS_KEY = "_sitrep_filters"
NOTICES_KEY = "_sitrep_url_notices"
EARLIEST, LATEST = date(2000, 1, 1), date(2035, 12, 31)
BIND = "query-params"


def filter_options() -> dict[str, list[str]]:
    """Values offered by the multiselects, most frequent first (cached per snapshot)."""
    frame = load("filter_options")
    # masks, not groupby: a first groupby costs ~0.15 s of lazy imports on a cold server
    kinds = frame["kind"].astype(str).to_numpy()
    values = frame["value"].astype(str).to_numpy()
    return {kind: values[kinds == kind].tolist() for kind in dict.fromkeys(kinds)}


def sidebar_filters() -> Filters:
    """Draw the filter widgets, each bound to its URL parameter, and return the state.

    Called by ``app.py`` (the frame), so the parameters survive page switches. The URL is
    checked once per session: unknown keys, malformed values and values the data does not
    have are reported in a notice instead of failing.
    """
    options = filter_options()
    if NOTICES_KEY not in st.session_state:
        st.session_state[NOTICES_KEY] = url_notices(options)
    with st.sidebar:
        st.subheader("Filters")
        left, right = st.columns(2)
        start = left.date_input("From", value=None, min_value=EARLIEST, max_value=LATEST,
                                key="from", bind=BIND)
        end = right.date_input("To", value=None, min_value=EARLIEST, max_value=LATEST,
                               key="to", bind=BIND)
        admin1 = st.multiselect("Governorates", options.get("admin1", []), key="gov", bind=BIND)
        places = st.multiselect("Places", options.get("place", []), key="place", bind=BIND)
        actors = st.multiselect("Actors", options.get("actor", []), key="actor", bind=BIND)
        types = st.multiselect("Event types", options.get("event_type", []), key="type",
                               bind=BIND)
        sources = st.multiselect("Sources", options.get("source", []), key="source", bind=BIND)
        sentiment = st.slider("Comment sentiment", -1.0, 1.0, (-1.0, 1.0), 0.05, key="sent",
                              bind=BIND)
        text = st.text_input("Text contains", key="q", bind=BIND, max_chars=200)
        for notice in st.session_state[NOTICES_KEY]:
            st.warning(f"Link: {notice}", icon="⚠️")
    if start and end and start > end:
        start, end = end, start
    filters = Filters(
        start=start, end=end, admin1=tuple(admin1), places=tuple(places), actors=tuple(actors),
        event_types=tuple(types), sources=tuple(sources),
        sentiment=(float(sentiment[0]), float(sentiment[1])), text=(text or "").strip(),
    )
    st.session_state[FILTERS_KEY] = filters
    return filters


def current_filters() -> Filters:
    """The filters the frame drew for this run (pages call this)."""
    return st.session_state.get(FILTERS_KEY, Filters())


def url_notices(options: dict[str, list[str]]) -> list[str]:
    """What in the current URL cannot be used, in words."""
    raw = {key: st.query_params.get_all(key) for key in st.query_params}
    parsed = Filters.from_query_params(raw)
    notices = list(parsed.notices)
    for field, kind, label in (("admin1", "admin1", "governorate"), ("places", "place", "place"),
                               ("actors", "actor", "actor"),
                               ("event_types", "event_type", "event type"),
                               ("sources", "source", "source")):
        known = set(options.get(kind, []))
        notices += [f"ignored unknown {label} '{v}'" for v in getattr(parsed, field)
                    if v not in known]
    return notices


def share_link(page_path: str = "") -> str:
    """The URL that reopens exactly this view (page and every parameter)."""
    base = st.context.url.split("?")[0] if st.context.url else ""
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    query = urlencode(params, doseq=True)
    return base + (f"?{query}" if query else "")


LINK_SLOT_KEY = "_sitrep_link_slot"


def reserve_share_link() -> None:
    """Keep the sidebar's place for "Link to this view" (under the filters), to be filled by
    ``draw_share_link`` once the page is drawn.

    A browser loads the code block's script (a syntax highlighter) slowly: sent before the
    page, it held back the page's first paint (~1.5 s of a cold start). Drawn last, the link
    also carries the page's own parameters (granularity, chosen report) as of this run.
    """
    st.session_state[LINK_SLOT_KEY] = st.sidebar.container()


def draw_share_link() -> None:
    """Fill the reserved place with the share link (once per run; nothing if none)."""
    slot = st.session_state.pop(LINK_SLOT_KEY, None)
    if slot is None:
        return
    with slot:
        st.caption("Link to this view")
        st.code(share_link(), language=None, wrap_lines=True)


def stop_page(message: str) -> NoReturn:
    """Say why the page has nothing to show and end the run (share link drawn first:
    nothing can be drawn after ``st.stop()``)."""
    st.info(message)
    draw_share_link()
    st.stop()


# --- charts with their downloads ---------------------------------------------------------------

CHARTS_KEY = "_sitrep_page_charts"


def start_page(title: str) -> Filters:
    """Every page's first call: frame check, title, what the filters show, chart registry."""
    require_frame()
    st.session_state[CHARTS_KEY] = {}
    st.session_state["_sitrep_page_title"] = title
    filters = current_filters()
    st.title(title)
    st.caption(f"Showing: {filters.describe()}")
    return filters


def data_range(filters: Filters) -> str:
    """The dates the page covers, for the footer of exported charts."""
    span = load("date_span").iloc[0]
    first = filters.start or as_date(span["first"])
    last = filters.end or as_date(span["last"])
    return f"{first or '?'} to {last or '?'}"


def show_chart(
    title: str, chart: object, data: pd.DataFrame, key: str, filters: Filters,
    select: str | None = None,
) -> object:
    """Draw a chart with "Download PNG" (stamped, print size) and "Download CSV" buttons.

    ``select``: None, or "rerun" to get the chart's selection back. Every chart drawn is
    remembered for the page's "Export all".
    """
    st.session_state.setdefault(CHARTS_KEY, {})[title] = chart
    name = slug(title)
    if isinstance(chart, go.Figure):
        event = st.plotly_chart(
            chart, key=key, theme=None, on_select=select or "ignore",
            selection_mode=("points", "box", "lasso"),
            config={"toImageButtonOptions": {"filename": name, "scale": 2},
                    "displaylogo": False},
        )
    else:
        event = st.altair_chart(_without_schema_check(chart), key=key,
                                on_select=select or "ignore")
    footer = data_range(filters)
    left, right, _ = st.columns([1, 1, 4])
    left.download_button(
        "Download PNG", data=lambda: png_bytes(chart, title, filters.describe(), footer),
        file_name=f"{name}.png", mime="image/png", on_click="ignore", key=f"{key}-png",
        icon=":material/image:",
    )
    right.download_button(
        "Download CSV", data=lambda: csv_bytes(data), file_name=f"{name}.csv",
        mime="text/csv", on_click="ignore", key=f"{key}-csv", icon=":material/table:",
    )
    return event


def _without_schema_check(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """``chart``, whose ``to_dict()`` (what ``st.altair_chart`` calls) skips the JSON-schema
    validation of the whole spec: ~10-25 ms a chart on every run, for a spec whose shape
    is fixed by ``analytics.charts`` and validated there by the tests; the data goes to
    the browser as Arrow and is never part of the check. A shallow copy is changed, so the
    chart kept for the PNG exports still validates."""
    shown = chart.copy(deep=False)
    object.__setattr__(shown, "to_dict", functools.partial(shown.to_dict, validate=False))
    return shown


def plain_dates(data: pd.DataFrame) -> pd.DataFrame:
    """``data`` with its DATE columns as dates, for display.

    pandas turns a DuckDB DATE into a midnight Timestamp, which a table shows as
    "2018-04-02 00:00:00". A datetime column whose every value is midnight is a date and
    becomes one (Arrow ``date32``); a real timestamp keeps its time.
    """
    dated: dict[str, pd.Series] = {}
    for column in data.columns:
        series = data[column]
        if not pd.api.types.is_datetime64_any_dtype(series) or getattr(series.dt, "tz", None):
            continue
        values = series.dropna()
        if (values == values.dt.normalize()).all():
            dated[column] = series.dt.date
    return data.assign(**dated) if dated else data


def show_frame(data: pd.DataFrame, **options: object) -> None:
    """A table as every page shows one: full width, no index, dates without a time."""
    st.dataframe(plain_dates(data), hide_index=True, width="stretch", **options)  # type: ignore[arg-type]


def show_table(title: str, data: pd.DataFrame, key: str, **options: object) -> None:
    """A table with its CSV download (formula-safe)."""
    show_frame(data, key=key, **options)
    st.download_button(
        f"Download {title} (CSV)", data=lambda: csv_bytes(data), file_name=f"{slug(title)}.csv",
        mime="text/csv", on_click="ignore", key=f"{key}-csv", icon=":material/table:",
    )


def download_query(
    label: str, name: str, filters: Filters, file_name: str, **extra: object,
) -> None:
    """A CSV download of a whole query (e.g. every filtered event), run only when clicked.

    Such a query can return hundreds of thousands of rows: run with the page, it would cost
    more than everything the page draws, for a file few people ask for.
    """
    r = ensure_data()
    st.download_button(
        label, data=lambda: run(r, name, filters, **extra).to_csv(index=False),
        file_name=file_name, mime="text/csv", on_click="ignore",
    )


def export_all_button(filters: Filters) -> None:
    """One ZIP with every chart of the page as a stamped PNG."""
    charts = dict(st.session_state.get(CHARTS_KEY, {}))
    if not charts:
        return
    footer = data_range(filters)
    page = slug(st.session_state.get("_sitrep_page_title", "sitrep"))
    st.download_button(
        f"Export all {len(charts)} charts (PNG, ZIP)",
        data=lambda: export_all_png(charts, filters.describe(), footer),
        file_name=f"{page}-charts.zip", mime="application/zip", on_click="ignore",
        key="export-all", icon=":material/download:",
    )


def grain_picker(key: str = "grain") -> str:
    """Day / week / month, bound to the URL (page-local)."""
    return st.segmented_control(
        "Granularity", ["day", "week", "month"], default="week", key=key, bind=BIND,
    ) or "week"
