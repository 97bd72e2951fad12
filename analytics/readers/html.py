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
  searched with ``find_date``; failing that the report gets no date and a warning.
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
from dateutil import parser as dateutil_parser
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.settings import Document

from analytics.extraction.dates import find_date, parse_date_value
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


@dataclass(frozen=True)
class _Scheme:
    """How one comment system marks a comment and its parts (XPaths, first hit wins)."""

    name: str
    item: str
    author: tuple[str, ...]
    date: tuple[str, ...]
    text: tuple[str, ...]
    kind_token: str | None = None
    """For a class-substring scheme: the substring whose class tokens tell kinds apart."""


_GENERIC_AUTHOR = (
    ".//*[@itemprop='author']//*[@itemprop='name']",
    ".//*[@itemprop='author']",
    f".//*[{_has_class('comment-author')}]//*[{_has_class('fn')}]",
    f".//*[{_has_class('fn')}]",
    ".//*[contains(@class, 'author')]",
)
_GENERIC_DATE = (
    ".//time[@datetime]",
    ".//*[@itemprop='dateCreated' or @itemprop='datePublished']",
    ".//*[contains(@class, 'date') or contains(@class, 'time')]",
)
_GENERIC_TEXT = (
    ".//*[@itemprop='text']",
    ".//*[contains(@class, 'comment-content')]",
    ".//*[contains(@class, 'comment-text')]",
)

_SCHEMES = (
    _Scheme(
        name="wpdiscuz",
        item=f"//*[{_has_class('wpd-comment')}]",
        author=(f".//*[{_has_class('wpd-comment-author')}]",),
        date=(
            f".//*[{_has_class('wpd-comment-date')}]//time[@datetime]",
            f".//*[{_has_class('wpd-comment-date')}]",
            ".//time[@datetime]",
        ),
        text=(f".//*[{_has_class('wpd-comment-text')}]",),
    ),
    _Scheme(
        name="wordpress",
        item=f"//*[self::li or self::div][{_has_class('comment')}]",
        author=(
            f".//*[{_has_class('comment-author')}]//*[{_has_class('fn')}]",
            f".//*[{_has_class('comment-author')}]",
            f".//cite[{_has_class('fn')}]",
        ),
        date=(
            f".//*[{_has_class('comment-metadata')}]//time[@datetime]",
            ".//time[@datetime]",
            f".//*[{_has_class('comment-metadata')}]",
            f".//*[{_has_class('commentmetadata')}]",
            f".//*[{_has_class('comment-meta')}]",
        ),
        text=(
            f".//*[{_has_class('comment-content')}]",
            f".//*[{_has_class('comment-text')}]",
        ),
    ),
    _Scheme(
        name="article.comment",
        item=f"//article[{_has_class('comment')}]",
        author=_GENERIC_AUTHOR,
        date=_GENERIC_DATE,
        text=_GENERIC_TEXT,
    ),
    _Scheme(
        name="itemprop=comment",
        item="//*[@itemprop='comment']",
        author=_GENERIC_AUTHOR,
        date=_GENERIC_DATE,
        text=_GENERIC_TEXT,
    ),
    _Scheme(
        name="comment-body",
        item="//*[contains(@class, 'comment-body')]",
        author=_GENERIC_AUTHOR,
        date=_GENERIC_DATE,
        text=_GENERIC_TEXT,
        kind_token="comment-body",
    ),
)

# Parts of a comment element that are not its text (used when no text element is marked).
_COMMENT_CHROME = (
    ".//*[contains(@class, 'reply') or contains(@class, 'avatar') or contains(@class, 'vote')"
    " or contains(@class, 'comment-meta') or contains(@class, 'comment-footer')"
    " or contains(@class, 'comment-header') or contains(@class, 'comment-author')"
    " or contains(@class, 'says') or @itemprop='author']"
)

# The whole comment section, cut out before the article is extracted.
_COMMENT_SECTIONS = (
    "//*[@id='comments' or @id='respond' or @id='wpdcom' or @id='disqus_thread'"
    " or starts-with(@id, 'wpd-') or starts-with(@id, 'wpdiscuz')"
    " or starts-with(@class, 'wpdiscuz') or starts-with(@class, 'wpd-')"
    f" or {_has_class('comments-area')} or {_has_class('comment-list')}"
    f" or {_has_class('commentlist')} or {_has_class('comment-respond')}"
    f" or {_has_class('wpd-thread-list')} or {_has_class('comments')}]"
)

# Site chrome whose dates are not the report's (menus, sidebars, footers, banners).
_CHROME = (
    "//nav[not(ancestor::article)] | //aside[not(ancestor::article)]"
    " | //footer[not(ancestor::article)]"
    " | //*[@role='navigation' or @role='banner' or @role='contentinfo'"
    " or @role='complementary']"
    f" | //*[{_has_class('sidebar')} or {_has_class('widget')} or {_has_class('widget-area')}"
    f" or {_has_class('site-header')} or {_has_class('site-footer')} or @id='masthead'"
    " or @id='sidebar' or @id='secondary' or @id='colophon']"
)
# Places where a date would only come from a URL.
_URL_DATE_SOURCES = (
    "//link[@rel='canonical'] | //meta[@property='og:url' or @name='twitter:url'"
    " or @property='og:image' or @property='og:image:url' or @name='twitter:image']"
)
_ARTICLE_MARKERS = ".//h1 | .//*[contains(@class, 'entry-content')] | .//*[@itemprop='articleBody']"


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
    while paragraphs and title and _same_text(paragraphs[0], title):
        paragraphs.pop(0)
    if not any(len(line.split()) >= MIN_PROSE_WORDS for p in paragraphs for line in p.split("\n")):
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


