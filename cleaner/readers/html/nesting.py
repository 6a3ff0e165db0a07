"""Capping how deep elements nest before a page is parsed, as browsers do.

A page of nested elements parses in time quadratic in its depth (see below),
so a page with enough tags to be at risk has its depth measured and, if too
deep, the start and end tags past MAX_BLOCK_NESTING dropped.
"""

from __future__ import annotations

import re

# Lexbor, like the HTML standard's tree builder, scans the stack of open elements
# at many start tags (every block that closes an open <p>, list items, ruby
# text, ...), so a page whose elements nest n deep parses in O(n^2): 20,000
# nested divs take over a second, 100,000 take minutes, and so do 20,000 pairs
# such as <span><pre> or <li><h1>. Browsers cap the depth instead (Chrome at
# 512). A page of at most NESTING_CHECK_TAGS tags parses in about 0.3 s at worst
# (that many nested divs), and 1,584 of the 1,587 pages of dragnet and L3S-GN1
# have fewer; a page with more has its nesting measured and, if deeper than
# MAX_BLOCK_NESTING, capped: start tags deeper than that are dropped (with their
# end tags), their content stays one level up.
MAX_BLOCK_NESTING = 512
NESTING_CHECK_TAGS = 10_000
# Elements that hold nothing, and elements that close an open one of their kind
# (or cannot nest at all) when they repeat: neither makes the stack deeper by
# itself, so neither counts towards the depth, except inside svg and math, where
# every element nests. Every other element counts.
VOID_TAGS = frozenset(
    {"area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image",
     "img", "input", "keygen", "link", "meta", "param", "source", "track", "wbr"}
)  # fmt: skip
NOT_NESTING_TAGS = frozenset(
    {"a", "body", "button", "caption", "colgroup", "head", "html", "nobr", "option", "p",
     "select", "tbody", "td", "tfoot", "th", "thead", "tr"}
)  # fmt: skip
FOREIGN_TAGS = frozenset({"svg", "math"})
# A list item closes the item open right above it, and so do dd and dt; with
# anything else between them (<li><h1><li>...), the tree builder nests them.
SIBLINGS: dict[str, frozenset[str]] = {
    "li": frozenset({"li"}), "dd": frozenset({"dd", "dt"}), "dt": frozenset({"dd", "dt"}),
}
# Any start or end tag, for a quick measure of the depth.
_ANY_TAG = re.compile(r"<(/?)([A-Za-z][^\s/>]*)")
# The same tags in full, and comments and raw-text elements (whose "<div" is no
# tag) to pass over as a whole, for capping the depth. A tag or comment never
# closed runs to the end of the page, as in the parser, so that no search for
# its end is repeated (which would be quadratic).
_NESTING_MARKUP = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<(script|style|textarea|title|xmp|iframe|noembed|noframes)\b.*?(?:</\1\s*>|\Z)"
    r"|<(/?)([A-Za-z][^\s/>]*)[^>]*+(?:>|\Z)",
    re.S | re.I,
)


class _NestingCap:
    """An estimate of the stack of open elements, tag by tag, that says which
    tags to drop so that it stays within MAX_BLOCK_NESTING. It errs on the deep
    side (an unclosed <span> stays open here), which only ever drops tags of
    pages that are very deep anyway."""

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.open: dict[str, int] = {}  # how many of each name the stack holds
        self.dropped: dict[str, int] = {}  # start tags dropped, whose end tags go too
        self.foreign = 0  # open svg and math elements

    def keep(self, name: str, end: bool) -> bool:
        name = name.lower()
        if name in VOID_TAGS or (name in NOT_NESTING_TAGS and not self.foreign):
            return True
        if end:
            return self._end(name)
        stack = self.stack
        if stack and stack[-1] in SIBLINGS.get(name, _EMPTY):
            self._pop()
        if len(stack) >= MAX_BLOCK_NESTING:
            self.dropped[name] = self.dropped.get(name, 0) + 1
            return False
        stack.append(name)
        self.open[name] = self.open.get(name, 0) + 1
        self.foreign += name in FOREIGN_TAGS
        return True

    def _end(self, name: str) -> bool:
        if self.dropped.get(name):  # the innermost of its kind was dropped
            self.dropped[name] -= 1
            return False
        if self.open.get(name):  # closes it and whatever is open inside it
            while self._pop() != name:
                pass
        return True  # a stray end tag closes nothing

    def _pop(self) -> str:
        name = self.stack.pop()
        self.open[name] -= 1
        self.foreign -= name in FOREIGN_TAGS
        return name

_EMPTY: frozenset[str] = frozenset()


def too_deep(html: str) -> bool:
    """Whether the elements of a page may nest deeper than MAX_BLOCK_NESTING
    (a quick measure: tags inside scripts and comments count too)."""
    cap = _NestingCap()
    return not all(cap.keep(tag.group(2), bool(tag.group(1))) for tag in _ANY_TAG.finditer(html))


def cap_nesting(html: str) -> str:
    """Drop the start and end tags of elements nested deeper than
    MAX_BLOCK_NESTING; their content stays, one level up."""
    if not too_deep(html):
        return html
    cap = _NestingCap()

    def keep_or_drop(match: re.Match[str]) -> str:
        name = match.group(3)
        if not name or cap.keep(name, bool(match.group(2))):
            return match.group(0)
        return ""

    return _NESTING_MARKUP.sub(keep_or_drop, html)
