"""HTML pages to lines: a text-browser layout, with what the DOM said about each line.

The API of readers/html/: `read_html`, `render_html`, `render_tree`, `format_cues`.
The parts: tags.py (the tag tables), vocabulary.py (class and id names),
layout.py (lines and cues), walk.py (the walk), nesting.py (the nesting cap),
content_score.py (where the content is), cwalk.py (the same walk compiled).

The page is laid out the way w3m dumps it, the layout of the seed dumps and of
the w3m renderings the model also trains on:

- paragraph-level blocks (p, h1-h6, blockquote, pre, table, dl, hr, and a
  list as a whole) stand apart with a blank line before and after;
- the other blocks (div, li, td, th, dt, dd, section, header, ...) only start
  a new line, as w3m does for div and li: consecutive list items and
  consecutive divs are on consecutive lines;
- `<br>` starts a new line; a `<br>` where no line is open leaves a blank line;
- list items (of ul and ol alike) start with "  • ", two more spaces per level
  of nesting;
- inline elements stay within the line; whitespace collapses to one space and
  every line is stripped, while no-break spaces stay as they are (a paragraph
  holding only `&nbsp;` gives a line holding only a no-break space, as in w3m
  and the seeds); `<pre>` keeps its spaces and line breaks;
- script, style, svg, head and the like, and hidden elements (`hidden`,
  `aria-hidden="true"`, an inline `display:none` or `visibility:hidden`) are
  skipped; an image shows its alt text, as w3m does, and nothing without one;
  a button input shows its label, a select its selected option;
- never more than one blank line in a row, none at the start or at the end.

Each line with visible text gets a `DomCues`: the share of its characters inside
links, the innermost block element it came from with that element's depth, its
heading level, which of `INSIDE_TAGS` enclose its text, and the `CLASS_TOKENS`
found in the class, id, role and itemprop attributes of those elements; after the walk,
content_score.py adds where the line stands in the page's best content
container. Blank lines, and lines holding only no-break spaces, get None.

Private-use code points (U+E000-U+F8FF) are the corpus builder's markers. They
pass through untouched and the layout looks through them: rendering a page with
markers and then deleting them gives exactly the lines and cues of the page
without them. Whitespace collapses across a marker (the space goes before it,
so a marker stays next to the text it marks), and markers with no text of their
own on a line (in whitespace between blocks) go to the start of the next line.

The walk over the tree is iterative (first child and next sibling pointers and a
stack of open elements), so no depth of nesting can exhaust the Python stack,
and it does a small, constant amount of Python work per node. The parser itself
is quadratic in the nesting of elements, so pages with enough tags to be at risk
have that nesting capped before parsing, as browsers do (see MAX_BLOCK_NESTING).
A page cut off inside its <title> (which then swallows the page) is read again
without it, as w3m reads it.
"""

from __future__ import annotations

import logging
import re
from typing import NamedTuple

from selectolax.lexbor import LexborHTMLParser

from cleaner.document import DomCues, MarkdownLine, Page, PageError, StatedMetadata
from cleaner.metadata import stated_metadata
from cleaner.readers.decode import decode_bytes
from cleaner.readers.html.content_score import with_content_scores
from cleaner.readers.html.cwalk import AVAILABLE as _COMPILED
from cleaner.readers.html.cwalk import walk_c
from cleaner.readers.html.layout import MARKER, Layout
from cleaner.readers.html.markdown import MarkdownLayout, link_base
from cleaner.readers.html.nesting import NESTING_CHECK_TAGS, cap_nesting
from cleaner.readers.html.streamed import resolve_streamed
from cleaner.readers.html.tags import BLOCK_TAGS, INSIDE_TAGS
from cleaner.readers.html.title import page_title
from cleaner.readers.html.vocabulary import CLASS_TOKENS, class_tokens
from cleaner.readers.html.walk import walk
from cleaner.sites import own_url

log = logging.getLogger(__name__)

# The compiled walk (cwalk.py) renders pages without markers where it was built and
# passed its import-time check; False here renders every page with the Python walk.
USE_COMPILED = _COMPILED

__all__ = [
    "BLOCK_TAGS",
    "CLASS_TOKENS",
    "INSIDE_TAGS",
    "class_tokens",
    "format_cues",
    "read_html",
    "render_html",
    "render_markdown",
    "render_page",
    "render_tree",
]

