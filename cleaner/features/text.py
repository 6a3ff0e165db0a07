"""Features of a line's own text: its characters by class, its words, its shape."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from itertools import repeat

import numpy as np

from cleaner.features.tokens import utf32

# Character classes of the lookup table.
SPACE, LOWER, UPPER, DIGIT, SENT_END, PUNCT, LETTER, CJK, SYMBOL = range(9)
N_CLASSES = 9
SENTENCE_END_CHARS = ".!?\u3002\uff01\uff1f\u2026\u0964"  # incl. CJK and Devanagari full stops
BULLET_CHARS = "•·▪▸►‣◦●○■□*-–—»>|"
# Scripts written without spaces between words: count their characters as words.
CJK_RANGES = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF),
              (0x0E00, 0x0E7F), (0xF900, 0xFAFF))
COLUMN_GAP = "    "  # four spaces inside a line: a gap between table columns


def char_class_table() -> np.ndarray:
    """Class of every code point of the Basic Multilingual Plane, in order of precedence:
    space (no-break space too), sentence end, CJK, then by Unicode category, built at
    once (30 ms): the reference `classes_of` is tested against."""
    chars = list(map(chr, range(0x10000)))
    table = np.fromiter(map(_CLASS_OF_CATEGORY.__getitem__, map(unicodedata.category, chars)),
                        dtype=np.uint8, count=len(chars))
    for lo, hi in CJK_RANGES:
        table[lo:hi + 1] = CJK
    table[[ord(ch) for ch in SENTENCE_END_CHARS]] = SENT_END
    table[np.fromiter(map(str.isspace, chars), dtype=bool, count=len(chars))] = SPACE
    table[0xA0] = SPACE
    return table


def _category_class(category: str) -> int:
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


# Every Unicode general category and its class.
UNICODE_CATEGORIES = ("Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No", "Pc",
                      "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So", "Zs", "Zl",
                      "Zp", "Cc", "Cf", "Cs", "Co", "Cn")
_CLASS_OF_CATEGORY = {category: _category_class(category) for category in UNICODE_CATEGORIES}


def char_class(code: int) -> int:
    """The class of one code point of the BMP: char_class_table's rule, for one."""
    ch = chr(code)
    if ch.isspace() or code == 0xA0:
        return SPACE
    if ch in SENTENCE_END_CHARS:
        return SENT_END
    if any(lo <= code <= hi for lo, hi in CJK_RANGES):
        return CJK
    return _CLASS_OF_CATEGORY[unicodedata.category(ch)]


UNSET = 255  # a code point of the BMP not classed yet


@lru_cache(maxsize=1)
def _code_point_classes() -> np.ndarray:
    """The class of every code point, filled in as pages bring them (UNSET until then):
    a process classes the few hundred characters its pages hold, not the BMP's 65,536
    before its first page (30 ms of every cold start). Emoji and rare scripts beyond
    the BMP are SYMBOL (not counted as letters)."""
    table = np.full(0x110000, SYMBOL, dtype=np.uint8)
    table[:0x10000] = UNSET
    return table


def classes_of(cps: np.ndarray) -> np.ndarray:
    """The class of each code point, classing the ones never met before."""
    table = _code_point_classes()
    classes = table[cps]
    unset = classes == UNSET
    if unset.any():
        new = np.unique(cps[unset])
        table[new] = np.fromiter(map(char_class, new.tolist()), dtype=np.uint8,
                                 count=len(new))
        classes = table[cps]
    return classes


def char_features(texts: list[str], joined: str, int_lengths: np.ndarray):
    n = len(texts)
    # Code points of all lines joined by newlines (one after the last line too).
    cps = utf32(joined + "\n") if n else np.zeros(0, np.uint32)
    starts = np.concatenate([[0], np.cumsum(int_lengths + 1)[:-1]]).astype(np.int64)
    classes = classes_of(cps)
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


def shape_features(texts: list[str], raw: list[str], gaps: np.ndarray) -> dict[str, np.ndarray]:
    n = len(raw)
    raw_lengths = np.fromiter(map(len, raw), dtype=np.int64, count=n)
    unindented = np.fromiter(map(len, map(str.lstrip, raw)), dtype=np.int64, count=n)
    indent = (raw_lengths - unindented).astype(np.float32)
    # Text browsers lay table cells side by side, separated by runs of spaces:
    # such a line mixes columns (an article beside a menu, say).
    columns = _count_in_each(texts, COLUMN_GAP, np.float32)
    return {"gap_before": gaps, "indent": np.minimum(indent, 8), "column_gaps": columns}
