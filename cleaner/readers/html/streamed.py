"""Pages streamed by React's server renderer: put the late parts where they belong.

A page rendered by React 18+ with streaming (Next.js's app router and others) sends
its slow parts last: at the end of <body>, each in `<div hidden id="S:k">`, with a
placeholder earlier in the page, `<template id="P:k">` (a segment) or
`<template id="B:k">` followed by a loading fallback up to the comment `/$` (a
Suspense boundary). A script moves each hidden part into its placeholder once the
page runs. Without that move the article of such a page is hidden and skipped
(2% of WCXB's 2025-26 pages; some render nothing else), or, shown where it sits,
comes after the footer.

`resolve_streamed(tree)` does what the script does, on the parsed tree. selectolax
copies a node it inserts, so each part is copied into its placeholder and then
removed. Parts are taken in page order: a part's placeholder is in the page shell
or in an earlier part, so it is already in place when its turn comes, and each
part is copied once (linear in the page). A part whose placeholder is missing is
shown where it is, as it would be once the page ran.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

# React writes exactly this: a cheap test of the raw page before any tree work.
STREAMED_PART = b'<div hidden id="S:'
# A page with more parts than this is not a page React streamed; leave it alone.
MAX_PARTS = 500
_FALLBACK_END = "/$"


def resolve_streamed(tree: LexborHTMLParser) -> int:
    """Move each streamed part into its placeholder; how many parts were moved or shown."""
    raw = tree.raw_html
    if isinstance(raw, bytes | bytearray) and STREAMED_PART not in raw:
        return 0
    parts = tree.css('div[hidden][id^="S:"]')
    if len(parts) > MAX_PARTS:
        return 0
    for part in parts:
        _place(tree, part)
    return len(parts)


def _place(tree: LexborHTMLParser, part: LexborNode) -> None:
    suffix = part.attributes["id"][2:]
    segment = tree.css_first(f'template[id="P:{suffix}"]')
    boundary = None if segment else tree.css_first(f'template[id="B:{suffix}"]')
    placeholder = segment or boundary
    if placeholder is None:
        del part.attrs["hidden"]  # no place to go: shown where it is
        return
    if boundary is not None:
        _drop_fallback(boundary)
    for child in list(part.iter(include_text=True)):
        placeholder.insert_before(child)
    placeholder.decompose()
    part.decompose()


def _drop_fallback(boundary: LexborNode) -> None:
    """Remove the loading fallback after a boundary's template, up to `<!--/$-->`
    (nothing if that comment is not among its next siblings)."""
    fallback, node = [], boundary.next
    while node is not None and not _ends_fallback(node):
        fallback.append(node)
        node = node.next
    if node is not None:
        for old in fallback:
            old.decompose()


def _ends_fallback(node: LexborNode) -> bool:
    return node.tag == "-comment" and (node.comment_content or "").strip() == _FALLBACK_END