# Their UTF-8 forms (EE xx xx for U+E000-U+EFFF, EF 80-A3 xx for U+F000-U+F8FF):
# a cheap test of a whole page's bytes for any marker at all (see _may_hold_markers).
_MARKER_UTF8_EF = re.compile(rb"\xef[\x80-\xa3]")

# A <title> that is never closed takes the rest of the page as its text, so a
# browser shows nothing (w3m shows the page). Crawled pages cut off inside the
# title do this (4 of the 471 of L3S-GN1): when such a page renders to nothing,
# it is rendered again without its title.
_TITLE_START = re.compile(r"<title\b[^>]*>", re.I)
_TITLE_END = re.compile(r"</title", re.I)


def render_tree(
    tree: LexborHTMLParser, *, markers: bool = True, cues: bool = True
) -> tuple[list[str], list[DomCues | None] | None]:
    """Lay out a parsed page: its lines, and one DomCues per line (None for blank lines).

    Use it to render a tree you changed (the corpus builder's markers) without
    serialising it again. `markers=False` says the page holds no marker, which
    saves looking for them. `cues=False` gives the same lines and no cues (None),
    for a third less time: what sketching a page for site stats needs.
    """
    root = tree.root
    if not markers and USE_COMPILED and root is not None:
        lines, line_cues = walk_c(root, cues)[:2]  # content scores included
        return lines, line_cues if cues else None
    return _python_walk(tree, Layout(markers=markers, with_cues=cues))


def render_markdown(tree: LexborHTMLParser, *, markers: bool = True, links: bool = False,
                    url: str | None = None, html: str = ""
                    ) -> tuple[list[str], list[DomCues | None], list[MarkdownLine | None]]:
    """`render_tree`'s lines and cues, and what markdown shows of each line (markdown.py;
    None for a blank line), from the Python walk. `links`: keep links, made absolute
    against `url` (else the URL the page's `html` states) and the page's <base>."""
    base = link_base(tree, url, html) if links else None
    out = MarkdownLayout(markers=markers, links=links, base=base)
    lines, line_cues = _python_walk(tree, out, out)
    return lines, line_cues, out.markdown_lines()


def _python_walk(tree: LexborHTMLParser, out: Layout, markdown: MarkdownLayout | None = None
                 ) -> tuple[list[str], list[DomCues | None] | None]:
    if tree.root is not None:
        walk(tree.root, out, markdown)
    lines, line_cues = out.finish()
    if not out.with_cues:
        return lines, None
    # Markers take no part in the cues: score the lines as they are without them.
    plain = [MARKER.sub("", line) for line in lines] if out.markers else lines
    return lines, with_content_scores(plain, line_cues, out.line_blocks, out.parents, out.ends,
                                      out.weights)


def render_html(html: str | bytes, *, cues: bool = True
                ) -> tuple[list[str], list[DomCues | None] | None]:
    """Lay out an HTML page as a text browser would: its lines, and one DomCues
    per line (None for blank lines; no list at all with `cues=False`). Bytes are
    decoded with `decode_bytes`."""
    rendered = render_page(html, cues=cues)
    return rendered.lines, rendered.cues


class RenderedPage(NamedTuple):
    lines: list[str]
    cues: list[DomCues | None] | None
    title: str  # the title the page gives itself (title.py; "" if none)
    stated: StatedMetadata | None  # what its markup states (cleaner.metadata)
    markdown: list[MarkdownLine | None] | None  # when asked: what markdown shows of each line


def render_page(html: str | bytes, *, cues: bool = True, url: str | None = None,
                markdown: bool = False, links: bool = False) -> RenderedPage:
    """`render_html`, the title the page gives itself and what its markup states about
    it (None with `cues=False`); with `markdown` (and cues), what markdown shows of
    each line (render_markdown, `links` kept or not). `url`: the page's address,
    against which its canonical link and its links are read."""
    if isinstance(html, bytes | bytearray):
        html, _ = decode_bytes(bytes(html), html=True)
    if html.count("<") > NESTING_CHECK_TAGS:
        html = cap_nesting(html)
    markdown = markdown and cues
    rendered = _parse_and_render(html, cues, url, markdown, links)
    if not rendered[0] and _TITLE_START.search(html) and not _TITLE_END.search(html):
        rendered = _parse_and_render(_TITLE_START.sub("", html), cues, url, markdown, links)
    return rendered


