"""The title a page gives itself: its og:title, else its <title>.

Only the head's own children are read (a few dozen nodes), so it costs next to
nothing beside the walk. The title cue (features/tokens.py) compares each line
with it: a 2025 page repeats its title in its <h1>, where the article starts.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

# The <meta> properties that hold the page's own title, best first.
TITLE_PROPERTIES = ("og:title", "twitter:title")
MAX_TITLE_CHARS = 500  # a longer "title" is a page that forgot to close one


def page_title(tree: LexborHTMLParser) -> str:
    """og:title or twitter:title from the head's <meta>, else the <title> text; ""."""
    head = tree.head
    if head is None:
        return ""
    found: dict[str, str] = {}
    for node in head.iter():
        if node.tag == "meta":
            attrs = node.attributes
            name = attrs.get("property") or attrs.get("name")
            if name in TITLE_PROPERTIES and name not in found:
                found[name] = attrs.get("content") or ""
        elif node.tag == "title" and "title" not in found:
            found["title"] = node.text(deep=True) or ""
    for name in (*TITLE_PROPERTIES, "title"):
        title = " ".join(found.get(name, "").split())
        if title:
            return title[:MAX_TITLE_CHARS]
    return ""
