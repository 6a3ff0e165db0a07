"""Text dumps: one line of the file is one line of the page, blank lines kept."""

from __future__ import annotations

from cleaner.document import Page
from cleaner.markdown import dump_markdown_lines
from cleaner.readers.decode import CONTROL_CHARS, clean_text, split_lines


def read_text(text: str, *, id: str = "", source: str = "", url: str | None = None,
              controls: bool | None = None, markdown: bool = False) -> Page:
    """The page of a dump, control characters dropped line by line: a line that
    held nothing else stays, blank, so that lines still map one to one.
    `controls`: whether the text holds any, when the caller already knows.
    `markdown`: with what markdown shows of each line (its list items)."""
    lines = split_lines(text)
    if controls if controls is not None else CONTROL_CHARS.search(text):
        lines = [clean_text(line) for line in lines]
    return Page(lines=lines, id=id, source=source, url=url, kind="text",
                markdown=dump_markdown_lines(lines) if markdown else None)
