"""`Cleaner`: pages in, labelled lines and clean text out.

The pipeline, as jusText would write it:

    page = read(bytes)                      # readers/: decode, sniff, render HTML
    batch = batch_features(pages)           # features/: one matrix for many pages
    probs = model.predict_proba(batch)      # model/: two stacked passes
    probs = without_template_body(...)      # site_stats.py, in a batch: site template lines
    result = labelled_result(page, probs)   # labels.py: labels, probabilities, kept text;
                                            # metadata/: title, author, date, language, ...
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from cleaner.batched import batched
from cleaner.document import Page, Result
from cleaner.favor import BALANCED, NEUTRAL, Decision, check_favor, model_decision
from cleaner.features import batch_features
from cleaner.headline import one_headline
from cleaner.labels import DEFAULT_KEEP, join_kept, line_labels
from cleaner.markdown import dump_markdown_lines, page_markdown
from cleaner.metadata import page_metadata
from cleaner.model.files import LoadedModel, ModelError, load_model
from cleaner.readers.pages import page_from_bytes, page_from_text
from cleaner.site_stats import Templates, without_template_body

log = logging.getLogger(__name__)

# Pages are classified in batches of about this many text lines: large enough
# that numpy and the trees work on long arrays, small enough to bound memory.
BATCH_LINES = 20_000
PROBABILITY_DIGITS = 4
PageLike = str | bytes | Page


class Cleaner:
    """Labels the lines of pages with a trained model and keeps the wanted ones."""

    def __init__(self, model: LoadedModel, keep: Iterable[str] = DEFAULT_KEEP,
                 favor: str = BALANCED, min_p: float | None = None):
        self.model = model
        self.keep = frozenset(keep)
        check_favor(favor, min_p)
        self.favor, self.min_p = favor, min_p
        self._decisions: dict[tuple[str, float | None], Decision] = {}

    @classmethod
    def load(cls, model: str | os.PathLike | None = None,
             keep: Iterable[str] = DEFAULT_KEEP, favor: str = BALANCED,
             min_p: float | None = None) -> Cleaner:
        """The shipped default model, or a model by name or folder. `favor` (balanced,
        precision or recall) and `min_p` are the defaults of its calls (cleaner/favor.py)."""
        cleaner = cls(load_model(model), keep, favor, min_p)
        cleaner.decision()  # a favor the model has no weights for fails here, not later
        return cleaner

    def clean(self, page: PageLike, url: str | None = None, *,
              keep: Iterable[str] | None = None, favor: str | None = None,
              min_p: float | None = None, input_format: str = "auto",
              markdown: bool = False, links: bool = False) -> Result:
        """Clean one page: text (a dump or HTML), raw bytes, or a `Page`. `url` is the
        page's address, for site models and the results' `url`. `favor` and `min_p`
        override the Cleaner's for this call. `markdown`: the kept lines as markdown
        too (`Result.markdown`), with their links if `links`."""
        page = as_page(page, url, input_format, markdown=markdown, links=links)
        return self.clean_pages([page], keep=keep, favor=favor, min_p=min_p)[0]

    def decision(self, favor: str | None = None, min_p: float | None = None) -> Decision:
        """How probabilities become labels for `favor` and `min_p` (None: the Cleaner's)."""
        key = (self.favor if favor is None else favor, self.min_p if min_p is None else min_p)
        if key not in self._decisions:
            self._decisions[key] = (NEUTRAL if key == (BALANCED, None) else
                                    model_decision(self.model.card, self.model.path, *key))
        return self._decisions[key]

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
                    templates: Templates | None = None, favor: str | None = None,
                    min_p: float | None = None) -> list[Result]:
        """Clean pages in one model call. `templates` ({site: line hashes}, e.g.
        `SiteStats.of(pages).templates()`) bars each site's template lines from body."""
        keep = self.keep if keep is None else frozenset(keep)
        decision = self.decision(favor, min_p)
        return [labelled_result(page, probs, keep, templates, decision) for page, probs in
                zip(pages, self.probabilities(pages), strict=True)]

    def clean_many(self, items: Iterable[PageLike | Result], *,
                   keep: Iterable[str] | None = None, batch_lines: int = BATCH_LINES,
                   templates: Templates | None = None, favor: str | None = None,
                   min_p: float | None = None, markdown: bool = False,
                   links: bool = False) -> Iterator[Result]:
        """Clean a stream of pages (strings, bytes or `Page`s) in batches, in order.
        Error results pass through; a page that cannot be read or cleaned gives one.
        `markdown`, `links`: as for `clean`."""
        keep = self.keep if keep is None else frozenset(keep)
        decision = self.decision(favor, min_p)
        for item in self.probabilities_many(items, batch_lines=batch_lines, markdown=markdown,
                                            links=links):
            yield item if isinstance(item, Result) else labelled_or_failed(
                *item, keep, templates, decision)

    def probabilities_many(self, items: Iterable[PageLike | Result], *,
                           batch_lines: int = BATCH_LINES, markdown: bool = False,
                           links: bool = False) -> Iterator[tuple[Page, np.ndarray] | Result]:
        """(page, its probabilities) for a stream of pages, in order, one model call per
        batch of about `batch_lines` lines; a Result for a page that cannot be read or
        classified (one bad page does not sink its batch: the batch is retried page by
        page). A model that cannot run raises ModelError."""
        pages = (_page_or_error(item, number, markdown, links)
                 for number, item in enumerate(items))
        for batch in batched(pages, weight=_page_lines, max_weight=batch_lines):
            yield from self._probabilities_batch(batch)

    def _probabilities_batch(self, batch: list[Page | Result]) -> list:
        pages = [item for item in batch if isinstance(item, Page)]
        try:
            found = iter(list(zip(pages, self.probabilities(pages), strict=True)))
        except ModelError:  # no page can be cleaned: say so once, as loading would have
            raise
        except Exception:  # one bad page must not sink the batch: retry page by page
            found = iter([self._probabilities_alone(page) for page in pages])
        return [next(found) if isinstance(item, Page) else item for item in batch]

    def _probabilities_alone(self, page: Page) -> tuple[Page, np.ndarray] | Result:
        try:
            return page, self.probabilities([page])[0]
        except ModelError:
            raise
        except Exception as error:
            return Result.failed(page.id, page.source, page.url, f"cleaning failed: {error}")


