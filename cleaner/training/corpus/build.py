"""Build the corpus: every page of every dataset, rendered by every renderer,
labelled, and written as a line-label file under

    <out>/<dataset>/<renderer>/<split>/<page-id>.tsv    (+ .cues.json for renderers with cues)

plus `<out>/summary.json` (counts, checks, validation figures, a fingerprint
of the files). Same inputs, same bytes: pages are processed in a fixed order,
nothing is random, and no timing goes into a file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from joblib import Parallel, delayed

from cleaner.document import DomCues
from cleaner.labels import LABELS
from cleaner.readers.decode import decode_bytes
from cleaner.training.corpus import cleaneval, dragnet, l3s, readability, wcxb
from cleaner.training.corpus.align import GoldText, align_lines
from cleaner.training.corpus.records import (
    CLEANEVAL,
    DATASETS,
    DRAGNET,
    L3S,
    READABILITY,
    WCXB,
    PageRecord,
    page_records,
)
from cleaner.training.corpus.render import Renderer, RenderError, available_renderers, tidy_lines
from cleaner.training.corpus.validate import Confusion, confusion
from cleaner.training.labelfile import format_label_file

log = logging.getLogger(__name__)

GOLD_READERS = {
    DRAGNET: dragnet.gold_parts,
    CLEANEVAL: cleaneval.gold_parts,
    READABILITY: readability.gold_parts,
}
SUMMARY_FILE = "summary.json"
# Summary key of non-blank lines written without a label (no target: a forum
# post the page does not tell to be the opening post or a reply).
NO_TARGET = "none"
# A page whose rendering matches less than this share of its gold words is
# left out: the gold describes text the rendering lost (dragnet R427 saved an
# error page; a renderer that drops a page's main table), so its unmatched
# lines cannot be trusted to be boilerplate. 5 of the 4,884 renderings fell under it.
MIN_GOLD_COVERAGE = 0.5


class DroppedPage(Exception):
    """A page left out of the corpus on purpose; the message says why."""


@dataclass
class PageResult:
    """What building one page with one renderer produced (small: it crosses processes)."""

    dataset: str
    id: str
    renderer: str
    split: str
    labels: Counter = field(default_factory=Counter)  # label -> non-blank lines
    files: dict[str, str] = field(default_factory=dict)  # relative path -> sha1
    error: str | None = None  # the renderer failed
    dropped: str | None = None  # left out on purpose (see MIN_GOLD_COVERAGE)
    layout_kept: bool | None = None  # l3s: markers left the rendering unchanged
    validation: Confusion | None = None  # l3s: aligner vs marker labels
    page_type: str | None = None  # wcxb: article, forum, ...
    thread: str | None = None  # wcxb forum threads: "cut" (posts told apart) or "untold"
    gold_tokens: int = 0  # aligned datasets: gold tokens, and how many were matched
    gold_matched: int = 0


@dataclass
class LabelledLines:
    lines: list[str]
    labels: list[str | None]
    cues: list[DomCues | None] | None
    title: str = ""  # the page's own title (readers/html/title.py), for HTML renderings


def build_corpus(
    datasets_dir: str | Path,
    out_dir: str | Path,
    *,
    datasets: tuple[str, ...] = DATASETS,
    renderers: list[str] | None = None,
    jobs: int = 1,
) -> dict:
    """Rebuild the corpus for the named datasets and renderers; return the summary.

    The output folders of those datasets and renderers are emptied first, so
    that no page of an earlier build survives.
    """
    out_dir = Path(out_dir)
    chosen = _renderers(renderers)
    records = page_records(datasets_dir, datasets, jobs=jobs)
    for dataset in datasets:
        for renderer in chosen:
            shutil.rmtree(out_dir / dataset / renderer.name, ignore_errors=True)
    return build_records(records, out_dir, renderers=[r.name for r in chosen], jobs=jobs)


def build_records(
    records: list[PageRecord],
    out_dir: str | Path,
    *,
    renderers: list[str] | None = None,
    jobs: int = 1,
) -> dict:
    """Label and write the given pages; write and return the summary."""
    out_dir = Path(out_dir)
    names = [r.name for r in _renderers(renderers)]
    batches = Parallel(n_jobs=jobs)(
        delayed(build_page)(record, names, str(out_dir)) for record in records
    )
    results = [result for batch in batches for result in batch]
    summary = summarise(results, records)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / SUMMARY_FILE).write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
    return summary


def _renderers(names: list[str] | None) -> list[Renderer]:
    chosen = available_renderers(names)
    if not chosen:
        raise RuntimeError(f"none of the renderers {names or ['w3m', 'cleaner']} is available")
    return chosen


def label_page(record: PageRecord, renderer: Renderer) -> LabelledLines:
    """One page's lines labelled from its gold; raises RenderError or DroppedPage."""
    html, _ = decode_bytes(record.read_html(), html=True)
    result = PageResult(record.dataset, record.id, renderer.name, record.split)
    return _label(record, html, _gold(record, html), renderer, result)


