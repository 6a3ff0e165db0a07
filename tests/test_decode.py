"""Decoding never raises and recovers the best text; lines split like `wc -l` counts."""

import codecs
import sys
from pathlib import Path

import pytest

from cleaner.readers.decode import decode_bytes, split_lines

TEXT = "Zürich – “quoted” café"


@pytest.mark.parametrize(
    "data, encoding",
    [
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),  # no BOM: sniffed from the NUL pattern
        (TEXT.encode("utf-8"), "utf-8"),
        (TEXT.encode("cp1252"), "cp1252"),
    ],
)
def test_encodings_decode_to_the_same_text(data, encoding):
    text, used = decode_bytes(data)
    assert text == TEXT
    assert used == encoding


def test_latin1_bytes_that_cp1252_leaves_undefined_still_decode():
    text, _ = decode_bytes(b"caf\xe9 \x81\x8d\x8f\x90\x9d")
    assert text.startswith("café ")
    assert len(text) == 10


def test_truncated_utf8_keeps_utf8_and_marks_the_cut():
    data = "Putin’s visit ‘new world order’".encode() + "’".encode()[:2]
    text, used = decode_bytes(data)
    assert used == "utf-8"
    assert text == "Putin’s visit ‘new world order’\ufffd"


def test_declared_charset_is_used_for_html():
    page = '<meta charset="koi8-r"><p>привет</p>'.encode("koi8-r")
    text, used = decode_bytes(page, html=True)
    assert used == "koi8-r"
    assert "привет" in text


def test_declared_charset_that_lies_loses_to_valid_utf8():
    page = '<meta charset="iso-8859-1"><p>Zürich</p>'.encode()
    text, used = decode_bytes(page, html=True)
    assert used == "utf-8"
    assert "Zürich" in text


def test_control_characters_are_dropped_but_tabs_and_newlines_kept():
    text, _ = decode_bytes(b"a\x00b\tc\x0cd\r\ne\x7f")
    assert text == "ab\tcd\r\ne"


def test_split_lines_on_lf_crlf_and_lone_cr_only():
    assert split_lines("a\r\nb\rc\n\nd\n") == ["a", "b", "c", "", "d"]
    assert split_lines("no newline at end") == ["no newline at end"]
    assert split_lines("x\u2028y\x85z") == ["x\u2028y\x85z"]  # not line breaks for a dump
    assert split_lines("") == []


# News pages written for this test, in the legacy charsets their languages used,
# without a declared charset; their file names say the charset (tests/data/charsets).
CHARSET_PAGES = sorted((Path(__file__).parent / "data" / "charsets").glob("*.html"))
HEADLINES = {
    "ru-cp1251": "Путин встретился с президентом Ирана",
    "ru-koi8-r": "В Москве открыли новый участок Большой кольцевой линии метро",
    "el-windows-1253": "Καύσωνας: Κλειστή η Ακρόπολη τις μεσημεριανές ώρες",
    "ja-shift_jis": "東京都、大規模地震を想定した総合防災訓練を実施",
    "zh-gbk": "我国高速铁路运营里程突破4.5万公里",
}


@pytest.mark.parametrize("path", CHARSET_PAGES, ids=[path.stem for path in CHARSET_PAGES])
def test_undeclared_non_latin_pages_are_detected(path):
    data = path.read_bytes()
    assert b"charset" not in data
    text, _ = decode_bytes(data, html=True)
    assert text == data.decode(path.stem.split("-", 1)[1])
    assert HEADLINES[path.stem] in text
    assert decode_bytes(data)[0] == text  # a text dump is read the same way


def test_every_charset_page_is_tested():
    assert sorted(path.stem for path in CHARSET_PAGES) == sorted(HEADLINES)


def test_a_declared_charset_comes_before_detection():
    data = (CHARSET_PAGES[0].parent / "ru-koi8-r.html").read_bytes()
    assert decode_bytes(data, html=True)[1] == "koi8-u"  # detected: KOI8-R's superset for text
    assert decode_bytes(data, html=True, charset="text/html; charset=iso-8859-5")[1] == "iso8859-5"
    assert decode_bytes(b"<meta charset=koi8-r>" + data, html=True)[1] == "koi8-r"
    assert decode_bytes(b"<meta charset=latin1>" + data, html=True)[1] == "cp1252"
    # A server's Western header is its default, not a word on the page: detection still runs.
    assert decode_bytes(data, html=True, charset="text/html; charset=ISO-8859-1")[1] == "koi8-u"


def test_http_charset_comes_before_meta_and_a_wrong_one_is_passed_over():
    page = '<meta charset="windows-1251"><p>Да</p>'.encode("koi8-r")
    assert decode_bytes(page, html=True, charset="text/html; charset=koi8-r")[0].endswith(
        "<p>Да</p>")
    # Hebrew leaves bytes of the KOI8-R "Да" undefined: the header lied.
    assert decode_bytes(page, html=True, charset="text/html; charset=iso-8859-8")[1] == "cp1251"
    # A Western header is the reading of last resort (servers send it by default).
    assert decode_bytes(page, html=True, charset="text/html; charset=iso-8859-1")[1] == "cp1251"
    assert decode_bytes(page, html=True, charset="text/html; charset=no-such")[1] == "cp1251"


def test_western_text_is_not_sent_to_detection():
    western = "“Ærøskøbing’s café” – naïve façade, 5 € … Größe, señor".encode("cp1252")
    assert decode_bytes(western * 50)[1] == "cp1252"


def test_a_multibyte_page_cut_mid_character_keeps_its_charset():
    data = (CHARSET_PAGES[0].parent / "ja-shift_jis.html").read_bytes()
    cut = data[: data.index("。".encode("shift_jis")) + 1]  # half of a two-byte character
    text, used = decode_bytes(cut, html=True)
    assert used == "shift_jis"
    assert text.endswith("\ufffd") and "首都直下地震が発生したとの想定で" in text


def test_a_declared_multibyte_page_cut_mid_character_keeps_its_charset():
    page = '<meta charset="shift_jis"><p>東京都の防災訓練。</p>'.encode("shift_jis")
    data = page[:-5]  # cut after the first byte of "。"
    text, used = decode_bytes(data, html=True)
    assert used == "shift_jis"
    assert text.endswith("東京都の防災訓練\ufffd")


def test_without_the_detector_an_undeclared_page_falls_back_to_cp1252(monkeypatch):
    monkeypatch.setitem(sys.modules, "resiliparse.parse.encoding", None)  # import fails
    data = (CHARSET_PAGES[0].parent / "ru-cp1251.html").read_bytes()
    assert decode_bytes(data, html=True) == (data.decode("cp1252"), "cp1252")
