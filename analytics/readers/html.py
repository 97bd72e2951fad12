"""Reader for a report saved as an HTML page: the article, its metadata and its comments.

Why it is built this way:

* **Comments are read from the markup, not guessed from the text.** Comment widgets
  (wpDiscuz, native WordPress, schema.org ``Comment``) mark every comment, its author and
  its time with stable classes, so the reader walks those elements. A nested reply is its
  own comment, in document order; a parent's text never includes its replies' text.
  Display names that only say "nobody" ("Anonymous", "Guest", an empty name, see
  ``ANONYMOUS_NAMES``) map to ``author=None``, as in the gold annotation.
* **The article body comes from trafilatura**, a well-kept extractor that already knows
  how to drop navigation, sidebars and footers. The comment section is cut out of the
  tree *before* trafilatura sees it, so no comment can leak into the body whatever
  trafilatura's own comment detection does.
* **The date must be on the page.** A wrong report date is worse than none (it anchors
  every relative date in the text), so htmldate is run by us, in its fast mode, on a copy
  of the page without comments, site chrome (menus, sidebars, footers) or URLs: dates
  that appear only in the URL, the canonical link, ``og:url`` or the image path are *not*
  used, and neither is a sidebar's "recent posts" date or a comment's time. When the page
  has no date in its metadata or article header, the title and the first paragraph are
  searched with ``report_date``; failing that the report gets no date and a warning.
  trafilatura's own ``Document.date`` is ignored because it prefers a date in the URL.
* **Titles** come from ``og:title``, the article's ``<h1>`` or ``<title>``, with a site-name
  suffix ("… | SouthFront") removed. trafilatura's own title fallback splits ``<title>`` at
  the first dash, which would cut "Syrian War Report – April 3, 2018: …" to its series
  name, so it is only the last resort.
* **Text is kept literally**: escaped markup in a comment (``&lt;script&gt;``) comes back
  as the characters ``<script>``; real ``<script>``/``<style>`` elements are dropped.
* Everything runs offline: trafilatura and htmldate are given parsed trees, never URLs.
"""

from __future__ import annotations

import codecs
import copy
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit

import htmldate
import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.settings import Document

from analytics.extraction.dates import parse_date_value, report_date
from analytics.models import Comment, InputError, ReadResult, Report
from analytics.readers.decoding import decode, read_bytes
from analytics.readers.plaintext import is_boilerplate

NO_ARTICLE = "no article text found in the HTML page"
NO_DATE = "no report date found in the page"
NO_TITLE = "no title found in the page"

ANONYMOUS_NAMES = frozenset(
    {
        "",
        "anon",
        "anonym",
        "anonymous",
        "anonymous user",
        "anonyme",
        "anonimo",
        "anónimo",
        "guest",
        "gast",
        "invité",
        "invitado",
        "unknown",
        "аноним",
        "гость",
    }
)
"""Display names (compared case-insensitively, spacing ignored) that name nobody: the
comment's author is ``None``, the same as a comment shown with no name at all."""

MIN_PROSE_WORDS = 8
"""A page is an article only if some body paragraph has at least this many words; menus,
login forms and cookie notices are made of short fragments."""

_WS = re.compile(r"[ \t\n\r\f\v]+")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_TITLE_SEPARATORS = re.compile(r"\s+(?:[|–—•·»«:~-]|::)\s+")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9._:-]+)""")
_CLOCK = re.compile(
    r"\b(?P<hour>[0-2]?\d):(?P<minute>[0-5]\d)(?::[0-5]\d)?\s*(?P<half>[ap]\.?m\b\.?)?",
    re.IGNORECASE,
)
_SAYS = re.compile(r"\s*says:?\s*$", re.IGNORECASE)
_SKIPPED_TAGS = frozenset(
    {"script", "style", "noscript", "template", "button", "form", "input", "select",
     "textarea", "svg", "iframe", "object"}
)
_BLOCK_TAGS = frozenset(
    {"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "table", "tr",
     "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header", "footer", "figure",
     "figcaption", "hr", "address", "aside", "main", "nav"}
)


def _has_class(name: str) -> str:
    """XPath predicate: the element has the class token ``name`` (not a longer class)."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


