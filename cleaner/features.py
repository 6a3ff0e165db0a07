"""Per-line features for a batch of pages, as one float32 matrix.

Only lines with visible text get a row. Work is vectorised over the whole
batch: the lines are joined into one array of code points, classified by a
lookup table, and counted per line with `np.bincount`; page context and
neighbour features are array shifts within pages. Python-level work per line
is limited to a few C-speed string calls (lower, findall, set lookups).

The column order is the feature schema: change it and bump FEATURE_SCHEMA.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat

import numpy as np

from cleaner.document import Page
from cleaner.dom_features import DOM_FEATURE_NAMES, dom_feature_matrix
from cleaner.stopwords import STOPWORDS

FEATURE_SCHEMA = "lines-v8"

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
# The page's most frequent tokens stand in for function words of any language.
PAGE_COMMON_TOKENS = 20
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

# Tokens are runs of word characters. The whole batch is tokenised in one
# findall; which line each token belongs to comes from a lookup table of the
# exact same character class over code points.
TOKEN = re.compile(r"\w+")

# Cue words and phrases, matched on lower-cased text. Most are English, so
# the model also gets language-agnostic cues (©, clock times, years, digits,
# separators) and, for HTML, the DOM cues.
CUE_WORDS: dict[str, tuple[str, ...]] = {
    "said": ("said", "says", "wrote", "writes"),
    "ago": ("ago",),
    "reply": ("reply", "replies", "report", "permalink", "quote", "recommend", "like",
              "likes", "flag", "reactions", "upvote", "downvote", "votes", "points", "thanks",
              "haha", "helpful", "member", "members", "posts", "joined"),
    "comment": ("comment", "comments", "kommentar", "kommentare", "commentaire",
                "commentaires", "comentario", "comentarios", "commenti", "discussion"),
    "share": ("share", "tweet", "facebook", "twitter", "email", "e-mail", "print",
              "pinterest", "linkedin", "whatsapp", "reddit", "digg", "stumbleupon", "bookmark"),
    "subscribe": ("subscribe", "newsletter", "signup", "login", "register", "account",
                  "password", "username", "logout"),
    "related": ("related", "recommended", "popular", "latest", "trending", "previous",
                "next", "more", "also", "headlines"),
    "copyright": ("copyright", "rights", "reserved", "privacy", "terms", "contact"),
    "date": ("jan", "january", "feb", "february", "mar", "march", "apr", "april", "may",
             "jun", "june", "jul", "july", "aug", "august", "sep", "sept", "september",
             "oct", "october", "nov", "november", "dec", "december", "monday", "tuesday",
             "wednesday", "thursday", "friday", "saturday", "sunday", "today", "yesterday",
             "updated", "published", "posted", *map(str, range(1990, 2031))),
    "media": ("photo", "photos", "image", "images", "getty", "reuters", "ap", "afp",
              "credit", "caption", "video", "videos", "gallery", "click", "enlarge",
              "pictured", "photographer", "shutterstock", "istock", "epa", "dpa", "file"),
    "advert": ("advertisement", "advertising", "sponsored", "ad", "ads", "promoted"),
}
CUE_PHRASES: dict[str, tuple[str, ...]] = {
    "subscribe": ("sign up", "sign in", "log in"),
    "related": ("read more", "see also", "more news", "more stories", "top stories"),
    "reply": ("link to comment", "report abuse"),
    "copyright": ("©", "(c)", "all rights reserved"),
    # A caption names who stands where: "Putin (R) shakes hands", "X, left, and Y".
    "media": ("(r)", "(l)", ", left,", ", right,", ", center,", "(left)", "(right)"),
    "separator": (" | ", " » ", " / ", " · ", " :: "),
}
CUE_NAMES: tuple[str, ...] = (*CUE_WORDS, "separator", "clock")
CUE_OF_TOKEN: dict[str, int] = {
    word: CUE_NAMES.index(name) for name, words in CUE_WORDS.items() for word in words
}
CLOCK = re.compile(r"\d:\d\d")

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
                     page_starts=rows.page_starts, copy_of_row=rows.copies)


@dataclass(slots=True)
class _Rows:
    texts: list[str]  # stripped text of each text line
    raw: list[str]  # the line as it came
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
    line_of_row = np.fromiter((i for rows in indices for i in rows), dtype=np.int32, count=n)
    raw = [page.lines[i] for page, rows in zip(pages, indices, strict=True) for i in rows]
    texts = [line.strip() for line in raw]
    gaps = np.empty(n, dtype=np.float32)
    if n:
        gaps[1:] = line_of_row[1:] - line_of_row[:-1] - 1
        gaps[page_starts[:-1][counts > 0]] = MAX_GAP  # a page's first line: far from anything
    return _Rows(texts, raw, np.minimum(gaps, MAX_GAP), page_of_row, line_of_row, page_starts,
                 copy_groups(texts, page_of_row))


def _named_columns(pages: Sequence[Page], rows: _Rows) -> dict[str, np.ndarray]:
    texts, page_of_row, page_starts = rows.texts, rows.page_of_row, rows.page_starts
    cols: dict[str, np.ndarray] = {}
    cols.update(_char_features(texts))
    cols.update(_shape_features(texts, rows.raw, rows.gaps))
    cols.update(_token_features(texts, page_of_row, page_starts))
    cols.update(_dom_columns(pages, len(texts)))
    cols.update(_page_context(cols, texts, page_of_row, page_starts, rows.copies))
    cols.update(_region_columns(cols, page_of_row, page_starts, rows.copies))
    cols.update(_neighbour_columns(cols, page_of_row))
    return cols


def utf32(text: str) -> np.ndarray:
    """Code points of `text`; lone surrogates (possible in str from the API) pass through."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _code_points(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Code points of all lines joined by newlines, each char's line, and line starts."""
    joined = "\n".join(texts) + "\n" if texts else ""
    cps = utf32(joined)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    line_of_char = np.repeat(np.arange(len(texts), dtype=np.int64), lengths + 1)
    starts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]]).astype(np.int64)
    return cps, line_of_char, starts


