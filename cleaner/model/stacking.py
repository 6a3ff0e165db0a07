"""What pass two of the line classifier sees of pass one, and the last step of both.

Pure numpy: the classifier uses it when it trains (scikit-learn), the predictor
when it cleans (no scikit-learn). Pass two sees pass one's probabilities for the
lines around each line, over its page ("has the article ended above this
line?"), for its copies and, on HTML, for the other lines of its box.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from cleaner.labels import LABELS

N_LABELS = len(LABELS)
BODY, NAV, RELATED, COMMENT = range(N_LABELS)
# Trees need a number where a feature is unknown (no neighbour at a page edge,
# no DOM cue in a text dump); no real feature takes this value.
MISSING = -9.0
# Pass one's confident lines of a label mark its span on the page (from the
# first to the last of them); pass two learns where each line sits against it.
SPAN_THRESHOLD = 0.5


def stack_features(probs: np.ndarray, page_of_row: np.ndarray,
                   copy_of_row: np.ndarray | None = None, box_of_row: np.ndarray | None = None,
                   *, offsets: tuple[int, ...], radius: int) -> np.ndarray:
    """Pass-one probabilities around each row: at `offsets` within its page, over a
    window of `radius`, over its page, its copies and the other lines of its box (HTML).

    Rows of a page are contiguous. The columns are written into one float32 array,
    and the pages' bounds are found once: this runs on every batch a worker cleans.
    """
    n, k = probs.shape
    bounds = _page_bounds(page_of_row)
    blocks = [_window_mean(probs, bounds, radius),
              _page_progress(probs[:, BODY], page_of_row, bounds),
              _page_progress(probs[:, COMMENT], page_of_row, bounds),
              _span_position(probs[:, BODY] > SPAN_THRESHOLD, page_of_row, bounds),
              _span_position(probs[:, COMMENT] > SPAN_THRESHOLD, page_of_row, bounds),
              _copy_consensus(probs, copy_of_row),
              _box_consensus(probs, box_of_row)]
    width = k * len(offsets) + sum(block.shape[1] for block in blocks)
    out = np.empty((n, width), dtype=np.float32)
    for i, offset in enumerate(offsets):
        _shifted_into(out[:, i * k:(i + 1) * k], probs, offset, page_of_row)
    column = k * len(offsets)
    for block in blocks:
        out[:, column:column + block.shape[1]] = block
        column += block.shape[1]
    return out


def _page_bounds(page_of_row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first row of each row's page, and the row after its last."""
    n = len(page_of_row)
    edges = np.flatnonzero(page_of_row[1:] != page_of_row[:-1]) + 1
    firsts = np.concatenate([[0], edges])
    afters = np.concatenate([edges, [n]])
    page = np.repeat(np.arange(len(firsts)), afters - firsts) if n else edges
    return firsts[page], afters[page]


def _shifted_into(out: np.ndarray, probs: np.ndarray, offset: int,
                  page_of_row: np.ndarray) -> None:
    """out[i] = probs[i + offset] where that row is in i's page, else NaN."""
    out[:] = np.nan
    n = len(probs)
    if abs(offset) >= n:
        return
    if offset >= 0:
        here, there = slice(0, n - offset), slice(offset, n)
    else:
        here, there = slice(-offset, n), slice(0, n + offset)
    same = page_of_row[here] == page_of_row[there]
    np.copyto(out[here], probs[there], where=same[:, None])


def second_pass(first: np.ndarray, X: np.ndarray, stacked: np.ndarray,
                predict: Callable[[np.ndarray], np.ndarray],
                gate: float | None) -> np.ndarray:
    """Pass two's probabilities, `predict` on the features and the stacked pass-one
    columns. With a `gate`, only for the rows whose pass-one top probability is below
    it: the others keep pass one's (it is sure of them, and pass two would cost)."""
    if gate is None:
        return predict(np.hstack([X, fill_missing(stacked)]))
    probs = first.copy()
    unsure = first.max(axis=1) < gate
    if unsure.any():
        probs[unsure] = predict(np.hstack([X[unsure], fill_missing(stacked[unsure])]))
    return probs


def weighted(probs: np.ndarray, decision_weights) -> np.ndarray:
    """Shift the decision toward rare labels: probabilities times per-label weights,
    rows renormalised to sum to one (None: as they are)."""
    if decision_weights is None:
        return probs
    out = probs * np.asarray(decision_weights, dtype=float)
    return out / np.maximum(out.sum(axis=1, keepdims=True), 1e-12)


