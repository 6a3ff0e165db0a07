"""Raw bytes of one page to a `Page`: unzip, refuse binary, decode, sniff, render."""

from __future__ import annotations

import zlib

from cleaner.document import Page, PageError
from cleaner.readers.decode import bom_encoding, decode_bytes, looks_like_utf16
from cleaner.readers.sniff import is_gzip, looks_binary, looks_like_html
from cleaner.readers.text import read_text

# Pages above this size give an error record instead of a result: real news
# pages are well under 5 MB even with inline scripts; 20 MB leaves room for
# odd dumps while bounding a worker's memory.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
INPUT_FORMATS = ("auto", "html", "text")


def gunzip(data: bytes, max_bytes: int) -> bytes:
    """Decompress at most max_bytes + 1 bytes, so a zip bomb cannot fill memory."""
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = decompressor.decompress(data, max_bytes + 1)
    except zlib.error as error:
        raise PageError(f"corrupt gzip data ({error})") from error
    if len(out) > max_bytes:
        raise PageError(f"page too large after decompression (> {max_bytes:,} bytes)")
    if not decompressor.eof:
        raise PageError("truncated gzip data")
    return out


def page_from_bytes(
    data: bytes,
    *,
    id: str = "",
    source: str = "",
    url: str | None = None,
    input_format: str = "auto",
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Page:
    """Read one page; raise PageError with a one-line reason when it cannot be read."""
    if len(data) > max_bytes:
        raise PageError(f"page too large ({len(data):,} bytes > {max_bytes:,} limit)")
    if is_gzip(data):
        data = gunzip(data, max_bytes)
    utf16 = bool(looks_like_utf16(data)) or (bom_encoding(data) or "").startswith("utf-16")
    if looks_binary(data, utf16=utf16):
        raise PageError("binary content, not a text dump or HTML page")
    text, _ = decode_bytes(data, html=input_format != "text")
    return page_from_text(text, id=id, source=source, url=url, input_format=input_format)


def page_from_text(
    text: str, *, id: str = "", source: str = "", url: str | None = None,
    input_format: str = "auto",
) -> Page:
    if input_format not in INPUT_FORMATS:
        raise ValueError(f"input format must be one of {INPUT_FORMATS}, got {input_format!r}")
    if input_format == "html" or (input_format == "auto" and looks_like_html(text)):
        from cleaner.readers.html import read_html  # selectolax only when HTML shows up

        return read_html(text, id=id, source=source, url=url)
    return read_text(text, id=id, source=source, url=url)
