"""Bytes to text, never raising: BOMs, declared charsets, UTF-8, detection, cp1252.

Crawled pages lie about their encoding often enough that a declared charset
is only a first guess: it must decode cleanly or we fall back to UTF-8, then
to detection for a page in a non-Latin script (uchardet, asked only when the
page's bytes look like one), and then cp1252, which maps every byte (the five
bytes cp1252 leaves undefined are read as latin-1), so decoding always yields
text. docs/robustness.md tells the order and its measurements.
"""

from __future__ import annotations

import codecs
import functools
import logging
import re

log = logging.getLogger(__name__)

BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Where browsers look for <meta charset>: the first 1024 bytes, widened because
# crawled pages often put long <script> blocks first.
META_SNIFF_BYTES = 8192
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.I)
HTTP_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.I)

# WHATWG: labels that browsers decode as windows-1252.
CP1252_ALIASES = {"iso-8859-1", "latin-1", "latin1", "l1", "ascii", "us-ascii", "iso8859-1",
                  "windows-1252", "cp1252", "x-cp1252"}

# A UTF-8 reading is kept despite invalid sequences while valid multi-byte
# characters outnumber them by this factor: a page truncated mid-character has
# one bad sequence among many good ones, while cp1252 text read as UTF-8 has
# almost no valid multi-byte sequences at all.
UTF8_GOOD_PER_BAD = 2

# A bad sequence this close to the end is a multi-byte character cut short.
CUT_CHARACTER_BYTES = 4

# Detection runs only for pages whose bytes >= 0x80 come in words: Cyrillic,
# Greek, Arabic, Hebrew or Thai in an 8-bit charset, and CJK in any of theirs,
# spell whole words in them, while Western text has one accented letter among
# ASCII ones and punctuation (quotes, dashes) alone. Detectors guess wildly on
# such pages (on 2,453 Western pages of the datasets in legacy charsets, uchardet
# said Greek for 35 and Shift_JIS for 5), so they are not asked. The gate counts
# bytes in runs of four by translating and counting, at memchr speed (a regex
# finding the runs took 1 ms a 80 KB page). Tuned with benchmarks/bench_charsets.py:
# of 2,453 Western pages of the datasets 6 pass it, and 305 of 311 non-Latin ones.
HIGH_BYTES = bytes(range(0x80, 0x100))
AS_HIGH_OR_NOT = bytes.maketrans(HIGH_BYTES + bytes(range(0x80)), b"\x80" * 0x80 + b" " * 0x80)
HIGH_WORD = b"\x80" * 4
MIN_WORD_BYTES = 16
WORD_BYTES_SHARE = 0.4
# What uchardet reads of a page: from just before its first word of high bytes on
# (a page's head is markup and script), enough text for its statistics.
DETECT_FROM_BEFORE = 256
DETECT_BYTES = 32 * 1024
# What a detector may answer, and how to read it, in order: a Latin answer is no
# better than cp1252 (detectors mix cp1250, cp1252 and their kin up); a page that
# Python's strict codec refuses may be in the superset the web means by the name
# (WHATWG: Shift_JIS is read as cp932, GBK as GB18030, ...); and KOI8-U is KOI8-R
# with Ukrainian letters in place of box-drawing ones, which uchardet does not tell.
NON_LATIN_CHARSETS = (  # by label; the table by Python's names: non_latin_readings()
    ("cp1251", ("cp1251",)), ("koi8-r", ("koi8-u",)), ("koi8-u", ("koi8-u",)),
    ("iso-8859-5", ("iso-8859-5",)), ("cp866", ("cp866",)), ("mac-cyrillic", ("mac-cyrillic",)),
    ("cp1253", ("cp1253",)), ("iso-8859-7", ("iso-8859-7", "cp1253")),
    ("cp1255", ("cp1255",)), ("iso-8859-8", ("iso-8859-8", "cp1255")),
    ("cp1256", ("cp1256",)), ("iso-8859-6", ("iso-8859-6", "cp1256")),
    ("cp874", ("cp874",)), ("tis-620", ("cp874",)), ("iso-8859-11", ("cp874",)),
    ("shift_jis", ("shift_jis", "cp932")), ("cp932", ("cp932",)), ("euc-jp", ("euc-jp",)),
    ("gb2312", ("gbk", "gb18030")), ("gbk", ("gbk", "gb18030")), ("gb18030", ("gb18030",)),
    ("big5", ("big5", "big5hkscs")), ("big5hkscs", ("big5hkscs",)), ("cp950", ("cp950",)),
    ("euc-kr", ("euc-kr", "cp949")), ("cp949", ("cp949",)),
)