_XPath = etree.XPath


def _xpaths(*expressions: str) -> tuple[etree.XPath, ...]:
    return tuple(_XPath(e) for e in expressions)


@dataclass(frozen=True)
class _Scheme:
    """How one comment system marks a comment and its parts (XPaths, first hit wins)."""

    name: str
    item: etree.XPath
    author: tuple[etree.XPath, ...]
    date: tuple[etree.XPath, ...]
    text: tuple[etree.XPath, ...]
    kind_token: str | None = None
    """For a class-substring scheme: the substring whose class tokens tell kinds apart."""


_GENERIC_AUTHOR = _xpaths(
    ".//*[@itemprop='author']//*[@itemprop='name']",
    ".//*[@itemprop='author']",
    f".//*[{_has_class('comment-author')}]//*[{_has_class('fn')}]",
    f".//*[{_has_class('fn')}]",
    ".//*[contains(@class, 'author')]",
)
_GENERIC_DATE = _xpaths(
    ".//time[@datetime]",
    ".//*[@itemprop='dateCreated' or @itemprop='datePublished']",
    ".//*[contains(@class, 'date') or contains(@class, 'time')]",
)
_GENERIC_TEXT = _xpaths(
    ".//*[@itemprop='text']",
    ".//*[contains(@class, 'comment-content')]",
    ".//*[contains(@class, 'comment-text')]",
)

_SCHEMES = (
    _Scheme(
        name="wpdiscuz",
        item=_XPath(f"//*[{_has_class('wpd-comment')}]"),
        author=_xpaths(f".//*[{_has_class('wpd-comment-author')}]"),
        date=_xpaths(
            f".//*[{_has_class('wpd-comment-date')}]//time[@datetime]",
            f".//*[{_has_class('wpd-comment-date')}]",
            ".//time[@datetime]",
        ),
        text=_xpaths(f".//*[{_has_class('wpd-comment-text')}]"),
    ),
    _Scheme(
        name="wordpress",
        # WordPress gives each comment id="comment-N"; a bare div.comment could be anything
        item=_XPath(
            f"//li[{_has_class('comment')}]"
            f" | //div[{_has_class('comment')}][starts-with(@id, 'comment-')]"
        ),
        author=_xpaths(
            f".//*[{_has_class('comment-author')}]//*[{_has_class('fn')}]",
            f".//*[{_has_class('comment-author')}]",
            f".//cite[{_has_class('fn')}]",
        ),
        date=_xpaths(
            f".//*[{_has_class('comment-metadata')}]//time[@datetime]",
            ".//time[@datetime]",
            f".//*[{_has_class('comment-metadata')}]",
            f".//*[{_has_class('commentmetadata')}]",
            f".//*[{_has_class('comment-meta')}]",
        ),
        text=_xpaths(
            f".//*[{_has_class('comment-content')}]",
            f".//*[{_has_class('comment-text')}]",
        ),
    ),
    _Scheme(
        name="article.comment",
        item=_XPath(f"//article[{_has_class('comment')}]"),
        author=_GENERIC_AUTHOR,
        date=_GENERIC_DATE,
        text=_GENERIC_TEXT,
    ),
    _Scheme(
        name="itemprop=comment",
        item=_XPath("//*[@itemprop='comment']"),
        author=_GENERIC_AUTHOR,
        date=_GENERIC_DATE,
        text=_GENERIC_TEXT,
    ),
    _Scheme(
        name="comment-body",
        item=_XPath("//*[contains(@class, 'comment-body')]"),
        author=_GENERIC_AUTHOR,
        date=_GENERIC_DATE,
        text=_GENERIC_TEXT,
        kind_token="comment-body",
    ),
)

