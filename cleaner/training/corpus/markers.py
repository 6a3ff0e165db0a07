"""The marker method: label a rendering of an annotated page line by line.

Before rendering, an invisible marker naming the class of the enclosing
annotated element is put after the first character of every word of text
(and of every image's alt text). After rendering, each line is read back: a
marker's class covers the character it follows and every character after it
until the next marker, and a line gets the class of most of its visible
characters. The markers are then stripped.

The HTML is edited as a string, not parsed and re-serialised, so the page
the renderer sees differs from the original only by the inserted markers,
and a renderer that gives markers no width lays it out exactly as without
them (checked on every page: see l3s.py and the data card).
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Class given to text outside every annotated element.
DEFAULT_CLASS = 0
# Class of a non-blank line that holds no marker at all (see read_markers).
MARKERLESS_CLASS = DEFAULT_CLASS
# Tags (with attributes), comments, declarations and processing instructions.
# Attribute values are skipped as a whole so that a ">" inside quotes does not
# end the tag.
MARKUP = re.compile(
    r"""<!--.*?(?:-->|\Z)
      | <![^>]*> | <\?[^>]*>
      | </?[a-zA-Z][^\s/>]*(?:"[^"]*"|'[^']*'|[^'">])*>""",
    re.S | re.X,
)
TAG_NAME = re.compile(r"</?([a-zA-Z][^\s/>]*)")
# Elements whose content is not rendered text (script code, style sheets, the
# window title): no markers go in, and no "<" inside them starts a tag.
RAW_TEXT = frozenset({"script", "style", "title"})
# Elements that never have content, so never need an end tag.
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
     "source", "track", "wbr", "frame", "basefont", "isindex", "keygen"}
)  # fmt: skip
# Images render as their alt text, which gets a marker inside the attribute so
# that it takes the class of where the image stands. A marker in front of the
# <img> tag instead (and of form fields) changed w3m's table layout on 89 more
# of the 471 l3s-gn1 pages; a marker inside an input's value widens the field.
ALT_TEXT = re.compile(r"""(\balt\s*=\s*["']?)([^\s"'>&])""", re.I)
# Form controls whose text w3m sizes by character count: a marker inside would
# widen the control, so their text (like the fields themselves) takes the class
# in force where they stand.
UNMARKED_CONTENT = frozenset({"select", "textarea"})
# The first character of a word (an entity counts as one character). The marker
# goes after it, where the renderer keeps it on the word's line: a combining
# mark put before a word joins the space in front, and w3m moves that space to
# the end of the previous line when it wraps a table cell. One marker per word
# lets each column of a multi-column table layout carry its own class.
WORD_START = re.compile(
    r"(?:(?<=\s)|^)(?:&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);?|\S)"
)

ClassOfTag = Callable[[str], int | None]


def insert_markers(html: str, class_of_tag: ClassOfTag, base: int, n_classes: int) -> str:
    """Put the marker chr(base + class) after the first character of every word.

    `class_of_tag(start_tag)` says which class an element's start tag opens
    (None: the class of its parent). Text outside every classed element gets
    DEFAULT_CLASS. Marker characters already in the page are removed first.
    """
    html = strip_markers(html, base, n_classes)
    out: list[str] = []
    stack: list[tuple[str, int | None]] = []  # open elements: (name, class they set)
    pos = 0
    while pos < len(html):
        match = MARKUP.search(html, pos)
        end = match.start() if match else len(html)
        if end > pos:
            text = html[pos:end]
            if not any(name in UNMARKED_CONTENT for name, _ in stack):
                text = _mark_text(text, chr(base + _current(stack)))
            out.append(text)
        if not match:
            break
        tag = match.group(0)
        pos = match.end()
        name = _tag_name(tag)
        if name is None:  # comment or declaration
            out.append(tag)
            continue
        if tag.startswith("</"):
            _close(stack, name)
            out.append(tag)
            continue
        if name == "img":
            cls = class_of_tag(tag)
            marker = chr(base + (cls if cls is not None else _current(stack)))
            tag = ALT_TEXT.sub(rf"\g<1>\g<2>{marker}", tag, count=1)
        out.append(tag)
        if name in RAW_TEXT:
            pos = _skip_raw_text(html, pos, name, out)
        elif name not in VOID and not tag.endswith("/>"):
            stack.append((name, class_of_tag(tag)))
    return "".join(out)


def _tag_name(tag: str) -> str | None:
    match = TAG_NAME.match(tag)
    return match.group(1).lower() if match else None


def _current(stack: list[tuple[str, int | None]]) -> int:
    for _, cls in reversed(stack):
        if cls is not None:
            return cls
    return DEFAULT_CLASS


def _close(stack: list[tuple[str, int | None]], name: str) -> None:
    """Pop up to and including the innermost open `name`; ignore a stray end tag."""
    for depth in range(len(stack) - 1, -1, -1):
        if stack[depth][0] == name:
            del stack[depth:]
            return


def _skip_raw_text(html: str, pos: int, name: str, out: list[str]) -> int:
    end = re.compile(rf"</{name}\s*>", re.I).search(html, pos)
    stop = end.start() if end else len(html)
    out.append(html[pos:stop])
    return stop


def _mark_text(text: str, marker: str) -> str:
    """Put the marker after the first character of every word."""
    return WORD_START.sub(lambda m: m.group(0) + marker, text)


def strip_markers(text: str, base: int, n_classes: int) -> str:
    return text.translate({base + k: None for k in range(n_classes)})


def read_markers(lines: list[str], base: int, n_classes: int) -> tuple[list[str], list[int | None]]:
    """Strip the markers from rendered lines and give each line a class.

    A marker gives its class to the character it follows on the line (the
    first of its word) and to every character after it, across line ends,
    until the next marker. A line's class is the one covering most of its
    non-space characters (ties: the class reached first on the line); lines
    with no visible character get None.

    Every word carries a marker, so a line without one holds no annotated
    text: form fields, placeholders of images without alt text, rules and
    table borders (measured on l3s-gn1). It gets MARKERLESS_CLASS, not the
    class of the text above it: LABELING.md puts comment forms and image file
    names in nav even inside the article or the comments.
    """
    current = DEFAULT_CLASS
    stripped: list[str] = []
    classes: list[int | None] = []
    for line in lines:
        chars: list[str] = []
        char_classes: list[int] = []
        for char in line:
            k = ord(char) - base
            if 0 <= k < n_classes:
                current = k
                if chars and not chars[-1].isspace():
                    char_classes[-1] = k
                continue
            chars.append(char)
            char_classes.append(current)
        stripped.append("".join(chars))
        cls = _majority(chars, char_classes)
        if cls is not None and len(chars) == len(line):  # no marker on the line
            cls = MARKERLESS_CLASS
        classes.append(cls)
    return stripped, classes


def _majority(chars: list[str], char_classes: list[int]) -> int | None:
    counts: dict[int, int] = {}  # insertion order: the order classes are reached
    for char, cls in zip(chars, char_classes, strict=True):
        if not char.isspace():
            counts[cls] = counts.get(cls, 0) + 1
    if not counts:
        return None
    return max(counts, key=lambda cls: counts[cls])  # max keeps the first of equals
