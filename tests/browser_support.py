"""Helpers for the end-to-end browser tests (``tests/test_browser.py``): a real Streamlit
server on a free port, and Playwright helpers that wait for Streamlit to finish rendering
(script run over, no stale elements) instead of sleeping.

Chromium is Debian's (``/usr/lib/chromium/chromium``), driven by the ``playwright`` package
without ``playwright install``.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import struct
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

from analytics.paths import PROJECT_DIR

ARTIFACTS = PROJECT_DIR / "test-artifacts"
CHROMIUM = "/usr/lib/chromium/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
VIEWPORT = {"width": 1400, "height": 1000}
LONG = 60_000  # ms: a cold page, a kaleido start, an ingest
SHORT = 20_000  # ms: a rerun on a warm server
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
expect.set_options(timeout=SHORT)  # assertions poll this long (Playwright's default: 5 s)


# --- the server ------------------------------------------------------------------------------


@dataclass
class Server:
    url: str
    db: Path
    log: Path
    proc: subprocess.Popen

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return "(no log)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate: Callable[[], object], timeout: float, what: str,
             interval: float = 0.1) -> object:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def start_server(db: Path, log: Path, **env: str) -> Server:
    """``streamlit run app.py`` on a free port with ``SITREP_DB=db``; returns once healthy."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py",
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=PROJECT_DIR, stdout=out, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "SITREP_DB": str(db), "SITREP_NO_SEED": "1", **env},
        )
    server = Server(url, db, log, proc)

    def healthy() -> bool:
        assert proc.poll() is None, f"streamlit exited:\n{server.log_tail()}"
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    try:
        wait_for(healthy, 60, "the Streamlit server's health check", interval=0.2)
    except BaseException:
        stop_server(server)
        raise
    return server


def stop_server(server: Server) -> None:
    proc = server.proc
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


# --- waiting for Streamlit -------------------------------------------------------------------


def wait_idle(page: Page, timeout: int = LONG) -> None:
    """Wait until the script run is over and no element is stale (greyed out, from the run
    before). A short settle first, so a rerun that a click just asked for has started."""
    page.wait_for_timeout(250)
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(
        state="attached", timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector('[data-stale=\"true\"]')", timeout=timeout)


def title(page: Page, text: str) -> Locator:
    """The page title (``st.title``) reading exactly ``text``."""
    return page.locator("h1").filter(has_text=re.compile(rf"^\s*{re.escape(text)}\s*$"))


def wait_page(page: Page, page_title: str, timeout: int = LONG) -> None:
    """The page titled ``page_title`` has rendered, and no exception is shown."""
    expect(title(page, page_title)).to_have_count(1, timeout=timeout)
    wait_idle(page, timeout)
    assert_no_exception(page)


def assert_no_exception(page: Page) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, "Streamlit shows an exception:\n" + "\n".join(
        errors.all_inner_texts())[:3000]


def wait_charts(page: Page, plotly: int = 0, vega: int = 0, timeout: int = LONG) -> None:
    """Exactly ``plotly`` Plotly and ``vega`` Vega-Lite charts, each drawn (has its SVG)."""
    for selector, count, drawn in (
        ('[data-testid="stPlotlyChart"]', plotly, ".main-svg"),
        ('[data-testid="stVegaLiteChart"]', vega, "svg.marks, canvas.marks"),
    ):
        charts = page.locator(selector)
        expect(charts).to_have_count(count, timeout=timeout)
        for i in range(count):
            expect(charts.nth(i).locator(drawn).first).to_be_visible(timeout=timeout)


def nav_click(page: Page, name: str) -> None:
    """Switch page the way a user does: the sidebar navigation link."""
    page.locator('[data-testid="stSidebarNav"]').get_by_role(
        "link", name=name, exact=True).click()


def multiselect(page: Page, label: str) -> Locator:
    return page.locator('[data-testid="stMultiSelect"]').filter(
        has=page.get_by_text(label, exact=True))


def chosen(page: Page, label: str) -> Locator:
    """The tags (selected values) of the multiselect labelled ``label``."""
    return multiselect(page, label).locator("[data-tag]")


def pick(page: Page, label: str, value: str) -> None:
    """Choose ``value`` in the multiselect labelled ``label`` (type to filter, click it)."""
    before = chosen(page, label).count()
    multiselect(page, label).locator("input").click()
    page.keyboard.type(value)
    page.get_by_role("option", name=value, exact=True).click()
    page.keyboard.press("Escape")
    expect(chosen(page, label)).to_have_count(before + 1, timeout=SHORT)
    wait_idle(page)


def type_text(page: Page, label: str, text: str) -> None:
    """Type into a text input and commit it (Enter), as a user does."""
    box = page.get_by_label(label, exact=True)
    box.fill(text)
    box.press("Enter")
    wait_idle(page)


def metric(page: Page, label: str) -> Locator:
    """The value of the ``st.metric`` labelled ``label``."""
    return page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]').get_by_text(label, exact=True)
    ).locator('[data-testid="stMetricValue"]')


def metrics(page: Page) -> dict[str, str]:
    """Every metric on the page, label → value."""
    out = {}
    for card in page.locator('[data-testid="stMetric"]').all():
        label = card.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        out[label] = card.locator('[data-testid="stMetricValue"]').inner_text().strip()
    return out


def share_link(page: Page) -> str:
    """The URL in the sidebar's "Link to this view" code block."""
    return page.locator('[data-testid="stSidebar"] [data-testid="stCode"] code').inner_text(
    ).strip()


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


# --- files -----------------------------------------------------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk; fails if ``data`` is not a PNG."""
    assert data[:8] == PNG_SIGNATURE, f"not a PNG: {data[:16]!r}"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13, "PNG without an IHDR first chunk"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def download(page: Page, button: Locator, timeout: int = LONG) -> tuple[str, bytes]:
    """Click ``button`` and return the browser download's (file name, bytes)."""
    with page.expect_download(timeout=timeout) as info:
        button.click()
    done = info.value
    failure = done.failure()
    assert failure is None, f"download failed: {failure}"
    return done.suggested_filename, Path(done.path()).read_bytes()


def full_page_screenshot(page: Page, name: str) -> Path:
    """Save the whole page (Streamlit scrolls inside ``stMain``, not the window, so the
    viewport is stretched to the content's height for the shot) as ``test-artifacts/NAME``."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    size = page.viewport_size or VIEWPORT
    height = page.evaluate(
        """() => Math.max(document.documentElement.scrollHeight,
            ...['[data-testid="stMain"]', '[data-testid="stSidebarContent"]']
                .map(s => document.querySelector(s)).filter(Boolean).map(e => e.scrollHeight))"""
    )
    try:
        page.set_viewport_size({"width": size["width"],
                                "height": min(max(int(height), size["height"]), 10_000)})
        page.wait_for_timeout(300)  # let charts re-layout to the new size
        page.screenshot(path=path, full_page=True)
    finally:
        page.set_viewport_size(size)
    return path


def failure_screenshot(page: Page, name: str) -> None:
    """Best effort: the page as it was when a test failed, as ``NAME-failed.png``."""
    with contextlib.suppress(PlaywrightError):
        full_page_screenshot(page, f"{name}-failed.png")
