"""Markdown of the lines a page keeps: the same lines as its text, with their structure.

The classifier decides which lines are kept; markdown writes exactly those, each
with what its `MarkdownLine` says (readers/html/markdown.py reads it from the
HTML; `dump_markdown_lines` from a text dump's lines):

- a heading as `#` to `######`, a line in blockquotes after as many `> `;
- list items as `- ` or `N. `, nested under the item they are in (by the width
  of its marker: 2 spaces under `- `, 3 under `1. `); the later lines of an
  item (a second paragraph) indented to its text. An item whose parent item
  was dropped moves up to where the kept lines put it, so that no line is
  read as code;
- the cells of a data table as a pipe table, its first kept row the header,
  `|` in cells escaped, a dropped cell left empty;
- the lines of a `<pre>` in a fenced code block, as they are;
- every other line a paragraph of its own. Lines are separated by a blank
  line (within a quote, a `>` line), but for the items of one list (no blank
  line between them on the page), the rows of a table and the lines of a
  code block, which follow each other.

A text dump tells less (see `dump_markdown_lines`): its list items, and no
headings. Its lines do not say which is a heading reliably enough: the first
kept line that reads as a headline (the metadata's title of a dump) is the
page's title on 24% (l3s-gn1), 50% (dragnet) and 36% (wcxb) of the held-out
w3m dumps where it is found, and a stricter rule (3 to 20 words, a blank line
and a longer line after it) is right on 47% of wcxb's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from cleaner.document import MarkdownLine, Page

# Inline markup characters: escaped wherever they stand (an underscore only where it
# could open or close emphasis: not inside a word), and the start of an HTML tag or
# entity.
_INLINE_SPECIAL = re.compile(r"[\\`*\[\]]|(?<![^\W_])_|_(?![^\W_])|<(?=[A-Za-z/!?])|&(?=#?\w+;)")
# A line's start that markdown would read as a block: a heading, a quote, a list
# item, a setext underline, a code fence. Escaped with a backslash before its mark.
_BLOCK_START = re.compile(r"#{1,6}(?=\s|$)|>|[-+](?=\s|$)|[-=]+\s*$|~~~")
_NUMBERED_START = re.compile(r"(\d{1,9})([.)])(?=\s|$)")

# A text dump's list item: a bullet (or a number) and a space, then text. w3m writes
# "  • " (two more spaces a level) and " 1. ".
# w3m indents a nested list by 2 columns: an item indented much more is centred text.
MAX_NESTING_STEP = 4
_DUMP_ITEM = re.compile(r"([ \t]*)(?:([•◦▪▫‣●○■□])|([-*+])|(\d{1,9})[.)])[ \t\xa0]+(?=\S)")


def page_markdown(page: Page, labels: Sequence[str | None], keep: frozenset[str]) -> str:
    """The page's kept lines as markdown (page.markdown: read with markdown=True; a page
    without it is written as a dump is)."""
    found = page.markdown if page.markdown is not None else dump_markdown_lines(page.lines)
    return markdown_text(found, page.lines, labels, keep)


def markdown_text(found: Sequence[MarkdownLine | None], lines: Sequence[str],
                  labels: Sequence[str | None], keep: frozenset[str]) -> str:
    """The lines whose label is in `keep`, as markdown (`found`: a MarkdownLine per line)."""
    kept = [index for index, label in enumerate(labels) if label in keep]
    writer = _Writer(lines)
    start = 0
    while start < len(kept):
        index = kept[start]
        line = found[index] if index < len(found) else None
        if line is None:  # a kept line without markdown: a paragraph
            line = MarkdownLine(_escaped_line(lines[index]))
        end = _unit_end(found, kept, start, line)
        writer.add(kept[start:end], line, [found[i] for i in kept[start:end]])
        start = end
    return "".join(writer.out)


def _unit_end(found: Sequence[MarkdownLine | None], kept: list[int], start: int,
              line: MarkdownLine) -> int:
    """Where the unit starting at kept[start] ends: the rows of one table, the lines of
    one code block, or the one line."""
    end = start + 1
    if line.table is not None:
        while end < len(kept) and _same_table(found[kept[end]], line):
            end += 1
    elif line.code:
        while end < len(kept) and (other := found[kept[end]]) is not None and (
                other.code == line.code):
            end += 1
    return end


def _same_table(other: MarkdownLine | None, line: MarkdownLine) -> bool:
    return other is not None and other.table is not None and other.table[0] == line.table[0]


class _Writer:
    """Units (a line, a table, a code block) in order, with what separates them."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = lines
        self.out: list[str] = []
        self.last = -1  # the index of the last line written
        self.previous: MarkdownLine | None = None
        # The list items the next line may be in: (indent on the page, indent written,
        # where its text starts as written), outermost first.
        self.items: list[tuple[int, int, int]] = []

    def add(self, indices: list[int], line: MarkdownLine,
            group: list[MarkdownLine | None]) -> None:
        indent = self._indent(line)
        if self.out:
            self.out.append(self._separator(indices[0], line))
        prefix = "> " * line.quote + " " * indent
        if line.table is not None:
            self.out.append(_table([g for g in group if g is not None], prefix))
        elif line.code:
            self.out.append(_code(indices, group, prefix))
        else:
            heading = "#" * line.heading + " " if line.heading else ""
            self.out.append(prefix + line.marker + heading + _safe_start(line.text))
        self.last, self.previous = indices[-1], line

    def _indent(self, line: MarkdownLine) -> int:
        """Where the line starts: its item's place among the kept items, so that an item
        whose parent item was dropped moves up to the level of its kept parent (or the
        top), where markdown reads it as an item, not as code."""
        items = self.items
        previous = self.previous
        if previous is None or previous.quote != line.quote or not (line.marker or line.indent):
            items.clear()
            return 0
        if not line.marker:  # a later line of an item: in the items it is under
            while items and items[-1][0] >= line.indent:
                items.pop()
            return items[-1][2] if items else 0
        while items and items[-1][0] > line.indent:
            items.pop()
        if items and items[-1][0] == line.indent:  # a sibling: at its place
            indent = items.pop()[1]
        else:  # nested in the item before, or at the top
            indent = items[-1][2] if items else 0
        items.append((line.indent, indent, indent + len(line.marker)))
        return indent

    def _separator(self, index: int, line: MarkdownLine) -> str:
        previous = self.previous
        if (line.marker and (previous.marker or previous.indent) and previous.quote == line.quote
                and not any(not self.lines[i].strip() for i in range(self.last + 1, index))):
            return "\n"  # items of one list
        quote = min(previous.quote, line.quote)
        return "\n" + ">" * quote + "\n" if quote else "\n\n"