def labelled_or_failed(page: Page, probs: np.ndarray, keep: frozenset[str],
                        templates: Templates | None, decision: Decision = NEUTRAL) -> Result:
    try:
        return labelled_result(page, probs, keep, templates, decision)
    except Exception as error:  # a bug a page brings out must cost that page only
        return Result.failed(page.id, page.source, page.url, f"cleaning failed: {error}")


def as_page(page: PageLike, url: str | None = None, input_format: str = "auto", *,
            markdown: bool = False, links: bool = False) -> Page:
    """A `Page` from text (a dump or HTML), raw bytes, or a `Page` (kept as it is; with
    `markdown`, a page read without it gets its lines' markdown as a dump's)."""
    if isinstance(page, bytes):
        return page_from_bytes(page, url=url, input_format=input_format, markdown=markdown,
                               links=links)
    if isinstance(page, str):
        return page_from_text(page, url=url, input_format=input_format, markdown=markdown,
                              links=links)
    if markdown and page.markdown is None:
        return dataclasses.replace(page, markdown=dump_markdown_lines(page.lines))
    return page


def _page_or_error(item: PageLike | Result, number: int, markdown: bool = False,
                   links: bool = False) -> Page | Result:
    """A stream's item as a page (numbered by its place when it has no id), or its error."""
    if isinstance(item, Result):
        return item
    if isinstance(item, Page):
        return as_page(item, markdown=markdown)
    try:
        page = as_page(item, markdown=markdown, links=links)
    except Exception as error:  # a string too large or lines too many: that page only
        return Result.failed(str(number), f"<page {number}>", None, str(error))
    page.id = page.id or str(number)
    return page


def _page_lines(item: Page | Result) -> int:
    return len(item.lines) if isinstance(item, Page) else 0


def labelled_result(page: Page, probs: np.ndarray, keep: frozenset[str],
                    templates: Templates | None = None, decision: Decision = NEUTRAL
                    ) -> Result:
    """Attach a label and probability to every text line (page_labels) and join the
    kept ones."""
    labels, ps = page_labels(page, probs, templates, decision)
    text = join_kept(page.lines, labels, keep)
    markdown = page_markdown(page, labels, keep) if page.markdown is not None else None
    return Result(id=page.id, source=page.source, kind=page.kind, text=text,
                  line_texts=page.lines, labels=labels, probabilities=ps, markdown=markdown,
                  **_metadata(page, labels, keep, text))


def page_labels(page: Page, probs: np.ndarray, templates: Templates | None = None,
                decision: Decision = NEUTRAL) -> tuple[list[str | None], list[float | None]]:
    """Each line's label and probability (None on blank lines): a `decision` other than
    balanced first moves body's weight (favor.py); with `templates`, the page's site
    template lines are barred from body; a dump's headline is kept once (headline.py);
    the decision's floor on body comes last."""
    if not decision.neutral:
        probs = decision.favoured(page.kind, probs)
    if templates:
        probs = without_template_body(page, probs, templates)
    probs = one_headline(page, probs)
    return line_labels(len(page.lines), page.content_indices(), probs, PROBABILITY_DIGITS,
                       decision.min_p)


def _metadata(page: Page, labels: list[str | None], keep: frozenset[str], text: str) -> dict:
    """The page's metadata fields; a bug a page brings out costs its metadata, not its text."""
    try:
        return page_metadata(page, labels, keep, text)
    except Exception as error:
        log.warning("could not read the metadata of %s: %s", page.source or page.id, error,
                    exc_info=log.isEnabledFor(logging.DEBUG))
        return {"url": page.url}