# Parts of a comment element that are not its text (used when no text element is marked).
_COMMENT_CHROME = _XPath(
    ".//*[contains(@class, 'reply') or contains(@class, 'avatar') or contains(@class, 'vote')"
    " or contains(@class, 'comment-meta') or contains(@class, 'comment-footer')"
    " or contains(@class, 'comment-header') or contains(@class, 'comment-author')"
    " or contains(@class, 'says') or @itemprop='author']"
)
_SAYS_ELEMENTS = _XPath(f".//*[{_has_class('says')}]")
_TIME_ELEMENTS = _XPath(".//time[@datetime]")

# The whole comment section (id or class token), cut out before the article is extracted.
_SECTION_IDS = frozenset({"comments", "respond", "wpdcom", "wpd-threads", "disqus_thread"})
_SECTION_ID_PREFIXES = ("wpd-bubble", "wpdiscuz")
_SECTION_CLASSES = frozenset(
    {"comments", "comments-area", "comment-list", "commentlist", "comment-respond",
     "wpd-thread-list"}
)

# Site chrome whose dates are not the report's (menus, sidebars, footers, banners).
_CHROME = _XPath(
    "//nav[not(ancestor::article)] | //aside[not(ancestor::article)]"
    " | //footer[not(ancestor::article)]"
    " | //*[@role='navigation' or @role='banner' or @role='contentinfo'"
    " or @role='complementary']"
    f" | //*[{_has_class('sidebar')} or {_has_class('widget')} or {_has_class('widget-area')}"
    f" or {_has_class('site-header')} or {_has_class('site-footer')} or @id='masthead'"
    " or @id='sidebar' or @id='secondary' or @id='colophon']"
)
# Places where a date would only come from a URL.
_URL_DATE_SOURCES = _XPath(
    "//link[@rel='canonical'] | //meta[@property='og:url' or @name='twitter:url'"
    " or @property='og:image' or @property='og:image:url' or @name='twitter:image']"
)
# What makes an element hold the article (never dropped); a site-title h1 does not count.
_ARTICLE_MARKERS = _XPath(
    ".//h1[not(contains(@class, 'site-title') or contains(@class, 'logo'))]"
    " | .//*[contains(@class, 'entry-content')] | .//*[@itemprop='articleBody']"
)
_META = _XPath("//meta[@property=$n or @name=$n or @itemprop=$n][@content]")


def read_html(path: Path, max_bytes: int) -> ReadResult:
    """Read one ``.html``/``.htm`` file: one report (article, metadata and comments)."""
    text = _decode_html(read_bytes(path, max_bytes))
    report = parse_html(text, origin=str(path))
    return ReadResult(path=str(path), reports=[report])


def parse_html(html: str, origin: str = "") -> Report:
    """Turn an HTML page into a ``Report``; ``InputError`` when the page has no article."""
    tree = _load(html)
    comments = extract_comments(tree)
    _remove_comment_sections(tree)
    document = _trafilatura(tree)
    paragraphs = _body_paragraphs(document)
    if len(paragraphs) <= 1:
        paragraphs = _restructured(tree, paragraphs)
    sitename = _sitename(tree, document)
    title = _title(tree, document, sitename)
    paragraphs = [p for p in paragraphs if not is_boilerplate(p)]
    headings = [t for t in (title, _article_h1(tree)) if t]
    while paragraphs and any(_same_text(paragraphs[0], t) for t in headings):
        paragraphs.pop(0)  # trafilatura keeps the article's h1 as its first block
    if not _has_prose(paragraphs):
        raise InputError(NO_ARTICLE)
    report = Report(
        title=title,
        paragraphs=paragraphs,
        comments=comments,
        source=sitename,
        url=_url(tree, document),
        origin=origin,
    )
    report.published = _published(tree, title, paragraphs)
    if report.published is None:
        report.warnings.append(NO_DATE)
    if not title:
        report.warnings.append(NO_TITLE)
    return report