# --- decoding and parsing -----------------------------------------------------------------


def _decode_html(data: bytes) -> str:
    """``decode`` the bytes, but trust the page's declared charset over a guess.

    ``decode`` tries BOMs and strict UTF-8 first, then guesses; an HTML page usually says
    what it is (``<meta charset="windows-1252">``), which beats a guess on a short page.
    """
    has_bom = data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if not has_bom and b"\x00" not in data:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            declared = _declared_charset(data[:4096])
            if declared is not None:
                try:
                    text = data.decode(declared)
                except UnicodeDecodeError:
                    pass
                else:
                    text = text.replace("\r\n", "\n").replace("\r", "\n")
                    if not text.strip():
                        raise InputError("file has no text (only whitespace)") from None
                    return text
    text = decode(data)
    if not text.strip():
        raise InputError("file has no text (only whitespace)")
    return text


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
        items = _comment_items(tree, scheme)
        if items:
            item_set = set(items)
            comments = [_comment(item, scheme, item_set) for item in items]
            return [c for c in comments if c is not None]
    return []


def _comment_items(tree: HtmlElement, scheme: _Scheme) -> list[HtmlElement]:
    """Comment elements; a match nested in a different kind of match is part of it, not a reply
    (``comment-body-text`` inside ``comment-body``)."""
    found = [el for el in tree.xpath(scheme.item) if isinstance(el, HtmlElement)]
    found_set = set(found)
    items = []
    for el in found:
        parent = _nearest(el, found_set)
        if parent is None or _kind(parent, scheme) == _kind(el, scheme):
            items.append(el)
    return items


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


def _own(item: HtmlElement, xpaths: Iterable[str], items: set[HtmlElement]) -> HtmlElement | None:
    """The first element matched by ``xpaths`` that belongs to ``item`` and not to a reply."""
    for xpath in xpaths:
        for el in item.xpath(xpath):
            if isinstance(el, HtmlElement) and _nearest(el, items) is item:
                return el
    return None


def _comment(item: HtmlElement, scheme: _Scheme, item_set: set[HtmlElement]) -> Comment | None:
    replies = item_set - {item}
    author_el = _own(item, scheme.author, item_set)
    date_el = _own(item, scheme.date, item_set)
    text_el = _own(item, scheme.text, item_set)
    if text_el is not None:
        skip = replies
    else:  # no marked text element: the comment's own text minus its header and footer
        text_el = item
        chrome = {el for el in item.xpath(_COMMENT_CHROME) if isinstance(el, HtmlElement)}
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
    skip = {s for s in el.xpath(f".//*[{_has_class('says')}]") if isinstance(s, HtmlElement)}
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
    candidates += [t.get("datetime") for t in el.xpath(".//time[@datetime]")]
    candidates.append(" ".join(block_paragraphs(el, set())))
    for value in candidates:
        if value and (posted := parse_datetime(value)) is not None:
            return posted
    return None


def parse_datetime(value: str) -> datetime | None:
    """A full date (and time, when given) written in ``value``; never a partial guess."""
    value = " ".join(value.split())
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        day = parse_date_value(value)
        if day is None:
            return None
        midnight = datetime(day.year, day.month, day.day)
        try:
            parsed = dateutil_parser.parse(value, fuzzy=True, default=midnight)
        except (ValueError, OverflowError):
            parsed = midnight
        if parsed.date() != day:
            parsed = midnight
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
    """Cut comment sections and comment elements out of the tree (keeping tail text)."""
    doomed = [el for el in tree.xpath(_COMMENT_SECTIONS) if isinstance(el, HtmlElement)]
    for scheme in _SCHEMES:
        doomed += [el for el in tree.xpath(scheme.item) if isinstance(el, HtmlElement)]
    _drop(tree, doomed)


def _drop(tree: HtmlElement, elements: list[HtmlElement]) -> None:
    """Remove elements, but never one that holds the article (its h1 or its content div)."""
    for el in elements:
        if el is tree or el.tag in {"html", "body"} or el.getparent() is None:
            continue
        if el.xpath(_ARTICLE_MARKERS) and not _is_comment_item(el):
            continue
        el.drop_tree()


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
        for el in tree.xpath(
            "//meta[@property=$n or @name=$n or @itemprop=$n][@content]", n=name
        ):
            content = " ".join(el.get("content", "").split())
            if content:
                return content
    return None


def _title(tree: HtmlElement, document: object, sitename: str | None) -> str:
    meta_title = _meta(tree, "og:title", "twitter:title", "headline")
    if meta_title:
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


def _sitename(tree: HtmlElement, document: object) -> str | None:
    name = _meta(tree, "og:site_name") or getattr(document, "sitename", None)
    if name:
        return str(name)
    host = urlsplit(_url(tree, document) or "").hostname
    return host.removeprefix("www.") if host else None


def _url(tree: HtmlElement, document: object) -> str | None:
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
        or (find_date(title) if title else None)
        or (find_date(paragraphs[0][:200]) if paragraphs else None)
    )


def _page_date(tree: HtmlElement) -> date | None:
    """htmldate, fast mode, on the page without comments, site chrome or URL-only dates."""
    page = copy.deepcopy(tree)
    _drop(page, [el for el in page.xpath(_CHROME) if isinstance(el, HtmlElement)])
    for el in page.xpath(_URL_DATE_SOURCES):
        el.drop_tree()
    found = htmldate.find_date(
        page,
        extensive_search=False,
        original_date=True,
        url="",  # "" (not None): htmldate would otherwise read the canonical link's URL
    )
    return parse_date_value(found) if found else None
