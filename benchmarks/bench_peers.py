"""cleaner against the peers on held-out HTML pages, all from one run.

    pip install -e '.[bench]'
    python -m benchmarks.bench_peers                    # every held-out page, every tool
    python -m benchmarks.bench_peers --tools cleaner,trafilatura --sets dragnet
    python -m benchmarks.bench_peers --sets wcxb       # today's pages alone, by page type
    python -m benchmarks.bench_peers --tools cleaner,cleaner+sites    # cleaner alone
    python -m benchmarks.bench_peers --json peers.json --markdown peers.md

Pages: the held-out hosts of each dataset (a fifth of the sites, split by
registrable host; cleaner.training.corpus.split), raw HTML in: l3s-gn1's `original/`
pages, the other sets' `html/`. Gold: each dataset's own human gold (l3s-gn1's
annotated headline and full-text spans, dragnet's article text, cleaneval's
cleaned text, readability's kept article), never our line labels.

For every tool and dataset it prints body-text 4-gram shingle F1, precision
and recall averaged over pages (cleaner.metrics, the Scrapinghub
article-extraction-benchmark way); on pages whose gold has comments, the
share of gold comment text that leaks into the body text; for cleaner with
`--keep comment`, the comment F1 on those pages; and pages/s on one core
(reading bytes to text out, parsing included, model load excluded). cleaner is
timed as it runs in a batch (pages classified together); the peers page by
page, as their APIs work. Pages in languages other than English (by the
page's lang attribute, else by its stopwords) get their own rows.

wcxb (pages of 2025-26) gets its own table, by page type (benchmarks/peers_wcxb.py):
wcxb's word F1 beside the body shingle F1, against its gold main text, with cleaner
also run with `--keep body,comment` (forum threads: the gold keeps every post).
Pages a tool raises on score 0 and are counted per tool, never dropped.

Peer settings: trafilatura.extract with comments off (its setting for
article text; --trafilatura-comments keeps its default), readability-lxml's
Document.summary(), jusText with the stoplist of the page's language (English
when it has none), boilerpy3's ArticleExtractor, resiliparse's
extract_plain_text(main_content=True).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import io
import json
import os
import platform
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import peers_wcxb
from cleaner.clean import Cleaner
from cleaner.document import Page as CleanerPage
from cleaner.document import Result
from cleaner.readers.decode import decode_bytes
from cleaner.readers.pages import page_from_bytes
from cleaner.site_stats import SiteStats
from cleaner.training.corpus.build import gold_parts
from cleaner.training.corpus.records import ALL_DATASETS, WCXB, PageRecord, page_records
from cleaner.training.metrics import PageMatch, leak_share, match_text, text_scores

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATASETS = REPO.parent / "shared" / "datasets"
# "cleaner+sites": the same pages cleaned as one batch with site stats (the
# default of `cleaner clean` on several pages); "cleaner": each page on its own.
CLEANER_SITES = "cleaner+sites"
TOOLS = ("cleaner", CLEANER_SITES, "trafilatura", "readability-lxml", "justext", "boilerpy3",
         "resiliparse")


@dataclass
class Page:
    record: PageRecord
    raw: bytes  # the HTML as crawled
    html: str  # decoded by cleaner's decoder, for the peers that want text
    gold_body: str
    gold_comment: str
    language: str  # "en", another code, or "?"
    page_type: str | None = None  # wcxb: article, forum, product, ...


@dataclass
class Score:
    matches: list[PageMatch] = field(default_factory=list)
    leaks: list[float] = field(default_factory=list)
    comment_matches: list[PageMatch] = field(default_factory=list)
    seconds: float = 0.0
    failures: int = 0


def load_pages(datasets_dir: Path, datasets: list[str]) -> dict[str, list[Page]]:
    records = [r for r in page_records(datasets_dir, tuple(datasets), jobs=-1)
               if r.split == "heldout"]
    pages: dict[str, list[Page]] = {name: [] for name in datasets}
    for record in records:
        gold_html = decode_bytes(record.html_path.read_bytes(), html=True)[0]
        parts = gold_parts(record, gold_html)
        body = "\n".join(text for label, text in parts if label == "body")
        comment = "\n".join(text for label, text in parts if label == "comment")
        raw = record.crawled_html.read_bytes()
        html = decode_bytes(raw, html=True)[0]
        pages[record.dataset].append(Page(record, raw, html, body, comment, language_of(html)))
    return pages


def language_of(html: str) -> str:
    """The page's language by the stopwords of its text (a lang attribute often lies:
    an English page may say lang="de"), else by its lang attribute."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html[:500_000])
    for node in tree.css("script, style, noscript"):
        node.decompose()
    found = _language_by_stopwords(tree.body.text(separator=" ") if tree.body else "")
    if found != "?":
        return found
    node = tree.css_first("html")
    lang = (node.attributes.get("lang") or node.attributes.get("xml:lang") or "") if node else ""
    return lang.strip().lower().replace("_", "-").split("-")[0] or "?"