def _has_prose(paragraphs: list[str]) -> bool:
    """Some line of the body reads like a sentence (see ``MIN_PROSE_WORDS``)."""
    return any(
        len(line.split()) >= MIN_PROSE_WORDS for p in paragraphs for line in p.split("\n")
    )


# --- decoding and parsing -----------------------------------------------------------------


def _decode_html(data: bytes) -> str:
    """``decode`` the bytes, but trust the page's declared charset over a guess.

    ``decode`` tries BOMs and strict UTF-8 first, then guesses; an HTML page usually says
    what it is (``<meta charset="windows-1252">``), which beats a guess on a short page.
    """
    text = _in_declared_charset(data) or decode(data)
    if not text.strip():
        raise InputError("file has no text (only whitespace)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _in_declared_charset(data: bytes) -> str | None:
    """The page decoded with its declared charset, when it has no BOM and is not UTF-8."""
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    if b"\x00" in data or data.isascii():
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return None
    declared = _declared_charset(data[:4096])
    try:
        return data.decode(declared) if declared else None
    except UnicodeDecodeError:
        return None


def _declared_charset(head: bytes) -> str | None:
    match = _XML_ENCODING.search(head) or _CHARSET.search(head)
    if match is None:
        return None
    name = match.group(1).decode("ascii", "ignore").lower()
    # The HTML standard reads these labels as windows-1252.
    if name in {"iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii", "iso8859-1"}:
        name = "cp1252"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _load(html: str) -> HtmlElement:
    """Parse with trafilatura's loader (it repairs doctype/encoding quirks libxml2 trips on)."""
    if not html.strip():
        raise InputError(NO_ARTICLE)
    tree = trafilatura.load_html(html)
    if tree is None:  # a bare fragment ("<p>…</p>") is refused; give it a document around it
        tree = trafilatura.load_html(f"<html><body>{html}</body></html>")
    if tree is None:
        raise InputError("not an HTML page (the markup could not be parsed)")
    return tree


# --- comments -----------------------------------------------------------------------------


def extract_comments(tree: HtmlElement) -> list[Comment]:
    """The page's comments in document order, from the first comment system that has any."""
    for scheme in _SCHEMES:
        replies = _comment_items(tree, scheme)
        if replies:
            items = set(replies)
            comments = [_comment(item, scheme, items, replies[item]) for item in replies]
            return [c for c in comments if c is not None]
    return []


def _comment_items(tree: HtmlElement, scheme: _Scheme) -> dict[HtmlElement, set[HtmlElement]]:
    """Each comment element (in document order) with its direct replies.

    A match nested in a different kind of match is part of it, not a reply
    (``comment-body-text`` inside ``comment-body``).
    """
    found = [el for el in scheme.item(tree) if isinstance(el, HtmlElement)]
    found_set = set(found)
    replies: dict[HtmlElement, set[HtmlElement]] = {}
    for el in found:
        parent = _nearest(el, found_set)
        if parent is None or _kind(parent, scheme) == _kind(el, scheme):
            replies[el] = set()
            if parent is not None:
                replies[parent].add(el)
    return replies


def _kind(el: HtmlElement, scheme: _Scheme) -> tuple[str, frozenset[str]]:
    if scheme.kind_token is None:
        return (el.tag, frozenset())
    tokens = (el.get("class") or "").split()
    return (el.tag, frozenset(t for t in tokens if scheme.kind_token in t))


def _nearest(el: HtmlElement, candidates: set[HtmlElement]) -> HtmlElement | None:
    """The closest ancestor of ``el`` that is in ``candidates``."""
    for ancestor in el.iterancestors():
        if ancestor in candidates:
            return ancestor
    return None


def _own(
    item: HtmlElement, xpaths: Iterable[etree.XPath], items: set[HtmlElement]
) -> HtmlElement | None:
    """The first element matched by ``xpaths`` that belongs to ``item`` and not to a reply."""
    for xpath in xpaths:
        for el in xpath(item):
            if isinstance(el, HtmlElement) and _nearest(el, items) is item:
                return el
    return None


def _comment(
    item: HtmlElement, scheme: _Scheme, items: set[HtmlElement], replies: set[HtmlElement]
) -> Comment | None:
    """One comment from its own parts; ``replies`` (its direct replies) are left out."""
    author_el = _own(item, scheme.author, items)
    date_el = _own(item, scheme.date, items)
    text_el = _own(item, scheme.text, items)
    if text_el is not None:
        skip = replies
    else:  # no marked text element: the comment's own text minus its header and footer
        text_el = item
        chrome = {el for el in _COMMENT_CHROME(item) if isinstance(el, HtmlElement)}
        skip = replies | chrome | {el for el in (author_el, date_el) if el is not None}
    paragraphs = [p for p in block_paragraphs(text_el, skip) if not is_boilerplate(p)]
    if not paragraphs:
        return None
    return Comment(
        paragraphs=paragraphs,
        author=_author(author_el),
        posted_at=_posted_at(date_el),
    )


def _author(el: HtmlElement | None) -> str | None:
    if el is None:
        return None
    skip = {s for s in _SAYS_ELEMENTS(el) if isinstance(s, HtmlElement)}
    name = _SAYS.sub("", " ".join(block_paragraphs(el, skip)).replace("\n", " ")).strip()
    return None if " ".join(name.lower().split()) in ANONYMOUS_NAMES else name


def _posted_at(el: HtmlElement | None) -> datetime | None:
    """A comment's time from ``datetime``/``content``/``title`` attributes or its text.

    Relative times ("7 years ago") give ``None``: the page's save date is unknown, so they
    cannot be resolved. Times with an offset become naive UTC; others are kept as written.
    """
    if el is None:
        return None
    candidates = [el.get("datetime"), el.get("content"), el.get("title")]
    candidates += [t.get("datetime") for t in _TIME_ELEMENTS(el)]
    candidates.append(" ".join(block_paragraphs(el, set())))
    for value in candidates:
        if value and (posted := parse_datetime(value)) is not None:
            return posted
    return None


def parse_datetime(value: str) -> datetime | None:
    """A full date (and time, when given) written in ``value``; never a partial guess.

    ISO values keep their offset (turned into naive UTC); other layouts ("April 3, 2018 at
    10:15 am") take the date from ``parse_date_value`` and the clock time from the text.
    """
    value = " ".join(value.split())
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        day = parse_date_value(value)
        if day is None:
            return None
        parsed = datetime(day.year, day.month, day.day)
        clock = _CLOCK.search(value)
        if clock is not None:
            hour, minute = int(clock["hour"]), int(clock["minute"])
            half = (clock["half"] or "").replace(".", "").lower()
            if half and 1 <= hour <= 12:
                hour = hour % 12 + (12 if half == "pm" else 0)
            if hour < 24 and minute < 60:
                parsed = parsed.replace(hour=hour, minute=minute)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed if parse_date_value(parsed) is not None else None


# --- text ---------------------------------------------------------------------------------


def block_paragraphs(el: HtmlElement, skip: set[HtmlElement]) -> list[str]:
    """The paragraphs of an element's text, as a reader sees them.

    Block elements (``<p>``, ``<div>``, ``<li>``…) and blank lines made of ``<br><br>`` end a
    paragraph; a single ``<br>`` is a line break inside it. Source whitespace is collapsed.
    Elements in ``skip`` (replies, headers) and scripts, styles and forms are left out.
    """
    text = "".join(_text_pieces(el, skip))
    paragraphs = []
    for chunk in _PARAGRAPH_BREAK.split(text):
        lines = [line.strip() for line in chunk.split("\n")]
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return paragraphs


def _text_pieces(el: etree._Element, skip: set[HtmlElement]) -> Iterator[str]:
    tag = el.tag if isinstance(el.tag, str) else ""
    if el in skip or tag in _SKIPPED_TAGS or not tag:
        return
    if tag == "br":
        yield "\n"
        return
    block = tag in _BLOCK_TAGS
    if block:
        yield "\n\n"
    if el.text:
        yield _WS.sub(" ", el.text)
    for child in el:
        yield from _text_pieces(child, skip)
        if child.tail:
            yield _WS.sub(" ", child.tail)
    if block:
        yield "\n\n"


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


# --- article ------------------------------------------------------------------------------


def _remove_comment_sections(tree: HtmlElement) -> None:
    """Cut comment sections, then any comment element outside them, out of the tree."""
    _drop(tree, list(_comment_sections(tree)))
    for scheme in _SCHEMES:
        _drop(tree, [el for el in scheme.item(tree) if isinstance(el, HtmlElement)])


def _comment_sections(el: HtmlElement) -> Iterator[HtmlElement]:
    """Outermost comment-section elements, in document order (a walk, not an XPath: the
    class-token test in XPath is slow on pages with thousands of comments)."""
    for child in el.iterchildren(tag=etree.Element):
        ident = child.get("id") or ""
        classes = (child.get("class") or "").split()
        if (
            ident in _SECTION_IDS
            or ident.startswith(_SECTION_ID_PREFIXES)
            or not _SECTION_CLASSES.isdisjoint(classes)
        ):
            yield child
        else:
            yield from _comment_sections(child)


def _drop(tree: HtmlElement, elements: list[HtmlElement]) -> None:
    """Remove elements (keeping their tail text), but never one that holds the article (its
    h1 or content div); ``elements`` is in document order, so ancestors come first."""
    dropped: set[HtmlElement] = set()
    for el in elements:
        if el is tree or el.tag in {"html", "body"} or el.getparent() is None:
            continue
        if any(ancestor in dropped for ancestor in el.iterancestors()):
            continue  # already gone with an ancestor
        if _ARTICLE_MARKERS(el) and not _is_comment_item(el):
            continue
        el.drop_tree()
        dropped.add(el)


def _is_comment_item(el: HtmlElement) -> bool:
    classes = set((el.get("class") or "").split())
    return bool(classes & {"comment", "wpd-comment"}) or el.get("itemprop") == "comment"


def _restructured(tree: HtmlElement, paragraphs: list[str]) -> list[str]:
    """Undo trafilatura's merge of a short article into one block.

    On a short page trafilatura's "baseline rescue" replaces the structured extraction with
    the article's whole text (title included) as a single paragraph, because that adds a
    few words. The precision mode skips that rescue; its paragraphs are taken when there
    are more of them and every one of them is part of the merged text (same words, more
    structure, nothing new).
    """
    merged = " ".join(" ".join(paragraphs).split())
    precise = _body_paragraphs(_trafilatura(tree, favor_precision=True))
    if len(precise) > len(paragraphs) and all(
        " ".join(p.split()) in merged for p in precise
    ):
        return precise
    return paragraphs


def _trafilatura(tree: HtmlElement, favor_precision: bool = False) -> Document | None:
    try:
        document = trafilatura.bare_extraction(
            tree,
            favor_precision=favor_precision,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            include_formatting=False,
            # trafilatura always runs htmldate for its metadata; keep that run cheap (its
            # date is not used, see _published).
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except (TypeError, ValueError, etree.LxmlError) as err:
        raise InputError(f"could not extract the article from the HTML page ({err})") from err
    if document is None or isinstance(document, dict):
        return None
    return document


def _body_paragraphs(document: Document | None) -> list[str]:
    """Paragraphs from trafilatura's XML body: each block (p, head, list item, table row,
    quote) is one; ``<lb/>`` is a line break inside it."""
    if document is None or document.body is None:
        return []
    paragraphs: list[str] = []
    for block in _xml_blocks(document.body):
        if block.tag == "row":
            text = " | ".join("".join(_xml_pieces(cell)).strip() for cell in block)
        else:
            text = "".join(_xml_pieces(block))
        lines = [" ".join(line.split()) for line in text.split("\n")]
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return paragraphs


def _xml_blocks(el: etree._Element) -> Iterator[etree._Element]:
    for child in el:
        if child.tag in {"list", "table", "quote", "div"} and any(
            sub.tag in {"item", "row", "p", "list", "table", "quote", "head"} for sub in child
        ):
            yield from _xml_blocks(child)
        else:
            yield child


def _xml_pieces(el: etree._Element) -> Iterator[str]:
    if el.tag == "lb":
        yield "\n"
    elif el.text:
        yield el.text
    for child in el:
        yield from _xml_pieces(child)
        if child.tail:
            yield child.tail


def _meta(tree: HtmlElement, *names: str) -> str | None:
    """The first non-empty ``content`` of ``<meta property|name|itemprop=…>``."""
    for name in names:
        for el in _META(tree, n=name):
            content = " ".join(el.get("content", "").split())
            if content:
                return content
    return None


def _title(tree: HtmlElement, document: Document | None, sitename: str | None) -> str:
    meta_title = _meta(tree, "og:title", "twitter:title", "headline")
    if meta_title and _squash(meta_title) != _squash(sitename or ""):  # not just the site's name
        return _strip_site(meta_title, sitename, tree)
    h1 = _article_h1(tree)
    if h1:
        return h1
    title_el = tree.find(".//title")
    if title_el is not None:
        title = " ".join(title_el.text_content().split())
        if title:
            return _strip_site(title, sitename, tree)
    return getattr(document, "title", None) or ""


def _article_h1(tree: HtmlElement) -> str | None:
    for xpath in ("//article//h1", "//main//h1", "//*[@itemprop='headline']", "//h1"):
        found = [el for el in tree.xpath(xpath) if isinstance(el, HtmlElement)]
        if xpath == "//h1" and len(found) != 1:
            return None
        for el in found:
            text = " ".join(" ".join(block_paragraphs(el, set())).split())
            if text:
                return text
    return None


def _strip_site(title: str, sitename: str | None, tree: HtmlElement) -> str:
    """Remove a leading or trailing " | Site Name" part (only when it names the site)."""
    names = {_squash(n) for n in (sitename, _meta(tree, "og:site_name")) if n}
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2 or not names:
        return title
    separators = _TITLE_SEPARATORS.findall(title)
    if _squash(parts[-1]) in names:
        return title[: title.rfind(separators[-1])].strip()
    if _squash(parts[0]) in names:
        return title[title.find(separators[0]) + len(separators[0]) :].strip()
    return title


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold().removeprefix("www."))


def _sitename(tree: HtmlElement, document: Document | None) -> str | None:
    name = _meta(tree, "og:site_name") or getattr(document, "sitename", None)
    if name:
        return str(name)
    host = urlsplit(_url(tree, document) or "").hostname
    return host.removeprefix("www.") if host else None


def _url(tree: HtmlElement, document: Document | None) -> str | None:
    for el in tree.xpath("//link[@rel='canonical'][@href]"):
        href = el.get("href", "").strip()
        if href.startswith(("http://", "https://")):
            return href
    og_url = _meta(tree, "og:url")
    if og_url and og_url.startswith(("http://", "https://")):
        return og_url
    return getattr(document, "url", None) or None


# --- date ---------------------------------------------------------------------------------


def _published(tree: HtmlElement, title: str, paragraphs: list[str]) -> date | None:
    """The report date from the page itself (metadata, article header, title, first lines)."""
    return (
        _page_date(tree)
        or report_date(title or "", paragraphs[0][:300] if paragraphs else "")
    )


def _page_date(tree: HtmlElement) -> date | None:
    """htmldate, fast mode, on the page without comments, site chrome or URL-only dates."""
    page = copy.deepcopy(tree)
    _drop(page, [el for el in _CHROME(page) if isinstance(el, HtmlElement)])
    for el in _URL_DATE_SOURCES(page):
        el.drop_tree()
    found = htmldate.find_date(
        page,
        extensive_search=False,
        original_date=True,
        url="",  # "" (not None): htmldate would otherwise read the canonical link's URL
    )
    return parse_date_value(found) if found else None
