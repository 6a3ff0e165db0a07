"""Site-aware cleaning: a line that recurs on many pages of one site is template.

In a batch, a line whose normalised text is on at least `MIN_PAGES` distinct
pages of its site and on at least `MIN_SHARE` of them may not be `body`:
template is page chrome, so its body probability goes to nav (a line the model
gave to body becomes nav; other lines keep their label unless nav now leads).
Pages of one site are those of one URL host (the
page's URL, else the canonical URL it states), else those of one folder
(page files, or containers of records without URLs).
Copies of one page (the same longest line) count once: the same article
crawled under two URLs must keep its text.

    each page:    PageSketch (site, signature, line hashes) ─► SiteStats / BatchSites
    once all in:  templates() ─► without_template_body(page, probs, templates)
    (a batch: cleaner/batch/site_pass.py; in Python: Cleaner.clean_many(pages, templates=…))

Chosen on out-of-fold predictions of the training sites (3-fold, grouped by
site): as a model feature it cost line macro-F1; as this rule after the model
it raised body text F1 on every dataset (dragnet dumps 0.852 -> 0.865, HTML
0.887 -> 0.894; l3s-gn1 dumps 0.930 -> 0.936, HTML 0.963 -> 0.966;
readability unchanged), and 2 pages and half of them was best or tied among
2/3/4 pages x 0.3/0.5/0.7. Giving the body probability to nav, rather than
to the next most likely label, keeps template lines out of related and
comment: l3s-gn1 line macro-F1 (dumps) 0.711 -> 0.709 with the next label,
0.714 with nav.

Memory is bounded per site, not by the batch: at most `MAX_SIGNATURES` page
signatures and `MAX_COUNTED_LINES` counted lines (16 bytes each).
"""

from __future__ import annotations

import hashlib
import math
import re
from array import array
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from cleaner.document import Page
from cleaner.features.tokens import utf32, word_char_table
from cleaner.labels import LABEL_INDEX
from cleaner.sites import site_key

MIN_PAGES = 2
MIN_SHARE = 0.5
# Distinct-page signatures kept per site; past this, a new page is counted as
# distinct without being remembered (a copy of it may then count twice).
MAX_SIGNATURES = 100_000
# Lossy Counting's bucket: the floor under which a line is forgotten rises by
# one every this many pages. A line is forgotten only while it is on at most
# 1 in 16 of the site's pages so far, so a count is at most pages/16 below the
# truth, and a site of fewer distinct pages (every held-out host) is counted
# exactly.
BUCKET_PAGES = 16
# Lines counted per site at most (16 bytes each: 128 KB); 16 pages of 500
# lines fit. A new line that finds no room is not counted, so a count is
# always a lower bound: a line is never taken for template by mistake.
MAX_COUNTED_LINES = 8192
NON_WORD = re.compile(r"\W+")
NEWLINE, SPACE = ord("\n"), ord(" ")
BODY = LABEL_INDEX["body"]
NAV = LABEL_INDEX["nav"]


def normalised(line: str) -> str:
    """Lower case, every run of non-word characters one space, stripped."""
    return NON_WORD.sub(" ", line.lower()).strip()