# C0 control characters other than tab, newline and carriage return, plus DEL:
# they never belong in visible text and break terminals and JSON consumers.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The same as single bytes, and the encodings whose decoding makes control bytes,
# and only them, into those characters: UTF-8 (its multi-byte sequences use bytes
# >= 0x80 only, and a bad one becomes U+FFFD) and cp1252 with the latin-1 fallback
# (no byte >= 0x80 becomes one). Their text is clean if their bytes are.
CONTROL_BYTES = tuple(bytes([byte]) for byte in range(0x80) if CONTROL_CHARS.match(chr(byte)))
BYTE_TRANSPARENT = frozenset({"utf-8", "cp1252"})


def _cp1252_or_latin1(error: UnicodeDecodeError) -> tuple[str, int]:
    byte = error.object[error.start]
    return chr(byte), error.start + 1


codecs.register_error("cp1252_latin1", _cp1252_or_latin1)


def bom_encoding(data: bytes) -> str | None:
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return encoding
    return None


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a <meta> tag, normalised, if Python knows it."""
    match = META_CHARSET.search(data[:META_SNIFF_BYTES])
    return charset_name(match.group(1).decode("ascii", "ignore")) if match else None


def http_charset(content_type: str | None) -> str | None:
    """The charset of an HTTP Content-Type header ("text/html; charset=koi8-r"), normalised."""
    match = HTTP_CHARSET.search(content_type or "")
    return charset_name(match.group(1)) if match else None


def charset_name(label: str) -> str | None:
    """Python's name for a declared charset label; None for one it does not know."""
    label = label.strip().lower()
    if label in CP1252_ALIASES:
        return "cp1252"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # UTF-16 declared inside an 8-bit readable document is a lie by construction.
    return None if name.startswith("utf-16") or name.startswith("utf-32") else name


def looks_like_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: every other byte is NUL in mostly-ASCII text."""
    sample = data[:4096]
    if len(sample) < 8:
        return None
    even_nuls = sample[0::2].count(0) / (len(sample) / 2)
    odd_nuls = sample[1::2].count(0) / (len(sample) / 2)
    if odd_nuls > 0.4 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.4 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def mostly_utf8(data: bytes) -> str | None:
    """The UTF-8 reading of `data` (bad sequences replaced) if it is mostly valid."""
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    good = len(text) - len(text.encode("ascii", "ignore")) - bad
    return text if good >= UTF8_GOOD_PER_BAD * bad else None


def decode_bytes(data: bytes, *, html: bool = False, clean: bool = True,
                 charset: str | None = None) -> tuple[str, str]:
    """Decode `data` to text; return (text, encoding used). Never raises.

    Order: BOM, BOM-less UTF-16, strict UTF-8 (valid UTF-8 with non-ASCII
    bytes almost never happens by chance, so it beats a declaration), the
    charset the transport declares (`charset`: the HTTP Content-Type of a WARC
    record, as sent), the charset an HTML page declares, mostly-valid UTF-8,
    detection for a page in a non-Latin script that declares none, then cp1252.
    Control characters are dropped unless `clean` is False.
    """
    text, encoding = _decode(data, html, charset)
    if clean and may_hold_controls(data, encoding):
        text = clean_text(text)
    return text, encoding


def _decode(data: bytes, html: bool, charset: str | None) -> tuple[str, str]:
    encoding = bom_encoding(data)
    if encoding:
        bom_len = len(codecs.BOM_UTF8) if encoding == "utf-8" else (4 if "32" in encoding else 2)
        return data[bom_len:].decode(encoding, "replace"), encoding
    encoding = looks_like_utf16(data)
    if encoding:
        return data.decode(encoding, "replace"), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    meta = declared_charset(data) if html else None
    for encoding in (http_charset(charset), meta):
        text = read_as(data, encoding) if encoding not in (None, "utf-8", "cp1252") else None
        if text is not None:
            return text, encoding
    text = mostly_utf8(data)
    if text is not None:
        return text, "utf-8"
    # A page whose author wrote that it is Western is taken at its word; a server
    # says so by default, and is not.
    for encoding in () if meta == "cp1252" else detected_charsets(data):
        text = read_as(data, encoding)
        if text is not None:
            return text, encoding
    return data.decode("cp1252", "cp1252_latin1"), "cp1252"


def read_as(data: bytes, encoding: str) -> str | None:
    """`data` read in `encoding`, None if it is no text in that encoding. A bad
    sequence in the last bytes only is a page cut mid-character, and is kept."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        if error.start < len(data) - CUT_CHARACTER_BYTES:
            return None
    return data.decode(encoding, "replace")


