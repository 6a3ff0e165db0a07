"""Features of a line's place in its page: page context, regions of related links
and comments, copies of a line, and what its neighbours are like."""

from __future__ import annotations

import numpy as np

# A line this long (characters) is prose-like; the share of such text before a
# line tells where the article sits. 80 is about one sentence; chosen by eye on
# the seeds and l3s-gn1 dumps, where menu and teaser lines rarely reach it.
LONG_LINE_CHARS = 80
# Neighbour offsets whose features each line sees, and the radius of the
# smoothed context windows (in lines with text).
NEIGHBOUR_OFFSETS = (-2, -1, 1, 2)
CONTEXT_RADIUS = 5
# Related links and reader comments come in regions opened by a header
# ("Related stories", "12 comments") and full of repeated cues: each line
# learns how far (in text lines, capped) the nearest such cue is, and how
# dense comment cues are around it.
REGION_REACH = 30
AREA_RADIUS = 8
# The features each line also sees of its neighbours.
NEIGHBOUR_FEATURES = (
    "log_chars", "n_words", "ends_sentence", "stop_share", "common_share", "starts_bullet",
    "upper_share", "digit_share", "gap_before", "cue_reply", "cue_said", "cue_ago",
    "cue_related", "cue_comment", "dom_link_share",
)


def page_context(cols, int_lengths, page_of_row, page_starts, copies,
                  shifts: PageShifts) -> dict[str, np.ndarray]:
    """Where a line sits in its page, and how it compares with the rest of the page."""
    n = len(int_lengths)
    if n == 0:
        return {name: np.zeros(0, np.float32) for name in _CONTEXT_NAMES}
    # float64 and exact lengths: running sums over a whole batch must not drift,
    # or a page's features would depend on the pages batched before it.
    lengths = int_lengths.astype(np.float64)
    first = page_starts[page_of_row]
    page_rows = (page_starts[1:] - page_starts[:-1])[page_of_row].astype(np.float32)
    index = np.arange(n) - first
    char_cum = np.cumsum(lengths)
    page_chars_before = _page_offsets(char_cum, page_starts)[page_of_row]
    chars_before = char_cum - lengths - page_chars_before
    page_chars = _per_page_sum(lengths, page_of_row, len(page_starts) - 1)[page_of_row]
    longest_row = _first_row_of_max(lengths, page_of_row, page_starts)[page_of_row]
    long_chars = lengths * (lengths >= LONG_LINE_CHARS)
    long_cum = np.cumsum(long_chars)
    long_before = long_cum - long_chars - _page_offsets(long_cum, page_starts)[page_of_row]
    page_long = _per_page_sum(long_chars, page_of_row, len(page_starts) - 1)[page_of_row]
    repeats = (np.bincount(copies)[copies] - 1).astype(np.float32)
    block_size, index_in_block = _blocks(cols["gap_before"], first, n)
    context_chars, context_stop, context_ends = _window_means(
        [cols["log_chars"], cols["stop_share"], cols["ends_sentence"]], shifts, CONTEXT_RADIUS)
    return {
        "page_lines": np.log1p(page_rows),
        "rel_position": index / np.maximum(page_rows - 1, 1),
        "lines_from_end": np.log1p(page_rows - 1 - index),
        "lines_from_start": np.log1p(index),
        "rel_char_position": chars_before / np.maximum(page_chars, 1),
        "rel_to_longest": (np.arange(n) - longest_row) / np.maximum(page_rows, 1),
        "is_longest": np.arange(n) == longest_row,
        "len_vs_page_max": lengths / np.maximum(lengths[longest_row], 1),
        "long_text_before": long_before / np.maximum(page_long, 1),
        "page_long_share": page_long / np.maximum(page_chars, 1),
        "repeats_in_page": np.log1p(repeats),
        "block_size": np.log1p(block_size),
        "index_in_block": np.minimum(index_in_block, 10),
        "context_mean_chars": context_chars,
        "context_mean_stop": context_stop,
        "context_sentence_ends": context_ends,
    }


_CONTEXT_NAMES = (
    "page_lines", "rel_position", "lines_from_end", "lines_from_start", "rel_char_position",
    "rel_to_longest", "is_longest", "len_vs_page_max", "long_text_before", "page_long_share",
    "repeats_in_page", "block_size", "index_in_block", "context_mean_chars",
    "context_mean_stop", "context_sentence_ends",
)


