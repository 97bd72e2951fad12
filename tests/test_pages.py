"""Every page of the dashboard through Streamlit's AppTest, on four real databases: the seed,
FA-KES (with the seed), a snapshot with no reports, and a database never ingested.

Figures shown on the pages are compared with counts computed here, directly in DuckDB, from
what ``analytics.queries`` documents each filter to mean — so a test checks that a number
is right, not only that it moved.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from analytics import ui
from analytics.db import Reader
from analytics.ingest import ingest
from analytics.paths import PROJECT_DIR, SEEDS_DIR
from analytics.store.snapshots import current_snapshot
from tests.conftest import FAKES_CSV, SEED_FILE
from tests.test_charts import plain

PAGES = {path: title for path, title, _, _ in ui.pages()}
ADD = ui.ADD_PAGE[0]
OVERVIEW = ui.PAGES[0][0]
# show_chart calls per page: the charts each page draws when it has data
CHARTS = {
    "pages/overview.py": 1, "pages/events.py": 2, "pages/evacuations.py": 3,
    "pages/actors.py": 3, "pages/comments.py": 5, "pages/reports.py": 0,
    "pages/add_reports.py": 0,
}
XSS_TITLE = "The Escaping Check – April 3, 2018: Markup In The Text"  # sorts after the seed
XSS_PARAGRAPH = "<script>alert('paragraph')</script>"
XSS_COMMENT = "Nice <script>alert(1)</script> summation."


# --- databases (built once for the module) ----------------------------------------------------


@pytest.fixture(scope="module")
def fakes_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("fakes") / "sitrep.duckdb"
    summary = ingest([FAKES_CSV, SEEDS_DIR], db, workers=2)
    assert summary.ok and summary.added > 300
    return db


@pytest.fixture(scope="module")
def seed_only_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("seed") / "sitrep.duckdb"
    assert ingest([SEEDS_DIR], db, workers=1).added == 1
    return db


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory) -> Path:
    """A published snapshot holding no report: the only input file was unusable."""
    folder = tmp_path_factory.mktemp("unusable")
    (folder / "title-only.txt").write_text("A title and nothing else\n", encoding="utf-8")
    db = tmp_path_factory.mktemp("empty") / "sitrep.duckdb"
    summary = ingest([folder], db, workers=1)
    assert summary.added == 0 and len(summary.rejections) == 1
    assert current_snapshot(db) is not None
    assert sql(db, "SELECT count(*) FROM reports") == 0
    return db


@pytest.fixture(scope="module")
def never_db(tmp_path_factory) -> Path:
    """Nothing ever ingested (and first-run seeding is off in every test here)."""
    return tmp_path_factory.mktemp("never") / "sitrep.duckdb"


@pytest.fixture(scope="module")
def xss_db(tmp_path_factory) -> Path:
    """The seed, plus a copy with markup in a paragraph and in a comment (a second report)."""
    text = SEED_FILE.read_text(encoding="utf-8")
    lines = text.split("\n")
    lines[0] = XSS_TITLE
    text = "\n".join(lines).replace(
        "In March, reports repeatedly", f"In March, {XSS_PARAGRAPH} reports repeatedly"
    ).replace("Nice summation.", XSS_COMMENT)
    assert XSS_PARAGRAPH in text and XSS_COMMENT in text
    folder = tmp_path_factory.mktemp("xss-input")
    (folder / "xss.txt").write_text(text, encoding="utf-8")
    db = tmp_path_factory.mktemp("xss") / "sitrep.duckdb"
    assert ingest([SEEDS_DIR, folder], db, workers=1).added == 2
    return db


def sql(db: Path, query: str, params: list[object] | None = None) -> int:
    """One number, computed straight from the published snapshot."""
    return int(Reader(db).query(query, params).iloc[0, 0])


# --- running the app --------------------------------------------------------------------------


def app(monkeypatch, db: Path, params: dict | None = None, seed: bool = False,
        read_only: bool = False) -> AppTest:
    monkeypatch.setenv("SITREP_DB", str(db))
    monkeypatch.setenv("SITREP_NO_SEED", "0" if seed else "1")
    if read_only:
        monkeypatch.setenv("SITREP_READ_ONLY", "1")
    else:
        monkeypatch.delenv("SITREP_READ_ONLY", raising=False)
    at = AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=120)
    at.query_params.update(params or {})
    return at


def open_page(monkeypatch, db: Path, page: str, params: dict | None = None) -> AppTest:
    """Open the app with ``params`` in the URL (it lands on the Overview), then go to ``page``."""
    at = app(monkeypatch, db, params).run()
    assert not at.exception
    if page != OVERVIEW:
        at.switch_page(page).run()
    return at


def metric(at: AppTest, label: str) -> int:
    value = {m.label: m.value for m in at.metric}[label]
    return int(value.replace(",", ""))


def table(at: AppTest, *columns: str) -> pd.DataFrame:
    """The one table of the page that has these columns."""
    found = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


def events_table(at: AppTest) -> pd.DataFrame:
    """The table under the "Events" subheader of the Events page."""
    return table(at, "event_date", "evidence", "event_id")


def plotly_specs(at: AppTest) -> list[dict]:
    """The figures as sent, with base64-encoded arrays (from NumPy) decoded to lists."""
    return [plain(json.loads(c.proto.spec)) for c in at.get("plotly_chart")]  # type: ignore[misc]


def vega_data(at: AppTest, index: int) -> pd.DataFrame:
    """The data behind the index-th Altair chart of the page (sent as Arrow datasets)."""
    datasets = at.get("vega_lite_chart")[index].proto.datasets
    return pd.concat([convert_arrow_bytes_to_pandas_df(d.data.data) for d in datasets])


def timeline_total(at: AppTest) -> tuple[int, set[str]]:
    """Summed bar heights of the events timeline, and the event types it draws."""
    spec = next(s for s in plotly_specs(at) if s["layout"]["title"]["text"] == "Events over time")
    bars = [t for t in spec["data"] if t.get("type") == "bar"]
    return sum(sum(t["y"]) for t in bars), {t["name"] for t in bars}


# --- 2. every page renders on every database --------------------------------------------------


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("database", ["seed_only_db", "fakes_db"])
def test_every_page_renders_with_data(request, monkeypatch, database, page):
    at = open_page(monkeypatch, request.getfixturevalue(database), page)
    assert not at.exception
    assert [t.value for t in at.title] == [PAGES[page]]
    assert not at.info  # every page has something to show


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_on_an_empty_snapshot_says_so(monkeypatch, empty_db, page):
    at = open_page(monkeypatch, empty_db, page)
    assert not at.exception
    assert [t.value for t in at.title] == [PAGES[page]]
    if page == ADD:  # nothing to show: the page is the way to add reports
        assert at.get("file_uploader")
    else:
        assert at.info and at.info[-1].value.startswith("No ")
        assert "match" in at.info[-1].value
    if page != OVERVIEW:  # the Overview keeps its (empty) timeline and its zero figures
        assert not at.get("plotly_chart") and not at.get("vega_lite_chart")
    else:
        assert metric(at, "Reports") == 0


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_before_any_ingest_says_so(monkeypatch, never_db, page):
    at = open_page(monkeypatch, never_db, page)
    assert not at.exception
    assert "No reports have been loaded yet" in at.info[0].value
    assert "Add reports page" in at.info[0].value
    assert current_snapshot(never_db) is None  # SITREP_NO_SEED=1: nothing was written
    if page == ADD:  # the upload page stays reachable: it is how a browser loads reports
        assert [t.value for t in at.title] == ["Add reports"]
        assert at.get("file_uploader")
    else:
        assert not at.title and not at.metric


# --- 3. filters change the figures, to the right numbers --------------------------------------

GOV_ALEPPO = """
    SELECT count(*) FROM reports r WHERE r.primary_admin1 = 'Aleppo' OR EXISTS (
        SELECT 1 FROM place_mentions p
        WHERE p.report_id = r.report_id AND p.comment_position IS NULL AND p.admin1 = 'Aleppo')
