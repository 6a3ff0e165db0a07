"""JSON lines exports: one page per line, `{"id"?, "url"?, "text" or "html"}`.

Field names are configurable because every crawler exports its own. A line
that is not a JSON object, or has neither page field, becomes a broken entry
that names its line; a gzip file cut short ends with one entry for the break.
A line far longer than any page may be (a gzip bomb, a file with no newlines)
becomes a broken entry too, read in pieces and never held whole.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO


@dataclass(frozen=True, slots=True)
class JsonlFields:
    """Which keys of a record hold the page and what is known about it."""

    id: str = "id"
    url: str = "url"
    text: str = "text"
    html: str = "html"


@dataclass(frozen=True, slots=True)
class JsonlEntry:
    """One line of a JSONL file: a page (content set) or a broken line (error set)."""

    line: int  # 1-based line number in the (decompressed) file
    id: str | None = None
    url: str | None = None
    content: str | None = None
    kind: str = "text"  # "html" when the page came from the html field
    error: str | None = None


# JSON escapes make a page longer on a line (quotes, newlines and tabs take two
# characters, others six): a line may be this many times the page size limit.
ESCAPED_SIZE_FACTOR = 2
# Pieces in which the rest of an overlong line is read and dropped.
SKIP_PIECE = 1 << 20


def iter_jsonl(stream: IO[bytes], fields: JsonlFields, *, gzipped: bool,
               max_bytes: int | None = None) -> Iterator[JsonlEntry]:
    """Every non-blank line of `stream` as a page or a broken line, in order.

    A line longer than ESCAPED_SIZE_FACTOR * max_bytes is a broken line.
    """
    number = 0
    lines = gzip.GzipFile(fileobj=stream) if gzipped else stream
    limit = -1 if max_bytes is None else ESCAPED_SIZE_FACTOR * max_bytes
    try:
        while raw := lines.readline(limit + 1 if limit >= 0 else -1):
            number += 1
            if 0 <= limit < len(raw) and not raw.endswith(b"\n"):
                _skip_rest_of_line(lines)
                yield JsonlEntry(line=number, error=f"line too long (over {limit:,} bytes; "
                                                    f"page size limit {max_bytes:,})")
            elif raw.strip():
                yield parse_line(raw, number, fields)
    except EOFError:
        yield JsonlEntry(line=number + 1, error=f"truncated gzip data after line {number}")
    except (OSError, zlib.error) as error:  # gzip.BadGzipFile is an OSError
        yield JsonlEntry(line=number + 1, error=f"corrupt gzip data after line {number} "
                                                f"({error})")


def _skip_rest_of_line(lines: IO[bytes]) -> None:
    while (piece := lines.readline(SKIP_PIECE)) and not piece.endswith(b"\n"):
        pass


def parse_line(raw: bytes, number: int, fields: JsonlFields) -> JsonlEntry:
    try:
        record = json.loads(raw)
    except ValueError as error:
        reason = "cut short (no end of line)" if not raw.endswith(b"\n") else str(error)
        return JsonlEntry(line=number, error=f"not a JSON line: {reason}")
    if not isinstance(record, dict):
        return JsonlEntry(line=number, error="not a JSON object")
    id, url = _string(record.get(fields.id)), _string(record.get(fields.url))
    html, text = record.get(fields.html), record.get(fields.text)
    # HTML first: its DOM cues make the labels better than the same page as text.
    for content, kind in ((html, "html"), (text, "text")):
        if isinstance(content, str):
            return JsonlEntry(line=number, id=id, url=url, content=content, kind=kind)
    return JsonlEntry(line=number, id=id, url=url,
                      error=f"no string {fields.text!r} or {fields.html!r} field")


def _string(value) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value)