def region_columns(cols, page_of_row, page_starts, copies) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    n = len(page_of_row)
    first = page_starts[page_of_row] if n else np.zeros(0, np.int64)
    last = page_starts[page_of_row + 1] - 1 if n else np.zeros(0, np.int64)
    # Headlines and standfirsts sit just above the article's prose; bylines and
    # related links just below it. Prose: a long line with a sentence end.
    prose = (cols["log_chars"] >= np.log1p(LONG_LINE_CHARS)) & (cols["n_sentence_ends"] > 0)
    out["since_prose"] = _lines_since(prose, first)
    out["until_prose"] = _lines_since(prose[::-1], (n - 1 - last)[::-1])[::-1]
    # A headline is repeated in the title, breadcrumbs and share boxes; only the
    # copy next to the text is the article's (LABELING.md). 0 for that copy.
    out["farther_copy"] = _farther_than_nearest_copy(
        np.minimum(out["since_prose"], out["until_prose"]), copies)
    # "said" is everywhere in news prose; only a "NAME said:" header marks a comment.
    comment_cues = (cols["cue_comment"] + cols["cue_ago"] + cols["cue_reply"]
                    + cols["cue_said"] * cols["ends_colon"])
    regions = (("related", cols["cue_related"]), ("comment", comment_cues),
               ("media", cols["cue_media"]))  # captions sit beside photo credits
    for region, cues in regions:
        hit = cues > 0
        out[f"since_{region}_cue"] = _lines_since(hit, first)
        out[f"until_{region}_cue"] = _lines_since(hit[::-1], (n - 1 - last)[::-1])[::-1]
    out["comment_cue_area"] = _window_sum(comment_cues, page_starts, page_of_row, AREA_RADIUS)
    # Forums quote a post under a short "NAME said:" / "NAME wrote:" header;
    # the lines below it are a reader's words, however article-like they read.
    quote_header = (cols["cue_said"] > 0) & (cols["ends_colon"] > 0) & (cols["n_words"] <= 12)
    out["since_quote_header"] = _lines_since(quote_header, first)
    return out


def _farther_than_nearest_copy(distance: np.ndarray, copies: np.ndarray) -> np.ndarray:
    """How much farther from the prose a line is than the nearest copy of its text."""
    if not len(copies):
        return np.zeros(0, dtype=np.float32)
    nearest = np.full(int(copies.max()) + 1, np.inf)
    np.minimum.at(nearest, copies, distance)
    return (distance - nearest[copies]).astype(np.float32)


def _lines_since(hit: np.ndarray, first_row: np.ndarray) -> np.ndarray:
    """Text lines since the last row with `hit` in the same page (0 on it), capped."""
    rows = np.arange(len(hit))
    last_hit = np.maximum.accumulate(np.where(hit, rows, -1)) if len(hit) else rows
    since = np.where(last_hit >= first_row, rows - last_hit, REGION_REACH)
    return np.minimum(since, REGION_REACH).astype(np.float32)


def _window_sum(values, page_starts, page_of_row, radius: int) -> np.ndarray:
    """Sum of `values` over rows within `radius`, inside the page (exact for counts)."""
    n = len(values)
    if n == 0:
        return np.zeros(0, np.float32)
    cumulative = np.concatenate([[0.0], np.cumsum(values, dtype=np.float64)])
    rows = np.arange(n)
    lo = np.maximum(rows - radius, page_starts[page_of_row])
    hi = np.minimum(rows + radius + 1, page_starts[page_of_row + 1])
    return (cumulative[hi] - cumulative[lo]).astype(np.float32)


def _page_offsets(cumsum: np.ndarray, page_starts: np.ndarray) -> np.ndarray:
    """For each page, the running total reached before its first row."""
    padded = np.concatenate([[0.0], cumsum])
    return padded[page_starts[:-1]]


def _per_page_sum(values: np.ndarray, page_of_row: np.ndarray, n_pages: int) -> np.ndarray:
    return np.bincount(page_of_row, weights=values, minlength=n_pages)