def build_page(record: PageRecord, renderer_names: list[str], out_dir: str) -> list[PageResult]:
    """Label and write one page once per renderer (runs in a worker process)."""
    html, _ = decode_bytes(record.read_html(), html=True)
    gold = _gold(record, html)
    thread = _thread(record, gold)
    results = []
    for renderer in available_renderers(renderer_names):
        result = PageResult(record.dataset, record.id, renderer.name, record.split,
                            page_type=record.page_type, thread=thread)
        try:
            page = _label(record, html, gold, renderer, result)
        except RenderError as error:
            result.error = str(error)
            log.warning("%s %s (%s): %s", record.dataset, record.id, renderer.name, error)
        except DroppedPage as reason:
            result.dropped = str(reason)
        else:
            result.labels = Counter(label for label in page.labels if label)
            result.labels[NO_TARGET] = sum(1 for line, label in zip(page.lines, page.labels,
                                                                    strict=True)
                                           if line.strip() and not label)  # fmt: skip
            result.files = write_page(Path(out_dir), record, renderer.name, page)
        results.append(result)
    return results


def _gold(record: PageRecord, html: str) -> GoldText:
    return GoldText.from_parts(gold_parts(record, html))


def _thread(record: PageRecord, gold: GoldText) -> str | None:
    if record.dataset != WCXB or record.page_type != wcxb.FORUM:
        return None
    return "untold" if wcxb.POST in gold.classes else "cut"


def gold_parts(record: PageRecord, html: str) -> list[tuple[str, str]]:
    """The page's human gold as (label, text) parts; `html` is l3s-gn1's annotated page."""
    if record.dataset == L3S:
        body, comments = l3s.gold_texts(html)
        return [("body", body), ("comment", comments)]
    if record.dataset == WCXB:
        return wcxb.gold_parts(record.gold_path.read_bytes(), html, record.page_type)
    return GOLD_READERS[record.dataset](record.gold_path.read_bytes())


def _label(
    record: PageRecord, html: str, gold: GoldText, renderer: Renderer, result: PageResult
) -> LabelledLines:
    if record.dataset == L3S:
        marked = l3s.label_annotated(html, renderer)
        lines = tidy_lines(marked.lines)
        aligned = align_lines(lines, gold)
        result.layout_kept = marked.exact
        result.validation = confusion(marked.labels, aligned.labels)
        return LabelledLines(lines, marked.labels, marked.cues, _title(html, marked.cues))
    raw, cues = renderer.render(html)
    lines = tidy_lines(raw)
    aligned = align_lines(lines, gold)
    result.gold_tokens, result.gold_matched = len(gold.tokens), aligned.gold_matched
    if not gold.tokens:
        raise DroppedPage("the gold has no main text")
    if aligned.gold_matched < MIN_GOLD_COVERAGE * len(gold.tokens):
        raise DroppedPage(f"{aligned.gold_matched} of {len(gold.tokens)} gold words on the page")
    labels = [None if label == wcxb.POST else label for label in aligned.labels]
    return LabelledLines(lines, labels, cues, _title(html, cues))


def _title(html: str, cues: list | None) -> str:
    """The page's own title where the rendering has DOM cues, as read_html gives it."""
    if cues is None:
        return ""
    from selectolax.lexbor import LexborHTMLParser

    from cleaner.readers.html.title import page_title

    return page_title(LexborHTMLParser(html))


def write_page(out_dir: Path, record: PageRecord, renderer: str, page: LabelledLines) -> dict:
    """Write the label file (and cues sidecar); return {relative path: sha1}."""
    folder = out_dir / record.dataset / renderer / record.split
    return write_label_files(folder, record, renderer, page, relative_to=out_dir)


