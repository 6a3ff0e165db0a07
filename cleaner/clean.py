"""`Cleaner`: pages in, labelled lines and clean text out.

The pipeline, as jusText would write it:

    page = read(bytes)                      # readers/: decode, sniff, render HTML
    batch = batch_features(pages)           # features.py: one matrix for many pages
    probs = model.predict_proba(batch)      # model.py: two stacked passes
    probs = without_template_body(...)      # site_stats.py, in a batch: site template lines
    result = labelled(page, probs, keep)    # here: labels, probabilities, kept text
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar

import numpy as np

from cleaner.document import Page, Result
from cleaner.features.text import batch_features
from cleaner.labels import LABELS
from cleaner.model.files import LoadedModel, ModelError, load_model
from cleaner.readers.pages import page_from_bytes, page_from_text
from cleaner.site_stats import Templates, without_template_body

DEFAULT_KEEP = frozenset({"body"})
# Pages are classified in batches of about this many text lines: large enough
# that numpy and the trees work on long arrays, small enough to bound memory.
BATCH_LINES = 20_000
PROBABILITY_DIGITS = 4
T = TypeVar("T")


class Cleaner:
    """Labels the lines of pages with a trained model and keeps the wanted ones."""

    def __init__(self, model: LoadedModel, keep: Iterable[str] = DEFAULT_KEEP):
        self.model = model
        self.keep = frozenset(keep)

    @classmethod
    def load(cls, model: str | os.PathLike | None = None,
             keep: Iterable[str] = DEFAULT_KEEP) -> Cleaner:
        """The shipped default model, or a model by name or folder."""
        return cls(load_model(model), keep)

    def clean(self, page: str | bytes | Page, *, keep: Iterable[str] | None = None,
              input_format: str = "auto") -> Result:
        """Clean one page given as text (a dump or HTML), raw bytes, or a `Page`."""
        if isinstance(page, bytes):
            page = page_from_bytes(page, input_format=input_format)
        elif isinstance(page, str):
            page = page_from_text(page, input_format=input_format)
        return self.clean_pages([page], keep=keep)[0]

    def probabilities(self, pages: Sequence[Page]) -> list[np.ndarray]:
        """Per page, the (text lines x labels) probabilities, in one model call."""
        if not pages:
            return []
        batch = batch_features(pages)
        probs = self.model.estimator.predict_proba(batch.X, page_of_row=batch.page_of_row,
                                                   copy_of_row=batch.copy_of_row,
                                                   box_of_row=batch.box_of_row)
        return [probs[batch.rows_of(i)] for i in range(len(pages))]

    def clean_pages(self, pages: Sequence[Page], *, keep: Iterable[str] | None = None,
                    templates: Templates | None = None) -> list[Result]:
        """Clean pages in one model call. `templates` ({site: line hashes}, e.g.
        `SiteStats.of(pages).templates()`) bars each site's template lines from body."""
        keep = self.keep if keep is None else frozenset(keep)
        results = []
        for page, probs in zip(pages, self.probabilities(pages), strict=True):
            if templates:
                probs = without_template_body(page, probs, templates)
            results.append(labelled_result(page, probs, keep))
        return results

    def clean_many(self, items: Iterable[Page | Result], *, keep: Iterable[str] | None = None,
                   batch_lines: int = BATCH_LINES, templates: Templates | None = None
                   ) -> Iterator[Result]:
        """Clean a stream of pages in batches, in order. Error results pass through."""
        for batch in line_batches(items, _page_lines, batch_lines):
            yield from self._clean_batch(batch, keep, templates)

    def _clean_batch(self, batch: list[Page | Result], keep, templates) -> list[Result]:
        pages = [item for item in batch if isinstance(item, Page)]
        try:
            cleaned = iter(self.clean_pages(pages, keep=keep, templates=templates))
        except ModelError:  # no page can be cleaned: say so once, as loading would have
            raise
        except Exception:  # one bad page must not sink the batch: retry page by page
            cleaned = iter([self._clean_alone(page, keep, templates) for page in pages])
        return [next(cleaned) if isinstance(item, Page) else item for item in batch]

    def _clean_alone(self, page: Page, keep, templates) -> Result:
        try:
            return self.clean_pages([page], keep=keep, templates=templates)[0]
        except ModelError:
            raise
        except Exception as error:
            return error_result(page.id, page.source, page.url, f"cleaning failed: {error}")


def line_batches(items: Iterable[T], lines_of: Callable[[T], int],
                 batch_lines: int = BATCH_LINES) -> Iterator[list[T]]:
    """Items in order, in lists that close once they hold `batch_lines` text lines."""
    batch: list[T] = []
    lines = 0
    for item in items:
        batch.append(item)
        lines += lines_of(item)
        if lines >= batch_lines:
            yield batch
            batch, lines = [], 0
    if batch:
        yield batch


def _page_lines(item: Page | Result) -> int:
    return len(item.lines) if isinstance(item, Page) else 0


def labelled_result(page: Page, probs: np.ndarray, keep: frozenset[str]) -> Result:
    """Attach a label and probability to every text line and join the kept ones."""
    best = probs.argmax(axis=1).tolist() if len(probs) else []
    best_p = np.round(probs.max(axis=1), PROBABILITY_DIGITS).tolist() if len(probs) else []
    labels: list[str | None] = [None] * len(page.lines)
    ps: list[float | None] = [None] * len(page.lines)
    for index, label, p in zip(page.content_indices(), best, best_p, strict=True):
        labels[index] = LABELS[label]
        ps[index] = p
    return Result(id=page.id, source=page.source, url=page.url, kind=page.kind,
                  text=join_kept(page.lines, labels, keep), line_texts=page.lines,
                  labels=labels, probabilities=ps)


def join_kept(lines: Sequence[str], labels: Sequence[str | None], keep: frozenset[str]) -> str:
    """Kept lines, one per line; a blank line wherever the input had a gap or dropped text."""
    parts: list[str] = []
    previous = -2
    for index, (line, label) in enumerate(zip(lines, labels, strict=True)):
        if label not in keep:
            continue
        if parts:
            parts.append("\n" if index == previous + 1 else "\n\n")
        parts.append(line.strip())
        previous = index
    return "".join(parts)


def error_result(id: str, source: str, url: str | None, reason: str) -> Result:
    return Result(id=id, source=source, url=url, text="", error=reason)