def _first_row_of_max(values, page_of_row, page_starts) -> np.ndarray:
    """Global row index of each page's largest value (first one on ties)."""
    n_pages = len(page_starts) - 1
    page_max = np.full(n_pages, -np.inf)
    np.maximum.at(page_max, page_of_row, values)
    rows = np.arange(len(values))
    candidates = np.where(values == page_max[page_of_row], rows, np.iinfo(np.int64).max)
    first = np.full(n_pages, np.iinfo(np.int64).max)
    np.minimum.at(first, page_of_row, candidates)
    return first


def copy_groups(texts: list[str], page_of_row: np.ndarray) -> np.ndarray:
    """A group id per line, shared by the lines of a page with the same text (case ignored).

    Lines are keyed by a 64-bit hash of their lower-cased text mixed with their
    page, so one np.unique groups the whole batch at once.
    """
    return copy_group_ids("\n".join(texts).lower(), len(texts), page_of_row)


def copy_group_ids(lowered: str, n: int, page_of_row: np.ndarray) -> np.ndarray:
    """copy_groups from the lines already joined by newlines and lower-cased."""
    if not n:
        return np.zeros(0, dtype=np.int64)
    hashes = np.fromiter(map(hash, lowered.split("\n")), dtype=np.int64, count=n)
    keys = hashes ^ (page_of_row.astype(np.int64) * np.int64(0x9E3779B97F4A7C15 - (1 << 64)))
    return np.unique(keys, return_inverse=True)[1].astype(np.int64)


def _blocks(gap_before: np.ndarray, first_row_of_page: np.ndarray, n: int):
    """Size of the block of adjacent lines each line sits in, and its index there."""
    new_block = (gap_before > 0) | (np.arange(n) == first_row_of_page)
    block_id = np.cumsum(new_block) - 1
    sizes = np.bincount(block_id)
    block_first = np.flatnonzero(new_block)
    return sizes[block_id].astype(np.float32), (np.arange(n) - block_first[block_id])


def _window_means(columns: list[np.ndarray], shifts: PageShifts, radius: int):
    """Mean of each column over the lines within `radius` rows, inside the same page.

    The columns are stacked and shifted together; each mean is summed in the
    same order (offset -radius first) as one column alone would be.
    """
    values = np.stack([np.asarray(c, dtype=np.float64) for c in columns], axis=1)
    total = np.zeros(values.shape, dtype=np.float64)
    n_valid = np.zeros(len(values), dtype=np.float64)
    for offset in range(-radius, radius + 1):
        rows, valid = shifts.at(offset)
        total += np.where(valid[:, None], values[rows], 0.0)
        n_valid += valid
    return (total / np.maximum(n_valid, 1)[:, None]).astype(np.float32).T


class PageShifts:
    """The rows `offset` away and their validity (see _rows_at_offset), computed
    once per offset and shared by every feature that looks at neighbours."""

    def __init__(self, page_of_row: np.ndarray):
        self.page_of_row = page_of_row
        self._cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def at(self, offset: int) -> tuple[np.ndarray, np.ndarray]:
        if offset not in self._cache:
            self._cache[offset] = _rows_at_offset(offset, self.page_of_row)
        return self._cache[offset]


def _rows_at_offset(offset: int, page_of_row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row i + offset for each row i (clipped into range), and whether it is in i's page."""
    n = len(page_of_row)
    index = np.arange(n) + offset
    inside = (index >= 0) & (index < n)
    safe = np.clip(index, 0, max(n - 1, 0))
    valid = inside & (page_of_row[safe] == page_of_row) if n else inside
    return safe, valid


def shift_within_pages(values: np.ndarray, offset: int, page_of_row: np.ndarray):
    """values[i + offset] for each row i, and whether that row is in the same page."""
    safe, valid = _rows_at_offset(offset, page_of_row)
    return values[safe] if len(values) else values, valid


def neighbour_columns(cols: dict[str, np.ndarray], shifts: PageShifts):
    out: dict[str, np.ndarray] = {}
    # One row gather per offset for all neighbour features at once.
    values = np.stack([np.asarray(cols[name], dtype=np.float32) for name in NEIGHBOUR_FEATURES],
                      axis=1)
    for offset in NEIGHBOUR_OFFSETS:
        rows, valid = shifts.at(offset)
        shifted = np.where(valid[:, None], values[rows], np.float32(np.nan))
        for i, name in enumerate(NEIGHBOUR_FEATURES):
            out[f"{name}@{offset:+d}"] = shifted[:, i]
    return out
