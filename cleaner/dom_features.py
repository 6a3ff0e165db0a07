"""Numeric columns from the DOM cues of HTML lines; NaN for text dumps.

The classifier treats NaN as "unknown", so one model serves text dumps (no
cues) and rendered HTML (cues) alike. Per line: the share of its text inside
links, heading level, depth, and one 0/1 column per block tag, per ancestor
element and per class/id token the renderer recognises.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cleaner.document import DomCues, Page
from cleaner.readers.html import CLASS_TOKENS, INSIDE_TAGS

NUMERIC = ("dom_link_share", "dom_heading", "dom_depth")
# Tags that are rare as a line's block or mean the same to a reader share a column.
TAG_COLUMNS = ("p", "div", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
               "pre", "dd", "dt", "figcaption", "section", "article", "header", "footer", "nav",
               "aside", "form", "option", "address", "caption")
DOM_FEATURE_NAMES: tuple[str, ...] = (
    *NUMERIC,
    *(f"dom_tag_{tag}" for tag in TAG_COLUMNS),
    "dom_tag_other",
    *(f"dom_in_{tag}" for tag in INSIDE_TAGS),
    *(f"dom_cls_{token}" for token in CLASS_TOKENS),
)
_COLUMN = {name: i for i, name in enumerate(DOM_FEATURE_NAMES)}
# Depth is capped: beyond this nesting, deeper means nothing more.
MAX_DEPTH = 40
# Distinct (tag, ancestors, tokens) combinations seen so far; a site has a few
# hundred. Cleared when it grows past this, so a long run's memory stays flat.
MAX_CACHED = 100_000
_flag_cache: dict[tuple[str, frozenset[str], frozenset[str]], list[int]] = {}


def _flag_columns(cues: DomCues) -> list[int]:
    """Columns set to 1 for this combination of tag, ancestors and tokens (cached)."""
    key = (cues.tag, cues.inside, cues.tokens)
    columns = _flag_cache.get(key)
    if columns is None:
        tag = f"dom_tag_{cues.tag}"
        columns = [_COLUMN.get(tag, _COLUMN["dom_tag_other"])]
        columns += [_COLUMN[f"dom_in_{t}"] for t in cues.inside if f"dom_in_{t}" in _COLUMN]
        columns += [_COLUMN[f"dom_cls_{t}"] for t in cues.tokens if f"dom_cls_{t}" in _COLUMN]
        if len(_flag_cache) >= MAX_CACHED:
            _flag_cache.clear()
        _flag_cache[key] = columns
    return columns


def dom_feature_matrix(pages: Sequence[Page], n_rows: int) -> np.ndarray:
    matrix = np.full((n_rows, len(DOM_FEATURE_NAMES)), np.nan, dtype=np.float32)
    flag_rows: list[int] = []
    flag_columns: list[int] = []
    numeric_rows: list[int] = []
    numeric: list[tuple[float, float, float]] = []
    row = 0
    for page in pages:
        content = page.content_indices()
        if page.cues is None:
            row += len(content)
            continue
        for index in content:
            cues = page.cues[index]
            if cues is not None:
                numeric_rows.append(row)
                numeric.append((cues.link_share, cues.heading, min(cues.depth, MAX_DEPTH)))
                columns = _flag_columns(cues)
                flag_rows.extend([row] * len(columns))
                flag_columns.extend(columns)
            row += 1
    if numeric_rows:
        matrix[numeric_rows, len(NUMERIC):] = 0.0
        matrix[numeric_rows, :len(NUMERIC)] = numeric
        matrix[flag_rows, flag_columns] = 1.0
    return matrix
