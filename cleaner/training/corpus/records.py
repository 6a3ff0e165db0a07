"""Every page of the datasets, with its site and split: one list for the
corpus builders and for the benchmarks (which run peers on held-out HTML).

    from cleaner.training.corpus import page_records
    held_out = [r for r in page_records("../shared/datasets") if r.split == "heldout"]
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path

from joblib import Parallel, delayed

from cleaner.readers.decode import decode_bytes, split_lines
from cleaner.sites import host_of
from cleaner.training.corpus import wcxb
from cleaner.training.corpus.split import host_from_html, split_of, unknown_host

L3S, DRAGNET, CLEANEVAL, READABILITY = "l3s-gn1", "dragnet", "cleaneval", "readability"
WCXB = "wcxb"
# The sets the shipped model trains on and the peer benchmark scores by default;
# wcxb is built beside them (ALL_DATASETS) until the recipe takes it in (issue 17).
DATASETS = (L3S, DRAGNET, CLEANEVAL, READABILITY)
ALL_DATASETS = (*DATASETS, WCXB)
# Which labels each dataset's gold really gives (the `# gold:` header row).
# Where it is partial, lines matching no gold text are written as `nav` and
# mean "nav or related" (or, for body-only gold, "anything but body").
GOLD_LABELS = {
    L3S: "body,nav,related,comment",
    DRAGNET: "body,comment",
    CLEANEVAL: "body",
    READABILITY: "body",
    WCXB: "body",  # forum threads: body,comment (PageRecord.gold_labels)
}
CLEANEVAL_PARTS = ("dev", "final")
TEXT_ID = re.compile(r"""^\s*<text\b[^>]*?\bid\s*=\s*["']([^"']+)["']""", re.I)
GOLD_URL = re.compile(r"\s*URL:\s*(\S+)", re.I)
NUMBERED_VARIANT = re.compile(r"-\d+$")


@dataclass(frozen=True)
class PageRecord:
    dataset: str
    id: str
    source: str  # the HTML's path relative to the datasets folder
    html_path: Path
    gold_path: Path | None  # None for l3s-gn1, whose gold is inside the HTML
    url: str | None
    host: str
    # how the host was found: url-mapping, text-id, gold-url, canonical, og:url,
    # base, links, file-name, or unknown (then host is a stand-in)
    host_source: str
    split: str
    page_type: str | None = None  # wcxb: article, forum, product, ...

    @property
    def gold_labels(self) -> str:
        if self.dataset == WCXB and self.page_type == wcxb.FORUM:
            return "body,comment"
        return GOLD_LABELS[self.dataset]

    def read_html(self) -> bytes:
        """The bytes of `html_path` (wcxb's pages are gzipped)."""
        return read_page(self.html_path)

    @property
    def crawled_html(self) -> Path:
        """The page as crawled: l3s-gn1's `annotated/` page carries gold spans, its
        `original/` twin is what a crawl holds (the other sets' pages are as crawled)."""
        if self.dataset == L3S:
            original = self.html_path.parent.parent / "original" / self.html_path.name
            if original.exists():
                return original
        return self.html_path


def read_page(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def page_records(
    datasets_dir: str | Path, datasets: tuple[str, ...] = DATASETS, jobs: int = 1
) -> list[PageRecord]:
    """All pages of the named datasets, sorted by dataset then id."""
    root = Path(datasets_dir)
    listers = {L3S: _l3s, DRAGNET: _dragnet, CLEANEVAL: _cleaneval, READABILITY: _readability,
               WCXB: _wcxb}  # fmt: skip
    records: list[PageRecord] = []
    for dataset in datasets:
        if dataset not in listers:
            raise ValueError(f"unknown dataset {dataset!r} (expected one of {ALL_DATASETS})")
        if (root / dataset).is_dir():
            records.extend(listers[dataset](root, jobs))
    return sorted(records, key=lambda r: (ALL_DATASETS.index(r.dataset), r.id))


def _record(
    root: Path, dataset: str, page_id: str, html: Path, gold: Path | None,
    url: str | None, host: str | None, how: str, page_type: str | None = None,
) -> PageRecord:  # fmt: skip
    if host is None:
        host, how = unknown_host(dataset, page_id), "unknown"
    return PageRecord(
        dataset, page_id, html.relative_to(root).as_posix(), html, gold, url, host, how,
        split_of(host), page_type,
    )  # fmt: skip


def _l3s(root: Path, jobs: int) -> list[PageRecord]:
    folder = root / L3S
    urls: dict[str, str] = {}
    mapping = folder / "url-mapping.tsv"
    if mapping.exists():
        for row in split_lines(decode_bytes(mapping.read_bytes())[0]):
            uuid, _, url = row.partition("\t")
            urls[uuid.strip()] = url.strip()
    return [
        _record(root, L3S, html.stem, html, None, urls.get(html.stem),
                host_of(urls.get(html.stem)), "url-mapping")
        for html in sorted((folder / "annotated").glob("*.html"))
    ]  # fmt: skip


def _dragnet(root: Path, jobs: int) -> list[PageRecord]:
    folder = root / DRAGNET
    pages = [
        (html.stem, html, folder / "gold" / f"{html.stem}.txt")
        for html in sorted((folder / "html").glob("*.html"))
        if (folder / "gold" / f"{html.stem}.txt").exists()
    ]
    found = Parallel(n_jobs=jobs)(delayed(_host_in_file)(html) for _, html, _ in pages)
    return [
        _record(root, DRAGNET, page_id, html, gold, url, host, how)
        for (page_id, html, gold), (url, host, how) in zip(pages, found, strict=True)
    ]


def _cleaneval(root: Path, jobs: int) -> list[PageRecord]:
    records = []
    for part in CLEANEVAL_PARTS:
        folder = root / CLEANEVAL / part
        for gold in sorted((folder / "gold").glob("*.txt")):
            html = folder / "html" / f"{gold.stem}.html"
            if html.exists():
                url, how = cleaneval_url(html.read_bytes()[:2000], gold.read_bytes()[:2000])
                records.append(
                    _record(root, CLEANEVAL, f"{part}-{gold.stem}", html, gold, url,
                            host_of(url), how)
                )  # fmt: skip
    return records


def cleaneval_url(html_head: bytes, gold_head: bytes) -> tuple[str | None, str]:
    """The page's URL: the `<text id="URL">` line CleanEval put before the
    HTML, else the `URL:` line that opens the gold (its URL sometimes on the
    next line)."""
    match = TEXT_ID.search(decode_bytes(html_head)[0])
    if match:
        return match.group(1), "text-id"
    match = GOLD_URL.match(decode_bytes(gold_head)[0])
    return (match.group(1), "gold-url") if match else (None, "unknown")


def _readability(root: Path, jobs: int) -> list[PageRecord]:
    folder = root / READABILITY
    records = []
    for html in sorted((folder / "html").glob("*.html")):
        gold = folder / "gold" / f"{html.stem}.txt"
        if not gold.exists():
            continue
        url, host, how = _host_in_file(html, use_links=False)
        if host is None:
            # Mozilla's test pages: variants of one site are numbered (nytimes-1..5).
            host, how = f"readability-{NUMBERED_VARIANT.sub('', html.stem)}", "file-name"
        records.append(_record(root, READABILITY, html.stem, html, gold, url, host, how))
    return records


def _host_in_file(html: Path, use_links: bool = True) -> tuple[str | None, str | None, str]:
    text, _ = decode_bytes(html.read_bytes(), html=True)
    url, host, how = host_from_html(text)
    if how == "links" and not use_links:
        return None, None, how
    return url, host, how


def _wcxb(root: Path, jobs: int) -> list[PageRecord]:
    """Pages of metadata.json with a page and a gold file; the host is the gold
    URL's, else the domain metadata.json gives."""
    folder = root / WCXB
    files = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))["files"]
    records = []
    for page_id, info in sorted(files.items()):
        html = folder / "dev" / "html" / f"{page_id}.html.gz"
        gold = folder / "dev" / "ground-truth" / f"{page_id}.json"
        if not (html.exists() and gold.exists()):
            continue
        url = wcxb.ground_truth(gold.read_bytes()).get("url") or None
        host, how = host_of(url), "gold-url"
        if host is None and info.get("domain"):
            host, how = info["domain"].lower().removeprefix("www."), "metadata"
        records.append(_record(root, WCXB, page_id, html, gold, url, host, how,
                               info.get("page_type")))  # fmt: skip
    return records