def _language_by_stopwords(text: str) -> str:
    import justext

    words = text.lower().split()[:3000]
    if len(words) < 20:
        return "?"
    best, best_share = "?", 0.0
    for name in ("English", "German", "French", "Spanish", "Italian", "Portuguese", "Dutch",
                 "Russian", "Polish", "Swedish"):
        stop = justext.get_stoplist(name)
        share = sum(w in stop for w in words) / len(words)
        if share > best_share:
            best, best_share = name, share
    return JUSTEXT_CODES.get(best, "?") if best_share > 0.1 else "?"


JUSTEXT_CODES = {"English": "en", "German": "de", "French": "fr", "Spanish": "es",
                 "Italian": "it", "Portuguese": "pt", "Dutch": "nl", "Russian": "ru",
                 "Polish": "pl", "Swedish": "sv"}


def peer_extractors(trafilatura_comments: bool) -> dict[str, Callable[[Page], str]]:
    """Each peer as page -> text, imported here so cleaner alone needs none of them."""
    import justext
    import trafilatura
    from boilerpy3 import extractors
    from readability import Document
    from resiliparse.extract.html2text import extract_plain_text
    from selectolax.lexbor import LexborHTMLParser

    article = extractors.ArticleExtractor(raise_on_failure=False)
    stoplists = {code: justext.get_stoplist(name) for name, code in JUSTEXT_CODES.items()}
    for name in justext.get_stoplists():
        stoplists.setdefault(name[:2].lower(), justext.get_stoplist(name))

    def run_trafilatura(page: Page) -> str:
        return trafilatura.extract(page.html, include_comments=trafilatura_comments) or ""

    def run_readability(page: Page) -> str:
        summary = Document(page.html).summary(html_partial=True)
        return LexborHTMLParser(summary).text(separator="\n")

    def run_justext(page: Page) -> str:
        stoplist = stoplists.get(page.language, stoplists["en"])
        paragraphs = justext.justext(page.html, stoplist)
        return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)

    def run_boilerpy3(page: Page) -> str:
        return article.get_content(page.html) or ""

    def run_resiliparse(page: Page) -> str:
        return extract_plain_text(page.html, main_content=True)

    return {"trafilatura": run_trafilatura, "readability-lxml": run_readability,
            "justext": run_justext, "boilerpy3": run_boilerpy3, "resiliparse": run_resiliparse}


def run_cleaner(cleaner: Cleaner, pages: list[Page], *, site_stats: bool = False,
                keeps: tuple[tuple[str, ...], ...] = (("body",), ("comment",))
                ) -> tuple[list[list[str]], float, int]:
    """The text of every page for each of `keeps`, the seconds the first run took,
    and the pages cleaner could not read or clean (their text is empty).

    With site stats, the pages are one batch as `cleaner clean` sees it: lines
    that recur on half the distinct pages of a site may not be body. A crawl
    gives each page its URL; here the page's site is the host the split knows
    it by (the same host `cleaner clean` would take from the URL).
    """
    start = time.perf_counter()
    loaded = [_cleaner_page(p) for p in pages]
    readable = [page for page in loaded if not isinstance(page, Result)]
    templates = SiteStats.of(readable).templates() if site_stats else None
    runs: list[list[Result]] = []
    seconds = 0.0
    for keep in keeps:
        runs.append(list(cleaner.clean_many(loaded, keep=keep, templates=templates)))
        seconds = seconds or time.perf_counter() - start
    failures = sum(result.error is not None for result in runs[0])
    return [[r.text for r in results] for results in runs], seconds, failures


