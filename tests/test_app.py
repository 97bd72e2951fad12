"""Every page of the dashboard through Streamlit's AppTest, on real databases."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from analytics.ingest import ingest
from analytics.paths import PROJECT_DIR
from tests.conftest import FAKES_CSV, SEED_FILE

PAGES = ["pages/overview.py", "pages/reports.py"]


def app(monkeypatch, db, seed: bool = True) -> AppTest:
    monkeypatch.setenv("SITREP_DB", str(db))
    monkeypatch.setenv("SITREP_NO_SEED", "0" if seed else "1")
    return AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=60)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_the_seed(monkeypatch, seed_db, page):
    at = app(monkeypatch, seed_db).run()
    at.switch_page(page).run()
    assert not at.exception
    assert at.title


def test_first_run_loads_the_seeds(monkeypatch, db_path):
    at = app(monkeypatch, db_path).run()
    assert not at.exception
    assert metrics(at)["Reports"] == "1"
    assert metrics(at)["Comments"] == "27"


def test_no_data_shows_a_message_not_an_error(monkeypatch, db_path):
    at = app(monkeypatch, db_path, seed=False).run()
    assert not at.exception
    assert "No reports have been loaded yet" in at.info[0].value


def test_overview_follows_new_data_without_restart(monkeypatch, seed_db):
    at = app(monkeypatch, seed_db).run()
    assert metrics(at)["Reports"] == "1"
    ingest([FAKES_CSV], seed_db, workers=1)
    at.run()
    assert metrics(at)["Reports"] == "385"


def test_reports_page_search_and_comments(monkeypatch, seed_db):
    ingest([FAKES_CSV], seed_db, workers=1)
    at = app(monkeypatch, seed_db).run()
    at.switch_page("pages/reports.py").run()
    at.text_input(key="q").input("Rastan").run()
    assert not at.exception
    assert at.header[0].value.startswith("Syrian War Report")
    subheaders = [s.value for s in at.subheader]
    assert "Events (2)" in subheaders and "Comments (27)" in subheaders
    texts = [t.value for t in at.text]
    assert "Move, Bitch! Get out the way!" in texts


def test_comment_markup_is_shown_as_text(monkeypatch, db_path, tmp_path):
    text = SEED_FILE.read_text(encoding="utf-8").replace(
        "Nice summation.", "Nice <script>alert('x')</script> <b>summation</b>."
    )
    (tmp_path / "xss.txt").write_text(text, encoding="utf-8")
    ingest([tmp_path / "xss.txt"], db_path, workers=1)
    at = app(monkeypatch, db_path).run()
    at.switch_page("pages/reports.py").run()
    # st.text renders its value as plain text (never as HTML or Markdown)
    assert "Nice <script>alert('x')</script> <b>summation</b>." in [t.value for t in at.text]
    assert not at.markdown or all("<script>" not in m.value for m in at.markdown)
