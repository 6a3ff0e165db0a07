"""The pages under review and their label files: what the browser reads and saves.

A page is named to the browser by its index in `Workspace.pages`, a list made
once from the folders and files given on the command line (page files, and the
records of JSONL and WARC files); no path the browser sends reaches the file
system. Each page has a label file under the labels folder (as `cleaner label`
names it: the page's path under PAGES, `.tsv`; a record's: the container's name
without its extension, then the record's id); a label
file there that no page claims (a gold copy, a page labelled before) is a page
too, shown from its lines alone.

Saving writes the label file atomically, in the format of ../shared/LABELING.md
(`cleaner/training/labelfile.py`): a line the person labelled (or confirmed)
loses its "?", the lines still unsure keep it; a check page, scored by the
Train button and never trained on, carries a `# check: yes` header row.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from cleaner.atomic import atomic_write_text
from cleaner.clean import Cleaner
from cleaner.document import PageError, Result
from cleaner.labels import LABELS, UNSURE_BELOW
from cleaner.readers.decode import decode_bytes
from cleaner.readers.pages import DEFAULT_MAX_BYTES, gunzip
from cleaner.readers.sniff import is_gzip, looks_like_html
from cleaner.readers.sources import Source, iter_sources, read_source
from cleaner.review.html_view import MarkedPage, marked_page
from cleaner.training.labelfile import format_label_file, read_label_file
from cleaner.training.prelabel import write_prelabelled
from cleaner.training.train import page_of

log = logging.getLogger(__name__)
CHECK_KEY = "check"  # the header row of a check page: "# check: yes"
UNSURE_KEY = "unsure"  # the header row `cleaner label` writes: how many lines are unsure


class OutsideFolders(Exception):
    """A path that would lead out of the folders given on the command line."""


@dataclass(frozen=True)
class ReviewPage:
    name: str  # its label file's path under the labels folder, without .tsv
    label_file: Path
    page_file: Path | None  # the page it came from (None: a record, or a label file alone)
    record: Source | None = None  # a JSONL or WARC record's page, held for its HTML view
    html: bool = False  # shown beside its lines


def inside(path: Path, folders: list[Path]) -> Path:
    """`path` resolved (symlinks followed), if it lies inside one of `folders`."""
    resolved = path.resolve()
    if not any(resolved.is_relative_to(folder) for folder in folders):
        raise OutsideFolders(f"{path}: outside {', '.join(map(str, folders))}")
    return resolved


class Workspace:
    """The pages of one `cleaner review` run, their label files and the model's view."""

    def __init__(self, page_inputs: list[Path], labels: Path, cleaner: Cleaner, *,
                 unsure_below: float = UNSURE_BELOW) -> None:
        self.labels = labels.resolve()
        self.labels_given = labels  # as the user wrote it, for messages
        self.page_inputs = page_inputs  # as given: label files name their source so
        self.page_roots = [path.resolve() for path in page_inputs]
        self.cleaner = cleaner
        self.unsure_below = unsure_below
        self.lock = threading.Lock()  # one save (or training read) at a time
        self.pages: list[ReviewPage] = []
        self._marked: dict[int, MarkedPage | None] = {}

    # --- the list -------------------------------------------------------------------

    def prelabel(self) -> list[tuple[ReviewPage, int]]:
        """List the pages, pre-labelling those with no label file yet, as `cleaner label`
        does; return the pre-labelled pages with their counts of unsure lines."""
        self.labels_given.mkdir(parents=True, exist_ok=True)
        written, claimed = [], set()
        for source in iter_sources([str(path) for path in self.page_inputs]):
            review = self._review_page(source)
            if review is None:
                continue
            if review.label_file.resolve() in claimed:  # page.html beside page.txt
                log.warning("%s: its label file %s is another page's; left out",
                            source.source, review.label_file)
                continue
            if not review.label_file.exists():
                page = read_source(source)
                if isinstance(page, Result):
                    continue  # a page that cannot be read has nothing to label
                probs = self.cleaner.probabilities([page])[0]
                written.append((review, write_prelabelled(
                    review.label_file, page, probs, model_name=self.cleaner.model.name,
                    unsure_below=self.unsure_below)))
            self.pages.append(review)
            claimed.add(review.label_file.resolve())
        self.pages.extend(self._label_files_alone(claimed))
        return written

    def _review_page(self, source: Source) -> ReviewPage | None:
        """A page file, or a record of a JSONL or WARC file (kept in memory: a review is
        of a few pages), with its label file as `cleaner label` names it."""
        label_file = self.labels_given / f"{source.relative}.tsv"
        inside(label_file.parent, [self.labels])
        name = str(source.relative)
        if label_file.is_symlink() or label_file.exists():
            inside(label_file, [self.labels])  # a symlink out: refused now, not at the first read
        if source.path is not None:
            page_file = inside(source.path, self.page_roots)
            return ReviewPage(name, label_file, page_file, html=holds_html(source))
        if source.content is None or source.error is not None:
            return None  # standard input, or a broken record: nothing to show
        return ReviewPage(name, label_file, None, record=source, html=holds_html(source))

    def _label_files_alone(self, claimed: set[Path]) -> list[ReviewPage]:
        found = []
        for path in sorted(self.labels.rglob("*.tsv")):
            try:
                resolved = inside(path, [self.labels])
            except OutsideFolders:
                continue  # a symlink out of the labels folder: not ours to read
            if resolved not in claimed and path.is_file():
                name = str(path.relative_to(self.labels).with_suffix(""))
                found.append(ReviewPage(name, path, None))
        return found

    def page(self, index: int) -> ReviewPage:
        if not 0 <= index < len(self.pages):
            raise KeyError(index)
        return self.pages[index]

    def summary(self) -> list[dict]:
        """A row per page; a label file that cannot be read (a typo made by hand, a file
        gone) gives its row an error, and the other pages stay listed."""
        return [self._row(index, review) for index, review in enumerate(self.pages)]

    def _row(self, index: int, review: ReviewPage) -> dict:
        row = {"index": index, "name": review.name, "unsure": 0, "lines": 0, "check": False,
               "html": review.html, "error": None}
        try:
            labelled = read_label_file(self.label_path(review))
        except (OSError, ValueError, OutsideFolders) as error:  # LabelFileError: ValueError
            return row | {"error": str(error)}
        return row | {"unsure": len(labelled.unsure),
                      "lines": sum(label is not None for label in labelled.labels),
                      "check": labelled.meta.get(CHECK_KEY) == "yes"}

    def label_path(self, review: ReviewPage) -> Path:
        """The label file, checked again at each use: a symlink put there since the
        list was made must not lead out."""
        return inside(review.label_file, [self.labels])

    # --- one page ---------------------------------------------------------------------

    def view(self, index: int) -> dict:
        """Every line of a page: its text, label, unsure mark, the model's label and
        probabilities, its box (the lines the model pools), its element in the HTML."""
        review = self.page(index)
        labelled = read_label_file(self.label_path(review))
        page = page_of(labelled)
        probs = self.cleaner.probabilities([page])[0] if page.content_indices() else []
        rows = dict(zip(page.content_indices(), range(len(probs)), strict=True))
        boxes = line_boxes(page)
        elements = self._elements(index, review, labelled.lines)
        lines = []
        for number, text in enumerate(labelled.lines):
            row = rows.get(number)
            p = {label: round(float(probs[row][k]), 3) for k, label in enumerate(LABELS)} \
                if row is not None else None
            lines.append({"text": text, "label": labelled.labels[number],
                          "unsure": number in labelled.unsure, "p": p,
                          "box": boxes[number], "element": elements[number]})
        return {"index": index, "name": review.name, "lines": lines,
                "check": labelled.meta.get(CHECK_KEY) == "yes",
                "html": review.html and any(e >= 0 for e in elements)}

    def _elements(self, index: int, review: ReviewPage, lines: list[str]) -> list[int]:
        marked = self.marked(index)
        if marked is None or marked.lines != lines:  # the file's lines are not the page's
            return [-1] * len(lines)
        return marked.elements

    def marked(self, index: int) -> MarkedPage | None:
        """The page's HTML with its elements numbered (None for a text dump or a label
        file alone), made once."""
        if index not in self._marked:
            review = self.page(index)
            self._marked[index] = None
            if review.html and review.record is not None:  # a record: its HTTP charset too
                self._marked[index] = marked_page(review.record.read_bytes(),
                                                  review.record.content_type)
            elif review.html:
                self._marked[index] = marked_page(
                    inside(review.page_file, self.page_roots).read_bytes())
        return self._marked[index]

    # --- saving -----------------------------------------------------------------------

    def save(self, index: int, labels: list, unsure: list, check: bool) -> dict:
        """Write the person's labels into the page's label file, atomically."""
        review = self.page(index)
        with self.lock:
            path = self.label_path(review)
            labelled = read_label_file(path)
            new_labels = checked_labels(labels, labelled.lines)
            if not (isinstance(unsure, list) and all(type(i) is int for i in unsure)
                    and isinstance(check, bool)):
                raise ValueError("expected unsure: a list of line numbers, check: true or false")
            still_unsure = {i for i in unsure if 0 <= i < len(new_labels) and new_labels[i]}
            meta = dict(labelled.meta)
            meta.pop(UNSURE_KEY, None)
            meta.pop(CHECK_KEY, None)
            if still_unsure:
                meta[UNSURE_KEY] = f"{len(still_unsure)} lines marked '?' not yet reviewed"
            if check:
                meta[CHECK_KEY] = "yes"
            atomic_write_text(path, format_label_file(labelled.lines, new_labels, meta,
                                                      still_unsure))
        return {"saved": review.name, "unsure": len(still_unsure)}

    def label_files(self, *, check: bool) -> list[Path]:
        """The label files of the check pages (`check`) or of the others."""
        return [self.label_path(review) for review, row in zip(self.pages, self.summary(),
                                                                strict=True)
                if row["check"] == check]