def _cleaner_page(p: Page) -> CleanerPage | Result:
    """The page as `cleaner clean` reads it, or a failed Result (scored as empty)."""
    try:
        page = page_from_bytes(p.raw, id=p.record.id, source=p.record.source,
                               url=p.record.url, input_format="auto")
    except Exception as error:  # counted as a failure, never dropped
        return Result.failed(p.record.id, p.record.source, p.record.url, str(error))
    page.meta.setdefault("host", p.record.host)
    return page


def score_tool(texts: list[str], pages: list[Page], seconds: float, failures: int,
               comment_texts: list[str] | None = None) -> Score:
    score = Score(seconds=seconds, failures=failures)
    for text, page in zip(texts, pages, strict=True):
        score.matches.append(match_text(text, page.gold_body))
        if page.gold_comment.strip():
            score.leaks.append(leak_share(text, page.gold_comment))
    if comment_texts is not None:
        score.comment_matches = [match_text(text, page.gold_comment)
                                 for text, page in zip(comment_texts, pages, strict=True)
                                 if page.gold_comment.strip()]
    return score


def run_peer(extract: Callable[[Page], str], pages: list[Page]) -> tuple[list[str], float, int]:
    texts, failures = [], 0
    start = time.perf_counter()
    # Some peers print warnings and tracebacks of pages they recover from: keep the table clean.
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        for page in pages:
            try:
                texts.append(extract(page))
            except Exception:  # a peer that crashes on a page scores it as empty
                texts.append("")
                failures += 1
    return texts, time.perf_counter() - start, failures


def summary_row(tool: str, subset: str, pages: list[Page], score: Score) -> dict:
    text = text_scores(score.matches)
    row = {"tool": tool, "set": subset, "pages": len(pages), "f1": text["f1"],
           "precision": text["precision"], "recall": text["recall"],
           "comment_pages": len(score.leaks),
           "leak": sum(score.leaks) / len(score.leaks) if score.leaks else None,
           "comment_f1": (text_scores(score.comment_matches)["f1"]
                          if score.comment_matches else None),
           "pages_per_s": len(pages) / score.seconds if score.seconds else None,
           "failures": score.failures}
    return row


def subsets(name: str, pages: list[Page]) -> list[tuple[str, list[int]]]:
    """The whole set, and its non-English pages when it has some."""
    out = [(name, list(range(len(pages))))]
    other = [i for i, p in enumerate(pages) if p.language not in ("en", "?")]
    if other:
        out.append((f"{name} non-English", other))
    return out


def restrict(score: Score, pages: list[Page], keep: list[int]) -> Score:
    """The score of a subset of pages (time scaled by the share of pages)."""
    with_comments = [i for i, p in enumerate(pages) if p.gold_comment.strip()]
    leak_of = dict(zip(with_comments, score.leaks, strict=True))
    comment_of = dict(zip(with_comments, score.comment_matches, strict=False))
    return Score([score.matches[i] for i in keep],
                 [leak_of[i] for i in keep if i in leak_of],
                 [comment_of[i] for i in keep if i in comment_of],
                 score.seconds * len(keep) / max(len(pages), 1), score.failures)


def format_table(rows: list[dict]) -> str:
    header = ("| set | tool | pages | body F1 | precision | recall | comment leak "
              "| comment F1 | pages/s |")
    lines = [header, "|" + " --- |" * 9]
    for row in rows:
        leak = f"{row['leak']:.3f} ({row['comment_pages']})" if row["leak"] is not None else "-"
        cf1 = f"{row['comment_f1']:.3f}" if row["comment_f1"] is not None else "-"
        speed = f"{row['pages_per_s']:.0f}" if row["pages_per_s"] else "-"
        lines.append(f"| {row['set']} | {row['tool']} | {row['pages']} | {row['f1']:.3f} "
                     f"| {row['precision']:.3f} | {row['recall']:.3f} | {leak} | {cf1} "
                     f"| {speed} |")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets-dir", type=Path, default=DEFAULT_DATASETS)
    parser.add_argument("--sets", "--datasets", dest="sets", default=",".join(ALL_DATASETS),
                        help=f"comma-separated, of {','.join(ALL_DATASETS)} (default: all)")
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--model", default=None, help="cleaner model (default: shipped)")
    parser.add_argument("--trafilatura-comments", action="store_true",
                        help="run trafilatura with its default include_comments=True")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON")
    parser.add_argument("--markdown", type=Path, help="also write the table as Markdown")
    return parser.parse_args(argv)


