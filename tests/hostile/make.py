"""The hostile-input corpus: every kind of bad page cleaner must answer clearly.

Each `Case` writes its input into an empty folder, generated at test time (the
large ones would bloat the repository), and says what `cleaner clean FOLDER
--format jsonl --lines` must give for it: one expectation per record, in
order, either OK (a cleaned page) or a piece of the record's one-line error.

    python -m tests.hostile.make OUT/    # write every case to OUT/<case>/, to try by hand
"""

from __future__ import annotations

import codecs
import gzip
import json
import os
import random
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

OK = None  # a record cleaned without error
MB = 1024 * 1024
ARTICLE = (
    "Harbour town votes to rebuild its sea wall\n\n"
    "Councillors in Port Averley voted on Tuesday to rebuild the sea wall that the winter "
    "storms broke in three places, after residents said the flooding had cost them dearly.\n"
    "The work will start in the spring and should take eighteen months, the council said.\n"
)
PARAGRAPH = ("<p>Councillors in Port Averley voted on Tuesday to rebuild the sea wall that the "
             "winter storms broke in three places.</p>")


@dataclass(frozen=True)
class Case:
    kind: str  # what is hostile about it, as the README lists it
    name: str  # the file (or link, or folder) written into the case's folder
    write: Callable[[Path], None]  # writes it, given its path
    records: tuple[str | None, ...] | None = (OK,)  # per record: OK, or a piece of its
    # error; None: as many as `check` accepts
    args: tuple[str, ...] = ()  # more options for `cleaner clean`
    seconds: float = 10.0  # time bound for the whole command, with 10x headroom or more
    large: bool = False  # megabytes of input: tested alone only
    check: Callable[[list[dict]], None] | None = field(default=None, compare=False)


