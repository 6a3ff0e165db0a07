"""L3S-GN1: every text block of the page labelled by human assessors.

`annotated/<uuid>.html` wraps each text block in `<span class="x-nc-selN">`.
The lines of a rendering are labelled with the marker method (markers.py);
the same spans also give the page's gold text, which validates the aligner
used for the datasets that only have gold text (validate.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from cleaner.document import DomCues
from cleaner.training.corpus.markers import DEFAULT_CLASS, insert_markers, read_markers
from cleaner.training.corpus.render import Renderer, neutralise_charset

# x-nc-sel0..5: not content, headline, full text, supplemental, related, comments.
N_CLASSES = 6
CLASS_LABELS: tuple[str, ...] = ("nav", "body", "body", "nav", "related", "comment")
BODY_CLASSES = (1, 2)
COMMENT_CLASS = 5
NOT_RENDERED = frozenset({"script", "style", "title", "head"})
CLASS_ATTRIBUTE = re.compile(r"""\bclass\s*=\s*["']?[^"'>]*?\bx-nc-sel(\d)\b""", re.I)


def class_of_tag(tag: str) -> int | None:
    """The annotation class a start tag opens, or None if it carries none."""
    match = CLASS_ATTRIBUTE.search(tag)
    return int(match.group(1)) if match and int(match.group(1)) < N_CLASSES else None


@dataclass
class MarkedPage:
    lines: list[str]
    labels: list[str | None]
    cues: list[DomCues | None] | None
    exact: bool  # the markers left the renderer's output unchanged


def label_annotated(html: str, renderer: Renderer) -> MarkedPage:
    """Render an annotated page and label its lines from the annotation.

    The page is rendered with and without markers. When the markers changed
    nothing but themselves (every l3s-gn1 page, with both renderers), the
    lines and cues are those of the plain rendering; otherwise those of the
    marked one, markers stripped, and `exact` says so.
    """
    html = neutralise_charset(html)
    base = renderer.marker_base
    marked_lines, marked_cues = renderer.render(insert_markers(html, class_of_tag, base, N_CLASSES))
    stripped, classes = read_markers(marked_lines, base, N_CLASSES)
    labels = [CLASS_LABELS[c] if c is not None else None for c in classes]
    plain_lines, plain_cues = renderer.render(html)
    if stripped == plain_lines:
        return MarkedPage(plain_lines, labels, plain_cues, exact=True)
    return MarkedPage(stripped, labels, marked_cues, exact=False)


def gold_texts(html: str) -> tuple[str, str]:
    """The page's body text (headline and full text) and comment text, each in
    page order: gold text shaped like dragnet's, for validating the aligner."""
    tree = LexborHTMLParser(html)
    root = tree.body or tree.root
    body: list[str] = []
    comments: list[str] = []
    for node in root.traverse(include_text=True, skip_empty=True) if root else ():
        if node.tag != "-text":
            continue
        cls = _class_of_text(node)
        if cls in BODY_CLASSES:
            body.append(node.text_content or "")
        elif cls == COMMENT_CLASS:
            comments.append(node.text_content or "")
    return _squash(body), _squash(comments)


def _class_of_text(node) -> int | None:
    """The class of a text node's innermost annotated ancestor (DEFAULT_CLASS
    if none); None for text that is never rendered (scripts, styles)."""
    parent = node.parent
    while parent is not None:
        if parent.tag in NOT_RENDERED:
            return None
        cls = class_of_tag(f'<x class="{parent.attributes.get("class") or ""}">')
        if cls is not None:
            return cls
        parent = parent.parent
    return DEFAULT_CLASS


def _squash(texts: list[str]) -> str:
    return " ".join(" ".join(texts).split())