def run_old_sets(args: argparse.Namespace, tools: list[str], cleaner: Cleaner | None,
                 peers: dict) -> list[dict]:
    """Rows of the sets other than wcxb: body F1, P, R, leak, comment F1, pages/s."""
    names = [name for name in args.sets.split(",") if name != WCXB]
    pages_by_set = load_pages(args.datasets_dir, names) if names else {}
    rows = []
    for name, pages in pages_by_set.items():
        if not pages:
            continue
        for tool in tools:
            if tool in ("cleaner", CLEANER_SITES):
                (texts, comment_texts), seconds, failures = run_cleaner(
                    cleaner, pages, site_stats=tool == CLEANER_SITES)
                score = score_tool(texts, pages, seconds, failures, comment_texts)
            else:
                texts, seconds, failures = run_peer(peers[tool], pages)
                score = score_tool(texts, pages, seconds, failures)
            for subset, keep in subsets(name, pages):
                rows.append(summary_row(tool, subset, [pages[i] for i in keep],
                                        restrict(score, pages, keep)))
    rows.sort(key=lambda r: (r["set"], -r["f1"]))
    return rows


def run_wcxb(args: argparse.Namespace, tools: list[str], cleaner: Cleaner | None,
             peers: dict) -> tuple[list[dict], str, str]:
    """wcxb's held-out pages by page type: rows, the table, and the failures per tool."""
    def make_page(record, raw, html, gold, page_type):
        return Page(record, raw, html, gold, "", language_of(html), page_type)

    pages, no_gold = peers_wcxb.load_pages(args.datasets_dir, make_page)
    runs: dict[str, peers_wcxb.ToolRun] = {}
    for tool in tools:
        if tool in ("cleaner", CLEANER_SITES):
            keeps = (("body",), peers_wcxb.BODY_COMMENT) if tool == "cleaner" else (("body",),)
            texts, seconds, failures = run_cleaner(cleaner, pages, keeps=keeps,
                                                   site_stats=tool == CLEANER_SITES)
            runs[tool] = peers_wcxb.ToolRun(texts[0], seconds, failures)
            if tool == "cleaner":
                runs[peers_wcxb.CLEANER_BODY_COMMENT] = peers_wcxb.ToolRun(texts[1], 0.0, failures)
        else:
            runs[tool] = peers_wcxb.ToolRun(*run_peer(peers[tool], pages))
    rows = peers_wcxb.score_rows(runs, pages)
    table = peers_wcxb.format_table(rows, list(runs))
    return rows, table, peers_wcxb.format_failures(runs, len(pages), no_gold)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    warnings.filterwarnings("ignore")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    tools = args.tools.split(",")
    cleaner = Cleaner.load(args.model) if {"cleaner", CLEANER_SITES} & set(tools) else None
    if cleaner is not None:
        cleaner.model.load_all()  # model load excluded from pages/s
    peers = (peer_extractors(args.trafilatura_comments)
             if set(tools) - {"cleaner", CLEANER_SITES} else {})
    rows = run_old_sets(args, tools, cleaner, peers)
    tables = [format_table(rows)] if rows else []
    wcxb_rows: list[dict] = []
    if WCXB in args.sets.split(","):
        wcxb_rows, wcxb_table, failures = run_wcxb(args, tools, cleaner, peers)
        tables += [WCXB_CAPTION + "\n\n" + wcxb_table, failures]
    command = "python -m benchmarks.bench_peers " + " ".join(
        sys.argv[1:] if argv is None else argv)
    footer = (f"{datetime.date.today()} · {platform.processor() or platform.machine()}, "
              f"{os.cpu_count()} cores, one used · model "
              f"{cleaner.model.name if cleaner else '-'} · `{command.strip()}`")
    text = "\n\n".join([*tables, footer])
    print(text)
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "wcxb_rows": wcxb_rows,
                                         "footer": footer}, indent=2))
    if args.markdown:
        args.markdown.write_text(text + "\n")


WCXB_CAPTION = ("wcxb held-out domains, by page type: word F1 (wcxb's metric) / body 4-gram "
                "shingle F1; best word F1 of a row in bold")


if __name__ == "__main__":
    main()