def _parse_and_render(html: str, cues: bool = True, url: str | None = None,
                      markdown: bool = False, links: bool = False) -> RenderedPage:
    tree = LexborHTMLParser(html)
    resolve_streamed(tree)
    # The parser keeps the page as UTF-8: a byte search there is far cheaper than
    # a character search in every line.
    raw = tree.raw_html
    markers = not isinstance(raw, bytes) or _may_hold_markers(raw)
    title = page_title(tree) if cues else ""
    line_markdown = None
    if markdown:
        lines, line_cues, line_markdown = render_markdown(tree, markers=markers, links=links,
                                                          url=url, html=html)
    else:
        lines, line_cues = render_tree(tree, markers=markers, cues=cues)
    stated = _stated(tree, lines, line_cues, url) if line_cues is not None else None
    return RenderedPage(lines, line_cues, title, stated, line_markdown)


def _stated(tree: LexborHTMLParser, lines: list[str], line_cues: list[DomCues | None],
            url: str | None) -> StatedMetadata | None:
    """The page's metadata (cleaner.metadata): a bug it brings out costs the metadata only."""
    try:
        return stated_metadata(tree, lines, line_cues, url)
    except Exception as error:
        log.warning("could not read the metadata of a page: %s", error,
                    exc_info=log.isEnabledFor(logging.DEBUG))
        return None


def _may_hold_markers(raw: bytes) -> bool:
    """Whether the UTF-8 bytes of a page hold a marker. A search for one byte
    runs at memchr speed, while a regex alternation tries every position; EF
    also starts other characters (U+FEFF, U+FFFD), so it needs a second look."""
    if b"\xee" in raw:
        return True
    return b"\xef" in raw and _MARKER_UTF8_EF.search(raw) is not None


def read_html(data: bytes | str, *, id: str = "", source: str = "", url: str | None = None,
              strict: bool = False, cues: bool = True, markdown: bool = False,
              links: bool = False) -> Page:
    """Decode and render an HTML page into a Page of kind "html". Never raises:
    a page that cannot be rendered comes back with no lines, unless `strict`,
    which raises a PageError saying why instead. `cues=False`: the lines without
    their cues (enough to sketch a page for site stats), a page to read, not to clean.
    `markdown`: with what markdown shows of each line (`Page.markdown`), its links
    too with `links`."""
    encoding = text = ""
    try:
        if isinstance(data, bytes | bytearray):
            text, encoding = decode_bytes(bytes(data), html=True)
        else:
            text = data
        lines, line_cues, title, stated, line_markdown = render_page(
            text, cues=cues, url=url, markdown=markdown, links=links)
    except Exception as error:  # one bad page must not stop a batch of millions
        if strict:
            raise PageError(f"cannot render HTML ({type(error).__name__}: {error})") from error
        log.warning("could not render HTML page %r: %s", id or source, error,
                    exc_info=log.isEnabledFor(logging.DEBUG))  # a traceback with --debug only
        lines, line_cues, title, stated = [], [] if cues else None, "", None
        line_markdown = [] if markdown and cues else None
    page = Page(lines=lines, id=id, source=source, url=url, kind="html", cues=line_cues,
                stated=stated, markdown=line_markdown)
    if title:
        page.meta["title"] = title
    if encoding:
        page.meta["encoding"] = encoding
    if url is None and (own := own_url(text)):
        page.meta["own_url"] = own
    return page


def format_cues(cues: DomCues | None) -> str:
    """One short line for `cleaner lines --cues`, e.g.
    "li@7 h0 link=1.00 in=li,nav cls=menu,nav box=12 content=0.00" (tag@depth,
    heading, link share, enclosing INSIDE_TAGS, class tokens, box, content score,
    then "top" and "chrome" where they hold); "" for a blank line."""
    if cues is None:
        return ""
    text = f"{cues.tag or '-'}@{cues.depth} h{cues.heading} link={cues.link_share:.2f}"
    if cues.inside:
        text += " in=" + ",".join(sorted(cues.inside))
    if cues.tokens:
        text += " cls=" + ",".join(sorted(cues.tokens))
    text += f" box={cues.box} content={cues.content:.2f}"
    text += " top" if cues.in_top else ""
    text += " chrome" if cues.in_chrome else ""
    return text
