"""The HTML reader on real page files.

The main fixture is the seed report rendered as a WordPress page with a wpDiscuz comment
list (``fixtures/html/make_seed_page.py`` builds it from the seed text), checked against the
hand-made gold annotation. Smaller hand-written pages cover native WordPress comments,
schema.org comments, a news article without comments, a page without a date, pages that
are not articles, escaped markup and legacy encodings.
"""

from __future__ import annotations

import importlib.util
import socket
from datetime import date, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest

from analytics.models import InputError, Report
from analytics.readers.html import NO_ARTICLE, NO_DATE, parse_datetime, parse_html, read_html
from tests.conftest import SEED_FILE

FIXTURES = Path(__file__).parent / "fixtures" / "html"
SEED_PAGE = FIXTURES / "seed_wpdiscuz.html"
LIMIT = 10**7

ARTICLE = (
    "<p>Government forces and allied militias advanced along the highway north of the city "
    "after two days of heavy shelling, a monitoring group said.</p>"
)


def _write(tmp_path: Path, html: str, name: str = "page.html", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(html.encode(encoding))
    return path


def _read(path: Path) -> Report:
    result = read_html(path, LIMIT)
    assert result.path == str(path)
    assert len(result.reports) == 1 and result.rejections == []
    assert result.reports[0].origin == str(path)
    return result.reports[0]


# --- the seed as a WordPress + wpDiscuz page ------------------------------------------------


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_seed_page", FIXTURES / "make_seed_page.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def seed_page() -> Report:
    return _read(SEED_PAGE)


def test_seed_fixture_is_what_the_generator_makes_from_the_seed(generator):
    assert generator.SEED == SEED_FILE
    assert generator.render() == SEED_PAGE.read_text(encoding="utf-8")


def test_seed_page_title_date_source_and_url(seed_page, gold):
    assert seed_page.title == gold["report"]["title"]
    assert seed_page.published == date.fromisoformat(gold["report"]["published"])
    assert seed_page.source == "SouthFront"
    assert seed_page.url == (
        "https://southfront.org/syrian-war-report-april-3-2018-government-forces-liberate-"
        "5-settlements-in-rastan-pocket/"
    )
    assert seed_page.warnings == []


def test_seed_page_body_matches_gold(seed_page, gold, generator):
    assert len(seed_page.paragraphs) == gold["report"]["body_paragraphs"] == 11
    assert seed_page.paragraphs[0].startswith(gold["report"]["body_first_words"])
    assert seed_page.paragraphs[-1].endswith(gold["report"]["body_last_words"])
    _, seed_body, _ = generator.split_seed()
    assert seed_page.paragraphs == seed_body


def test_seed_page_comments_match_gold_one_by_one(seed_page, gold):
    items = gold["comments"]["items"]
    assert len(seed_page.comments) == gold["comments"]["count"] == len(items) == 27
    for comment, expected in zip(seed_page.comments, items, strict=True):
        assert comment.author == expected["author"], expected
        assert comment.text.startswith(expected["starts"]), expected
        assert len(comment.paragraphs) == expected.get("paragraphs", 1), expected


def test_seed_page_comment_texts_are_the_seeds_and_times_are_parsed(seed_page, generator):
    _, _, seed_comments = generator.split_seed()
    assert [c.paragraphs for c in seed_page.comments] == [paras for _, paras in seed_comments]
    # the fixture gives comment n the time 09:55 + 23 min * (n - 1); even comments carry it in
    # <time datetime="…+00:00">, odd ones in the date element's title ("7 years ago" shown)
    expected = [datetime(2018, 4, 3, 9, 55) + timedelta(minutes=23 * n) for n in range(27)]
    assert [c.posted_at for c in seed_page.comments] == expected


def test_seed_page_nested_replies_are_separate_comments(seed_page):
    html = SEED_PAGE.read_text(encoding="utf-8")
    assert "wpd_comment_level-3" in html  # the fixture really nests replies two deep
    [parent] = [c for c in seed_page.comments if c.text.startswith("You forget about")]
    assert parent.paragraphs == [
        "You forget about the secret space programs. USA, Russia, and China all have tech "
        "that’s hundreds of years ahead of where we’re at. USA and Russia especially."
    ]
    texts = [c.text for c in seed_page.comments]
    for reply in ("Photon torpedoes", "owbG0YAsb5E", "8ZPqFVM6j6A", "Nice summation."):
        assert sum(reply in t for t in texts) == 1, reply


def test_anonymous_display_names_become_none(seed_page):
    html = SEED_PAGE.read_text(encoding="utf-8")
    for shown in ('"wpd-comment-author">Anonymous<', '"wpd-comment-author">Guest<',
                  '"wpd-comment-author"><'):
        assert shown in html
    authors = {c.author for c in seed_page.comments}
    assert authors == {
        None, "Richard M", "Jim Prendergast", "Ryan Glantz", "Smith Ricky", "Len Zegelink",
        "Johnny Canuck", "Eskandar Black",
    }


def test_seed_page_body_has_no_comment_menu_sidebar_or_footer_text(seed_page):
    body = seed_page.body
    for comment in seed_page.comments:
        assert comment.paragraphs[0][:40] not in body
    for noise in (
        "Support Our Work", "Recent Posts", "Copyright", "Share on Facebook", "Posted in",
        "Syrian War Report – April 2, 2018", "Would love your thoughts", "Notify of",
        "Post Comment", "Inline Feedbacks", "Load More Comments", "7 years ago", "Reply",
    ):
        assert noise not in body, noise
    assert not any("Would love your thoughts" in c.text for c in seed_page.comments)


def test_reading_needs_no_network(monkeypatch):
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the HTML reader tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    report = _read(SEED_PAGE)
    assert len(report.comments) == 27


# --- other comment systems ----------------------------------------------------------------


def test_native_wordpress_comments_with_a_nested_reply():
    report = _read(FIXTURES / "native_wordpress.html")
    # no og:title: the article's h1, not <title> cut at its first dash
    assert report.title == "Frontline Digest – Clashes Resume Near Tal Tamr"
    assert report.published == date(2019, 10, 21)
    assert report.source == "frontline-digest.example"
    assert report.url == "https://frontline-digest.example/clashes-resume-near-tal-tamr/"
    assert len(report.paragraphs) == 3
    assert report.paragraphs[0].startswith("Turkish-backed factions shelled")
    assert [c.author for c in report.comments] == ["Jane Doe", None, "Karim"]
    assert [c.paragraphs for c in report.comments] == [
        [
            "Tal Tamr has changed hands three times this year.",
            "Does anyone know whether the Khabur bridge is still standing?",
        ],
        ["It was still standing on Sunday; a friend crossed it."],
        ["Thanks for the map.\nThe patrol was back on Tuesday morning."],
    ]
    # +03:00 in the page, naive UTC in the report
    assert [c.posted_at for c in report.comments] == [
        datetime(2019, 10, 21, 6, 30), datetime(2019, 10, 21, 7, 5), datetime(2019, 10, 22, 4, 45),
    ]
    everything = report.body + "".join(c.text for c in report.comments)
    for noise in ("Leave a comment", "Your email address", "says:", "Reply", "Recent comments"):
        assert noise not in everything, noise
    assert "Tal Tamr has changed hands" not in report.body


def test_schema_org_comments_and_relative_times():
    report = _read(FIXTURES / "schema_org_comments.html")
    assert report.title == "Night Raid Reported in Idlib Countryside"
    assert report.published == date(2020, 2, 11)
    # a short article: two paragraphs, not one block with the title glued on (see _restructured)
    assert report.paragraphs == [
        "Residents of two villages south of Saraqib reported a night raid by special forces "
        "that lasted about two hours before the attackers withdrew.",
        "There was no official statement by the morning.",
    ]
    assert [c.author for c in report.comments] == ["Observer", None, "Rami"]
    assert [c.paragraphs for c in report.comments] == [
        ["Heard helicopters for an hour.", "Then nothing."],
        ["Same here."],
        ["Which villages exactly?"],
    ]
    # "3 hours ago" cannot be resolved without the page's save time: no time, not a guess
    assert [c.posted_at for c in report.comments] == [
        datetime(2020, 2, 11, 21, 15), None, datetime(2020, 2, 12)
    ]


def test_comment_body_fallback_does_not_double_count_inner_parts(tmp_path):
    html = f"""<html><head><title>Report</title></head><body>
    <article><h1>Convoy reaches the camp</h1>{ARTICLE}</article>
    <div class="thread">
      <div class="comment-body">
        <span class="comment-author">Nadia</span>
        <span class="comment-date">May 5, 2021 at 8:15 pm</span>
        <div class="comment-body-text"><p>First point.</p><p>Second point.</p></div>
        <div class="comment-body">
          <span class="comment-author">Omar</span>
          <div class="comment-body-text">A reply.<br><br>With two paragraphs.</div>
        </div>
      </div>
    </div></body></html>"""
    report = _read(_write(tmp_path, html))
    assert [(c.author, c.paragraphs) for c in report.comments] == [
        ("Nadia", ["First point.", "Second point."]),
        ("Omar", ["A reply.", "With two paragraphs."]),
    ]
    assert report.comments[0].posted_at == datetime(2021, 5, 5, 20, 15)
    assert report.comments[1].posted_at is None
    assert "First point" not in report.body


# --- articles, dates, refusals ------------------------------------------------------------


def test_news_article_without_comments():
    report = _read(FIXTURES / "news_article.html")
    assert report.comments == []
    assert report.title == "Water Station Back in Service After Repairs in Hasakah"
    # the meta tag's date, not the 2019/11/15 in the canonical URL or the image path
    assert report.published == date(2019, 11, 14)
    assert report.source == "Levant Monitor"
    assert report.url == (
        "https://www.levantmonitor.example/news/2019/11/15/alouk-water-station-back-in-service"
    )
    assert report.warnings == []
    assert report.paragraphs == [
        "Engineers restored the Alouk water station east of Ras al-Ain on Thursday, ending a "
        "cut that had left hundreds of thousands of people in Hasakah without piped water for "
        "more than a week.",
        "The station was damaged during the fighting in October and had been out of service "
        "since the power line feeding it was cut.",
        "Repairs under a local truce",
        "Technicians from the water authority reached the site after a local arrangement was "
        "brokered between the parties controlling the area.",
        "“The pumps are working again, but the network is fragile,” an engineer at the "
        "station said.",
        "Aid groups warned that further interruptions were likely unless the power supply was "
        "secured.",
    ]
    for noise in ("cookies", "Subscribe", "Related stories", "Power cuts", "All rights reserved",
                  "Share this story", "Newsletter"):
        assert noise not in report.body, noise


def test_page_without_a_date_gets_none_and_a_warning():
    report = _read(FIXTURES / "no_date.html")
    # the page's only dates are in its URL, image path, masthead, sidebar, a comment and the
    # comment section's "closed on" line: none of them is the report's date
    assert report.published is None
    assert report.warnings == [NO_DATE]
    assert report.title == "Checkpoint Dispute Delays Convoy"
    assert len(report.paragraphs) == 3
    assert [c.author for c in report.comments] == ["Sam"]
    assert report.comments[0].posted_at == datetime(2020, 1, 16, 12, 0)


@pytest.mark.parametrize(
    ("title", "first", "expected"),
    [
        ("Daily brief – 5 May 2021", "", date(2021, 5, 5)),
        ("Daily brief", "<p>DAMASCUS, April 3, 2018 – Buses left Douma in the morning.</p>",
         date(2018, 4, 3)),
    ],
)
def test_date_written_in_the_title_or_first_paragraph(tmp_path, title, first, expected):
    html = f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
    html += f"{first}{ARTICLE}</article></body></html>"
    report = _read(_write(tmp_path, html))
    assert report.published == expected
    assert report.warnings == []


@pytest.mark.parametrize(
    "html",
    [
        "<html><body><nav>menu</nav></body></html>",
        "<html><head><title>Home</title></head><body></body></html>",
        (FIXTURES / "login_only.html").read_text(encoding="utf-8"),
        "<html><body><ul><li><a href='/a'>Syria</a></li><li><a href='/b'>Iraq</a></li></ul>"
        "<footer>© 2024 Example News</footer></body></html>",
        "<html><body><ol class='comment-list'><li class='comment'><div class='comment-content'>"
        f"{ARTICLE}</div></li></ol></body></html>",
    ],
    ids=["nav-only", "empty-body", "login-form", "links-only", "comments-only"],
)
def test_page_without_an_article_is_refused(tmp_path, html):
    with pytest.raises(InputError, match=f"^{NO_ARTICLE}$"):
        read_html(_write(tmp_path, html), LIMIT)
    with pytest.raises(InputError, match=f"^{NO_ARTICLE}$"):
        parse_html(html)


def test_empty_file_is_refused_with_the_decoder_reason(tmp_path):
    path = tmp_path / "empty.html"
    path.write_bytes(b"")
    with pytest.raises(InputError, match="file is empty"):
        read_html(path, LIMIT)


def test_escaped_markup_in_a_comment_stays_literal_text(tmp_path):
    html = f"""<html><head><title>Report</title></head><body>
    <article><h1>Report</h1>{ARTICLE}
    <p>Readers sent us &lt;iframe&gt; snippets &amp; screenshots.</p></article>
    <ol class="comment-list"><li class="comment"><div class="comment-author">
      <cite class="fn">Lee</cite></div>
      <div class="comment-content">
        <p>I think &lt;script&gt;alert(1)&lt;/script&gt; is bad</p>
        <script>trackComment(7)</script>
        <p>AT&amp;T &lt;b&gt;bold&lt;/b&gt; &amp;amp;</p>
      </div></li></ol></body></html>"""
    report = _read(_write(tmp_path, html))
    assert [c.paragraphs for c in report.comments] == [
        ["I think <script>alert(1)</script> is bad", "AT&T <b>bold</b> &amp;"]
    ]
    assert report.comments[0].author == "Lee"
    assert "Readers sent us <iframe> snippets & screenshots." in report.paragraphs
    assert "trackComment" not in report.body + report.comments[0].text


@pytest.mark.parametrize(
    ("encoding", "charset"),
    [("cp1252", "windows-1252"), ("cp1252", "iso-8859-1"), ("utf-16", "utf-16"),
     ("utf-16-le", "utf-16")],
)
def test_legacy_and_utf16_encodings(tmp_path, encoding, charset):
    words = "Zour Abu Dardah’s café – “a quiet night”, said José"
    html = f"""<html><head><meta charset="{charset}"><title>Café report</title></head><body>
    <article><h1>Café report</h1><p>{words} after the evacuation of the town's civilians was
    completed without incident.</p></article>
    <ol class="comment-list"><li class="comment"><div class="comment-author"><b class="fn">José
    Müller</b></div><div class="comment-content"><p>Très bien — merci.</p></div></li></ol>
    </body></html>"""
    report = _read(_write(tmp_path, html, encoding=encoding))
    assert report.title == "Café report"
    assert report.paragraphs[0].startswith(words)
    assert report.comments[0].author == "José Müller"
    assert report.comments[0].paragraphs == ["Très bien — merci."]


@pytest.mark.parametrize(
    ("head", "h1", "expected"),
    [
        # og:title that is only the site's name is not the report's title
        ('<meta property="og:title" content="Levant Monitor">'
         '<meta property="og:site_name" content="Levant Monitor">',
         "Real headline", "Real headline"),
        # og:title wins over the h1, its " | Site" suffix is cut, the h1 leaves the body
        ('<meta property="og:title" content="Short headline | Site">'
         '<meta property="og:site_name" content="Site">', "A longer headline", "Short headline"),
        # <title> is not cut at its first dash ("Series – Date: Headline")
        ("<title>Daily Report – Raids Near Hama – Field Notes</title>"
         '<meta property="og:site_name" content="Field Notes">',
         "", "Daily Report – Raids Near Hama"),
    ],
)
def test_title_sources(tmp_path, head, h1, expected):
    heading = f"<h1>{h1}</h1>" if h1 else ""
    html = f"<html><head>{head}</head><body><article>{heading}{ARTICLE}</article></body></html>"
    report = _read(_write(tmp_path, html))
    assert report.title == expected
    assert report.paragraphs == [ARTICLE.removeprefix("<p>").removesuffix("</p>")]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2018-04-03T10:15:00Z", datetime(2018, 4, 3, 10, 15)),
        ("2018-04-03T10:15:00-04:00", datetime(2018, 4, 3, 14, 15)),
        ("April 3, 2018 at 12:05 am", datetime(2018, 4, 3, 0, 5)),
        ("3 April 2018 12:30 pm", datetime(2018, 4, 3, 12, 30)),
        ("Apr 3, 2018 7:45 p.m.", datetime(2018, 4, 3, 19, 45)),
        ("3 April 2018", datetime(2018, 4, 3)),
        ("7 years ago", None),
        ("10:15 am", None),
        ("April 3", None),
    ],
)
def test_comment_times(value, expected):
    assert parse_datetime(value) == expected
