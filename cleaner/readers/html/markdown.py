"""The structure markdown shows, recorded beside the text lines as the walk lays them out.

`MarkdownLayout` is a `Layout` that the walk (walk.py) also tells which element
opens and closes. It lays out exactly the lines and cues `Layout` does (it
only adds to them) and gives each text line a `MarkdownLine`: the line's
inline markdown and the structure around it. cleaner/markdown.py writes the
lines the classifier kept from those.

- Inline: `**` around b and strong, `*` around i and em (not in headings,
  which stand out already), `[text](url)` around links with `links=True`,
  their URLs made absolute against the page's (its `url`, else the URL it
  states, and its `<base href>`). Whitespace moves outside the markers, and a
  span without text leaves none; a span open at a line's end is closed there
  and opened again on the next line. Text is escaped where markdown would read
  it as markup (`*`, `_`, `` ` ``, `[`, `]`, a `\\`, an HTML tag or entity).
- Around: the heading level (as in DomCues), how many blockquotes hold the
  line, the list marker of an item's first line ("- " for ul, "N. " for ol,
  from its `start` and the items' `value`) and the indent that nests it, the
  table cell, and the `<pre>` it is in (its text as it is).
- A table is a pipe table only if it reads as data: at least 2 rows and 2
  columns, no table inside it, no list, heading, quote or `<pre>` in a cell,
  and no cell of more than MAX_CELL_LINES lines or a line over MAX_CELL_CHARS
  characters. The others (page layout, mostly) give their lines as paragraphs.

The compiled walk (cwalk.py) knows nothing of markdown: pages are read for
markdown with the Python walk, at its speed (render.py).
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser

from cleaner.document import MarkdownLine
from cleaner.markdown import escape_inline
from cleaner.readers.decode import CONTROL_CHARS
from cleaner.readers.html.layout import Layout
from cleaner.readers.html.tags import HEADING_TAGS, HTML_SPACE, MAX_BULLET_LEVELS, PRE_TAGS
from cleaner.readers.html.walk import _tag_ids
from cleaner.sites import own_url

# What an element does to markdown.
STRONG, EMPHASIS, LINK, QUOTE, UNORDERED, ORDERED, ITEM, TABLE, ROW, CELL, CODE, BLOCK = range(
    1, 13)
_KINDS = {
    "b": STRONG, "strong": STRONG, "i": EMPHASIS, "em": EMPHASIS, "a": LINK,
    "blockquote": QUOTE, "ul": UNORDERED, "menu": UNORDERED, "dir": UNORDERED,
    "ol": ORDERED, "li": ITEM, "table": TABLE, "tr": ROW, "td": CELL, "th": CELL,
    **dict.fromkeys(PRE_TAGS, CODE), **dict.fromkeys(HEADING_TAGS, BLOCK),
}  # fmt: skip
MARKDOWN_TAGS: dict[int, int] = {tag_id: _KINDS[name] for tag_id, name in
                                 _tag_ids(_KINDS).items()}

# A span of inline markdown: what opens it and what closes it.
Span = tuple[str, str]
_EMPHASIS_SPANS: dict[int, Span] = {STRONG: ("**", "**"), EMPHASIS: ("*", "*")}
_EMPHASIS_MARKS = frozenset({"*", "**"})  # as pieces of a line: text has its * escaped

# Data tables hold short cells: a cell of more lines, or a longer line, is page layout.
MAX_CELL_LINES = 3
MAX_CELL_CHARS = 400
MIN_TABLE_ROWS = MIN_TABLE_COLUMNS = 2

# Stand-ins for a span's opening and closing marks while the line's whitespace is
# collapsed (no text holds them: control characters are dropped first).
_OPEN, _CLOSE = "\x01", "\x02"
_SPACES = re.compile(r"[^\S\xa0]+")  # what str.split() splits on: no-break spaces stay
_SPACE_AFTER_OPEN = re.compile(f"([{_OPEN}]+)([ \xa0]+)")
_SPACE_BEFORE_CLOSE = re.compile(f"([ \xa0]+)([{_CLOSE}]+)")
_MARKS = re.compile(f"([{_OPEN}{_CLOSE}])")
# A browser drops tabs and line breaks in a URL; markdown would end it at a space or a
# parenthesis, and read a backslash as an escape.
_UNSAFE_URL = str.maketrans({"\t": None, "\n": None, "\r": None, " ": "%20", "(": "%28",
                             ")": "%29", "<": "%3C", ">": "%3E", "\\": "%5C"})
_NOT_LINKS = ("javascript:", "vbscript:", "data:")
_ABSOLUTE = ("http://", "https://")  # as they are: no need to join them to the page's URL


@dataclass(slots=True)
class _List:
    ordered: bool
    next_number: int = 1
    width: int = 2  # of its latest item's marker: the indent of what nests in it
    open_items: int = 0


@dataclass(slots=True)
class _Table:
    number: int
    row: int = -1
    column: int = 0  # the next cell's
    columns: int = 0
    rows: int = 0  # that hold a cell
    cell: tuple[int, int] | None = None  # (row, column) of the open cell
    cell_lines: int = 0
    layout: bool = False  # not a data table: its lines are paragraphs


def link_base(tree: LexborHTMLParser, url: str | None, html: str) -> str | None:
    """What a page's relative links are relative to: its URL (`url`, else the one it
    states), and its `<base href>`; None when neither is known."""
    base = url or own_url(html)
    tag = tree.css_first("base[href]")
    href = (tag.attributes.get("href") or "").strip(HTML_SPACE) if tag is not None else ""
    if href:
        with contextlib.suppress(ValueError):  # a malformed <base>: the page's URL stands
            base = urljoin(base or "", href)
    return base or None


class MarkdownLayout(Layout):
    """A `Layout` that also records, for every text line, what markdown shows of it.

    The walk calls `open` after it opens each element of TAGS that has children
    or lays out a block, and `close` when it closes it: a stack of what each did.
    """

    TAGS = MARKDOWN_TAGS

    __slots__ = (
        "links", "base", "actions", "emphasis", "spans", "marks", "quote", "lists", "item",
        "tables", "all_tables", "code", "code_count", "line_markdown", "cells", "opening",
    )  # fmt: skip

    def __init__(self, *, markers: bool, links: bool = False, base: str | None = None) -> None:
        super().__init__(markers=markers, with_cues=True)
        self.links = links
        self.base = base
        self.actions: list[tuple[int, object] | None] = []  # per open element: what to undo
        self.emphasis = {STRONG: 0, EMPHASIS: 0}  # open elements of each kind
        self.spans: list[Span] = []  # the inline spans open now, outermost first
        self.marks: list[tuple[int, bool, Span]] = []  # (place in parts, opens, span)
        self.quote = 0
        self.lists: list[_List] = []
        self.item: str | None = None  # the marker of an item whose first line is to come
        self.tables: list[_Table] = []  # open ones, innermost last
        self.all_tables: list[_Table] = []
        self.code = 0  # open <pre> elements
        self.code_count = 0
        self.line_markdown: list[MarkdownLine | None] = []  # per line; tables to come:
        self.cells: list[tuple[int, _Table, tuple[int, int]]] = []  # (line, table, cell)
        self.opening: tuple = (0, "", 0, None, 0)  # the open line's structure, from start()

    # --- the walk's calls -------------------------------------------------------------

    def open(self, tag_id: int, attrs: dict) -> None:
        self.actions.append(self._opened(MARKDOWN_TAGS[tag_id], attrs))

    def close(self) -> None:
        action = self.actions.pop()
        if action is not None:
            self._closed(*action)

    def _opened(self, kind: int, attrs: dict) -> tuple[int, object] | None:
        if kind in _EMPHASIS_SPANS:
            self.emphasis[kind] += 1
            if self.emphasis[kind] == 1:
                self._open_span(_EMPHASIS_SPANS[kind])
            return kind, None
        if kind == LINK:
            url = self._url(attrs.get("href")) if self.links else None
            if url is None or any(span[0] == "[" for span in self.spans):
                return None
            self._open_span(("[", f"]({url})"))
            return kind, None
        if kind in (ROW, CELL):
            return self._table_part(kind, attrs)
        self._block_in_cell(kind)
        if kind == ITEM:
            return kind, self._item(attrs)
        if kind == QUOTE:
            self.quote += 1
        elif kind in (UNORDERED, ORDERED):
            self.lists.append(_List(kind == ORDERED, _number(attrs.get("start"), 1)))
        elif kind == TABLE:
            self.tables.append(_Table(len(self.all_tables) + 1))
            self.all_tables.append(self.tables[-1])
        elif kind == CODE:
            self.code += 1
            self.code_count += self.code == 1
        else:  # a heading: nothing to undo
            return None
        return kind, None

    def _closed(self, kind: int, held: object) -> None:
        if kind in _EMPHASIS_SPANS:
            self.emphasis[kind] -= 1
            if not self.emphasis[kind]:
                self._close_span()
        elif kind == LINK:
            self._close_span()
        elif kind == ITEM:
            self.item = None  # as the walk forgets the bullet of an item without text
            if isinstance(held, _List):
                held.open_items -= 1
        elif kind == QUOTE:
            self.quote -= 1
        elif kind in (UNORDERED, ORDERED):
            self.lists.pop()
        elif kind == TABLE:
            self.tables.pop()
        elif kind == CELL:
            held.cell = None
        elif kind == CODE:
            self.code -= 1

    def _open_span(self, span: Span) -> None:
        self.spans.append(span)
        if self.parts and not self.need:  # else the next line opens it (start)
            self.marks.append((len(self.parts), True, span))

    def _close_span(self) -> None:
        span = self.spans.pop()
        if self.parts:
            self.marks.append((len(self.parts), False, span))

    def _url(self, href: str | None) -> str | None:
        href = (href or "").strip(HTML_SPACE)
        if not href or href.lower().startswith(_NOT_LINKS):
            return None
        if self.base and not href.startswith(_ABSOLUTE):
            with contextlib.suppress(ValueError):  # a malformed URL stays as written
                href = urljoin(self.base, href)
        return href.translate(_UNSAFE_URL)

    def _item(self, attrs: dict) -> _List | None:
        """A list item opens: the marker of its first line."""
        if not self.lists:
            self.item = "- "
            return None
        items = self.lists[-1]
        if items.ordered:
            number = _number(attrs.get("value"), items.next_number)
            items.next_number = number + 1
            self.item = f"{number}. "
        else:
            self.item = "- "
        items.width = len(self.item)
        items.open_items += 1
        return items

    def _table_part(self, kind: int, attrs: dict) -> tuple[int, object] | None:
        if not self.tables:
            return None
        table = self.tables[-1]
        if kind == ROW:
            table.row += 1
            table.column = 0
            return None
        table.row = max(table.row, 0)
        table.cell = (table.row, table.column)
        table.cell_lines = 0
        table.column += min(max(_number(attrs.get("colspan"), 1), 1), MAX_COLSPAN)
        table.columns = max(table.columns, table.column)
        table.rows = max(table.rows, table.row + 1)
        return kind, table

    def _block_in_cell(self, kind: int) -> None:
        """A table, list, heading, quote or <pre> in a cell: a table of page layout."""
        if kind == TABLE:  # every table around a table is layout
            for table in self.tables:
                table.layout = True
        elif self.tables and self.tables[-1].cell is not None:
            self.tables[-1].layout = True

    # --- lines ------------------------------------------------------------------------

    def start(self, block, *, in_pre: bool) -> None:
        first_of_item = self.bullet is not None
        super().start(block, in_pre=in_pre)
        marker = ""
        if first_of_item:
            marker, self.item = self.item or "- ", None
        self.opening = (self.quote, marker, self._indent(marker), self._cell(),
                        self.code_count if self.code else 0)
        self.marks.extend((0, True, span) for span in self.spans)

    def _indent(self, marker: str) -> int:
        """Spaces before an item's marker (the items it is in), or before a later line
        of an item (the items it is in, its own too)."""
        lists = self.lists[-MAX_BULLET_LEVELS:]
        around = lists[:-1] if marker else lists
        return sum(items.width for items in around if items.open_items)

    def _cell(self) -> tuple[_Table, tuple[int, int]] | None:
        table = self.tables[-1] if self.tables else None
        if table is None or table.cell is None:
            return None
        table.cell_lines += 1
        if table.cell_lines > MAX_CELL_LINES:
            table.layout = True
        return table, table.cell

    def flush(self) -> None:
        if not self.parts:
            return
        # Spans to mark: the line's markdown from its parts. Else its text says it all.
        inline = self._inline() if self.marks and not self.in_pre else None
        count = len(self.lines)
        super().flush()
        self.marks.clear()
        if len(self.lines) > count and len(self.line_markdown) == count:  # a text line
            text = self.lines[count][len(self.prefix):]
            quote, marker, indent, cell, code = self.opening
            if cell is not None and len(text) > MAX_CELL_CHARS:
                cell[0].layout = True
            if not self.in_pre:
                text = inline if inline is not None else escape_inline(text)
            if cell is not None:  # whether its table is a pipe table is known at its end
                self.cells.append((count, *cell))
            self.line_markdown.append(MarkdownLine(text, self.block[2], quote, marker, indent,
                                                   None, code))

    def blank(self) -> None:
        count = len(self.lines)
        super().blank()
        if len(self.lines) > count:
            self.line_markdown.append(None)

    def finish(self) -> tuple[list, list]:
        lines, cues = super().finish()
        del self.line_markdown[len(lines):]  # the blank lines at the end, gone
        self.line_markdown.extend([None] * (len(lines) - len(self.line_markdown)))
        return lines, cues

    def markdown_lines(self) -> list[MarkdownLine | None]:
        """A MarkdownLine per line of `finish()` (None for a blank line)."""
        found = self.line_markdown
        for index, table, (row, column) in self.cells:
            if index < len(found) and _is_data(table):
                found[index] = found[index]._replace(table=(table.number, row, column,
                                                            table.columns))
        return found

    # --- inline markdown --------------------------------------------------------------

    def _inline(self) -> str:
        """The open line as inline markdown: its text escaped, its spans marked."""
        parts, marks = self.parts, self.marks
        pieces: list[str] = []
        tokens: list[str] = []
        open_here: list[Span] = []
        done = 0
        headline = self.block[2] > 0
        for at, opens, span in marks:
            if at > done:
                pieces.append(_printable("".join(parts[done:at])))
                done = at
            if headline and span[0] != "[":
                continue  # a heading stands out already
            if opens:
                open_here.append(span)
                pieces.append(_OPEN)
                tokens.append(span[0])
            elif open_here and open_here[-1] is span:
                open_here.pop()
                pieces.append(_CLOSE)
                tokens.append(span[1])
        pieces.append(_printable("".join(parts[done:])))
        for span in reversed(open_here):  # open at the line's end: closed here
            pieces.append(_CLOSE)
            tokens.append(span[1])
        return _marked_up(escape_inline("".join(pieces)), tokens)


MAX_COLSPAN = 50


def _number(value: str | None, default: int) -> int:
    """An attribute's whole number (start, value, colspan), else `default`: markdown
    numbers a list item with up to 9 digits."""
    try:
        number = int((value or "").strip(HTML_SPACE))
    except ValueError:
        return default
    return number if 0 <= number < 10**9 else default


def _is_data(table: _Table) -> bool:
    return (not table.layout and table.rows >= MIN_TABLE_ROWS
            and table.columns >= MIN_TABLE_COLUMNS)


def _printable(text: str) -> str:
    return text if text.isprintable() else CONTROL_CHARS.sub("", text)


def _collapsed(text: str) -> str:
    """Whitespace as the layout collapses it: runs to one space, none at either end."""
    return _SPACES.sub(" ", text).strip(" ")


def _marked_up(text: str, tokens: list[str]) -> str:
    """Text with span marks (_OPEN, _CLOSE) as markdown: whitespace collapsed and moved
    outside the spans, spans without text dropped, the marks replaced by `tokens`;
    emphasis that markdown would not read as such (`word**"quote"**`) is left out."""
    text = _SPACES.sub(" ", text)
    text = _SPACE_AFTER_OPEN.sub(r"\2\1", text)
    text = _SPACE_BEFORE_CLOSE.sub(r"\2\1", text)
    out: list[str] = []
    opened: list[int] = []
    emphasis: list[tuple[int, int]] = []
    index = 0
    for piece in _MARKS.split(text):
        if piece == _OPEN:
            token = tokens[index]
            if emphasis and emphasis[-1][1] == len(out) - 1 and out[-1] == token:
                opened.append(emphasis.pop()[0])  # </b><b>: one span goes on
                out.pop()
            else:
                opened.append(len(out))
                out.append(token)
            index += 1
        elif piece == _CLOSE:
            start = opened.pop()
            if start == len(out) - 1:  # nothing inside
                out.pop()
            else:
                out.append(tokens[index])
                if tokens[index][0] == "*":
                    emphasis.append((start, len(out) - 1))
            index += 1
        elif piece:
            out.append(piece)
    for start, end in emphasis:
        if not (_flanking(out, start, opens=True) and _flanking(out, end, opens=False)):
            out[start] = out[end] = ""
    # "!" before a link's "[" would make it an image.
    return _collapsed("".join(out)).replace("![", "\\![")


def _flanking(out: list[str], at: int, *, opens: bool) -> bool:
    """Whether the emphasis mark out[at] opens (or closes) emphasis where it stands,
    by CommonMark's rules for `*`: no space inside it, and punctuation inside it only
    with a space or punctuation outside."""
    before, after = _neighbour(out, at, -1), _neighbour(out, at, 1)
    inside, outside = (after, before) if opens else (before, after)
    if inside.isspace():
        return False
    return not _punctuation(inside) or outside.isspace() or _punctuation(outside)


def _neighbour(out: list[str], at: int, step: int) -> str:
    """The character next to the run of emphasis marks out[at] is in (markdown reads
    `***` as one run); a space at either end of the line."""
    at += step
    while 0 <= at < len(out):
        if out[at] and out[at] not in _EMPHASIS_MARKS:
            return out[at][-1] if step < 0 else out[at][0]
        at += step
    return " "


def _punctuation(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"
