"""Token features of a batch of lines: stopword shares, cue words and phrases.

The batch is lower-cased and tokenised once: tokens are the runs of word
characters (`\\w`), cut with a code-point table and `str.split()` instead
of a regex; each distinct token is looked up once. Cue phrases are compared
only where their anchor word or character sits, clock times only at colons,
so no scan runs over the whole text per phrase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import count, repeat

import numpy as np

from cleaner.features.stopwords import STOPWORDS

# The page's most frequent tokens stand in for function words of any language.
PAGE_COMMON_TOKENS = 20

# Tokens are runs of word characters: what TOKEN.findall would give. The batch
# is cut into them with a lookup table of the same character class over code
# points (word_char_table); the regex itself tokenises only if they disagree.
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


def utf32(text: str) -> np.ndarray:
    """Code points of `text`; lone surrogates (possible in str from the API) pass through."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def token_features(texts: list[str], lowered: str, page_of_row: np.ndarray,
                    page_starts: np.ndarray, titles: list[str] | None = None):
    """Stopword shares, cue-word counts and the title cue (`titles`: each page's own
    title, "" where it has none) from one tokenisation of the whole batch."""
    n = len(texts)
    cps = utf32(lowered)
    tokens = _tokenise(texts, lowered, cps)
    n_tokens = np.bincount(tokens.line, minlength=n).astype(np.float32)
    distinct = list(tokens.first_seen)
    is_stop = tokens.spread(np.fromiter(map(STOPWORDS.__contains__, distinct), dtype=bool,
                                        count=len(distinct)), False)
    cue_ids = tokens.spread(np.fromiter(map(CUE_OF_TOKEN.get, distinct, repeat(-1)),
                                        dtype=np.int64, count=len(distinct)), -1)
    stop = np.bincount(tokens.line, weights=is_stop, minlength=n).astype(np.float32)
    common = _page_common_counts(tokens.id, tokens.line, page_starts, n)
    cues = np.zeros((len(CUE_NAMES), n), dtype=np.float32)
    hit = cue_ids >= 0
    np.add.at(cues, (cue_ids[hit], tokens.line[hit]), 1)
    _add_phrase_cues(cues, lowered, cps, tokens, n)
    safe = np.maximum(n_tokens, 1)
    out = {"stop_share": stop / safe, "n_stop": stop, "common_share": common / safe}
    out.update({f"cue_{name}": cues[i] for i, name in enumerate(CUE_NAMES)})
    out.update(title_columns(tokens, n_tokens, titles or [""] * (len(page_starts) - 1),
                             page_of_row))
    return out


# A line is the page's title line when nearly all its words are the title's and it
# holds most of them: the <h1> of a 2025 page repeats its og:title or <title>
# (which adds the site's name, hence "most").
TITLE_LINE_OWN = 0.8
TITLE_LINE_COVER = 0.6
TITLE_NAMES = ("title_in_line", "line_in_title", "after_title")


def title_columns(tokens: _Tokens, n_tokens: np.ndarray, titles: list[str],
                  page_of_row: np.ndarray) -> dict[str, np.ndarray]:
    """Per line: the share of its page's title words it holds, the share of its words
    that are the title's, and whether it comes after the page's first title line
    (-1 before, 0 on it, 1 after). NaN on pages without a title (text dumps)."""
    n, n_pages = len(n_tokens), len(titles)
    title_words = np.zeros(n_pages)
    keys = []
    size = len(tokens.first_seen) + 1
    for page, title in enumerate(titles):
        words = set(TOKEN.findall(title.lower()))
        title_words[page] = len(words)
        keys.extend(page * size + tokens.first_seen[w] for w in words if w in tokens.first_seen)
    in_title = np.zeros(len(tokens.id), dtype=bool)
    if keys:
        page_of_token = page_of_row[tokens.line]
        in_title = np.isin(page_of_token * np.int64(size) + tokens.id, np.asarray(keys))
    hits = np.bincount(tokens.line, weights=in_title, minlength=n)
    words = title_words[page_of_row]
    cover = np.minimum(hits, words) / np.maximum(words, 1)
    own = hits / np.maximum(n_tokens, 1)
    after = _after_first(own >= TITLE_LINE_OWN, cover >= TITLE_LINE_COVER, page_of_row,
                         n_pages)
    none = words == 0
    return {name: np.where(none, np.nan, values).astype(np.float32)
            for name, values in zip(TITLE_NAMES, (cover, own, after), strict=True)}