def write_label_files(folder: Path, record: PageRecord, renderer: str, page: LabelledLines,
                      *, relative_to: Path) -> dict:
    """Write `folder/<id>.tsv` (and `<id>.cues.json`); return {relative path: sha1}."""
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"dataset": record.dataset, "id": record.id}
    if record.url:
        meta["url"] = record.url
    meta |= {"host": record.host, "source": record.source, "renderer": renderer,
             "gold": record.gold_labels}  # fmt: skip
    if record.dataset == WCXB:
        meta |= {"page_type": record.page_type or "",
                 **wcxb.gold_meta(wcxb.ground_truth(record.gold_path.read_bytes()))}
    if page.title:
        meta["title"] = page.title
    texts = {f"{record.id}.tsv": format_label_file(page.lines, page.labels, meta)}
    if page.cues is not None:
        texts[f"{record.id}.cues.json"] = cues_json(page.cues)
    written = {}
    for name, text in texts.items():
        data = text.encode("utf-8")
        (folder / name).write_bytes(data)
        written[(folder / name).relative_to(relative_to).as_posix()] = (
            hashlib.sha1(data).hexdigest())
    return written


def cues_json(cues: list[DomCues | None]) -> str:
    """A JSON list, one entry per line (a DomCues dict or null), one line per entry."""
    rows = [json.dumps(cue.to_dict() if cue else None, sort_keys=True) for cue in cues]
    return "[\n" + ",\n".join(rows) + "\n]\n"


def summarise(results: list[PageResult], records: list[PageRecord]) -> dict:
    """Counts per dataset / renderer / split, the checks, and a fingerprint."""
    groups: dict[str, dict] = {}
    for r in results:
        key = f"{r.dataset}/{r.renderer}/{r.split}"
        group = groups.setdefault(
            key, {"pages": 0, "failed": 0, "dropped": 0,
                  "lines": dict.fromkeys((*LABELS, NO_TARGET), 0)}
        )
        if r.error or r.dropped:
            group["failed" if r.error else "dropped"] += 1
            continue
        group["pages"] += 1
        for label, n in r.labels.items():
            group["lines"][label] += n
    files = sorted((path, digest) for r in results for path, digest in r.files.items())
    fingerprint = hashlib.sha1("".join(f"{p}\t{d}\n" for p, d in files).encode()).hexdigest()
    return {
        "groups": dict(sorted(groups.items())),
        "checks": _checks(results),
        "failed": sorted(f"{r.dataset}/{r.renderer}/{r.id}: {r.error}" for r in results if r.error),
        "dropped": sorted(
            f"{r.dataset}/{r.renderer}/{r.id}: {r.dropped}" for r in results if r.dropped
        ),
        "files": len(files),
        "fingerprint": fingerprint,
        "page_types": _page_types(results),
        "pages": len(records),
    }


def _page_types(results: list[PageResult]) -> dict:
    """wcxb: pages written per renderer, split and page type; forum threads cut
    into opening post and replies or left untold, per renderer and split."""
    figures: dict[str, dict] = {}
    for r in results:
        if r.page_type is None:
            continue
        group = figures.setdefault(f"{r.dataset}/{r.renderer}/{r.split}",
                                   {"pages": {}, "threads": {}})  # fmt: skip
        if not (r.error or r.dropped):
            group["pages"][r.page_type] = group["pages"].get(r.page_type, 0) + 1
            if r.thread:
                group["threads"][r.thread] = group["threads"].get(r.thread, 0) + 1
    return dict(sorted(figures.items()))


def _checks(results: list[PageResult]) -> dict:
    checks: dict[str, dict] = {}
    for renderer in sorted({r.renderer for r in results}):
        done = [r for r in results if r.renderer == renderer and not r.error]
        marked = [r for r in done if r.layout_kept is not None]
        total = Confusion()
        for r in marked:
            total.update(r.validation)
        coverage = {}
        for dataset in (DRAGNET, CLEANEVAL, READABILITY, WCXB):
            pages = [r for r in done if r.dataset == dataset]
            tokens = sum(r.gold_tokens for r in pages)
            matched = sum(r.gold_matched for r in pages)
            if pages:
                coverage[dataset] = round(matched / max(1, tokens), 4)
        checks[renderer] = {
            "l3s_layout_kept": f"{sum(r.layout_kept for r in marked)}/{len(marked)}",
            "l3s_alignment_vs_markers": total.scores(),
            "gold_words_matched": coverage,  # over all rendered pages, dropped ones too
        }
    return checks
