"""Readability: gold is the HTML of the article Mozilla Readability keeps. Body only."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from cleaner.readers.decode import decode_bytes

NOT_RENDERED = frozenset({"script", "style", "template", "noscript", "head", "title"})
# Elements that start a new block: their text must not run into the text
# before them ("end.</p><p>Next" is two words, "foo<b>bar</b>" one).
BLOCKS = frozenset(
    {"address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
     "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
     "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul", "img"}
)  # fmt: skip


def html_text(html: str) -> str:
    """The visible text of an HTML fragment, a newline before every block."""
    tree = LexborHTMLParser(html)
    root = tree.body or tree.root
    if root is None:
        return ""
    parts: list[str] = []
    for node in root.traverse(include_text=True):
        if node.tag == "-text":
            if not _hidden(node):
                parts.append(node.text_content or "")
        elif node.tag in BLOCKS:
            parts.append("\n")
    return "".join(parts)


def _hidden(node) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag in NOT_RENDERED:
            return True
        parent = parent.parent
    return False


def gold_parts(gold: bytes) -> list[tuple[str, str]]:
    return [("body", html_text(decode_bytes(gold, html=True)[0]))]
