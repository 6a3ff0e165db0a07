"""Raw bytes of one page to a `Page`: unzip, refuse binary, decode, sniff, render."""

from __future__ import annotations

import zlib

from cleaner.document import Page, PageError
from cleaner.readers.decode import (
    bom_encoding,
    clean_text,
    count_lines,
    decode_bytes,
    looks_like_utf16,
    may_hold_controls,
    without_surrogates,
)
from cleaner.readers.sniff import is_gzip, looks_binary, looks_like_html
from cleaner.readers.text import read_text

# Pages above this size give an error record instead of a result: real news
# pages are well under 5 MB even with inline scripts; 20 MB leaves room for
# odd dumps while bounding a worker's memory.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# Pages of more lines than this give an error record too: classifying a line
# takes about 3.5 KB at the peak (235 features, two passes), so 100,000 lines
# take about 350 MB and 3 s. Pages hold a few hundred lines (L3S-GN1's average
# 200, the longest a few thousand), while 20 MB of one-letter lines would be
# ten million of them and tens of GB.
DEFAULT_MAX_LINES = 100_000
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
    max_lines: int = DEFAULT_MAX_LINES,
    cues: bool = True,
    content_type: str | None = None,
    markdown: bool = False,
    links: bool = False,
) -> Page:
    """Read one page; raise PageError with a one-line reason when it cannot be read.
    `cues=False`: HTML without its DOM cues (a site-stats sketch needs the lines only).
    `content_type`: the HTTP Content-Type the page came with, whose charset is used.
    `markdown`: with what markdown shows of each line (`Page.markdown`), HTML's links
    too with `links`."""
    if len(data) > max_bytes:
        raise PageError(too_large(len(data), max_bytes))
    if is_gzip(data):
        data = gunzip(data, max_bytes)
    # UTF-16 and UTF-32 text is full of NUL bytes: not a sign of binary content there.
    wide = bool(looks_like_utf16(data)) or (bom_encoding(data) or "").startswith(("utf-16",
                                                                                  "utf-32"))
    if looks_binary(data, utf16=wide):
        raise PageError("binary content, not a text dump or HTML page")
    text, encoding = decode_bytes(data, html=input_format != "text", clean=False,
                                  charset=content_type)
    return _page(text, id=id, source=source, url=url, input_format=input_format,
                 max_lines=max_lines, controls=may_hold_controls(data, encoding), cues=cues,
                 markdown=markdown, links=links)


def page_from_text(
    text: str, *, id: str = "", source: str = "", url: str | None = None,
    input_format: str = "auto", max_lines: int = DEFAULT_MAX_LINES, cues: bool = True,
    markdown: bool = False, links: bool = False,
) -> Page:
    """Read one page given as text; raise PageError when it cannot be read."""
    return _page(without_surrogates(text), id=id, source=source, url=url, input_format=input_format,
                 max_lines=max_lines, cues=cues, markdown=markdown, links=links)


def too_large(size: int | None, max_bytes: int, unit: str = "bytes") -> str:
    """The reason for a page over the size limit; `size` None when only a part was read."""
    if size is None:
        return f"page too large (over the {max_bytes:,} {unit} limit)"
    return f"page too large ({size:,} {unit} > {max_bytes:,} limit)"


def _page(text: str, *, id: str, source: str, url: str | None, input_format: str,
          max_lines: int, controls: bool = True, cues: bool = True, markdown: bool = False,
          links: bool = False) -> Page:
    """The page of decoded text that may still hold control characters (unless
    `controls` is False): a dump drops them line by line (keeping its lines),
    HTML as a whole."""
    if input_format not in INPUT_FORMATS:
        raise ValueError(f"input format must be one of {INPUT_FORMATS}, got {input_format!r}")
    cleaned = clean_text(text) if controls else text  # the same string: nothing to drop
    if input_format == "html" or (input_format == "auto" and looks_like_html(cleaned)):
        from cleaner.readers.html.render import read_html  # selectolax only when HTML shows up

        page = read_html(cleaned, id=id, source=source, url=url, strict=True, cues=cues,
                         markdown=markdown, links=links)
        _check_lines(len(page.lines), max_lines)
        return page
    _check_lines(count_lines(text), max_lines)  # before the lines take memory
    return read_text(text, id=id, source=source, url=url, controls=cleaned is not text,
                     markdown=markdown)


def _check_lines(lines: int, max_lines: int) -> None:
    if lines > max_lines:
        raise PageError(f"page too long ({lines:,} lines > {max_lines:,} limit)")
