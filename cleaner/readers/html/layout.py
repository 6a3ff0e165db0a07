"""The output side of the renderer: text in document order, lines with their cues out.

The walker (walk.py) hands `Layout` runs of text with the separation their
blocks ask for (tags.py: NEWLINE, BLANK); `Layout` collapses whitespace as a
browser does, keeps the corpus builder's markers (private-use code points)
out of the layout, and gives each line its `DomCues`.

_cwalk.c does the same for pages without markers: a change here is made there
too (walk.py's docstring says how tests/test_cwalk.py holds the two together).
"""

from __future__ import annotations

import re

from cleaner.document import DomCues
from cleaner.readers.decode import CONTROL_CHARS
from cleaner.readers.html.tags import BLANK, HTML_SPACE

# str.split() collapses every Unicode space, the no-break space too; to keep it,
# it hides behind NUL while splitting (NUL never reaches the text: the parser
# drops it). Other Unicode spaces (thin, ideographic) collapse like ASCII ones.
NBSP, _NBSP_STAND_IN = "\xa0", "\x00"


# The corpus builder's markers.
MARKER = re.compile("[\ue000-\uf8ff]")
_MARKERS_ONLY = re.compile("[\ue000-\uf8ff \t\n\r\f]*")
# A gap between words seen through markers, once whitespace runs are single spaces:
# markers and spaces, at least one space. It becomes one space followed by its
# markers. The lookbehind and the possessive runs keep the search linear in the
# length of a run of markers.
_GAP_WITH_MARKERS = re.compile("(?<![\ue000-\uf8ff])[\ue000-\uf8ff]*+ [ \ue000-\uf8ff]*+")
_TRAILING_GAP = re.compile(" ([\ue000-\uf8ff]*)$")

Context = tuple[frozenset[str], frozenset[str]]  # (inside, tokens) around a text node
Block = tuple[str, int, int, int]  # (tag, depth, heading, element number) of the innermost block


def _close_gaps(text: str) -> str:
    """In collapsed text, see whitespace through markers: a gap of spaces and
    markers becomes one space and the markers; at either end, just the markers."""
    text = _GAP_WITH_MARKERS.sub(_one_space_then_markers, text)
    if text.startswith(" "):
        text = text[1:]
    return _TRAILING_GAP.sub(r"\1", text)


def _collapsed_ascii(text: str) -> bool:
    """ASCII text with nothing to collapse, told apart by a few fast searches
    (isascii() is free: CPython flags ASCII strings)."""
    return (
        text.isascii()
        and "  " not in text
        and "\n" not in text
        and "\t" not in text
        and "\r" not in text
        and "\f" not in text
        and text[:1] != " "
        and text[-1:] != " "
    )


def _one_space_then_markers(gap: re.Match[str]) -> str:
    return " " + gap.group().replace(" ", "")


def _link_share(text: str, link_parts: list[str], has_markers: bool) -> float:
    """The share of the line's visible characters that are inside links. Spaces
    of any kind and markers do not count (`text` is collapsed: its only spaces
    are " " and no-break spaces)."""
    linked = "".join("".join(link_parts).split())
    visible = len(text) - text.count(" ") - text.count(NBSP)
    if has_markers:
        linked = MARKER.sub("", linked)
        visible -= len(MARKER.findall(text))
    return min(1.0, len(linked) / visible) if visible > 0 else 0.0