def _safe_start(text: str) -> str:
    """Inline text that markdown will not read as a block where a line starts."""
    if not text or not (text[0] in "#>+-=~" or text[0].isdigit()):
        return text
    if _BLOCK_START.match(text):
        return "\\" + text
    if numbered := _NUMBERED_START.match(text):
        return numbered.group(1) + "\\" + text[numbered.end(1):]
    return text


def _table(rows: list[MarkdownLine], prefix: str) -> str:
    """A data table's kept cells as a pipe table: the first row the header."""
    columns = max(line.table[3] for line in rows)
    cells: dict[int, list[list[str]]] = {}
    for line in rows:
        _, row, column, _ = line.table
        cells.setdefault(row, [[] for _ in range(columns)])[min(column, columns - 1)].append(
            line.text)
    written = []
    for number, row in enumerate(cells[row] for row in sorted(cells)):
        written.append(prefix + "| " + " | ".join(" ".join(cell).replace("|", "\\|")
                                                  for cell in row) + " |")
        if not number:
            written.append(prefix + "|" + "---|" * columns)
    return "\n".join(written)


def _code(indices: list[int], group: list[MarkdownLine | None], prefix: str) -> str:
    """The kept lines of a <pre> in a fenced block; a gap between them an empty line."""
    texts = [line.text for line in group if line is not None]
    fence = "```"
    while any(fence in text for text in texts):
        fence += "`"
    written = [prefix + fence]
    for number, (index, line) in enumerate(zip(indices, group, strict=True)):
        if number and index > indices[number - 1] + 1:
            written.append(prefix.rstrip())
        written.append((prefix + line.text).rstrip() if line is not None else prefix.rstrip())
    written.append(prefix + fence)
    return "\n".join(written)


def escape_inline(text: str) -> str:
    """Text with the characters markdown would read as inline markup escaped."""
    return _INLINE_SPECIAL.sub(r"\\\g<0>", text)


def _escaped_line(line: str) -> str:
    return escape_inline(" ".join(line.split()))


def dump_markdown_lines(lines: Sequence[str]) -> list[MarkdownLine | None]:
    """What markdown shows of a text dump's lines: its list items, nested by their
    indent (an item indented 1 to MAX_NESTING_STEP columns more than the one before
    is in it, but for a numbered one other than 1.), and every other line as a
    paragraph. A line that starts with a bullet
    (•, ◦, ▪, ...) and a space is an item; one that starts with -, *, + or a
    number and a full stop is one only where it is indented or stands next to
    another item (a lone "2. Bundesliga ..." is a paragraph)."""
    matches = [_DUMP_ITEM.match(line) for line in lines]
    found: list[MarkdownLine | None] = []
    nesting: list[tuple[int, int]] = []  # (the item's indent in the dump, its marker's width)
    for index, line in enumerate(lines):
        match = matches[index]
        if match and not (match.group(2) or match.group(1) or _next_to_item(matches, index)):
            match = None
        if not line.strip():
            found.append(None)
            nesting.clear()
        elif match is None:
            found.append(MarkdownLine(_escaped_line(line)))
            nesting.clear()
        else:
            marker = f"{match.group(4)}. " if match.group(4) else "- "
            depth = len(match.group(1).expandtabs(8))
            while nesting and nesting[-1][0] >= depth:
                nesting.pop()
            if nesting and (depth > nesting[-1][0] + MAX_NESTING_STEP  # centred text
                            or match.group(4) not in (None, "1")):  # 2. is 1.'s sibling
                nesting.pop()
            indent = sum(width for _, width in nesting)
            nesting.append((depth, len(marker)))
            found.append(MarkdownLine(_escaped_line(line[match.end():]), marker=marker,
                                      indent=indent))
    return found


def _next_to_item(matches: list, index: int) -> bool:
    return any(0 <= other < len(matches) and matches[other] is not None
               for other in (index - 1, index + 1))