"""
YEAR_2015 = """
    SELECT count(*) FROM reports WHERE published BETWEEN DATE '2015-01-01' AND DATE '2015-12-31'
"""
TEXT_CHEMICAL = """
    SELECT count(*) FROM reports r WHERE lower(r.title) LIKE '%chemical%' OR EXISTS (
        SELECT 1 FROM paragraphs p
        WHERE p.report_id = r.report_id AND lower(p.text) LIKE '%chemical%')
"""
ACTOR_ISIS = """
    SELECT count(*) FROM reports r WHERE EXISTS (
        SELECT 1 FROM actor_mentions a
        WHERE a.report_id = r.report_id AND a.comment_position IS NULL AND a.actor = 'ISIS')
"""
REPORT_FILTERS = {
    "governorate": ({"gov": ["Aleppo"]}, GOV_ALEPPO, "governorates: Aleppo"),
    "one year": ({"from": "2015-01-01", "to": "2015-12-31"}, YEAR_2015, "2015-01-01 to 2015-12-31"),
    "text": ({"q": "chemical"}, TEXT_CHEMICAL, 'text contains "chemical"'),
    "actor": ({"actor": ["ISIS"]}, ACTOR_ISIS, "actors: ISIS"),
}


def test_overview_reports_unfiltered(monkeypatch, fakes_db):
    at = open_page(monkeypatch, fakes_db, OVERVIEW)
    assert metric(at, "Reports") == sql(fakes_db, "SELECT count(*) FROM reports") > 300
    assert at.caption[0].value == "Showing: all data"


@pytest.mark.parametrize("name", list(REPORT_FILTERS))
def test_overview_reports_follow_each_filter(monkeypatch, fakes_db, name):
    params, count_sql, described = REPORT_FILTERS[name]
    at = open_page(monkeypatch, fakes_db, OVERVIEW, params)
    assert not at.exception
    assert at.caption[0].value == f"Showing: {described}"
    total = sql(fakes_db, "SELECT count(*) FROM reports")
    expected = sql(fakes_db, count_sql)
    assert 0 < expected < total
    assert metric(at, "Reports") == expected


def test_events_page_follows_the_event_type_filter(monkeypatch, fakes_db):
    per_period = """
        SELECT count(*) FROM (
            SELECT DISTINCT date_trunc('week', e.event_date), e.event_type,
                   coalesce(m.group_id, e.event_id)
            FROM events e LEFT JOIN event_group_members m USING (event_id)
            WHERE e.event_date IS NOT NULL AND (? IS NULL OR e.event_type = ?))
    """
    everything = open_page(monkeypatch, fakes_db, "pages/events.py")
    total, types = timeline_total(everything)
    assert total == sql(fakes_db, per_period, [None, None])
    assert len(types) > 1

    battles = open_page(monkeypatch, fakes_db, "pages/events.py", {"type": ["Battles"]})
    assert not battles.exception
    shown, types = timeline_total(battles)
    assert types == {"Battles"}
    assert 0 < shown < total
    assert shown == sql(fakes_db, per_period, ["Battles", "Battles"])
    rows = events_table(battles)
    assert set(rows["event_type"]) == {"Battles"}
    assert len(rows) == sql(fakes_db, "SELECT count(*) FROM events WHERE event_type = 'Battles'")
    assert len(rows) < len(events_table(everything))


def test_comments_page_follows_the_sentiment_filter(monkeypatch, seed_only_db):
    negative_sql = "SELECT count(*) FROM comments WHERE sentiment_score BETWEEN -1 AND -0.5"
    everything = open_page(monkeypatch, seed_only_db, "pages/comments.py")
    assert vega_data(everything, 0)["comments"].sum() == sql(
        seed_only_db, "SELECT count(*) FROM comments")

    at = open_page(monkeypatch, seed_only_db, "pages/comments.py", {"sent": ["-1", "-0.5"]})
    assert not at.exception
    assert at.slider(key="sent").value == (-1.0, -0.5)
    histogram = vega_data(at, 0)
    negative = sql(seed_only_db, negative_sql)
    assert 0 < histogram["comments"].sum() == negative < sql(
        seed_only_db, "SELECT count(*) FROM comments")
    assert set(histogram["sentiment_label"]) == {"negative"}
    # the extreme comments shown are all in the range, and are the negative ones
    texts = set(Reader(seed_only_db).query(
        "SELECT text FROM comments WHERE sentiment_score BETWEEN -1 AND -0.5")["text"])
    shown = [t.value for t in at.text]
    assert shown and set(shown) <= texts
    scores = [float(c.value.split(" · ")[0]) for c in at.caption if " · on “" in c.value]
    assert scores and all(-1 <= s <= -0.5 for s in scores)


def test_comment_authors_missing_are_anonymous_not_nan(monkeypatch, seed_only_db):
    anonymous = sql(seed_only_db, "SELECT count(*) FROM comments WHERE author IS NULL")
    assert anonymous > 0
    at = open_page(monkeypatch, seed_only_db, "pages/reports.py")
    captions = [c.value for c in at.caption]
    assert not [c for c in captions if c.startswith("nan ") or " nan " in c]
    assert sum(c.startswith("anonymous · sentiment") for c in captions) == anonymous
    at.switch_page("pages/comments.py").run()
    assert not [c.value for c in at.caption if " nan " in c.value]


def test_evacuations_page_on_the_seed(monkeypatch, seed_only_db):
    at = open_page(monkeypatch, seed_only_db, "pages/evacuations.py")
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["People evacuated"] == "1,065"
    assert sql(seed_only_db, "SELECT sum(people_best) FROM evacuations") == 1065
    assert len(table(at, "people_best", "group_name")) == sql(
        seed_only_db, "SELECT count(*) FROM evacuations")


# --- 4. what a pasted URL may hold ------------------------------------------------------------


def test_bad_url_parameters_are_named_and_the_good_ones_still_apply(monkeypatch, fakes_db):
    params = {"bogus": "1", "from": "2018-99-99", "sent": ["x", "y"], "actor": ["Nobody"],
              "gov": ["Aleppo"]}
    at = open_page(monkeypatch, fakes_db, OVERVIEW, params)
    assert not at.exception
    warnings = [w.value for w in at.sidebar.warning]
    for word in ("'bogus'", "2018-99-99", "'sent'", "'Nobody'"):
        assert [w for w in warnings if word in w], (word, warnings)
    assert len(warnings) == 4
    assert metric(at, "Reports") == sql(fakes_db, GOV_ALEPPO)
    assert at.multiselect(key="gov").value == ["Aleppo"]
    assert at.multiselect(key="actor").value == []
    assert at.date_input(key="from").value is None
    assert at.slider(key="sent").value == (-1.0, 1.0)
    # the notices stay with the session on other pages, and the good filter still applies
    at.switch_page("pages/events.py").run()
    assert not at.exception
    assert [w.value for w in at.sidebar.warning] == warnings
    assert set(events_table(at)["admin1"]) == {"Aleppo"}


def test_a_clean_url_gives_no_warning(monkeypatch, fakes_db):
    at = open_page(monkeypatch, fakes_db, OVERVIEW, {"gov": ["Aleppo"], "grain": "month"})
    assert not at.exception and not at.sidebar.warning


# --- 5. chart selections narrow the events table ----------------------------------------------

SPAN = {"selection": {"box": [{"x": ["2016-03-01", "2016-01-01"]}], "points": []}}
BARS = {"selection": {"points": [{"customdata": ["2016-01-04", "Battles", 3]},
                                 {"customdata": ["2016-02-01", "Battles", 2]}], "box": []}}
ALEPPO = {"selection": {"points": [
    {"customdata": ["Aleppo", "Aleppo", "Battles", 3, "2016-01-01", "2016-02-01"]}]}}


@pytest.mark.parametrize(("picked", "first", "last"), [
    (SPAN, date(2016, 1, 1), date(2016, 3, 1)),
    (BARS, date(2016, 1, 4), date(2016, 2, 7)),  # weekly bars: to the end of the last week
], ids=["box", "bars"])
def test_timeline_and_map_selections_narrow_the_events_table(
    monkeypatch, fakes_db, picked, first, last
):
    at = open_page(monkeypatch, fakes_db, "pages/events.py")
    everything = events_table(at)
    assert not any("selected" in s.value for s in at.subheader)

    at.session_state["events-timeline"] = picked
    at.run()
    assert not at.exception
    assert f"Events — selected: {first} to {last}" in [s.value for s in at.subheader]
    in_span = events_table(at)
    days = pd.to_datetime(in_span["event_date"]).dt.date
    assert 0 < len(in_span) < len(everything)
    assert days.between(first, last).all()
    assert len(in_span) == sql(
        fakes_db, "SELECT count(*) FROM events WHERE event_date BETWEEN ? AND ?", [first, last])

    at.session_state["events-map"] = ALEPPO
    at.run()
    assert not at.exception
    assert f"Events — selected: {first} to {last}; Aleppo" in [s.value for s in at.subheader]
    both = events_table(at)
    assert 0 < len(both) < len(in_span)
    assert set(both["location"]) == {"Aleppo"}
    assert pd.to_datetime(both["event_date"]).dt.date.between(first, last).all()
    assert len(both) == sql(
        fakes_db, "SELECT count(*) FROM events WHERE event_date BETWEEN ? AND ? "
        "AND location = 'Aleppo'", [first, last])


# --- 6. read-only deployments -----------------------------------------------------------------


def test_read_only_has_no_add_page(monkeypatch, fakes_db):
    monkeypatch.delenv("SITREP_READ_ONLY", raising=False)
    assert ADD in [p for p, *_ in ui.pages()]
    monkeypatch.setenv("SITREP_READ_ONLY", "1")
    assert ADD not in [p for p, *_ in ui.pages()]
    at = app(monkeypatch, fakes_db, read_only=True).run()
    assert not at.exception and metric(at, "Reports") > 0
    with pytest.raises(ValueError):
        at.switch_page(ADD)


def test_read_only_first_run_does_not_seed(monkeypatch, tmp_path):
    db = tmp_path / "db" / "sitrep.duckdb"
    # first-run seeding is on, but the deployment is read-only
    at = app(monkeypatch, db, seed=True, read_only=True).run()
    assert not at.exception
    assert "No reports have been loaded yet" in at.info[0].value
    assert "Add reports" not in at.info[0].value
    assert current_snapshot(db) is None and not db.exists() and not db.parent.exists()


# --- 7. the Reports page ----------------------------------------------------------------------


def report_id(db: Path, title: str) -> str:
    found = Reader(db).query("SELECT report_id FROM reports WHERE title = ?", [title])
    return str(found.iloc[0, 0])


def test_report_in_the_url_is_opened_and_its_markup_escaped(monkeypatch, xss_db):
    wanted = report_id(xss_db, XSS_TITLE)
    first = open_page(monkeypatch, xss_db, "pages/reports.py")
    assert first.header[0].value != XSS_TITLE  # not the report opened by default

    at = open_page(monkeypatch, xss_db, "pages/reports.py", {"report": wanted})
    assert not at.exception
    assert at.header[0].value == XSS_TITLE
    assert at.selectbox(key="report").value == wanted
    bodies = [h.proto.body for h in at.get("html")]
    assert [b for b in bodies if "&lt;script&gt;alert(&#x27;paragraph&#x27;)&lt;/script&gt;" in b]
    assert not [b for b in bodies if "<script" in b]
    assert XSS_COMMENT in [t.value for t in at.text]
    assert not [m.value for m in at.markdown if "<script" in m.value]


def test_report_in_the_url_outside_the_filters_is_still_opened(monkeypatch, fakes_db):
    oldest = Reader(fakes_db).query(
        "SELECT report_id, title, published FROM reports ORDER BY published LIMIT 1").iloc[0]
    params = {"report": oldest["report_id"], "from": "2016-01-01"}
    at = open_page(monkeypatch, fakes_db, "pages/reports.py", params)
    assert not at.exception
    assert at.header[0].value == oldest["title"]
    box = at.selectbox(key="report")
    assert box.value == oldest["report_id"]
    assert box.format_func(box.value) == f"{oldest['published'].date()} — {oldest['title']}"


# --- 8. every chart comes with its downloads --------------------------------------------------


@pytest.mark.parametrize("page", list(PAGES))
def test_every_chart_has_png_and_csv_downloads(monkeypatch, fakes_db, page):
    at = open_page(monkeypatch, fakes_db, page)
    assert not at.exception
    charts = len(at.get("plotly_chart")) + len(at.get("vega_lite_chart"))
    assert charts >= CHARTS[page]
    buttons = [(b.proto.label, b.proto.id) for b in at.get("download_button")]
    keys = [(label, i.split("-", 2)[2]) for label, i in buttons]  # $$ID-<hash>-<key>
    png = {k.removesuffix("-png") for label, k in keys if label == "Download PNG"}
    csv = {k.removesuffix("-csv") for label, k in keys if label == "Download CSV"}
    assert len(png) == len(csv) == charts
    assert png == csv  # the two buttons of each chart share its key
    if charts:
        assert f"Export all {charts} charts (PNG, ZIP)" in [label for label, _ in buttons]


# --- 9. tables show a DATE as a date ---------------------------------------------------------

# Pages whose tables have a DATE column (pandas turns DATE into a midnight Timestamp, which
# a table shows as "2018-04-02 00:00:00").
DATED_TABLES = {"pages/overview.py": "published", "pages/events.py": "event_date",
                "pages/evacuations.py": "event_date", "pages/reports.py": "published"}


@pytest.mark.parametrize("page", list(PAGES))
def test_tables_show_dates_without_a_time(monkeypatch, fakes_db, page):
    at = open_page(monkeypatch, fakes_db, page)
    assert not at.exception
    shown = [d.value for d in at.dataframe]
    for frame in shown:
        for column in frame.columns:
            values = frame[column].dropna()
            if pd.api.types.is_datetime64_any_dtype(values) and len(values):
                assert not (values == values.dt.normalize()).all(), f"{column}: 00:00:00 shown"
    if page in DATED_TABLES:
        column = DATED_TABLES[page]
        values = [v for f in shown if column in f.columns for v in f[column].dropna()]
        assert values, f"no {column} column shown"
        assert all(type(v) is date for v in values)
        assert " " not in str(values[0])