def _after_first(own: np.ndarray, cover: np.ndarray, page_of_row: np.ndarray,
                 n_pages: int) -> np.ndarray:
    """-1, 0 or 1: a line's place before, on or after its page's first title line
    (NaN where the page has none)."""
    rows = np.arange(len(own))
    first = np.full(n_pages, np.iinfo(np.int64).max)
    found = np.flatnonzero(own & cover)
    np.minimum.at(first, page_of_row[found], found)
    title_row = first[page_of_row]
    return np.where(title_row == np.iinfo(np.int64).max, np.nan,
                    np.sign(rows - np.minimum(title_row, len(own))))


@dataclass(slots=True)
class _Tokens:
    """TOKEN.findall of the lower-cased batch, and where each token is."""

    texts: list[str]
    line: np.ndarray  # line of each token
    start: np.ndarray | None  # its position in the lowered text (None if tokenised per line)
    # Each token's id is where its text first occurs: equal texts, equal ids. The
    # stopword and cue look-ups are then made once per distinct text.
    id: np.ndarray
    first_seen: dict[str, int]  # distinct text -> id

    def spread(self, values: np.ndarray, fill) -> np.ndarray:
        """Per token, the value given for its text (values in first_seen order)."""
        by_id = np.full(len(self.texts), fill, dtype=values.dtype)
        by_id[np.fromiter(self.first_seen.values(), dtype=np.int64, count=len(values))] = values
        return by_id[self.id]


def _tokenise(texts: list[str], lowered: str, cps: np.ndarray) -> _Tokens:
    n = len(texts)
    words, starts, lines = _tokens_and_lines(cps)
    if lines is None:  # tables disagree with the regex: tokenise line by line
        per_line = [TOKEN.findall(t.lower()) for t in texts]
        words = [t for line in per_line for t in line]
        lines = np.repeat(np.arange(n), [len(line) for line in per_line])
        starts = None
    first_seen: dict[str, int] = {}
    ids = np.fromiter(map(first_seen.setdefault, words, count()), dtype=np.int64,
                      count=len(words))
    return _Tokens(words, lines, starts, ids, first_seen)


@lru_cache(maxsize=1)
def word_char_table() -> np.ndarray:
    """For every BMP code point, whether TOKEN's \\w matches it (by asking the regex)."""
    table = np.zeros(0x10000, dtype=bool)
    every_char = "".join(map(chr, range(0x10000)))
    for match in TOKEN.finditer(every_char):
        table[match.start():match.end()] = True
    return table


def _is_word_char(cps: np.ndarray) -> np.ndarray:
    is_word = word_char_table()[np.minimum(cps, 0xFFFF)]
    astral = np.flatnonzero(cps > 0xFFFF)
    if len(astral):  # rare: ask the regex once per distinct character
        distinct, which = np.unique(cps[astral], return_inverse=True)
        answers = [TOKEN.match(chr(code)) is not None for code in distinct.tolist()]
        is_word[astral] = np.asarray(answers, dtype=bool)[which]
    return is_word


def _tokens_and_lines(cps: np.ndarray):
    """TOKEN.findall of the text, each token's position, and its line (split on newlines).

    \\w is a property of single characters, so the tokens are the runs of word
    characters: blanking every other character and calling str.split() cuts
    the same tokens, much faster than the regex (no word character is
    whitespace to split()). The line is None if the two ever disagreed.
    """
    is_word = _is_word_char(cps)
    blanked = np.where(is_word, cps, np.uint32(ord(" ")))
    tokens = str(blanked.data, "utf-32-le").split()
    token_starts = is_word.copy()
    token_starts[1:] &= ~is_word[:-1]
    token_starts = np.flatnonzero(token_starts)
    if len(token_starts) != len(tokens):
        return tokens, token_starts, None
    newlines = np.flatnonzero(cps == ord("\n"))
    return tokens, token_starts, np.searchsorted(newlines, token_starts)


