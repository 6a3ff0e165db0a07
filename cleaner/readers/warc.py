"""WARC and WET files, gzipped or not, read with FastWARC.

Response records holding HTML become HTML pages and conversion records (WET)
become text pages, each keeping its WARC-Target-URI as the url. Everything
else (requests, metadata, warcinfo, revisits, responses that are not HTML) is
skipped and counted by kind. A file cut mid-record gives its good records and
then one broken entry for the break.

FastWARC over warcio: on 2,000 HTML responses it read a gzipped WARC 2.2 times
as fast and a plain one 4 times as fast, and after parsing the HTTP headers it
still knows the payload's declared length, which is what tells a record cut
short from a complete one.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from fastwarc.warc import ArchiveIterator, WarcRecordType

HTML_TYPES = ("text/html", "application/xhtml+xml")
RECORD_ID = re.compile(r"<?(?:urn:uuid:)?([^<>]+)>?")
CONTENT_LENGTH = re.compile(rb"^content-length:\s*(\d+)\s*$", re.I | re.M)
# Skipped records are counted under these names in the run's summary.
SKIPPED_NON_HTML = "non-HTML response"


@dataclass(frozen=True, slots=True)
class WarcEntry:
    """One page record of a WARC/WET file, or the break where the file is cut (error set)."""

    offset: int  # where the record starts in the file (compressed offset for .gz)
    id: str | None = None
    url: str | None = None
    content: bytes | None = None
    kind: str = "html"  # "text" for WET conversion records
    error: str | None = None


def iter_warc(stream: IO[bytes], skipped: Counter, *, seekable: bool) -> Iterator[WarcEntry]:
    """Page records of a WARC/WET stream in order; other records counted in `skipped`."""
    last_offset, records = 0, 0
    forward = None if seekable else ForwardOnly(stream)
    records_of = ArchiveIterator(forward or stream, parse_http=True)
    try:
        for record in records_of:
            records += 1
            last_offset = record.stream_pos
            if forward is not None:
                forward.forget_before(last_offset)
            entry = _entry(record, skipped)
            if entry is not None:
                yield entry
                if entry.error is not None:
                    return
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as error:  # FastWARC reports some broken streams as a Rust panic
        yield _break(last_offset, f"unreadable WARC data ({error})")
        return
    if not _ends_cleanly(_tail(stream, forward, last_offset), records):
        yield _break(last_offset, "file ends inside a record")


def _entry(record, skipped: Counter) -> WarcEntry | None:
    """A page, a break (the record is cut short), or None for a record that is no page."""
    kind = _page_kind(record)
    if kind is None:  # not read: FastWARC skips its bytes, the tail check sees a cut
        skipped[_skip_reason(record)] += 1
        return None
    payload = record.reader.read()
    if len(payload) < record.content_length:
        return _break(record.stream_pos, f"record cut short ({len(payload):,} of "
                                         f"{record.content_length:,} bytes)")
    return _page_entry(record, payload, kind)


class ForwardOnly:
    """A pipe as FastWARC needs it: it asks where it is, and must never try to seek.

    It keeps the bytes from the start of the current record on, so that the end
    of a pipe can be checked like the end of a file.
    """

    def __init__(self, stream: IO[bytes]):
        self.stream = stream
        self.position = 0
        self.kept = bytearray()
        self.kept_from = 0  # stream offset of kept[0]

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.position += len(data)
        self.kept += data
        return data

    def tell(self) -> int:
        return self.position

    def forget_before(self, offset: int) -> None:
        del self.kept[: max(0, offset - self.kept_from)]
        self.kept_from = max(self.kept_from, offset)

    def rest(self) -> bytes:
        return bytes(self.kept) + self.stream.read()


def _page_entry(record, payload: bytes, kind: str) -> WarcEntry:
    if _is_chunked(record):
        payload = dechunk(payload)
    return WarcEntry(offset=record.stream_pos, id=_record_id(record),
                     url=record.headers.get("WARC-Target-URI"), content=payload, kind=kind)


def _page_kind(record) -> str | None:
    if record.record_type == WarcRecordType.conversion:
        return "text"
    if record.record_type not in (WarcRecordType.response, WarcRecordType.resource):
        return None
    content_type = record.http_content_type if record.is_http else (
        record.headers.get("Content-Type"))
    return "html" if (content_type or "").lower().startswith(HTML_TYPES) else None


def _skip_reason(record) -> str:
    if record.record_type in (WarcRecordType.response, WarcRecordType.resource):
        return SKIPPED_NON_HTML
    return str(record.record_type)


def _record_id(record) -> str | None:
    match = RECORD_ID.fullmatch(record.record_id or "")
    return match.group(1) if match else None


def _is_chunked(record) -> bool:
    headers = record.http_headers if record.is_http else None
    return headers is not None and headers.get("Transfer-Encoding", "").lower() == "chunked"


def dechunk(body: bytes) -> bytes:
    """An HTTP/1.1 chunked body joined; the body as stored when it is not validly chunked."""
    parts, position = [], 0
    while True:
        end = body.find(b"\r\n", position)
        try:
            size = int(body[position:end].split(b";")[0], 16)
        except ValueError:
            return body
        if end < 0 or size == 0:
            return b"".join(parts)
        parts.append(body[end + 2:end + 2 + size])
        position = end + 2 + size + 2


def _break(offset: int, reason: str) -> WarcEntry:
    return WarcEntry(offset=offset, error=reason)


def _tail(stream: IO[bytes], forward: ForwardOnly | None, last_offset: int) -> bytes:
    """The bytes from the start of the last record to the end of the stream."""
    if forward is not None:
        forward.forget_before(last_offset)
        return forward.rest()
    stream.seek(last_offset)
    return stream.read()


def _ends_cleanly(tail: bytes, records: int) -> bool:
    """Whether the stream ends right after its last record (FastWARC stops quietly at a cut)."""
    if records == 0:
        return not tail.strip()
    if tail[:2] == b"\x1f\x8b":  # gzipped: one member per record, and it must be whole
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            tail = decompressor.decompress(tail)
        except zlib.error:
            return False
        if not decompressor.eof or decompressor.unused_data.strip():
            return False
    return _one_whole_record(tail)


def _one_whole_record(block: bytes) -> bool:
    if not block.startswith(b"WARC/"):  # not a record start (one gzip member for the
        return True  # whole file): nothing to check against, trust the reader
    header_end = block.find(b"\r\n\r\n")
    length = CONTENT_LENGTH.search(block, 0, max(header_end, 0))
    if header_end < 0 or length is None:
        return False
    end = header_end + 4 + int(length.group(1))
    return len(block) >= end and not block[end:].strip()
