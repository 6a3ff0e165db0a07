"""Per-line features for a batch of pages, as one float32 matrix: `batch_features`.

Only lines with visible text get a row. Work is vectorised over the whole
batch: the lines are joined into one array of code points, classified by a
lookup table, and counted per line with `np.bincount`; page context and
neighbour features are array shifts within pages. Python-level work per line
is limited to a few C-speed string calls (strip, lower, split); per token, to
one dict look-up that numbers the distinct tokens of the batch.

The columns come from: text.py (characters and shape of the line itself),
tokens.py (stopword shares, cue words and phrases), dom.py (the DOM cues of
HTML lines), context.py (where the line sits in its page, and its neighbours).
The column order is the feature schema: change it and bump FEATURE_SCHEMA.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

import numpy as np

from cleaner.document import Page
from cleaner.features.context import (
    PageShifts,
    copy_group_ids,
    neighbour_columns,
    page_context,
    region_columns,
)
from cleaner.features.dom import DOM_FEATURE_NAMES, box_ids, dom_feature_matrix, page_markup
from cleaner.features.text import char_features, shape_features
from cleaner.features.tokens import token_features

FEATURE_SCHEMA = "lines-v11"
# Cues of an HTML page as a whole, unknown (NaN) on every line of a text dump: its
# own title (tokens.py) and its markup (dom.py). The text model of the pair leaves
# them out (recipe.py).
HTML_PAGE_FEATURES = ("title_in_line", "line_in_title", "after_title", "page_in_main",
                      "page_in_article", "page_in_landmark")
MAX_GAP = 3  # blank lines between two text lines, capped: 3+ means "far apart"


@dataclass(slots=True)
class LineBatch:
    """Feature rows for the text lines of a batch of pages."""

    X: np.ndarray  # (rows, features) float32
    page_of_row: np.ndarray  # (rows,) which page of the batch
    line_of_row: np.ndarray  # (rows,) which line of that page
    page_starts: np.ndarray  # (pages + 1,) first row of each page
    copy_of_row: np.ndarray | None = None  # (rows,) id shared by identical lines of a page
    # (rows,) id shared by the lines of one DOM element (features/dom.py box_ids), -1:
    # none; None for a batch of text dumps
    box_of_row: np.ndarray | None = None

    def rows_of(self, page: int) -> slice:
        return slice(int(self.page_starts[page]), int(self.page_starts[page + 1]))


def feature_names() -> list[str]:
    return list(_feature_columns_template())


@lru_cache(maxsize=1)
def _feature_columns_template() -> tuple[str, ...]:
    empty = Page(lines=["x"])
    return tuple(_named_columns([empty], _collect_lines([empty])).keys())


def batch_features(pages: Sequence[Page]) -> LineBatch:
    """Feature matrix for every text line of `pages`, in page and line order."""
    rows = _collect_lines(pages)
    columns = _named_columns(pages, rows)
    X = np.empty((len(rows.texts), len(columns)), dtype=np.float32)
    for i, values in enumerate(columns.values()):
        X[:, i] = values
    return LineBatch(X=X, page_of_row=rows.page_of_row, line_of_row=rows.line_of_row,
                     page_starts=rows.page_starts, copy_of_row=rows.copies,
                     box_of_row=box_ids(pages))


@dataclass(slots=True)
class _Rows:
    texts: list[str]  # stripped text of each text line
    raw: list[str]  # the line as it came
    lengths: np.ndarray  # characters of each text (int64)
    joined: str  # the texts joined by newlines
    lowered: str  # joined.lower(): lower-cased once for tokens, cue phrases and copies
    gaps: np.ndarray  # blank lines before it, capped
    page_of_row: np.ndarray
    line_of_row: np.ndarray
    page_starts: np.ndarray
    copies: np.ndarray  # copy group of each row: identical text in the same page


def _collect_lines(pages: Sequence[Page]) -> _Rows:
    indices = [page.content_indices() for page in pages]
    counts = np.fromiter(map(len, indices), dtype=np.int64, count=len(pages))
    page_starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    n = int(page_starts[-1])
    page_of_row = np.repeat(np.arange(len(pages), dtype=np.int32), counts)
    line_of_row = np.fromiter(chain.from_iterable(indices), dtype=np.int32, count=n)
    raw: list[str] = []
    for page, rows in zip(pages, indices, strict=True):
        raw.extend(map(page.lines.__getitem__, rows))
    texts = list(map(str.strip, raw))
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    joined = "\n".join(texts)
    lowered = joined.lower()  # once, for tokens, cue phrases and copy groups
    gaps = np.empty(n, dtype=np.float32)
    if n:
        gaps[1:] = line_of_row[1:] - line_of_row[:-1] - 1
        gaps[page_starts[:-1][counts > 0]] = MAX_GAP  # a page's first line: far from anything
    return _Rows(texts, raw, lengths, joined, lowered, np.minimum(gaps, MAX_GAP), page_of_row,
                 line_of_row, page_starts, copy_group_ids(lowered, n, page_of_row))


def _named_columns(pages: Sequence[Page], rows: _Rows) -> dict[str, np.ndarray]:
    texts, page_of_row, page_starts = rows.texts, rows.page_of_row, rows.page_starts
    cols: dict[str, np.ndarray] = {}
    shifts = PageShifts(page_of_row)
    cols.update(char_features(texts, rows.joined, rows.lengths))
    cols.update(shape_features(texts, rows.raw, rows.gaps))
    cols.update(token_features(texts, rows.lowered, page_of_row, page_starts, _titles(pages)))
    cols.update(_dom_columns(pages, len(texts)))
    cols.update(page_markup(cols, page_of_row, len(pages)))
    cols.update(page_context(cols, rows.lengths, page_of_row, page_starts, rows.copies, shifts))
    cols.update(region_columns(cols, page_of_row, page_starts, rows.copies))
    cols.update(neighbour_columns(cols, shifts))
    return cols


def _titles(pages: Sequence[Page]) -> list[str]:
    """Each page's own title (read_html's meta), "" for text dumps: no title cue."""
    return [page.meta.get("title", "") if page.cues is not None else "" for page in pages]


def _dom_columns(pages: Sequence[Page], n_rows: int) -> dict[str, np.ndarray]:
    matrix = dom_feature_matrix(pages, n_rows)
    return {name: matrix[:, i] for i, name in enumerate(DOM_FEATURE_NAMES)}