def _page_common_counts(token_id, line_of_token, page_starts, n) -> np.ndarray:
    """Per line, how many tokens are among its page's most frequent ones.

    The page's top tokens are those of Counter(page_tokens).most_common(20):
    by count, ties going to the token seen first in the page. Computed for
    all pages at once by grouping (page, token) pairs with one stable sort.
    """
    n_tokens = len(token_id)
    if not n_tokens:
        return np.zeros(n, dtype=np.float32)
    page_of_token = np.searchsorted(page_starts, line_of_token, side="right") - 1
    pair = page_of_token * np.int64(n_tokens) + token_id
    order = np.argsort(pair, kind="stable")  # stable: a group's first entry is its first use
    sorted_pair = pair[order]
    new_group = np.empty(n_tokens, dtype=bool)
    new_group[0] = True
    np.not_equal(sorted_pair[1:], sorted_pair[:-1], out=new_group[1:])
    group_start = np.flatnonzero(new_group)
    group_size = np.diff(np.append(group_start, n_tokens))
    first_use = order[group_start]
    group_page = page_of_token[first_use]
    ranked = np.lexsort((first_use, -group_size, group_page))
    groups_per_page = np.bincount(group_page, minlength=len(page_starts) - 1)
    first_rank_of_page = np.cumsum(groups_per_page) - groups_per_page
    rank_in_page = np.arange(len(ranked)) - first_rank_of_page[group_page[ranked]]
    is_top = np.empty(len(ranked), dtype=bool)
    is_top[ranked] = rank_in_page < PAGE_COMMON_TOKENS
    group_of_token = np.empty(n_tokens, dtype=np.int64)
    group_of_token[order] = np.cumsum(new_group) - 1
    flags = is_top[group_of_token]
    return np.bincount(line_of_token, weights=flags, minlength=n).astype(np.float32)


def _phrase_anchor(phrase: str) -> tuple[str, str, int] | None:
    """What every occurrence of a cue phrase must contain, to find them without a scan.

    ("ends", word, 0): the phrase opens with a word and a non-word character:
        a token ending in that word ends where the word does ("sign up" in
        "design up" counts too: phrases are plain substrings);
    ("token", word, at): a word between non-word characters sits at `at`:
        the token there is exactly that word ("(c)", ", left,");
    ("char", c, at): no word at all: its first non-space character is at `at`.
    None when the phrase's first word ends it: such a phrase is scanned for.
    """
    word = TOKEN.search(phrase)
    if word is None:
        at = len(phrase) - len(phrase.lstrip(" "))
        return ("char", phrase[at], at) if phrase.strip(" ") else None
    if word.end() == len(phrase):
        return None
    return ("ends", word.group(), 0) if word.start() == 0 else ("token", word.group(), word.start())


_PHRASE_ANCHORS = {phrase: _phrase_anchor(phrase)
                   for phrases in CUE_PHRASES.values() for phrase in phrases}


