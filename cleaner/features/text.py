"""Per-line features for a batch of pages, as one float32 matrix.

Only lines with visible text get a row. Work is vectorised over the whole
batch: the lines are joined into one array of code points, classified by a
lookup table, and counted per line with `np.bincount`; page context and
neighbour features are array shifts within pages. Python-level work per line
is limited to a few C-speed string calls (strip, lower, split); per token, to
one dict look-up that numbers the distinct tokens of the batch (stopwords and
cue words: cleaner/features/tokens.py; DOM cues: cleaner/features/dom.py).

The column order is the feature schema: change it and bump FEATURE_SCHEMA.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, repeat

import numpy as np

from cleaner.document import Page
from cleaner.features.dom import DOM_FEATURE_NAMES, box_ids, dom_feature_matrix
from cleaner.features.tokens import token_features, utf32

FEATURE_SCHEMA = "lines-v10"

# Character classes of the lookup table.
SPACE, LOWER, UPPER, DIGIT, SENT_END, PUNCT, LETTER, CJK, SYMBOL = range(9)
N_CLASSES = 9
SENTENCE_END_CHARS = ".!?\u3002\uff01\uff1f\u2026\u0964"  # incl. CJK and Devanagari full stops
BULLET_CHARS = "•·▪▸►‣◦●○■□*-–—»>|"
# Scripts written without spaces between words: count their characters as words.
CJK_RANGES = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF),
              (0x0E00, 0x0E7F), (0xF900, 0xFAFF))

# A line this long (characters) is prose-like; the share of such text before a
# line tells where the article sits. 80 is about one sentence; chosen by eye on
# the seeds and l3s-gn1 dumps, where menu and teaser lines rarely reach it.
LONG_LINE_CHARS = 80
# Neighbour offsets whose features each line sees, and the radius of the
# smoothed context windows (in lines with text).
NEIGHBOUR_OFFSETS = (-2, -1, 1, 2)
CONTEXT_RADIUS = 5
MAX_GAP = 3  # blank lines between two text lines, capped: 3+ means "far apart"
COLUMN_GAP = "    "  # four spaces inside a line: a gap between table columns
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


@lru_cache(maxsize=1)
def char_class_table() -> np.ndarray:
    """Class of every code point of the Basic Multilingual Plane."""
    table = np.full(0x10000, SYMBOL, dtype=np.uint8)
    for code in range(0x10000):
        table[code] = _char_class(chr(code))
    return table


def _char_class(ch: str) -> int:
    code = ord(ch)
    if ch.isspace() or ch == "\u00a0":
        return SPACE
    if ch in SENTENCE_END_CHARS:
        return SENT_END
    if any(lo <= code <= hi for lo, hi in CJK_RANGES):
        return CJK
    category = unicodedata.category(ch)
    if category == "Ll":
        return LOWER
    if category in ("Lu", "Lt"):
        return UPPER
    if category == "Nd":
        return DIGIT
    if category[0] == "P":
        return PUNCT
    if category[0] in "LM":
        return LETTER
    return SYMBOL


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
                 line_of_row, page_starts, _copy_groups(lowered, n, page_of_row))


def _named_columns(pages: Sequence[Page], rows: _Rows) -> dict[str, np.ndarray]:
    texts, page_of_row, page_starts = rows.texts, rows.page_of_row, rows.page_starts
    cols: dict[str, np.ndarray] = {}
    shifts = _PageShifts(page_of_row)
    cols.update(_char_features(texts, rows.joined, rows.lengths))
    cols.update(_shape_features(texts, rows.raw, rows.gaps))
    cols.update(token_features(texts, rows.lowered, page_of_row, page_starts))
    cols.update(_dom_columns(pages, len(texts)))
    cols.update(_page_context(cols, rows.lengths, page_of_row, page_starts, rows.copies, shifts))
    cols.update(_region_columns(cols, page_of_row, page_starts, rows.copies))
    cols.update(_neighbour_columns(cols, shifts))
    return cols



@lru_cache(maxsize=1)
def _class_of_code_point() -> np.ndarray:
    """char_class_table for every code point: emoji and rare scripts beyond the BMP are
    SYMBOL (not counted as letters), so classes are one lookup without clipping."""
    table = np.full(0x110000, SYMBOL, dtype=np.uint8)
    table[:0x10000] = char_class_table()
    return table


def _char_features(texts: list[str], joined: str, int_lengths: np.ndarray):
    n = len(texts)
    # Code points of all lines joined by newlines (one after the last line too).
    cps = utf32(joined + "\n") if n else np.zeros(0, np.uint32)
    starts = np.concatenate([[0], np.cumsum(int_lengths + 1)[:-1]]).astype(np.int64)
    classes = _class_of_code_point()[cps]
    is_space = classes == SPACE
    word_start = ~is_space
    word_start[1:] &= is_space[:-1]
    # One bincount gives every per-line count: bins are (line, starts a word, class).
    bins_per_line = 2 * N_CLASSES
    line_base = np.repeat(np.arange(0, n * bins_per_line, bins_per_line, dtype=np.int64),
                          int_lengths + 1)
    binned = np.bincount(line_base + (classes + N_CLASSES * word_start.view(np.uint8)),
                         minlength=n * bins_per_line).reshape(n, 2, N_CLASSES)
    counts = binned.sum(axis=1).astype(np.float32)
    counts[:, SPACE] -= 1  # the newline that joined the lines
    lengths = int_lengths.astype(np.float32)
    n_words = binned[:, 1].sum(axis=1).astype(np.float32)
    n_words += counts[:, CJK]  # a CJK character carries about a word's meaning
    cap_words = binned[:, 1, UPPER].astype(np.float64)
    letters = counts[:, LOWER] + counts[:, UPPER] + counts[:, LETTER] + counts[:, CJK]
    safe_len = np.maximum(lengths, 1)
    last = starts + lengths.astype(np.int64) - 1
    first_cp = cps[starts] if n else np.zeros(0, np.uint32)
    last_cp = cps[last] if n else np.zeros(0, np.uint32)
    return {
        "log_chars": np.log1p(lengths),
        "n_words": n_words,
        "mean_word_len": (lengths - counts[:, SPACE]) / np.maximum(n_words, 1),
        "letter_share": letters / safe_len,
        "upper_share": counts[:, UPPER] / np.maximum(counts[:, UPPER] + counts[:, LOWER], 1),
        "cap_word_share": cap_words / np.maximum(n_words, 1),
        "digit_share": counts[:, DIGIT] / safe_len,
        "punct_share": counts[:, PUNCT] / safe_len,
        "symbol_share": counts[:, SYMBOL] / safe_len,
        "cjk_share": counts[:, CJK] / safe_len,
        "n_sentence_ends": counts[:, SENT_END],
        "ends_sentence": (classes[last] == SENT_END) if n else np.zeros(0),
        "ends_colon": last_cp == ord(":"),
        "ends_digit": (classes[last] == DIGIT) if n else np.zeros(0),
        "ends_letter": np.isin(classes[last], (LOWER, UPPER, LETTER, CJK)) if n else np.zeros(0),
        "starts_upper": (classes[starts] == UPPER) if n else np.zeros(0),
        "starts_digit": (classes[starts] == DIGIT) if n else np.zeros(0),
        "starts_bullet": np.isin(first_cp, [ord(c) for c in BULLET_CHARS]),
        "bracketed": (first_cp == ord("[")) & (last_cp == ord("]")),
        "n_brackets": _count_in_each(texts, "[", np.float32),
    }


def _count_in_each(texts: list[str], part: str, dtype) -> np.ndarray:
    """texts[i].count(part) for every line (non-overlapping, as str.count)."""
    return np.fromiter(map(str.count, texts, repeat(part)), dtype=dtype, count=len(texts))


def _shape_features(texts: list[str], raw: list[str], gaps: np.ndarray) -> dict[str, np.ndarray]:
    n = len(raw)
    raw_lengths = np.fromiter(map(len, raw), dtype=np.int64, count=n)
    unindented = np.fromiter(map(len, map(str.lstrip, raw)), dtype=np.int64, count=n)
    indent = (raw_lengths - unindented).astype(np.float32)
    # Text browsers lay table cells side by side, separated by runs of spaces:
    # such a line mixes columns (an article beside a menu, say).
    columns = _count_in_each(texts, COLUMN_GAP, np.float32)
    return {"gap_before": gaps, "indent": np.minimum(indent, 8), "column_gaps": columns}


def _dom_columns(pages: Sequence[Page], n_rows: int) -> dict[str, np.ndarray]:
    matrix = dom_feature_matrix(pages, n_rows)
    return {name: matrix[:, i] for i, name in enumerate(DOM_FEATURE_NAMES)}


def _page_context(cols, int_lengths, page_of_row, page_starts, copies,
                  shifts: _PageShifts) -> dict[str, np.ndarray]:
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


def _region_columns(cols, page_of_row, page_starts, copies) -> dict[str, np.ndarray]:
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
    return _copy_groups("\n".join(texts).lower(), len(texts), page_of_row)


def _copy_groups(lowered: str, n: int, page_of_row: np.ndarray) -> np.ndarray:
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


def _window_means(columns: list[np.ndarray], shifts: _PageShifts, radius: int):
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


class _PageShifts:
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


def _neighbour_columns(cols: dict[str, np.ndarray], shifts: _PageShifts):
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
