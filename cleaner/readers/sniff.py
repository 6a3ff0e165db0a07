"""Tell what raw bytes are: gzip, binary, HTML or a text dump."""

from __future__ import annotations

import re

GZIP_MAGIC = b"\x1f\x8b"
# File signatures of formats that are never pages (images, archives, executables, ...).
BINARY_MAGICS = (
    b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"%PDF", b"PK\x03\x04", b"\x7fELF",
    b"MZ", b"BZh", b"\xfd7zXZ", b"7z\xbc\xaf", b"Rar!", b"RIFF", b"OggS", b"fLaC", b"ID3",
    b"\x00\x00\x01\x00", b"wOFF", b"wOF2", b"\x00asm", b"SQLite format 3",
)
SNIFF_BYTES = 65536
# Share of control bytes above which a sample is binary. Text dumps with a few
# stray NULs or form feeds stay far below; compressed or executable data, whose
# bytes are spread evenly, sits near 0.1-0.3 (ASCII controls are 27 of 256 values).
BINARY_CONTROL_SHARE = 0.05
CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27)) + b"\x7f"

HTML_START = re.compile(r"\s*(?:<!doctype\s+html|<html|<head|<body|<\?xml|<!--|<meta|<title)",
                        re.I)
HTML_TAG = re.compile(r"<(?:div|p|a|span|table|td|br|meta|script|link|li|ul|h[1-6]|img|body)"
                      r"[\s>/]", re.I)
# A text dump rarely holds even one tag; three in the first 4 KB means HTML.
HTML_MIN_TAGS = 3


def is_gzip(data: bytes) -> bool:
    return data[:2] == GZIP_MAGIC


def looks_binary(data: bytes, *, utf16: bool = False) -> bool:
    if data.startswith(BINARY_MAGICS):
        return True
    if utf16:
        return False
    sample = data[:SNIFF_BYTES]
    if not sample:
        return False
    controls = len(sample) - len(sample.translate(None, CONTROL_BYTES))
    return controls / len(sample) > BINARY_CONTROL_SHARE


def looks_like_html(text: str) -> bool:
    head = text[:4096]
    if HTML_START.match(head):
        return True
    # A fragment that opens with a block or inline tag (`<p>Hi</p>`) is HTML too.
    if HTML_TAG.match(head.lstrip()):
        return True
    return len(HTML_TAG.findall(head)) >= HTML_MIN_TAGS