def _add_phrase_cues(cues: np.ndarray, lowered: str, cps: np.ndarray, tokens: _Tokens,
                     n: int) -> None:
    """Count multi-word cue phrases and clock times.

    Each phrase is counted at every position where it occurs, overlapping
    ones too (as a str.find loop would). Only the places its anchor allows
    are compared with it: a few tokens or characters instead of the text.
    """
    if not n:
        return
    by_word = _word_anchored_starts(tokens) if tokens.start is not None else {}
    char_positions: dict[str, np.ndarray] = {}
    starts: list[np.ndarray] = []
    ids: list[np.ndarray] = []
    for name, phrases in CUE_PHRASES.items():
        cue = CUE_NAMES.index(name)
        for phrase in phrases:
            anchor = _PHRASE_ANCHORS[phrase]
            if anchor is None or tokens.start is None:
                found = np.asarray(_find_all(lowered, phrase), dtype=np.int64)
            else:
                kind, key, at = anchor
                if kind == "char":
                    if key not in char_positions:
                        char_positions[key] = np.flatnonzero(cps == ord(key))
                    candidates = char_positions[key] - at
                else:
                    candidates = by_word[anchor]
                found = _where_text_reads(cps, phrase, candidates)
            starts.append(found)
            ids.append(np.full(len(found), cue))
    colons = char_positions[":"] if ":" in char_positions else np.flatnonzero(cps == ord(":"))
    clocks = _clock_times(lowered, colons)
    starts.append(np.asarray(clocks, dtype=np.int64))
    ids.append(np.full(len(clocks), CUE_NAMES.index("clock")))
    positions = np.concatenate(starts)
    if len(positions):
        newlines = np.flatnonzero(cps == ord("\n"))
        lines = np.searchsorted(newlines, positions)  # newlines before each
        np.add.at(cues, (np.concatenate(ids), lines), 1)


def _find_all(text: str, phrase: str) -> list[int]:
    """Every position where `phrase` occurs in `text`, overlapping ones too."""
    found: list[int] = []
    at = text.find(phrase)
    while at != -1:
        found.append(at)
        at = text.find(phrase, at + 1)
    return found


def _word_anchored_starts(tokens: _Tokens) -> dict[tuple[str, str, int], np.ndarray]:
    """For each word anchor, where its phrase could start: at the occurrences of
    the few distinct tokens that end in (or are) the anchor's word."""
    anchors = [a for a in _PHRASE_ANCHORS.values() if a is not None and a[0] != "char"]
    endings = tuple(word for kind, word, _ in anchors if kind == "ends")
    whole = frozenset(word for kind, word, _ in anchors if kind == "token")
    distinct = list(tokens.first_seen)
    maybe = np.fromiter(map(str.endswith, distinct, repeat(endings)), dtype=bool,
                        count=len(distinct))
    maybe |= np.fromiter(map(whole.__contains__, distinct), dtype=bool, count=len(distinct))
    found = [distinct[i] for i in np.flatnonzero(maybe).tolist()]
    is_found = np.zeros(len(tokens.texts), dtype=bool)
    is_found[np.asarray([tokens.first_seen[text] for text in found], dtype=np.int64)] = True
    occurrences = np.flatnonzero(is_found[tokens.id])
    occurrence_ids = tokens.id[occurrences]
    out: dict[tuple[str, str, int], np.ndarray] = {}
    for anchor in anchors:
        kind, word, at = anchor
        ids = [tokens.first_seen[text] for text in found
               if (text.endswith(word) if kind == "ends" else text == word)]
        mine = occurrences[np.isin(occurrence_ids, ids)]
        if kind == "ends":  # the phrase starts len(word) before the token's end
            ends = [len(tokens.texts[i]) for i in mine.tolist()]
            out[anchor] = tokens.start[mine] + np.asarray(ends, dtype=np.int64) - len(word)
        else:
            out[anchor] = tokens.start[mine] - at
    return out


def _where_text_reads(cps: np.ndarray, phrase: str, candidates: np.ndarray) -> np.ndarray:
    """The candidate positions where the text (its code points) reads `phrase`."""
    code = utf32(phrase)
    candidates = candidates[(candidates >= 0) & (candidates <= len(cps) - len(code))]
    window = cps[candidates[:, None] + np.arange(len(code))]
    return candidates[(window == code).all(axis=1)]


def _clock_times(lowered: str, colons: np.ndarray) -> list[int]:
    """Where CLOCK.finditer(lowered) matches, without running the regex over all text.

    Every match has a colon second, so only colons need trying; a match ends
    three characters after its colon, and the next one may not overlap it.
    """
    starts: list[int] = []
    end = 0
    for colon in colons.tolist():
        if colon - 1 >= end and CLOCK.match(lowered, colon - 1):
            starts.append(colon - 1)
            end = colon + 3
    return starts
