"""HTTP bodies as servers send them: `Content-Encoding` gzip, deflate or br, decoded.

A WARC response record keeps the body as it went over the wire, compressed if
the server compressed it, with the header that says how. Most servers compress
HTML, and today most of them with brotli (br), which Python's standard library
cannot read: it is decoded with Google's `brotli` package, the reference
implementation, kept by the format's authors. gzip and deflate are zlib's.

Decoding stops one byte past the page size limit, so a small body that
inflates to gigabytes costs no memory. A body cut short, or one that is not
what its header says, raises `ContentEncodingError` with a one-line reason,
unless it is already plain HTML: some WARC writers store the decoded body and
keep the header.
"""

from __future__ import annotations

import zlib

# A coding that leaves the body as it is.
IDENTITY = ("", "identity")
# Bytes decoded at a time: a few megabytes of output are checked against the limit
# as they come.
PIECE = 1 << 16


class ContentEncodingError(ValueError):
    """A body that cannot be decoded as its Content-Encoding says; the message says why."""


class TooLarge(ContentEncodingError):
    """A body whose decoding goes past the page size limit."""


def codings(header: str | None) -> list[str]:
    """The codings a Content-Encoding header lists, in the order they were applied."""
    return [c.strip().lower() for c in (header or "").split(",") if c.strip().lower()
            not in IDENTITY]


def decode_body(body: bytes, header: str | None, limit: int | None = None) -> bytes:
    """`body` with the codings of its Content-Encoding `header` undone (the last
    applied first); at most `limit` bytes, else TooLarge."""
    applied = codings(header)
    try:
        for coding in reversed(applied):
            body = _decode(body, coding, limit)
    except TooLarge:
        raise
    except ContentEncodingError:
        if _already_html(body) and len(applied) == 1:  # stored decoded, header kept
            return body
        raise
    return body


def _decode(body: bytes, coding: str, limit: int | None) -> bytes:
    if coding in ("gzip", "x-gzip"):
        return _inflate(body, 16 + zlib.MAX_WBITS, coding, limit)
    if coding == "deflate":
        # RFC 9110 says zlib-wrapped; some servers send raw deflate.
        wrapped = body[:1] and (body[0] & 0x0F) == 8 and int.from_bytes(body[:2], "big") % 31 == 0
        return _inflate(body, zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS, coding, limit)
    if coding == "br":
        return _unbrotli(body, limit)
    raise ContentEncodingError(f"Content-Encoding {coding} is not supported "
                               "(gzip, deflate, br are)")


def _inflate(body: bytes, window: int, coding: str, limit: int | None) -> bytes:
    decompressor = zlib.decompressobj(window)
    out = _Output(limit)
    try:
        data = body
        while data and not decompressor.eof:
            out.add(decompressor.decompress(data, PIECE))
            data = decompressor.unconsumed_tail
        if not decompressor.eof:
            out.add(decompressor.flush())
    except zlib.error as error:
        raise ContentEncodingError(f"Content-Encoding {coding}: body cannot be decoded "
                                   f"({error})") from None
    if not decompressor.eof:
        raise ContentEncodingError(f"Content-Encoding {coding}: body cut short")
    return out.joined()


def _unbrotli(body: bytes, limit: int | None) -> bytes:
    import brotli  # only when a brotli body comes

    decompressor = brotli.Decompressor()
    out = _Output(limit)
    try:
        out.add(decompressor.process(body, output_buffer_limit=PIECE))
        while not decompressor.is_finished() and not decompressor.can_accept_more_data():
            out.add(decompressor.process(b"", output_buffer_limit=PIECE))
    except brotli.error as error:
        raise ContentEncodingError(f"Content-Encoding br: body cannot be decoded "
                                   f"({error})") from None
    if not decompressor.is_finished():
        raise ContentEncodingError("Content-Encoding br: body cut short")
    return out.joined()


class _Output:
    """Decoded pieces, refused once they pass `limit`."""

    def __init__(self, limit: int | None):
        self.limit, self.pieces, self.size = limit, [], 0

    def add(self, piece: bytes) -> None:
        self.size += len(piece)
        if self.limit is not None and self.size > self.limit:
            raise TooLarge(f"page too large (over the {self.limit:,} bytes limit, decoded)")
        self.pieces.append(piece)

    def joined(self) -> bytes:
        return b"".join(self.pieces)


def _already_html(body: bytes) -> bool:
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<"
