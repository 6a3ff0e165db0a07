"""Numeric columns from the DOM cues of HTML lines; NaN for text dumps.

The classifier treats NaN as "unknown", so one model serves text dumps (no
cues) and rendered HTML (cues) alike. Per line: the share of its text inside
links, heading level, depth, the Readability-style content scores
(readers/html/content_score.py), and one 0/1 column per block tag, per ancestor
element and per class/id token the renderer recognises. The lines' boxes
(`box_ids`) are no column: the classifier's second pass groups lines by them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import count, repeat
from operator import attrgetter

import numpy as np

from cleaner.document import DomCues, Page
from cleaner.readers.html.tags import INSIDE_TAGS
from cleaner.readers.html.vocabulary import CLASS_TOKENS

NUMERIC = ("dom_link_share", "dom_heading", "dom_depth", "dom_content", "dom_in_top",
           "dom_in_chrome", "dom_top_share")
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
_NUMERIC_CUES = attrgetter("link_share", "heading", "depth", "content", "in_top", "in_chrome",
                           "top_share")  # the DomCues fields behind NUMERIC, in its order
# Depth is capped: beyond this nesting, deeper means nothing more.
MAX_DEPTH = 40
_DEPTH = NUMERIC.index("dom_depth")
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
    if all(page.cues is None for page in pages):  # text dumps only
        return np.full((n_rows, len(DOM_FEATURE_NAMES)), np.nan, dtype=np.float32)
    line_cues: list[DomCues | None] = []
    for page in pages:
        content = page.content_indices()
        if page.cues is None:
            line_cues.extend(repeat(None, len(content)))
        else:
            line_cues.extend(map(page.cues.__getitem__, content))
    # The HTML reader gives the lines with the same cues one shared DomCues
    # object (and text dumps have None): build each distinct object's row once.
    object_of_row, firsts = _distinct(map(id, line_cues))
    rows = _cue_rows([line_cues[k] for k in firsts])
    return rows[object_of_row]


def _cue_rows(objects: list[DomCues | None]) -> np.ndarray:
    """The feature row of each DomCues (all NaN for None)."""
    rows = np.full((len(objects), len(DOM_FEATURE_NAMES)), np.nan, dtype=np.float32)
    known = [k for k, cues in enumerate(objects) if cues is not None]
    if not known:
        return rows
    found = [objects[k] for k in known]
    # A page has few (tag, ancestors, tokens) combinations: flags once for each.
    combo_of, combos = _distinct(map(attrgetter("tag", "inside", "tokens"), found))
    flag_combos: list[int] = []
    flag_columns: list[int] = []
    for k, first in enumerate(combos):
        columns = _flag_columns(found[first])
        flag_combos.extend(repeat(k, len(columns)))
        flag_columns.extend(columns)
    flags = np.zeros((len(combos), len(DOM_FEATURE_NAMES)), dtype=np.float32)
    flags[flag_combos, flag_columns] = 1.0
    values = flags[combo_of]
    numeric = np.array(list(map(_NUMERIC_CUES, found)), dtype=np.float32)
    np.minimum(numeric[:, _DEPTH], MAX_DEPTH, out=numeric[:, _DEPTH])
    values[:, :len(NUMERIC)] = numeric
    rows[known] = values
    return rows


def _distinct(keys: Iterable) -> tuple[np.ndarray, list[int]]:
    """Which distinct key each key is (numbered in first-seen order), and where each
    distinct key is first seen."""
    first_seen: dict = {}
    first = np.fromiter(map(first_seen.setdefault, keys, count()), dtype=np.int64)
    firsts = list(first_seen.values())
    number = np.zeros(len(first), dtype=np.int64)
    number[firsts] = np.arange(len(firsts))
    return number[first], firsts


def box_ids(pages: Sequence[Page]) -> np.ndarray | None:
    """The box (DomCues.box) of every text line of the batch, numbered apart for each
    page: (rows,) int64, -1 where unknown. None when no page has cues."""
    if all(page.cues is None for page in pages):
        return None
    parts = []
    offset = 0
    for page in pages:
        content = page.content_indices()
        if page.cues is None:
            parts.append(np.full(len(content), -1, dtype=np.int64))
            continue
        cues = map(page.cues.__getitem__, content)
        boxes = np.fromiter((-1 if c is None else c.box for c in cues), np.int64, len(content))
        parts.append(np.where(boxes >= 0, boxes + offset, -1))
        offset += int(boxes.max()) + 1 if len(boxes) else 0
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


# The page's markup as a whole: a page of 2025 wraps its article in <main> and
# <article> and its chrome in <nav>, <header>, <footer> and <aside>; a page of
# 2008 has divs and tables. A list item inside <article> on the first is often
# the article (a how-to's steps), on the second a teaser. Shares of the page's
# text lines, NaN for text dumps.
PAGE_MARKUP = {"page_in_main": ("main",), "page_in_article": ("article",),
               "page_in_landmark": ("nav", "header", "footer", "aside")}


def page_markup(cols: dict[str, np.ndarray], page_of_row: np.ndarray, n_pages: int
                ) -> dict[str, np.ndarray]:
    """Each line's page's share of lines inside the PAGE_MARKUP elements."""
    lines = np.bincount(page_of_row, minlength=n_pages).astype(np.float64)
    out = {}
    for name, tags in PAGE_MARKUP.items():
        inside = np.zeros(len(page_of_row), dtype=np.float64)
        for tag in tags:
            inside = np.maximum(inside, cols[f"dom_in_{tag}"])  # NaN stays NaN
        share = np.bincount(page_of_row, weights=inside, minlength=n_pages) / np.maximum(lines, 1)
        out[name] = share[page_of_row].astype(np.float32)
    return out