def fill_missing(X: np.ndarray) -> np.ndarray:
    return np.nan_to_num(X, nan=MISSING, copy=True)


def _window_mean(probs: np.ndarray, bounds: tuple[np.ndarray, np.ndarray],
                 radius: int) -> np.ndarray:
    cumulative = np.vstack([np.zeros((1, probs.shape[1])), np.cumsum(probs, axis=0)])
    n = len(probs)
    rows = np.arange(n)
    starts, ends = bounds
    lo = np.maximum(rows - radius, starts)
    hi = np.minimum(rows + radius + 1, ends)
    return (cumulative[hi] - cumulative[lo]) / (hi - lo)[:, None]


def _copy_consensus(probs: np.ndarray, copy_of_row: np.ndarray | None) -> np.ndarray:
    """Mean pass-one probabilities of the other copies of each line's text in its page.

    A reader quoting a comment repeats its text; the quote is a comment too,
    whatever it looks like on its own. NaN (missing) for lines without copies.
    """
    return _others_in_group(probs, copy_of_row)


def _box_consensus(probs: np.ndarray, box_of_row: np.ndarray | None) -> np.ndarray:
    """Mean pass-one probabilities of the other lines in each line's box (its DOM
    container): the paragraphs of an article, the lines of one comment, the items
    of one list mostly share a label, and a line pass one got wrong is outvoted.
    NaN (missing) for a line alone in its box or outside any (-1, a text dump)."""
    return _others_in_group(probs, box_of_row)


def _others_in_group(probs: np.ndarray, group_of_row: np.ndarray | None) -> np.ndarray:
    """Mean `probs` of the other rows of each row's group; NaN for a row alone in its
    group or in none (-1), and everywhere when there are no groups (None)."""
    out = np.full(probs.shape, np.nan)
    if group_of_row is None:
        return out
    group_of_row = np.asarray(group_of_row)
    known = group_of_row >= 0
    # Ids may be as sparse as element numbers: numbered 0..k-1 here, the work and
    # memory follow the rows, not the ids.
    _, ids = np.unique(group_of_row[known], return_inverse=True)
    known_probs = probs[known]
    n_groups = int(ids.max()) + 1 if len(ids) else 0
    sums = np.column_stack([np.bincount(ids, known_probs[:, label], n_groups)
                            for label in range(probs.shape[1])])
    counts = np.bincount(ids, minlength=n_groups)[ids]
    others = (sums[ids] - known_probs) / np.maximum(counts - 1, 1)[:, None]
    out[known] = np.where((counts > 1)[:, None], others, np.nan)
    return out


def _span_position(confident: np.ndarray, page_of_row: np.ndarray,
                   bounds: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Rows after the span's first row and before its last, as shares of the page.

    Negative before the span starts / after it ends; NaN (missing) on pages
    where pass one is confident about no line of that label.
    """
    n = len(confident)
    rows = np.arange(n)
    n_pages = int(page_of_row.max()) + 1 if n else 0
    first = np.full(n_pages, n, dtype=np.int64)
    last = np.full(n_pages, -1, dtype=np.int64)
    np.minimum.at(first, page_of_row[confident], rows[confident])
    np.maximum.at(last, page_of_row[confident], rows[confident])
    starts, ends = bounds
    size = np.maximum(ends - starts, 1)
    found = last[page_of_row] >= 0
    after_first = np.where(found, (rows - first[page_of_row]) / size, np.nan)
    before_last = np.where(found, (last[page_of_row] - rows) / size, np.nan)
    return np.column_stack([after_first, before_last])


def _page_progress(p: np.ndarray, page_of_row: np.ndarray,
                   bounds: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Share of the page's mass of `p` above each row, and the most seen so far."""
    n = len(p)
    starts, ends = bounds
    cumulative = np.concatenate([[0.0], np.cumsum(p)])
    before = cumulative[np.arange(n)] - cumulative[starts]
    total = cumulative[ends] - cumulative[starts]
    share_before = before / np.maximum(total, 1e-9)
    # p lies in [0, 1], so lifting each page by 2 x its index makes one running
    # maximum over the batch restart at every page.
    lift = 2.0 * page_of_row
    running_max = np.maximum.accumulate(p + lift) - lift
    return np.column_stack([share_before, running_max, total / (ends - starts)])

