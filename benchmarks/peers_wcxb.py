"""wcxb's held-out domains in bench_peers: every tool on the same pages, by page type.

    python -m benchmarks.bench_peers --sets wcxb

Pages: wcxb's held-out split (the registrable domains cleaner.training.corpus.split
holds out, the same salted hash as the other sets; never a training domain), its
gzipped pages as crawled, HTML in. Gold: the page's `main_content` as wcxb gives it
(every post of a forum thread; the headline only where the main text has it). A page
whose gold has no main text is left out for every tool, and counted.

Two scores per tool and page type:
- word F1, wcxb's own metric: lower-cased `\\w+` tokens as a bag of words, F1 per page,
  averaged over pages (a page with nothing extracted scores 0);
- body 4-gram shingle F1, as for the other sets (cleaner.training.metrics: precision
  and recall averaged over pages, F1 of the two).

cleaner runs with the default keep (body) and, as `cleaner body,comment`, with
`--keep body,comment`: on forum threads the gold keeps every post, where cleaner
calls the opening post body and the replies comment. A tool that raises on a page
scores 0 there; failures and empty outputs are counted per tool and printed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cleaner.readers.decode import decode_bytes
from cleaner.training.corpus import wcxb
from cleaner.training.corpus.records import WCXB, page_records, read_page
from cleaner.training.metrics import PageMatch, WordMatch, match_text, text_scores, word_match

BODY_COMMENT = ("body", "comment")
CLEANER_BODY_COMMENT = "cleaner body,comment"
# Rows in this order, then any other type; "all" last.
TYPE_ORDER = ("article", "forum", "service", "product", "collection", "documentation",
              "listing")


@dataclass
class ToolRun:
    """One tool's text for every page, and what went wrong."""

    texts: list[str]
    seconds: float
    failures: int
    empty: int = field(init=False)

    def __post_init__(self) -> None:
        self.empty = sum(not text.strip() for text in self.texts)


def load_pages(datasets_dir: Path, make_page: Callable) -> tuple[list, int]:
    """The held-out wcxb pages with a main text, and how many were left out without one.
    `make_page(record, raw, html, gold, page_type)` builds bench_peers' Page."""
    records = [r for r in page_records(datasets_dir, (WCXB,), jobs=-1) if r.split == "heldout"]
    pages, no_gold = [], 0
    for record in records:
        gold = wcxb.main_text(wcxb.ground_truth(record.gold_path.read_bytes()))
        if not gold.strip():
            no_gold += 1
            continue
        raw = read_page(record.crawled_html)
        html = decode_bytes(raw, html=True)[0]
        pages.append(make_page(record, raw, html, gold, record.page_type or "?"))
    return pages, no_gold


def page_types(pages: list) -> list[tuple[str, list[int]]]:
    """(page type, indices of its pages) in TYPE_ORDER, then the rest, then all."""
    found = sorted({p.page_type for p in pages},
                   key=lambda t: (TYPE_ORDER.index(t) if t in TYPE_ORDER else 99, t))
    groups = [(t, [i for i, p in enumerate(pages) if p.page_type == t]) for t in found]
    return [*groups, ("all", list(range(len(pages))))]


def score_rows(runs: dict[str, ToolRun], pages: list) -> list[dict]:
    """One row per page type and tool: word F1 (with P, R) and shingle F1 (with P, R)."""
    words = {tool: [word_match(t, p.gold_body) for t, p in zip(run.texts, pages, strict=True)]
             for tool, run in runs.items()}
    shingles = {tool: [match_text(t, p.gold_body) for t, p in zip(run.texts, pages, strict=True)]
                for tool, run in runs.items()}
    rows = []
    for page_type, keep in page_types(pages):
        for tool, run in runs.items():
            rows.append(_row(page_type, tool, [words[tool][i] for i in keep],
                             [shingles[tool][i] for i in keep], run, len(pages)))
    return rows


def _row(page_type: str, tool: str, words: list[WordMatch], shingles: list[PageMatch],
         run: ToolRun, total: int) -> dict:
    text = text_scores(shingles)
    return {"set": WCXB, "page_type": page_type, "tool": tool, "pages": len(words),
            "word_f1": float(np.mean([w.f1 for w in words])),
            "word_precision": float(np.mean([w.precision for w in words])),
            "word_recall": float(np.mean([w.recall for w in words])),
            "shingle_f1": text["f1"], "shingle_precision": text["precision"],
            "shingle_recall": text["recall"],
            # over all of the tool's pages, not this page type's
            "tool_failures": run.failures, "tool_empty": run.empty,
            "pages_per_s": total / run.seconds if run.seconds else None}


def format_table(rows: list[dict], tools: list[str]) -> str:
    """Rows: page type (pages); columns: each tool's word F1 / shingle F1; the best
    word F1 of a row in bold."""
    header = "| page type | pages | " + " | ".join(tools) + " |"
    lines = [header, "|" + " --- |" * (len(tools) + 2)]
    for page_type in dict.fromkeys(r["page_type"] for r in rows):
        cells = {r["tool"]: r for r in rows if r["page_type"] == page_type}
        best = max(cells[t]["word_f1"] for t in tools)
        shown = [_cell(cells[t], cells[t]["word_f1"] == best) for t in tools]
        pages = cells[tools[0]]["pages"]
        lines.append(f"| {page_type} | {pages} | " + " | ".join(shown) + " |")
    return "\n".join(lines)


def _cell(row: dict, best: bool) -> str:
    word = f"{row['word_f1']:.3f}"
    return f"{'**' + word + '**' if best else word} / {row['shingle_f1']:.3f}"


def format_failures(runs: dict[str, ToolRun], pages: int, no_gold: int) -> str:
    """Per tool: pages it raised on (scored 0), pages it returned nothing for, pages/s."""
    lines = [f"wcxb held-out pages: {pages} scored; {no_gold} left out for every tool "
             "(gold without main text)."]
    for tool, run in runs.items():
        speed = f"{pages / run.seconds:.0f} pages/s" if run.seconds else "-"
        lines.append(f"- {tool}: {run.failures} failed (scored 0), {run.empty} empty, {speed}")
    return "\n".join(lines)