def normalised_lines(lines: Sequence[str]) -> list[str]:
    """`normalised` of every line, the whole page at once: a table lookup per code
    point instead of a regex per line (site stats normalise every line of a batch)."""
    joined = "\n".join(lines).lower()
    if not joined:
        return [""] * len(lines)
    points = utf32(joined)
    word = np.zeros(len(points), dtype=bool)
    bmp = points < 0x10000
    word[bmp] = word_char_table()[points[bmp]]
    for at in np.flatnonzero(~bmp):  # astral characters are rare: ask the regex
        word[at] = NON_WORD.match(chr(points[at])) is None
    newline = points == NEWLINE
    gap = ~word & ~newline
    # a run of non-word characters becomes one space: keep only its first one
    first_of_run = gap.copy()
    first_of_run[1:] &= ~gap[:-1]
    keep = word | newline | first_of_run
    spaced = np.where(gap, SPACE, points)[keep]
    text = spaced.astype(np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
    return [line.strip(" ") for line in text.split("\n")]


def line_hash(text: str) -> int:
    """A 64-bit hash of a normalised line, the same in every process (unlike hash())."""
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


@dataclass(frozen=True, slots=True)
class PageSketch:
    """What site stats keep of a page: small to send from a worker."""

    site: str
    signature: int  # hash of the longest normalised line: copies of a page share it
    lines: np.ndarray  # sorted distinct hashes of its non-empty normalised lines (uint64)


def sketch_page(page: Page) -> PageSketch | None:
    """The page's sketch; None for a page without text."""
    texts = [text for text in normalised_lines(page.lines) if text]
    if not texts:
        return None
    hashes = np.fromiter(map(line_hash, texts), dtype=np.uint64, count=len(texts))
    return PageSketch(site_key(page), line_hash(max(texts, key=len)), np.unique(hashes))


class LineCounts:
    """On how many pages each line is, in bounded memory: Lossy Counting (Manku and
    Motwani, 2002) over pages.

    A line is counted from the first page it is on; `missed` holds how many
    pages it may have been on before (the floor then). Every `bucket_pages`
    pages the floor rises by one, and lines whose count plus missed is at most
    the floor are forgotten: a count is never above the truth, and at most
    `floor` below it (unless MAX_COUNTED_LINES left the line out). Misra-Gries,
    the first idea, bounds its error in lines, not pages: with 256 counters, a
    line on all 40 pages of a site of 200-line pages was counted on 12.
    """

    def __init__(self, bucket_pages: int = BUCKET_PAGES, max_lines: int = MAX_COUNTED_LINES):
        self.bucket_pages = bucket_pages
        self.max_lines = max_lines
        self.pages = 0
        self.floor = 0
        self.hashes = np.empty(0, dtype=np.uint64)  # sorted
        self.counts = np.empty(0, dtype=np.int32)
        self.missed = np.empty(0, dtype=np.int32)

    def add(self, lines: np.ndarray) -> None:
        """Count one page's distinct line hashes (sorted, uint64)."""
        self.pages += 1
        at = np.searchsorted(self.hashes, lines)
        known = at < len(self.hashes)
        known[known] = self.hashes[at[known]] == lines[known]
        self.counts[at[known]] += 1
        new = lines[~known][: max(self.max_lines - len(self.hashes), 0)]
        if len(new):
            hashes = np.concatenate([self.hashes, new])
            order = np.argsort(hashes, kind="stable")
            self.hashes = hashes[order]
            self.counts = np.concatenate([self.counts, np.ones(len(new), np.int32)])[order]
            self.missed = np.concatenate(
                [self.missed, np.full(len(new), self.floor, np.int32)])[order]
        if self.pages % self.bucket_pages == 0:
            self.floor += 1
            keep = self.counts + self.missed > self.floor
            self.hashes, self.counts, self.missed = (
                self.hashes[keep], self.counts[keep], self.missed[keep])

    def on_at_least(self, pages: int) -> np.ndarray:
        """The hashes of the lines counted on at least `pages` pages."""
        return self.hashes[self.counts >= pages]


class SiteCounter:
    """One site's distinct pages and the lines on them."""

    def __init__(self) -> None:
        self.signatures: set[int] = set()
        self.pages = 0  # distinct pages
        self.lines = LineCounts()

    def add(self, sketch: PageSketch) -> None:
        if sketch.signature in self.signatures:
            return  # a copy of a page already counted
        if len(self.signatures) < MAX_SIGNATURES:
            self.signatures.add(sketch.signature)
        self.pages += 1
        self.lines.add(sketch.lines)

    def template_lines(self) -> np.ndarray:
        """Hashes of the lines on at least MIN_PAGES distinct pages and MIN_SHARE of them."""
        if self.pages < MIN_PAGES:
            return np.empty(0, dtype=np.uint64)
        return self.lines.on_at_least(max(MIN_PAGES, math.ceil(MIN_SHARE * self.pages)))


class SiteStats:
    """Per site, the lines that recur on its pages: `add` every page, then `templates()`."""

    def __init__(self) -> None:
        self.sites: dict[str, SiteCounter] = {}

    @classmethod
    def of(cls, pages: Iterable[Page]) -> SiteStats:
        stats = cls()
        for page in pages:
            stats.add(sketch_page(page))
        return stats

    def add(self, sketch: PageSketch | None) -> None:
        if sketch is not None:
            self.sites.setdefault(sketch.site, SiteCounter()).add(sketch)

    def templates(self) -> dict[str, np.ndarray]:
        """{site: hashes of its template lines}, for the sites that have any."""
        found = {site: counter.template_lines() for site, counter in self.sites.items()}
        return {site: lines for site, lines in found.items() if len(lines)}


Templates = Mapping[str, Collection[int]]  # site -> hashes of its template lines


class BatchSites:
    """Pass one over a batch, for pass two: the site of every page, in input order
    (4 bytes a page), and the template lines of each site."""

    def __init__(self) -> None:
        self.stats = SiteStats()
        self.numbers: dict[str, int] = {}
        self.page_sites = array("i")  # site number per page; -1: no text, or unreadable
        self.templates: dict[int, tuple[str, frozenset[int]]] = {}

    def add(self, sketch: PageSketch | None) -> None:
        """The next page's sketch (None for a page that gives nothing)."""
        if sketch is None:
            self.page_sites.append(-1)
            return
        self.page_sites.append(self.numbers.setdefault(sketch.site, len(self.numbers)))
        self.stats.add(sketch)

    def finish(self) -> BatchSites:
        """Every page is in: keep the template lines, drop the counters."""
        self.templates = {self.numbers[site]: (site, frozenset(lines.tolist()))
                          for site, lines in self.stats.templates().items()}
        self.stats = SiteStats()
        return self

    def of_pages(self, first: int, count: int) -> dict[str, frozenset[int]]:
        """The templates of the sites of pages first .. first + count - 1 (input order)."""
        numbers = set(self.page_sites[first:first + count])
        return dict(self.templates[n] for n in sorted(numbers) if n in self.templates)

    def for_chunks(self):
        """A function giving each chunk, in input order from the first page, its
        templates."""
        position = 0

        def of_chunk(chunk: list) -> dict[str, frozenset[int]]:
            nonlocal position
            found = self.of_pages(position, len(chunk))
            position += len(chunk)
            return found

        return of_chunk


def without_template_body(page: Page, probs: np.ndarray, templates: Templates) -> np.ndarray:
    """`probs` (rows: the page's text lines) with every template line of the page's
    site barred from body: its body probability moves to nav."""
    lines = templates.get(site_key(page))
    if lines is None or not len(lines) or not len(probs):
        return probs
    lines = lines if isinstance(lines, (set, frozenset)) else set(np.asarray(lines).tolist())
    texts = normalised_lines(page.lines)
    rows = [row for row, index in enumerate(page.content_indices())
            if (text := texts[index]) and line_hash(text) in lines]
    if not rows:
        return probs
    probs = probs.copy()
    probs[rows, NAV] += probs[rows, BODY]
    probs[rows, BODY] = 0.0
    return probs