def _bytes(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def _random_bytes(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def _html(body: str) -> str:
    return f"<!doctype html><html><head><title>t</title></head><body>{body}</body></html>"


# --- binary content with page names ------------------------------------------------------

BINARY = [
    Case("PNG image named .txt", "image.txt",
         _bytes(b"\x89PNG\r\n\x1a\n" + _random_bytes(4000, 1)), ("binary content",)),
    Case("PDF named .html", "report.html",
         _bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + _random_bytes(4000, 2)), ("binary content",)),
    Case("ELF executable named .txt", "program.txt",
         _bytes(b"\x7fELF\x02\x01\x01" + bytes(9) + _random_bytes(4000, 3)),
         ("binary content",)),
    Case("zip archive named .html", "archive.html",
         _bytes(b"PK\x03\x04\x14\x00" + _random_bytes(4000, 4)), ("binary content",)),
    Case("random bytes named .txt", "noise.txt", _bytes(_random_bytes(20_000, 5)),
         ("binary content",)),
    Case("only NUL bytes", "nuls.txt", _bytes(bytes(5000)), ("binary content",)),
]


# --- empty and odd text ------------------------------------------------------------------

def _no_text(records: list[dict]) -> None:
    assert records[0]["text"] == "" and all(line["label"] is None
                                            for line in records[0]["lines"])


def _text_has(*words: str) -> Callable[[list[dict]], None]:
    def check(records: list[dict]) -> None:
        lines = " ".join(line["text"] for line in records[0]["lines"])
        for word in words:
            assert word in lines, (word, lines[:300])
    return check


def _line_texts(*expected: str) -> Callable[[list[dict]], None]:
    def check(records: list[dict]) -> None:
        assert [line["text"] for line in records[0]["lines"]] == list(expected)
    return check


TEXT = [
    Case("empty file", "empty.txt", _bytes(b""), check=_line_texts()),
    Case("whitespace only", "blank.txt", _bytes(b"  \n\t\n \r\n\n   "), check=_no_text),
    Case("NUL bytes in text", "nul-in-text.txt",
         _bytes(ARTICLE.encode().replace(b"sea wall", b"sea\x00 wall")),
         check=_text_has("sea wall")),
    Case("control characters", "controls.txt",
         _bytes(ARTICLE.encode().replace(b"Tuesday", b"Tues\x01\x1b\x7fday\x0c")),
         check=_text_has("Tuesday")),
    Case("UTF-8 with BOM", "bom8.txt", _bytes(codecs.BOM_UTF8 + "Café society\n".encode()),
         check=_line_texts("Café society")),
    Case("UTF-16 LE with BOM", "bom16le.txt",
         _bytes(codecs.BOM_UTF16_LE + ARTICLE.encode("utf-16-le")),
         check=_text_has("Port Averley")),
    Case("UTF-16 BE with BOM, HTML", "bom16be.html",
         _bytes(codecs.BOM_UTF16_BE + _html(PARAGRAPH).encode("utf-16-be")),
         check=_text_has("Port Averley")),
    Case("UTF-32 LE with BOM", "bom32le.txt",
         _bytes(codecs.BOM_UTF32_LE + ARTICLE.encode("utf-32-le")),
         check=_text_has("Port Averley")),
    Case("UTF-16 LE without BOM", "utf16le.txt", _bytes(ARTICLE.encode("utf-16-le")),
         check=_text_has("Port Averley")),
    Case("UTF-16 BE without BOM", "utf16be.txt", _bytes(ARTICLE.encode("utf-16-be")),
         check=_text_has("Port Averley")),
    Case("declared charset that lies", "lying-charset.html",
         _bytes(_html('<meta charset="shift_jis"><p>Caf\xe9 owners said '
                      "\u201cno\u201d to the plan.</p>").encode("cp1252")),
         check=_text_has("Café owners", "\u201cno\u201d")),
    Case("cp1252", "cp1252.txt",
         _bytes("The mayor\u2019s \u201cplan\u201d costs \u20ac5m.\n".encode("cp1252")),
         check=_line_texts("The mayor\u2019s \u201cplan\u201d costs \u20ac5m.")),
    Case("latin-1", "latin1.txt", _bytes("Café owners in Zürich.\n".encode("latin-1")),
         check=_line_texts("Café owners in Zürich.")),
    Case("invalid UTF-8", "bad-utf8.txt",
         _bytes("Café ".encode() * 50 + b"\xc3\x28 \xa0\xa1 \xf0\x28\x8c\x28 end\n"),
         check=_text_has("Café", "end")),
    Case("mixed CRLF, CR and LF", "newlines.txt", _bytes(b"one\r\ntwo\rthree\nfour\r\n\rsix"),
         check=_line_texts("one", "two", "three", "four", "", "six")),
    Case("a 10 MB single line", "one-line.txt", lambda p: p.write_bytes(b"word " * (2 * MB)),
         seconds=30, large=True),
    Case("a page over --max-bytes (default 20 MB)", "huge.txt",
         lambda p: p.write_bytes(b"a line of text\n" * (20 * MB // 15 + 1)),
         ("page too large (20,971,530 bytes > 20,971,520 limit)",), large=True),
    Case("more lines than --max-lines (default 100,000)", "many-lines.txt",
         lambda p: p.write_bytes(b"a\n" * 100_001), ("page too long (100,001 lines",),
         large=True),
]


# --- hostile HTML ------------------------------------------------------------------------

HTML = [
    Case("100,000 nested divs", "deep-divs.html",
         lambda p: p.write_text("<div>" * 100_000 + "deep" + "</div>" * 100_000),
         check=_line_texts("deep")),
    Case("200,000 <br> alone", "br-only.html", lambda p: p.write_text(_html("<br>" * 200_000))),
    Case("200,000 lines of <br>", "br-lines.html",
         lambda p: p.write_text(_html("word<br>" * 200_000)), ("page too long (200,000 lines",)),
    Case("unclosed tags", "unclosed-tags.html",
         lambda p: p.write_text(_html("<div><p><span><b><table><tr><td>x" * 20_000))),
    Case("unclosed comment", "unclosed-comment.html",
         lambda p: p.write_text(_html(PARAGRAPH + "<!-- " + "never closed " * 100_000)),
         check=_text_has("Port Averley")),
    Case("unclosed script", "unclosed-script.html",
         lambda p: p.write_text(_html(PARAGRAPH + "<script>var x = '<p>no</p>';" * 50_000)),
         check=_text_has("Port Averley")),
    Case("huge attribute", "huge-attribute.html",
         lambda p: p.write_text(_html(f'<div class="{"a" * (5 * MB)}">{PARAGRAPH}</div>')),
         check=_text_has("Port Averley"), large=True),
    Case("deeply nested tables", "deep-tables.html",
         lambda p: p.write_text(_html("<table><tr><td>" * 20_000 + "cell"))),
    Case("nesting of mixed elements (<li><h1>, <span><pre>)", "mixed-nesting.html",
         lambda p: p.write_text(_html("<li><h1>x" * 50_000 + "<span><pre>y" * 50_000))),
    Case("entity bombs (&#x0; &#xD800; huge numbers)", "entities.html",
         lambda p: p.write_text(_html(
             "<p>" + "&#x0;&#xD800;&#99999999999999;&#x110000;&#0000000065;&amp&lt" * 50_000))),
    Case("tags never closed in the head (<link ...)", "unclosed-links.html",
         lambda p: p.write_text("<html><head>" + '<link rel="x" href="y" ' * 50_000)),
    Case("a page cut inside its <title>", "cut-title.html",
         lambda p: p.write_text(f"<html><head><title>Harbour {PARAGRAPH * 3}"),
         check=_text_has("Port Averley")),
]


# --- compressed pages --------------------------------------------------------------------

def _gzip_cut(path: Path) -> None:
    rng = random.Random(8)
    page = _html("".join(f"<p>Paragraph {rng.random()} of the story.</p>" for _ in range(500)))
    data = gzip.compress(page.encode())
    path.write_bytes(data[: len(data) // 2])


def _gzip_bomb(path: Path) -> None:
    """25 MB of spaces in a gzip file of about 25 KB: over the limit once unpacked."""
    with gzip.open(path, "wb", compresslevel=9) as handle:
        for _ in range(25):
            handle.write(b" " * MB)


GZIP = [
    Case("gzip cut short", "cut.html.gz", _gzip_cut, ("truncated gzip",)),
    Case("corrupt gzip", "corrupt.txt.gz", _bytes(b"\x1f\x8b\x08\x00" + _random_bytes(500, 6)),
         ("corrupt gzip",)),
    Case("gzip bomb over the limit", "bomb.html.gz", _gzip_bomb,
         ("page too large after decompression",)),
]


# --- JSONL exports -----------------------------------------------------------------------

def _jsonl_rows(path: Path) -> None:
    rows = [
        json.dumps({"id": "good", "text": ARTICLE}),
        '{"id": "cut", "text": "Councillors in',  # a line cut by a crashed exporter
        "[1, 2, 3]",  # not an object
        json.dumps({"id": "no-page", "url": "https://n.example/x"}),
        json.dumps({"id": "number", "text": 12345}),
        json.dumps({"id": "null-html", "html": None}),
        json.dumps({"id": {"nested": "id"}, "text": "An id that is an object."}),
        '{"id": "surrogate", "text": "Lone \\ud800 half, a pair \\ud83d\\ude00, a NUL \\u0000."}',
        "",  # a blank line is no record
        json.dumps({"id": "html", "html": _html(PARAGRAPH)}),
    ]
    path.write_text("\r\n".join(rows) + "\n")


def _jsonl_bomb(path: Path) -> None:
    """One 45 MB line (gzipped to about 45 KB) and a good line after it."""
    with gzip.open(path, "wb", compresslevel=9) as handle:
        handle.write(b'{"id": "bomb", "text": "')
        for _ in range(45):
            handle.write(b"a" * MB)
        handle.write(b'"}\n' + json.dumps({"id": "after", "text": ARTICLE}).encode() + b"\n")


def _jsonl_cut(path: Path) -> None:
    rng = random.Random(9)
    rows = [json.dumps({"id": f"r{i}", "text": f"{ARTICLE}{rng.random()}"}) for i in range(40)]
    data = gzip.compress(("\n".join(rows) + "\n").encode())
    path.write_bytes(data[: len(data) // 2])


def _good_records_then_a_cut(records: list[dict]) -> None:
    assert len(records) > 2 and all("error" not in record for record in records[:-1])
    assert records[-1]["error"].startswith("truncated gzip data after line")


def _surrogate_kept(records: list[dict]) -> None:
    lines = [line["text"] for line in records[7]["lines"]]
    assert lines == ["Lone \ufffd half, a pair \U0001f600, a NUL ."], lines


JSONL = [
    Case("JSONL: broken lines, no text/html, not an object, wrong types, lone surrogates",
         "export.jsonl", _jsonl_rows,
         (OK, "not a JSON line", "not a JSON object", "no string 'text' or 'html' field",
          "no string 'text' or 'html' field", "no string 'text' or 'html' field", OK, OK, OK),
         check=_surrogate_kept),
    Case("JSONL line over the limit (gzip bomb)", "bomb.jsonl.gz", _jsonl_bomb,
         ("line too long", OK), seconds=20),
    Case("JSONL gzip cut short", "cut.jsonl.gz", _jsonl_cut, records=None,
         check=_good_records_then_a_cut),
]


# --- WARC files --------------------------------------------------------------------------

def warc_record(url: str, html: bytes) -> bytes:
    body = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
            + str(len(html)).encode() + b"\r\n\r\n" + html)
    headers = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {url}\r\n"
               f"WARC-Record-ID: <urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url)}>\r\n"
               "Content-Type: application/http; msgtype=response\r\n"
               f"Content-Length: {len(body)}\r\n\r\n")
    return headers.encode() + body + b"\r\n\r\n"


def _pages(count: int, size: int = 1) -> list[bytes]:
    return [warc_record(f"https://n.example/{i}", _html(PARAGRAPH * size).encode())
            for i in range(count)]


def _warc_cut(path: Path) -> None:
    data = b"".join(gzip.compress(record) for record in _pages(3))
    path.write_bytes(data[: len(data) - 150])


def _warc_garbage(path: Path) -> None:
    one, two, three = _pages(3)
    path.write_bytes(one + b"\x00garbage\xff" * 100 + two + b"GARBAGE LINE\r\n\r\n" + three)


def _warc_gzip_garbage(path: Path) -> None:
    one, two, three = (gzip.compress(record) for record in _pages(3))
    path.write_bytes(one + _random_bytes(3000, 7) + two + three)


def _warc_huge_record(path: Path) -> None:
    one, three = _pages(2)
    path.write_bytes(one + warc_record("https://n.example/huge", _html(PARAGRAPH * 500).encode())
                     + three)


WARC = [
    Case("WARC cut mid-record", "cut.warc.gz", _warc_cut, (OK, OK, "file ends inside a record")),
    Case("WARC with garbage between records", "garbage.warc", _warc_garbage,
         (OK, "unreadable WARC data", OK, "unreadable WARC data", OK)),
    Case("gzipped WARC with garbage between members", "garbage.warc.gz", _warc_gzip_garbage,
         (OK, "unreadable WARC data", OK, OK)),
    Case("WARC record over --max-bytes", "huge-record.warc", _warc_huge_record,
         (OK, "page too large", OK), args=("--max-bytes", "20000")),
]


# --- the file system ---------------------------------------------------------------------

def _dangling(path: Path) -> None:
    path.symlink_to(path.with_name("nowhere.txt"))


def _unreadable(path: Path) -> None:
    """A file the reader may not read: mode 000 for users; as root, which reads any
    file, a link to /proc/self/mem, which gives EIO at offset 0."""
    if os.geteuid() != 0:
        path.write_text(ARTICLE)
        path.chmod(0)
    else:
        path.symlink_to("/proc/self/mem")


def _folder_named_like_a_page(path: Path) -> None:
    path.mkdir()
    (path / "inside.txt").write_text(ARTICLE)


def _fifo(path: Path) -> None:
    os.mkfifo(path)  # opening it would wait for a writer forever


def _link_loop(path: Path) -> None:
    other = path.with_name("loop-b.txt")
    path.symlink_to(other.name)
    other.symlink_to(path.name)


def _undecodable_name(path: Path) -> None:
    """caf\xe9.txt, whatever `path` says: a latin-1 name, not UTF-8."""
    with open(os.fsencode(path.parent) + b"/caf\xe9.txt", "wb") as handle:
        handle.write(ARTICLE.encode())


def _source_keeps_the_name(records: list[dict]) -> None:
    assert os.fsencode(records[0]["source"]).endswith(b"/caf\xe9.txt")


FILES = [
    Case("dangling symbolic link", "dangling.txt", _dangling,
         ("cannot read: No such file or directory",)),
    Case("unreadable file", "unreadable.txt", _unreadable, ("cannot read: ",)),
    Case("directory named like a page file", "folder.txt", _folder_named_like_a_page),
    Case("FIFO named like a page", "pipe.txt", _fifo, ("not a regular file",)),
    Case("symbolic link loop", "loop-a.txt", _link_loop,
         ("Too many levels of symbolic links",) * 2),
    Case("file name that is not UTF-8", "cafe.txt", _undecodable_name,
         check=_source_keeps_the_name),
]

CASES: list[Case] = BINARY + TEXT + HTML + GZIP + JSONL + WARC + FILES


def case_id(case: Case) -> str:
    return case.name.replace(".", "-")


def write_case(case: Case, folder: Path) -> Path:
    """The case's input in a new folder of its own; returns the folder."""
    folder.mkdir(parents=True)
    case.write(folder / case.name)
    return folder


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
    for each in CASES:
        write_case(each, out / case_id(each))
        print(f"{out / case_id(each)}\t{each.kind}")