def _char_features(texts: list[str]) -> dict[str, np.ndarray]:
    n = len(texts)
    cps, line_of_char, starts = _code_points(texts)
    table = char_class_table()
    classes = table[np.minimum(cps, 0xFFFF)].astype(np.int64)
    classes[cps > 0xFFFF] = SYMBOL  # emoji and rare scripts: not counted as letters
    counts = np.bincount(line_of_char * N_CLASSES + classes, minlength=n * N_CLASSES)
    counts = counts.reshape(n, N_CLASSES).astype(np.float32)
    counts[:, SPACE] -= 1  # the newline that joined the lines
    lengths = np.fromiter(map(len, texts), dtype=np.float32, count=n)
    is_space = classes == SPACE
    word_start = ~is_space & np.concatenate([[True], is_space[:-1]])
    n_words = np.bincount(line_of_char, weights=word_start, minlength=n).astype(np.float32)
    n_words += counts[:, CJK]  # a CJK character carries about a word's meaning
    cap_words = np.bincount(line_of_char, weights=word_start & (classes == UPPER), minlength=n)
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
        "n_brackets": np.fromiter((t.count("[") for t in texts), dtype=np.float32, count=n),
    }


def _shape_features(texts: list[str], raw: list[str], gaps: np.ndarray) -> dict[str, np.ndarray]:
    n = len(texts)
    indent = np.fromiter((len(r) - len(r.lstrip()) for r in raw), dtype=np.float32, count=n)
    # Text browsers lay table cells side by side, separated by runs of spaces:
    # such a line mixes columns (an article beside a menu, say).
    columns = np.fromiter((t.count(COLUMN_GAP) for t in texts), dtype=np.float32, count=n)
    return {"gap_before": gaps, "indent": np.minimum(indent, 8), "column_gaps": columns}


