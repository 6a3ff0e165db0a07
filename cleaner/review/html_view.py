"""The page's own HTML as the review page shows it: scripts out, each line's element marked.

The browser outlines the element a line came from. The renderer numbers the
elements it opens in document order (layout.py: `parents`, and each line's
`line_blocks`); this module walks the same tree again with the same rules,
puts each opened element's number in a `data-cleaner-el` attribute, and so
lets the review page find the element of line k as `[data-cleaner-el="n"]`.
The cleaning path is untouched: the numbers come from the Python walk run
here, and are used only when its lines are the label file's lines.

The copy carries no script (removed here; the server's Content-Security-Policy
and the iframe's sandbox forbid them again), no <base>, no refresh and no
frames: it is shown, never run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaner.readers.decode import decode_bytes
from cleaner.readers.html.layout import Layout
from cleaner.readers.html.nesting import NESTING_CHECK_TAGS, cap_nesting
from cleaner.readers.html.streamed import resolve_streamed
from cleaner.readers.html.tags import DIALOG, LINE, PRE, SKIP
from cleaner.readers.html.walk import INLINE_TAG, TAGS, TEXT_ID, is_hidden, walk
from cleaner.readers.pages import DEFAULT_MAX_BYTES, gunzip
from cleaner.readers.sniff import is_gzip

ELEMENT_ATTRIBUTE = "data-cleaner-el"
# Whatever could run, load or navigate: none of it is needed to see the page.
# <link> too: the policy lets no stylesheet load, but Chromium opens a preconnect's
# connection to the crawled site all the same.
STRIPPED_TAGS = ["script", "base", "iframe", "frame", "frameset", "object", "embed",
                 "applet", "portal", "link"]
# Where a click or a submit would take the frame: gone, so nothing navigates it.
NAVIGATING_ATTRIBUTES = ("href", "action", "formaction", "ping", "xlink:href")


@dataclass(frozen=True)
class MarkedPage:
    html: str  # the copy to show, elements numbered
    lines: list[str]  # the lines the renderer gives it
    elements: list[int]  # each line's element number (-1: blank)


def marked_page(data: bytes, content_type: str | None = None) -> MarkedPage:
    """The HTML page `data` (gzipped or not; `content_type`: the HTTP header it came
    with, whose charset is used) with its elements numbered as the renderer numbers
    them. Raises PageError where the reader could not read it either."""
    if is_gzip(data):
        data = gunzip(data, DEFAULT_MAX_BYTES)
    html, _ = decode_bytes(data, html=True, charset=content_type)
    if html.count("<") > NESTING_CHECK_TAGS:
        html = cap_nesting(html)  # as render_page does: the same tree, the same numbers
    tree = LexborHTMLParser(html)
    resolve_streamed(tree)
    layout = Layout(markers=True, with_cues=False)
    if tree.root is not None:
        walk(tree.root, layout)
    lines, _ = layout.finish()
    opened = opened_elements(tree.root) if tree.root is not None else []
    elements = list(layout.line_blocks)
    if len(opened) != len(layout.parents):  # the two walks disagree: mark nothing
        opened, elements = [], [-1] * len(lines)
    for number, node in enumerate(opened):
        node.attrs[ELEMENT_ATTRIBUTE] = str(number)
    return MarkedPage(shown_copy(tree), lines, elements)


def opened_elements(root: LexborNode) -> list[LexborNode]:
    """The elements walk.py opens, in the order it opens them (its numbering): not
    skipped, not hidden, not a closed dialog, not a void-like element it only shows,
    and holding children or being a block."""
    opened: list[LexborNode] = []
    stack: list[LexborNode] = []
    node: LexborNode | None = root
    while True:
        if node is None:
            if not stack:
                return opened
            node = stack.pop().next
            continue
        if node.tag_id == TEXT_ID or not _opens(node):
            node = node.next
            continue
        kind = TAGS.get(node.tag_id, INLINE_TAG)[0]
        child = node.first_child
        if child is None and not kind:
            node = node.next
            continue
        opened.append(node)
        stack.append(node)
        node = child


def _opens(node: LexborNode) -> bool:
    kind = TAGS.get(node.tag_id, INLINE_TAG)[0]
    if kind == SKIP:
        return False
    attrs = node.attributes
    if attrs and ("style" in attrs or "hidden" in attrs or "aria-hidden" in attrs) \
            and is_hidden(attrs):
        return False
    if kind == DIALOG:
        return "open" in attrs
    return kind <= PRE or kind == LINE


def shown_copy(tree: LexborHTMLParser) -> str:
    """The tree as HTML with nothing in it that runs, loads a frame or navigates."""
    tree.strip_tags(STRIPPED_TAGS)
    for meta in tree.css("meta[http-equiv]"):
        meta.decompose()
    for node in tree.css("*"):
        unsafe = [name for name in node.attributes
                  if name.lower().startswith("on") or name.lower() in NAVIGATING_ATTRIBUTES]
        for name in unsafe:
            del node.attrs[name]
    html = tree.html or ""
    head = _HEAD.search(html)
    at = head.end() if head else 0
    return html[:at] + NO_CLICKS + html[at:]


# A click on a link of the shown page would take the frame to the link's site (the
# sandbox lets a frame navigate itself): links and controls take no clicks.
NO_CLICKS = ("<style>a, area, button, input, select, textarea, label, summary "
             "{ pointer-events: none !important; }</style>")
_HEAD = re.compile(r"<head\b[^>]*>", re.I)
