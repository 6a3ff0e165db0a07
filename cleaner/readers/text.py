"""Text dumps: one line of the file is one line of the page, blank lines kept."""

from __future__ import annotations

from cleaner.document import Page
from cleaner.readers.decode import split_lines


def read_text(text: str, *, id: str = "", source: str = "", url: str | None = None) -> Page:
    return Page(lines=split_lines(text), id=id, source=source, url=url, kind="text")