def holds_html(source: Source) -> bool:
    """Whether a page holds HTML: as its container says (a WARC response, a JSONL html
    field), else as its bytes look to the reader (whatever the file's name:
    page.shtml, page.html.gz)."""
    if source.kind is not None:
        return source.kind == "html"
    data = source.read_bytes(limit=DEFAULT_MAX_BYTES)
    try:
        data = gunzip(data, DEFAULT_MAX_BYTES) if is_gzip(data) else data
    except PageError:
        return False
    head, _ = decode_bytes(data[:65536])
    return looks_like_html(head)


def checked_labels(labels: list, lines: list[str]) -> list[str | None]:
    """The labels the browser sent, one per line: known labels on lines with text."""
    if not isinstance(labels, list) or len(labels) != len(lines):
        raise ValueError(f"expected {len(lines)} labels, one per line")
    out: list[str | None] = []
    for label, line in zip(labels, lines, strict=True):
        if label in (None, ""):
            out.append(None)
        elif label in LABELS:
            out.append(label if line.strip() else None)
        else:
            raise ValueError(f"unknown label {label!r}")
    return out


def line_boxes(page) -> list[int]:
    """Each line's box, the lines the model's second pass pools: the element around
    its block on an HTML page (DomCues.box); on a text dump, which has no DOM, the run
    of lines between two blank lines. -1 on blank lines."""
    if page.cues is not None:
        return [cues.box if cues is not None else -1 for cues in page.cues]
    boxes, run, before_blank = [], 0, False
    for line in page.lines:
        if not line.strip():
            boxes.append(-1)
            before_blank = True
            continue
        if before_blank:
            run += 1
            before_blank = False
        boxes.append(run)
    return boxes