def _token_features(texts: list[str], page_of_row: np.ndarray, page_starts: np.ndarray):
    """Stopword shares and cue-word counts from one tokenisation of the whole batch."""
    n = len(texts)
    joined = "\n".join(texts).lower()
    tokens = TOKEN.findall(joined)
    line_of_token = _line_of_each_token(joined, n, len(tokens))
    if line_of_token is None:  # tables disagree with the regex: tokenise line by line
        per_line = [TOKEN.findall(t.lower()) for t in texts]
        tokens = [t for line in per_line for t in line]
        line_of_token = np.repeat(np.arange(n), [len(line) for line in per_line])
    n_tokens = np.bincount(line_of_token, minlength=n).astype(np.float32)
    is_stop = np.fromiter(map(STOPWORDS.__contains__, tokens), dtype=bool, count=len(tokens))
    stop = np.bincount(line_of_token, weights=is_stop, minlength=n).astype(np.float32)
    common = _page_common_counts(tokens, line_of_token, page_starts, n)
    cue_ids = np.fromiter(map(CUE_OF_TOKEN.get, tokens, repeat(-1)), dtype=np.int64,
                          count=len(tokens))
    cues = np.zeros((len(CUE_NAMES), n), dtype=np.float32)
    hit = cue_ids >= 0
    np.add.at(cues, (cue_ids[hit], line_of_token[hit]), 1)
    _add_phrase_cues(cues, joined, n)
    safe = np.maximum(n_tokens, 1)
    out = {"stop_share": stop / safe, "n_stop": stop, "common_share": common / safe}
    out.update({f"cue_{name}": cues[i] for i, name in enumerate(CUE_NAMES)})
    return out


@lru_cache(maxsize=1)
def word_char_table() -> np.ndarray:
    """For every BMP code point, whether TOKEN's \\w matches it (by asking the regex)."""
    table = np.zeros(0x10000, dtype=bool)
    every_char = "".join(map(chr, range(0x10000)))
    for match in TOKEN.finditer(every_char):
        table[match.start():match.end()] = True
    return table


def _line_of_each_token(joined: str, n_lines: int, n_tokens: int) -> np.ndarray | None:
    """The line of each token of TOKEN.findall(joined), lines being split on newlines."""
    if not n_tokens:
        return np.zeros(0, dtype=np.int64)
    cps = utf32(joined)
    is_word = np.zeros(len(cps), dtype=bool)
    bmp = cps < 0x10000
    is_word[bmp] = word_char_table()[cps[bmp]]
    for i in np.flatnonzero(~bmp):  # astral characters are rare: ask the regex
        is_word[i] = TOKEN.match(chr(cps[i])) is not None
    starts = is_word.copy()
    starts[1:] &= ~is_word[:-1]
    if int(starts.sum()) != n_tokens:
        return None
    line_of_char = np.cumsum(cps == ord("\n"))
    return line_of_char[starts]


def _page_common_counts(tokens, line_of_token, page_starts, n) -> np.ndarray:
    """Per line, how many tokens are among its page's most frequent ones."""
    page_of_token = np.searchsorted(page_starts, line_of_token, side="right") - 1
    bounds = np.searchsorted(page_of_token, np.arange(len(page_starts)))
    flags = np.zeros(len(tokens), dtype=bool)
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        if lo == hi:
            continue
        page_tokens = tokens[lo:hi]
        top = {t for t, _ in Counter(page_tokens).most_common(PAGE_COMMON_TOKENS)}
        flags[lo:hi] = np.fromiter(map(top.__contains__, page_tokens), dtype=bool,
                                   count=hi - lo)
    return np.bincount(line_of_token, weights=flags, minlength=n).astype(np.float32)