def detected_charsets(data: bytes) -> tuple[str, ...]:
    """The non-Latin charsets to read a page that declares none in, if its bytes
    hold words of such a script; none leaves it to cp1252."""
    marks = data.translate(AS_HIGH_OR_NOT)
    in_words = len(HIGH_WORD) * marks.count(HIGH_WORD)  # a run of 4 to 7 counts 4, ...
    if in_words < MIN_WORD_BYTES or in_words < WORD_BYTES_SHARE * marks.count(b"\x80"):
        return ()
    start = max(0, marks.find(HIGH_WORD) - DETECT_FROM_BEFORE)
    sample = data[start:start + DETECT_BYTES]
    return non_latin_readings().get(charset_name(detect(sample) or "") or "", ())


@functools.cache
def non_latin_readings() -> dict[str, tuple[str, ...]]:
    """NON_LATIN_CHARSETS by Python's names, made when first needed: each lookup
    imports a codec module, 2 ms of a cold start that meets no such page."""
    return {codecs.lookup(label).name: readings for label, readings in NON_LATIN_CHARSETS}


def detect(data: bytes) -> str | None:
    """uchardet's guess (through Resiliparse), imported only when a page needs it.
    Its names as uchardet gives them: mapped to the web's, Korean (UHC) became UTF-8."""
    try:
        from resiliparse.parse.encoding import detect_encoding

        return detect_encoding(data, max_len=0, html5_compatible=False)
    except Exception:  # not installed, or no memory for its detector: cp1252 as before
        log.debug("charset detection failed", exc_info=True)
        return None


def may_hold_controls(data: bytes, encoding: str) -> bool:
    """Whether the text `data` decodes to (with `encoding`) may hold control
    characters. For UTF-8 and cp1252 only control bytes make them, and a search
    per byte runs at memchr speed: ten times faster on a page than a regex over
    its text, which tests every character against its class."""
    return encoding not in BYTE_TRANSPARENT or any(byte in data for byte in CONTROL_BYTES)


def clean_text(text: str) -> str:
    """Drop control characters that no page means to show (NUL, form feed, ...)."""
    return CONTROL_CHARS.sub("", text) if CONTROL_CHARS.search(text) else text


# UTF-16 halves. Decoded bytes never hold them, but text handed over as str can:
# JSON's "\ud800" escape gives one, and a lone one cannot be written as UTF-8.
SURROGATES = re.compile("[\ud800-\udfff]")


def without_surrogates(text: str) -> str:
    """Text given as str made as valid as decoded bytes: surrogate pairs joined,
    lone surrogates replaced by U+FFFD."""
    if SURROGATES.search(text):
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


NEWLINE = re.compile(r"\r\n|\r|\n")


def count_lines(text: str) -> int:
    """How many lines `split_lines` gives, without building them."""
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    return breaks + (not text.endswith(("\n", "\r")) and text != "")


def split_lines(text: str) -> list[str]:
    """Split on LF, CRLF and lone CR only (not str.splitlines' extra separators),
    so the lines are the ones `wc -l` and an editor would count."""
    lines = NEWLINE.split(text) if "\r" in text else text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines
