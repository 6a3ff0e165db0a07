"""How well charset detectors read pages that declare no charset, and how fast.

    python -m benchmarks.bench_charsets [--datasets ../shared/datasets] [--json out.json]

Undeclared pages in legacy encodings, in sets:

- tests/data/charsets: news pages written for the test (Russian in windows-1251 and
  KOI8-R, Greek in windows-1253, Japanese in Shift_JIS, Chinese in GBK);
- locale catalogs: pages made of the translated messages in /usr/share/locale (real
  text in 11 languages of non-Latin scripts, 20 catalogs each), in 13 charsets;
- the datasets: every page that is UTF-8 as crawled (the truth is known), its charset
  declarations stripped and encoded in the legacy charset of the script most letters
  of its rendered text are in (Latin pages in windows-1252, or 1250/1254/1257 where
  their letters need it; Cyrillic in windows-1251 and KOI8-R; ...), characters the
  charset lacks written as &#N; references, as old pages did; wcxb apart from the
  older sets. A page that is ASCII once encoded is left out: it is valid UTF-8.

A page counts as read right when the charset decodes it to the very text its true
charset gives. "before" is cleaner's decoding with no detection (windows-1252 for
every undeclared page that is not UTF-8); "decode_bytes+X" the decoding with detector
X behind its gate; the others the detectors alone, on the whole page.
"""

from __future__ import annotations

import argparse
import gettext
import gzip
import html
import json
import re
import statistics
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

from cleaner.readers import decode
from cleaner.readers.html.render import render_html

ROOT = Path(__file__).resolve().parent.parent
TEST_PAGES = ROOT / "tests" / "data" / "charsets"
DECLARATION = re.compile(rb"<meta[^>]*charset[^>]*>|(?<=<\?xml)[^>]*encoding=[^>]*(?=\?>)", re.I)
# The legacy charsets of each script, as pages in that script used them.
SCRIPT_CHARSETS = {
    "CYRILLIC": ("cp1251", "koi8-r"),
    "GREEK": ("cp1253",),
    "HIRAGANA": ("shift_jis", "euc-jp"),
    "KATAKANA": ("shift_jis", "euc-jp"),
    "HANGUL": ("euc-kr",),
    "ARABIC": ("cp1256",),
    "HEBREW": ("cp1255",),
    "THAI": ("cp874",),
}
LATIN_CHARSETS = ("cp1252", "cp1250", "cp1254", "cp1257")


def detectors(slow: bool = False) -> dict[str, Callable[[bytes], str | None]]:
    """The candidates, alone and behind decode_bytes' gate; chardet (0.3 to 5 s a
    200 KB page) only with `slow`."""
    import chardet
    import charset_normalizer
    from resiliparse.parse.encoding import detect_encoding

    def normalizer(data: bytes) -> str | None:
        best = charset_normalizer.from_bytes(data).best()
        return best.encoding if best is not None else None

    def uchardet(data: bytes) -> str | None:
        return detect_encoding(data, html5_compatible=False)

    found = {
        "before (no detection)": through_decode_bytes(lambda data: None),
        "decode_bytes+uchardet": through_decode_bytes(uchardet),
        "decode_bytes+normalizer": through_decode_bytes(normalizer),
        "charset-normalizer": normalizer,
        "uchardet (resiliparse)": uchardet,
    }
    return found | {"chardet": lambda data: chardet.detect(data)["encoding"]} if slow else found


def through_decode_bytes(detector: Callable[[bytes], str | None]) -> Callable[[bytes], str]:
    def read(data: bytes) -> str:
        kept, decode.detect = decode.detect, detector
        try:
            return decode.decode_bytes(data, html=True)[1]
        finally:
            decode.detect = kept
    return read


def test_pages() -> Iterator[tuple[str, str, bytes]]:
    for path in sorted(TEST_PAGES.glob("*.html")):
        yield path.stem, path.stem.split("-", 1)[1], path.read_bytes()


def dataset_pages(folder: Path) -> Iterator[tuple[str, str, bytes]]:
    """Every UTF-8 page of the datasets (the truth is known for those), undeclared and
    encoded in the legacy charset of the script most letters of its text are in."""
    for path in sorted(folder.glob("*/**/*.htm*")):
        data = path.read_bytes()
        data = gzip.decompress(data) if path.suffix == ".gz" else data
        if "annotated" in path.parts or not is_utf8(data):
            continue
        text = DECLARATION.sub(b"", data).decode("utf-8")
        lines, _ = render_html(text, cues=False)
        for charset in charsets_for("\n".join(lines)):
            encoded = text.encode(charset, "xmlcharrefreplace")
            if not encoded.isascii():
                yield path.relative_to(folder).parts[0], charset, encoded


# Real translated text of non-Latin scripts that any Debian machine holds: the message
# catalogs of /usr/share/locale, one page per catalog, in each legacy charset of its language.
LOCALE_CHARSETS = {
    "ru": ("cp1251", "koi8-r"), "uk": ("cp1251", "koi8-u"), "bg": ("cp1251",),
    "el": ("cp1253", "iso-8859-7"), "ja": ("shift_jis", "euc-jp"), "zh_CN": ("gbk",),
    "zh_TW": ("big5",), "ko": ("euc-kr",), "ar": ("cp1256",), "he": ("cp1255",),
    "th": ("cp874",),
}
LOCALE_PAGE_CHARS = 3000  # about the text of a short news article
PAGES_PER_LANGUAGE = 20
PAGE_FRAME = (  # a page's markup without its text, as ASCII as real pages' markup is
    '<!DOCTYPE html><html><head><title>{title}</title>'
    '<link rel="stylesheet" href="/static/site.css"><style>{style}</style>'
    '<script>{script}</script></head><body><div class="nav">{nav}</div>'
    '<div class="article"><h1>{title}</h1>{body}</div><div class="footer">(c) 2024</div>'
    '</body></html>')