def _add_phrase_cues(cues: np.ndarray, joined: str, n: int) -> None:
    """Count multi-word cue phrases and clock times with fast substring scans."""
    if not n:
        return
    line_starts = np.flatnonzero(utf32("\n" + joined) == ord("\n"))
    positions: list[int] = []
    ids: list[int] = []
    for name, phrases in CUE_PHRASES.items():
        cue = CUE_NAMES.index(name)
        for phrase in phrases:
            at = joined.find(phrase)
            while at != -1:
                positions.append(at)
                ids.append(cue)
                at = joined.find(phrase, at + 1)
    clock = CUE_NAMES.index("clock")
    for match in CLOCK.finditer(joined):
        positions.append(match.start())
        ids.append(clock)
    if positions:
        lines = np.searchsorted(line_starts, np.asarray(positions), side="right") - 1
        np.add.at(cues, (np.asarray(ids), lines), 1)


def _dom_columns(pages: Sequence[Page], n_rows: int) -> dict[str, np.ndarray]:
    matrix = dom_feature_matrix(pages, n_rows)
    return {name: matrix[:, i] for i, name in enumerate(DOM_FEATURE_NAMES)}


def _page_context(cols, texts, page_of_row, page_starts, copies) -> dict[str, np.ndarray]:
    """Where a line sits in its page, and how it compares with the rest of the page."""
    n = len(texts)
    if n == 0:
        return {name: np.zeros(0, np.float32) for name in _CONTEXT_NAMES}
    # float64 and exact lengths: running sums over a whole batch must not drift,
    # or a page's features would depend on the pages batched before it.
    lengths = np.fromiter(map(len, texts), dtype=np.float64, count=n)
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
        "context_mean_chars": _window_mean(cols["log_chars"], page_of_row, CONTEXT_RADIUS),
        "context_mean_stop": _window_mean(cols["stop_share"], page_of_row, CONTEXT_RADIUS),
        "context_sentence_ends": _window_mean(cols["ends_sentence"], page_of_row,
                                              CONTEXT_RADIUS),
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
    if not texts:
        return np.zeros(0, dtype=np.int64)
    hashes = np.fromiter(map(hash, "\n".join(texts).lower().split("\n")), dtype=np.int64,
                         count=len(texts))
    keys = hashes ^ (page_of_row.astype(np.int64) * np.int64(0x9E3779B97F4A7C15 - (1 << 64)))
    return np.unique(keys, return_inverse=True)[1].astype(np.int64)


def _blocks(gap_before: np.ndarray, first_row_of_page: np.ndarray, n: int):
    """Size of the block of adjacent lines each line sits in, and its index there."""
    new_block = (gap_before > 0) | (np.arange(n) == first_row_of_page)
    block_id = np.cumsum(new_block) - 1
    sizes = np.bincount(block_id)
    block_first = np.flatnonzero(new_block)
    return sizes[block_id].astype(np.float32), (np.arange(n) - block_first[block_id])


def _window_mean(values: np.ndarray, page_of_row: np.ndarray, radius: int) -> np.ndarray:
    """Mean of `values` over the lines within `radius` rows, inside the same page."""
    total = np.zeros(len(values), dtype=np.float64)
    count = np.zeros(len(values), dtype=np.float64)
    values = values.astype(np.float64)
    for offset in range(-radius, radius + 1):
        shifted, valid = shift_within_pages(values, offset, page_of_row)
        total += np.where(valid, shifted, 0.0)
        count += valid
    return (total / np.maximum(count, 1)).astype(np.float32)


def shift_within_pages(values: np.ndarray, offset: int, page_of_row: np.ndarray):
    """values[i + offset] for each row i, and whether that row is in the same page."""
    n = len(values)
    index = np.arange(n) + offset
    inside = (index >= 0) & (index < n)
    safe = np.clip(index, 0, max(n - 1, 0))
    valid = inside & (page_of_row[safe] == page_of_row) if n else inside
    return values[safe] if n else values, valid


def _neighbour_columns(cols: dict[str, np.ndarray], page_of_row: np.ndarray):
    out: dict[str, np.ndarray] = {}
    for offset in NEIGHBOUR_OFFSETS:
        for name in NEIGHBOUR_FEATURES:
            shifted, valid = shift_within_pages(np.asarray(cols[name], dtype=np.float32), offset,
                                                page_of_row)
            out[f"{name}@{offset:+d}"] = np.where(valid, shifted, np.nan)
    return out
