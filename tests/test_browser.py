"""End-to-end: the real dashboard (``streamlit run app.py``) in headless Chromium.

One Streamlit server per module, on a fresh database holding the seed report and the FA-KES
sample, and one browser; every test opens its own browser context (a new visitor). What a
user does is done through the UI: sidebar navigation, filter widgets, download buttons, the
file uploader. A full-page screenshot of every page is saved under ``test-artifacts/``.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from analytics.db import Reader
from analytics.filters import Filters
from analytics.ingest import ingest
from analytics.paths import SEEDS_DIR
from analytics.queries import run
from tests.browser_support import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    LONG,
    SHORT,
    VIEWPORT,
    Server,
    assert_no_exception,
    chosen,
    download,
    failure_screenshot,
    full_page_screenshot,
    metric,
    metrics,
    nav_click,
    pick,
    png_size,
    query,
    share_link,
    start_server,
    stop_server,
    type_text,
    wait_charts,
    wait_idle,
    wait_page,
)
from tests.conftest import FAKES_CSV, SEED_FILE

# (title in the sidebar and on the page, URL path, what shows the page has fully rendered)
PAGES = [
    ("Overview", "/", {"plotly": 0, "vega": 1}),
    ("Events", "/events", {"plotly": 2, "vega": 0}),
    ("Evacuations", "/evacuations", {"plotly": 2, "vega": 1}),
    ("Actors", "/actors", {"plotly": 0, "vega": 3}),
    ("Comments", "/comments", {"plotly": 0, "vega": 5}),
    ("Reports", "/reports", None),
    ("Add reports", "/add", None),
]


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("browser")
    db = root / "db" / "sitrep.duckdb"
    summary = ingest([SEEDS_DIR, FAKES_CSV], db, workers=1)
    assert summary.ok and summary.added > 300, summary
    ARTIFACTS.mkdir(exist_ok=True)
    srv = start_server(db, root / "streamlit.log")
    try:
        yield srv
    finally:
        stop_server(srv)
        (ARTIFACTS / "browser-streamlit.log").write_text(srv.log_tail(200_000), encoding="utf-8")


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # Warm-up: the first session imports everything and fills the caches.
            context = chromium.new_context(viewport=VIEWPORT)
            warm = context.new_page()
            warm.goto(server.url, timeout=LONG)
            wait_page(warm, "Overview", timeout=120_000)
            context.close()
            yield chromium
        finally:
            chromium.close()


@pytest.fixture()
def page(browser: Browser, server: Server, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context (a new visitor) with one tab; saved as a screenshot on failure."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(SHORT)
    tab = context.new_page()
    failed_before = request.session.testsfailed
    try:
        yield tab
    finally:
        if request.session.testsfailed > failed_before:
            failure_screenshot(tab, f"browser-{request.node.name}")
        context.close()


def expected_reports(server: Server, filters: Filters) -> int:
    """The Reports count for ``filters``, straight from the published snapshot."""
    reader = Reader(server.db)
    try:
        return int(run(reader, "overview_totals", filters).iloc[0]["reports"])
    finally:
        reader.close()


def open_page(page: Page, server: Server, path: str, page_title: str) -> None:
    page.goto(server.url + path, timeout=LONG)
    wait_page(page, page_title)


# --- 1. every page, through the sidebar navigation -------------------------------------------


def test_every_page_opens_from_the_sidebar_and_renders(page: Page, server: Server) -> None:
    open_page(page, server, "/", "Overview")
    links = page.locator('[data-testid="stSidebarNav"] [data-testid="stSidebarNavLink"]')
    names = links.locator('[data-testid="stMarkdownContainer"]')
    expect(names).to_have_text([name for name, _, _ in PAGES])
    for name, path, charts in PAGES:
        nav_click(page, name)
        wait_page(page, name)
        assert urlsplit(page.url).path == path, page.url
        if charts:
            wait_charts(page, **charts)
        if name == "Overview":
            expect(page.locator('[data-testid="stMetric"]')).to_have_count(5)
        elif name == "Reports":
            expect(page.get_by_role("heading", name=re.compile(r"^Comments \(\d+\)"))
                   ).to_be_visible()
        elif name == "Add reports":
            expect(page.locator('[data-testid="stFileUploader"]')).to_be_visible()
        wait_idle(page)
        assert_no_exception(page)
        shot = full_page_screenshot(page, f"browser-page-{path.strip('/') or 'overview'}.png")
        assert png_size(shot.read_bytes())[1] >= VIEWPORT["height"]


# --- 2. filters in the URL, across a page switch ---------------------------------------------


def test_filters_change_the_metrics_and_survive_a_page_switch(
    page: Page, server: Server
) -> None:
    open_page(page, server, "/", "Overview")
    everything = expected_reports(server, Filters())
    expect(metric(page, "Reports")).to_have_text(f"{everything:,}")

    pick(page, "Governorates", "Aleppo")
    type_text(page, "Text contains", "army")
    narrowed = expected_reports(server, Filters(admin1=("Aleppo",), text="army"))
    assert 0 < narrowed < everything
    expect(metric(page, "Reports")).to_have_text(f"{narrowed:,}", timeout=SHORT)
    expect(page.get_by_text('Showing: governorates: Aleppo; text contains "army"')).to_be_visible()
    params = query(page.url)
    assert params.get("gov") == ["Aleppo"] and params.get("q") == ["army"], page.url

    nav_click(page, "Events")
    wait_page(page, "Events")
    assert urlsplit(page.url).path == "/events"
    params = query(page.url)
    assert params.get("gov") == ["Aleppo"] and params.get("q") == ["army"], page.url
    expect(chosen(page, "Governorates")).to_have_text(["Aleppo"])
    expect(page.get_by_label("Text contains", exact=True)).to_have_value("army")
    expect(page.get_by_text('Showing: governorates: Aleppo; text contains "army"')).to_be_visible()

    nav_click(page, "Overview")  # and back: still filtered
    wait_page(page, "Overview")
    assert query(page.url).get("gov") == ["Aleppo"], page.url
    expect(metric(page, "Reports")).to_have_text(f"{narrowed:,}")


# --- 3. a shared link and a deep link, in new browser contexts -------------------------------


def test_shared_link_reopens_the_same_view_in_a_new_context(
    page: Page, server: Server, browser: Browser
) -> None:
    open_page(page, server, "/?from=2016-01-01", "Overview")
    pick(page, "Governorates", "Aleppo")
    pick(page, "Governorates", "Idlib")
    type_text(page, "Text contains", "killed")
    expected = expected_reports(
        server, Filters(start=date(2016, 1, 1), admin1=("Aleppo", "Idlib"), text="killed"))
    expect(metric(page, "Reports")).to_have_text(f"{expected:,}")

    expect(page.locator('[data-testid="stSidebar"] [data-testid="stCode"] code')
           ).to_contain_text("q=killed")
    link = share_link(page)
    assert link.startswith(server.url), link
    assert query(link) == {"from": ["2016-01-01"], "gov": ["Aleppo", "Idlib"],
                           "q": ["killed"]}, link
    before = metrics(page)
    assert len(before) == 5 and before["Reports"] == f"{expected:,}", before

    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(SHORT)
    try:
        other = context.new_page()
        other.goto(link, timeout=LONG)
        wait_page(other, "Overview")
        expect(chosen(other, "Governorates")).to_have_text(["Aleppo", "Idlib"])
        expect(other.get_by_label("Text contains", exact=True)).to_have_value("killed")
        expect(other.locator('[data-testid="stDateInput"]').first).to_contain_text(
            re.compile(r"2016\s*/\s*01\s*/\s*01"))
        for label, value in before.items():
            expect(metric(other, label)).to_have_text(value)
        assert metrics(other) == before
        assert query(other.url) == query(link), other.url
        assert other.locator('[data-testid="stAlert"]').count() == 0
        full_page_screenshot(other, "browser-shared-link.png")
    finally:
        context.close()


def test_deep_link_to_a_page_in_a_fresh_context(browser: Browser, server: Server) -> None:
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(SHORT)
    try:
        fresh = context.new_page()
        fresh.goto(f"{server.url}/events?gov=Aleppo&type=Battles", timeout=LONG)
        wait_page(fresh, "Events")
        expect(chosen(fresh, "Governorates")).to_have_text(["Aleppo"])
        expect(chosen(fresh, "Event types")).to_have_text(["Battles"])
        expect(fresh.get_by_text("Showing: governorates: Aleppo; event types: Battles")
               ).to_be_visible()
        wait_charts(fresh, plotly=2)
        assert urlsplit(fresh.url).path == "/events"
        assert query(fresh.url) == {"gov": ["Aleppo"], "type": ["Battles"]}, fresh.url
        assert fresh.locator('[data-testid="stAlert"]').count() == 0
        assert query(share_link(fresh)) == {"gov": ["Aleppo"], "type": ["Battles"]}
        assert urlsplit(share_link(fresh)).path == "/events"
        full_page_screenshot(fresh, "browser-deep-link-events.png")
    finally:
        context.close()


# --- 4. PNG downloads: server-rendered and Plotly's own --------------------------------------


def test_png_downloads_server_rendered_and_plotly_modebar(page: Page, server: Server) -> None:
    open_page(page, server, "/", "Overview")
    wait_charts(page, vega=1)
    name, data = download(page, page.get_by_role("button", name="Download PNG").first)
    assert name == "reports-and-events-over-time.png"
    width, height = png_size(data)
    assert width >= 1200 and height >= 600, (width, height)

    nav_click(page, "Events")
    wait_page(page, "Events")
    wait_charts(page, plotly=2)
    timeline = page.locator('[data-testid="stPlotlyChart"]').first
    timeline.locator(".main-svg").first.hover()
    button = timeline.locator('.modebar-btn[data-title="Download plot as a PNG"]')
    expect(button).to_have_count(1)
    name, data = download(page, button)
    assert name.endswith(".png"), name
    width, height = png_size(data)
    assert width >= 400 and height >= 200, (width, height)


# --- 5. Export all (ZIP of PNGs) and Download CSV --------------------------------------------


def test_export_all_zip_and_csv_download(page: Page, server: Server) -> None:
    open_page(page, server, "/evacuations", "Evacuations")
    wait_charts(page, plotly=2, vega=1)
    export = page.get_by_role("button", name=re.compile(r"^Export all \d+ charts"))
    count = int(re.search(r"Export all (\d+) charts", export.inner_text()).group(1))
    assert count == 3
    name, data = download(page, export, timeout=120_000)
    assert name == "evacuations-charts.zip"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert len(names) == count and all(n.endswith(".png") for n in names), names
        assert "people-evacuated.png" in names
        for entry in names:
            width, height = png_size(archive.read(entry))
            assert width >= 1200 and height >= 600, (entry, width, height)

    # The first chart's CSV holds the numbers behind it: its people add up to the metric.
    name, data = download(page, page.get_by_role("button", name="Download CSV").first)
    assert name == "people-evacuated.csv"
    text = data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {"period", "people"} <= set(rows[0]), text[:300]
    total = sum(int(float(r["people"])) for r in rows)
    expect(metric(page, "People evacuated")).to_have_text(f"{total:,}")


# --- 6. upload a report, find it, its comment shown as text ----------------------------------

SCRIPT = "<script>alert('x')</script>"
TOKEN = "Quillwortbrowsercheck"


def test_upload_a_report_and_read_its_comment_as_text(
    page: Page, server: Server, tmp_path: Path
) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    lines = SEED_FILE.read_text(encoding="utf-8").split("\n")
    lines[0] = f"Syrian War Report – April 3, 2018: {TOKEN} Uploaded Through The Browser"
    report_title = lines[0]
    comment = f"Please keep this {SCRIPT} as plain text."
    upload = tmp_path / "browser-upload.txt"
    upload.write_text("\n".join(lines).rstrip("\n") + f"\n\n\nBrowser Tester\n\n{comment}\n",
                      encoding="utf-8")
    before = expected_reports(server, Filters())

    open_page(page, server, "/", "Overview")
    nav_click(page, "Add reports")
    wait_page(page, "Add reports")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(upload)
    uploader = page.locator('[data-testid="stFileUploader"]')
    expect(uploader.get_by_role("button", name=f"Remove {upload.name}")).to_be_visible()
    page.get_by_role("button", name="Add to the database").click()
    expect(page.get_by_text(re.compile(r"^1 added, 0 replaced"))).to_be_visible(timeout=LONG)
    result = page.locator('[data-testid="stDataFrame"] [role="gridcell"]')
    expect(result.nth(0)).to_have_text(upload.name)
    expect(result.nth(1)).to_have_text("added")
    assert expected_reports(server, Filters()) == before + 1
    full_page_screenshot(page, "browser-upload-result.png")

    nav_click(page, "Reports")
    wait_page(page, "Reports")
    type_text(page, "Text contains", TOKEN)
    assert query(page.url).get("q") == [TOKEN], page.url
    expect(page.get_by_role("heading", name=report_title)).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Comments \(28\)$"))).to_be_visible()
    shown = page.get_by_text(comment, exact=True)
    expect(shown).to_be_visible()
    assert SCRIPT in shown.inner_text()
    expect(page.get_by_text(re.compile(r"^Browser Tester · sentiment"))).to_be_visible()
    # Comments without a name say so ("anonymous"), not "nan".
    captions = page.locator('[data-testid="stCaptionContainer"]').all_inner_texts()
    assert not [c for c in captions if c.startswith(("nan ", "None "))], captions
    # Highlights cover whole words only ("Syria" is not marked inside "Syrian").
    split_words = page.evaluate(
        """() => [...document.querySelectorAll('mark[class^="sitrep-"]')].map(m => {
            const before = m.previousSibling ? m.previousSibling.textContent : '';
            const after = m.nextSibling ? m.nextSibling.textContent : '';
            return [before.slice(-1), m.textContent, after.slice(0, 1)];
        }).filter(([b, t, a]) => (/\\w/.test(b) && /^\\w/.test(t))
                                 || (/\\w$/.test(t) && /\\w/.test(a)))
          .map(([b, t, a]) => b + '[' + t + ']' + a)"""
    )
    assert page.locator('mark[class^="sitrep-"]').count() > 10
    assert split_words == [], split_words
    # Shown as text: no script element was made from it, and nothing ran.
    assert page.locator("script", has_text="alert('x')").count() == 0
    page.wait_for_timeout(500)
    assert dialogs == []
    full_page_screenshot(page, "browser-uploaded-report.png")

    # Every page has it, without a restart: the Overview (still filtered on the token) too.
    nav_click(page, "Overview")
    wait_page(page, "Overview")
    expect(metric(page, "Reports")).to_have_text("1")
    expect(metric(page, "Comments")).to_have_text("28")


# --- 7. a link with unknown and malformed parameters -----------------------------------------


def test_bad_url_parameters_show_a_notice_and_the_page_still_works(
    page: Page, server: Server
) -> None:
    open_page(page, server, "/?bogus=1&from=2018-99-99", "Overview")
    alerts = page.locator('[data-testid="stSidebar"] [data-testid="stAlert"]')
    expect(alerts.filter(has_text="ignored unknown parameter 'bogus'")).to_have_count(1)
    expect(alerts.filter(has_text="ignored 'from': '2018-99-99' is not a date")
           ).to_have_count(1)
    expect(page.get_by_text("Showing: all data")).to_be_visible()
    everything = expected_reports(server, Filters())
    expect(metric(page, "Reports")).to_have_text(f"{everything:,}")
    wait_charts(page, vega=1)
    expect(page.locator('[data-testid="stDateInput"]').first).not_to_contain_text(
        re.compile(r"\d{4}"))
    assert "from" not in query(page.url), page.url
    assert_no_exception(page)
    full_page_screenshot(page, "browser-bad-url.png")