STYLE = ".nav a{margin:0 8px;color:#0b3a6e}.article{max-width:720px;margin:auto}\n" * 40
SCRIPT = "window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}\n" * 30


def locale_pages(root: Path = Path("/usr/share/locale")) -> Iterator[tuple[str, str, bytes]]:
    for language, charsets in LOCALE_CHARSETS.items():
        catalogs = sorted((root / language / "LC_MESSAGES").glob("*.mo"),
                          key=lambda path: -path.stat().st_size)
        for catalog in catalogs[:PAGES_PER_LANGUAGE]:
            page = locale_page(catalog)
            for charset in charsets:
                data = page.encode(charset, "xmlcharrefreplace")
                if not data.isascii():
                    yield language, charset, data


def locale_page(catalog: Path) -> str:
    with catalog.open("rb") as handle:
        messages = [message for message in gettext.GNUTranslations(handle)._catalog.values()
                    if isinstance(message, str)]
    short = [html.escape(message) for message in messages if 3 < len(message) < 20][:12]
    long = [html.escape(message) for message in messages if len(message) >= 40]
    body, size = [], 0
    for message in long:
        if size > LOCALE_PAGE_CHARS:
            break
        body.append(f"<p>{message}</p>")
        size += len(message)
    return PAGE_FRAME.format(title=short[0] if short else "", style=STYLE, script=SCRIPT,
                             nav="".join(f'<a href="/s/{n}">{m}</a>' for n, m in enumerate(short)),
                             body="\n".join(body))


def is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def charsets_for(text: str) -> tuple[str, ...]:
    """The legacy charsets of the script most of the text's letters are in."""
    scripts = Counter(unicodedata.name(char, "?").split()[0] for char in text if char.isalpha())
    script = scripts.most_common(1)[0][0] if scripts else "LATIN"
    if script == "CJK":
        return (min(("gbk", "big5"), key=lambda charset: unencodable(text, charset)),)
    if script in SCRIPT_CHARSETS:
        return SCRIPT_CHARSETS[script]
    return (min(LATIN_CHARSETS, key=lambda charset: unencodable(text, charset)),)


def unencodable(text: str, charset: str) -> int:
    return sum(1 for char in set(text) if ord(char) > 0x7F and not char.encode(charset, "ignore"))


def read_right(data: bytes, truth: str, guess: str | None) -> bool:
    if guess is None:
        return False
    try:
        return data.decode(guess, "replace") == data.decode(truth)
    except LookupError:
        return False


def measure(pages: list[tuple[str, str, bytes]], slow: bool = False) -> dict:
    results: dict = defaultdict(lambda: defaultdict(lambda: {"right": 0, "pages": 0, "ms": []}))
    for name, detect in detectors(slow).items():
        for _, truth, data in pages:
            start = time.perf_counter()
            guess = detect(data)
            elapsed = (time.perf_counter() - start) * 1000
            for group in (truth, "all"):
                row = results[name][group]
                row["pages"] += 1
                row["right"] += read_right(data, truth, guess)
                row["ms"].append(elapsed)
    return results


def table(title: str, pages: list[tuple[str, str, bytes]], results: dict) -> list[str]:
    kb = statistics.median(len(data) for _, _, data in pages) / 1024
    lines = [f"\n{title}: {len(pages)} pages, median {kb:.0f} KB",
             f"{'charset':<10} {'pages':>5}  " + "  ".join(f"{name:>23}" for name in results)]
    groups = sorted({truth for _, truth, _ in pages}) + ["all"]
    for group in groups:
        cells = []
        for name in results:
            row = results[name][group]
            ms = statistics.median(row["ms"])
            cells.append(f"{row['right']:>5}/{row['pages']:<4} {ms:6.2f} ms"
                         .rjust(23))
        lines.append(f"{group:<10} {results[next(iter(results))][group]['pages']:>5}  "
                     + "  ".join(cells))
    return lines


def page_sets(datasets: Path) -> dict[str, list[tuple[str, str, bytes]]]:
    sets: dict[str, list[tuple[str, str, bytes]]] = {"tests/data/charsets": list(test_pages()),
                                                     "locale catalogs": list(locale_pages())}
    for dataset, charset, data in dataset_pages(datasets):
        latin = charset in LATIN_CHARSETS
        name = f"{'wcxb' if dataset == 'wcxb' else 'older sets'}, Latin" if latin else "non-Latin"
        sets.setdefault(f"datasets, {name}", []).append((dataset, charset, data))
    return sets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=Path, default=ROOT.parent / "shared" / "datasets")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    report = {}
    for title, pages in page_sets(args.datasets).items():
        results = measure(pages, slow=title.startswith("tests"))
        print("\n".join(table(title, pages, results)), flush=True)
        report[title] = {name: {group: {"right": row["right"], "pages": row["pages"],
                                        "median_ms": statistics.median(row["ms"])}
                                for group, row in groups.items()}
                         for name, groups in results.items()}
    print("\ncells: pages read right / pages, median ms per page")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