class Layout:
    """The output side of the renderer: text arrives in document order with the
    separation the blocks ask for, and leaves as lines with their cues.

    The walker appends the whitespace between inline elements to `parts` and
    `link_parts` itself: it is the most frequent text of all.
    """

    __slots__ = (
        "lines", "cues", "parts", "link_parts", "contexts", "need", "bullet", "link_depth",
        "markers", "waiting_markers", "block", "prefix", "in_pre", "known_cues",
        "line_blocks", "parents", "ends", "weights", "with_cues",
    )  # fmt: skip

    def __init__(self, *, markers: bool, with_cues: bool = True) -> None:
        self.lines: list[str] = []
        self.cues: list[DomCues | None] = []
        self.parts: list[str] = []  # the open line's text; empty: no line is open
        self.link_parts: list[str] = []  # the part of it inside <a>
        self.contexts: list[Context] = []  # the contexts of its text nodes
        self.need = 0  # separation before the next text: 0, NEWLINE or BLANK
        self.bullet: str | None = None  # prefix of the next line, from an open <li>
        self.link_depth = 0
        self.markers = markers  # whether the page may hold markers at all
        self.with_cues = with_cues  # False: the lines only, every cue None
        self.waiting_markers: list[str] = []  # markers for the start of the next line
        self.block: Block = ("", 0, 0, -1)  # where the open line started
        self.prefix = ""  # the open line's bullet
        self.in_pre = False  # the open line is preformatted
        # Lines share few distinct cues (a menu's items all look alike): reuse them.
        self.known_cues: dict[tuple, DomCues] = {}
        # The element tree, for content_score: elements are numbered in document
        # order as they open; each has its parent's number and the number after
        # its last descendant's, and the weight of its own class and id names.
        # Each line has its block element's number (-1: blank).
        self.line_blocks: list[int] = []
        self.parents: list[int] = []
        self.ends: list[int] = []
        self.weights: list[int] = []

    def text(self, text: str, context: Context, block: Block) -> None:
        """Add a run of inline text (a text node, an alt text, a button label)."""
        if self.markers and _MARKERS_ONLY.fullmatch(text):
            self._markers_only(text)
            return
        parts = self.parts
        if parts and self.need:
            self.flush()
        if not parts:
            self.start(block, in_pre=False)
        parts.append(text)  # what add() does, inline: this runs for every text node
        if self.link_depth:
            self.link_parts.append(text)
        contexts = self.contexts
        if not contexts or contexts[-1] is not context:
            contexts.append(context)

    def _markers_only(self, text: str) -> None:
        """Text that is markers (and whitespace) only: it takes no part in the
        layout or the cues; inside a line it stays where it is, between lines it
        waits for the next one."""
        if self.parts and not self.need:
            self.parts.append(text)
            if self.link_depth:
                self.link_parts.append(text)
        else:
            self.waiting_markers.extend(MARKER.findall(text))

    def add(self, text: str, context: Context) -> None:
        self.parts.append(text)
        if self.link_depth:
            self.link_parts.append(text)
        contexts = self.contexts
        if not contexts or contexts[-1] is not context:
            contexts.append(context)

    def start(self, block: Block, *, in_pre: bool) -> None:
        """Open a line, after the blank line a paragraph boundary asked for."""
        if self.need == BLANK:
            self.blank()
        self.need = 0
        self.block = block
        self.in_pre = in_pre
        self.prefix = self.bullet or ""
        self.bullet = None
        if self.waiting_markers:
            self.parts.extend(self.waiting_markers)
            self.waiting_markers.clear()

    def blank(self) -> None:
        """A blank line, unless at the top or after another one."""
        if self.lines and self.lines[-1]:
            self.lines.append("")
            self.cues.append(None)
            self.line_blocks.append(-1)

    def line_break(self) -> None:
        """<br>: end the open line, or leave a blank line where none is open."""
        if self.parts and not self.need:
            self.flush()
            return
        self.flush()
        self.blank()

    def pre_text(self, text: str, context: Context, block: Block) -> None:
        """Text inside <pre>: its spaces are kept and its newlines break lines."""
        for number, piece in enumerate(text.split("\n")):
            if number:
                self.line_break()
            if self.markers and piece and not MARKER.sub("", piece):
                self._markers_only(piece)
            elif piece:
                if self.parts and self.need:
                    self.flush()
                if not self.parts:
                    self.start(block, in_pre=True)
                self.add(piece, context)

    def flush(self) -> None:
        """Close the open line and emit it with its cues."""
        parts = self.parts
        if not parts:
            return
        text = "".join(parts)
        if self.in_pre:
            text = text.expandtabs(8).rstrip(HTML_SPACE)
        elif _collapsed_ascii(text):
            pass  # half the lines: a link, a short paragraph on one source line
        elif NBSP in text:
            text = " ".join(text.replace(NBSP, _NBSP_STAND_IN).split())
            text = text.replace(_NBSP_STAND_IN, NBSP)
        else:
            text = " ".join(text.split())
        has_markers = self.markers and not text.isascii() and MARKER.search(text) is not None
        if has_markers and not self.in_pre:
            text = _close_gaps(text)
        if not text.isprintable():  # cheap test first: control characters are rare
            text = CONTROL_CHARS.sub("", text)  # from &#1;-style references, or a str input
        # Decide on the text as it would be without markers, so they change nothing.
        plain = MARKER.sub("", text) if has_markers else text
        if plain:
            self.lines.append(self.prefix + text)
            # A line of no-break spaces is blank to the labeller, unless it has a bullet.
            spaces = plain.isspace()
            blank = spaces and not self.prefix
            self.cues.append(None if blank or not self.with_cues
                             else self._cues(text, has_markers, spaces))
            self.line_blocks.append(self.block[3])
        else:
            if text:  # markers alone make no line: they wait for the next one
                self.waiting_markers.extend(MARKER.findall(text))
            if self.in_pre:  # an empty preformatted line
                self.blank()
        parts.clear()
        self.link_parts.clear()
        self.contexts.clear()

    def _cues(self, text: str, has_markers: bool, spaces: bool) -> DomCues:
        link_parts = self.link_parts
        if not link_parts or spaces:  # no visible character: none of them linked
            link_share = 0.0
        elif len(link_parts) == len(self.parts):  # all of it is linked: a menu item, a headline
            link_share = 1.0
        else:
            link_share = _link_share(text, link_parts, has_markers)
        contexts = self.contexts
        inside, tokens = contexts[0]
        if len(contexts) > 1:
            for more_inside, more_tokens in contexts:
                # A link's context usually holds its paragraph's: union only what is new.
                if not more_inside <= inside:
                    inside = inside | more_inside
                if not more_tokens <= tokens:
                    tokens = tokens | more_tokens
        tag, depth, heading, _ = self.block
        key = (link_share, tag, depth, heading, inside, tokens)
        cues = self.known_cues.get(key)
        if cues is None:
            cues = self.known_cues[key] = DomCues(link_share, tag, heading, depth, inside, tokens)
        return cues

    def finish(self) -> tuple[list[str], list[DomCues | None]]:
        self.flush()
        lines, cues = self.lines, self.cues
        while lines and not lines[-1]:
            lines.pop()
            cues.pop()
            self.line_blocks.pop()
        if self.waiting_markers:  # markers after the last text stay, on the last line
            if lines:
                lines[-1] += "".join(self.waiting_markers)
            else:
                lines.append("".join(self.waiting_markers))
                cues.append(None)
                self.line_blocks.append(-1)
        return lines, cues
