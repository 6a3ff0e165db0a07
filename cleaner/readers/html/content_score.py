"""Which part of a page is its content, found the way Readability finds it.

Readability (Arc90's, and Mozilla's after it) scores every paragraph by its
length and its commas, gives that score to the paragraph's parent and half of
it to its grandparent, adds to each such container 25 points if its class or
id names content (article, post, story, ...) and takes 25 if they name chrome
(comment, sidebar, related, ...), discounts it by the share of its text inside
links, and takes the best-scoring container as the article. Its pick
weighs a whole subtree at once, which the line classifier, looking at lines and
their neighbours, cannot. The classifier gets it as cues of each line
(DomCues.content, in_top, in_chrome and top_share) and learns how far to
trust it: on a page of short posts or a photo with a caption, the pick is
often wrong.

A line inside an element named like chrome is flagged too (in_chrome), unless
that element holds the best container (a <body class="comments-open">): a
comment thread nested inside the article's container is still a comment thread.

Each line also gets its box, the number of the element around its block (the
classifier's second pass pools what its first pass made of a box's lines).

It is a few numpy passes over the element tree the renderer numbered in
document order (an element's descendants are the numbers from its own up to
its `end`), so it is linear in the size of the page.

_cwalk.c computes the same scores, to the same floats, for the pages it renders:
a change here is made there too (tests/test_cwalk.py compares them).
"""

from __future__ import annotations

from functools import lru_cache
from operator import attrgetter

import numpy as np

from cleaner.document import DomCues

MIN_PARAGRAPH_CHARS = 25  # Readability ignores shorter paragraphs
CHARS_PER_POINT = 100  # a paragraph earns a point per 100 characters...
MAX_LENGTH_POINTS = 3  # ...and at most three
COMMAS = ",\uff0c\u3001\u060c"  # the commas of Latin, CJK and Arabic script
# Readability's class weight, over the renderer's CLASS_TOKENS: its positive
# and negative patterns, as far as the tokens cover them.
CLASS_POINTS = 25
# An element that names chrome weighs a point less again, so that its weight is
# negative even when its names also say content ("comment-body").
CHROME_MARK = 1
POSITIVE_TOKENS = frozenset({"article", "body", "content", "entry", "main", "post", "text",
                             "story"})
NEGATIVE_TOKENS = frozenset({"comment", "footer", "sidebar", "widget", "related", "share",
                             "promo", "sponsor", "meta", "media", "banner", "hidden", "tag",
                             "ad"})
_COMMA_CODES = np.array([ord(c) for c in COMMAS], dtype=np.uint32)
_LINK_SHARE = attrgetter("link_share")


@lru_cache(maxsize=4096)
def class_weight(tokens: frozenset[str]) -> int:
    """The points an element's class and id tokens give it as a content container
    (negative: they name chrome)."""
    chrome = bool(tokens & NEGATIVE_TOKENS)
    return CLASS_POINTS * (bool(tokens & POSITIVE_TOKENS) - chrome) - CHROME_MARK * chrome


def with_content_scores(
    lines: list[str],
    cues: list[DomCues | None],
    line_blocks: list[int],
    parents: list[int],
    ends: list[int],
    weights: list[int],
) -> list[DomCues | None]:
    """The cues with content, in_top, in_chrome, top_share and box filled in.

    `line_blocks[k]` is the number of line k's block element (-1 for blank
    lines), `parents[n]` the number of element n's parent (-1 for the root) and
    `ends[n]` the number after its last descendant's, and `weights[n]` its
    class weight.
    """
    rows = [k for k, line_cues in enumerate(cues) if line_cues is not None]
    n = len(parents)
    if not rows or not n:
        return cues
    # Text outside any block element (straight inside <body>) belongs to the root.
    block = np.maximum(np.asarray(line_blocks, dtype=np.int64)[rows], 0)
    texts = [lines[k] for k in rows]
    chars = np.fromiter(map(len, texts), np.float64, len(rows))
    linked = chars * np.fromiter(map(_LINK_SHARE, [cues[k] for k in rows]), np.float64,
                                 len(rows))
    own_chars = np.bincount(block, chars, n)
    # Element n (the root's parent) stands for "no element" and scores nothing.
    parent = np.append(np.asarray(parents, dtype=np.int64), n)
    parent[parent < 0] = n
    weight = np.asarray(weights, dtype=np.float64)
    end = np.asarray(ends, dtype=np.int64)
    paragraph = _paragraph_points(texts, chars, block, own_chars, n)
    score, sub_chars = _container_scores(paragraph, parent, weight, own_chars,
                                         np.bincount(block, linked, n), end)
    box = parent[block]  # the element around each line's block (n: none)
    boxes = np.where(box < n, box, -1).tolist()
    top = int(np.argmax(score[:n]))
    if score[top] <= 0:  # no paragraph anywhere: no pick to report
        no_pick = [0.0] * len(rows), [False] * len(rows), [False] * len(rows)
        return _replaced(cues, rows, *no_pick, 0.0, boxes)
    around = np.maximum(score[block], score[box]) / score[top]
    content = np.round(np.clip(around, 0.0, 1.0), 2)
    in_top = (block >= top) & (block < end[top])
    in_chrome = _inside_chrome(weight < 0, top, end)[block]
    top_share = round(float(sub_chars[top] / max(own_chars.sum(), 1.0)), 2)
    return _replaced(cues, rows, content.tolist(), in_top.tolist(), in_chrome.tolist(),
                     top_share, boxes)


def _paragraph_points(texts: list[str], chars: np.ndarray, block: np.ndarray,
                      own_chars: np.ndarray, n: int) -> np.ndarray:
    """Each element's points as a paragraph: its own text's length and commas."""
    commas = _commas_per_line(texts, chars)
    paragraph = 1 + np.bincount(block, commas, n) + np.minimum(
        own_chars / CHARS_PER_POINT, MAX_LENGTH_POINTS)
    paragraph[own_chars < MIN_PARAGRAPH_CHARS] = 0.0
    return paragraph


def _container_scores(paragraph: np.ndarray, parent: np.ndarray, weight: np.ndarray,
                      own_chars: np.ndarray, own_linked: np.ndarray,
                      end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each element's score as a content container (its paragraphs' points, a half
    of its grandchildren's, its class weight, discounted by its link density), and
    the characters of its subtree."""
    n = len(own_chars)
    score = (np.bincount(parent[:n], paragraph, n + 1)
             + 0.5 * np.bincount(parent[parent[:n]], paragraph, n + 1))
    # Only the parents and grandparents of paragraphs are candidates.
    candidate = score > 0
    score[:n][candidate[:n]] += weight[candidate[:n]]
    sub_chars = _subtree_sums(own_chars, end)
    sub_linked = _subtree_sums(own_linked, end)
    link_density = np.divide(sub_linked, sub_chars, out=np.zeros(n), where=sub_chars > 0)
    score[:n] *= 1.0 - link_density
    return score, sub_chars


def _inside_chrome(chrome: np.ndarray, top: int, end: np.ndarray) -> np.ndarray:
    """Which elements are inside (or are) a chrome element that does not hold `top`."""
    numbers = np.arange(len(chrome))
    holds_top = (numbers <= top) & (top < end)
    starts = numbers[chrome & ~holds_top]
    depth = np.zeros(len(chrome) + 1, dtype=np.int64)  # how many such elements enclose each
    np.add.at(depth, starts, 1)
    np.add.at(depth, end[starts], -1)
    return np.cumsum(depth[:-1]) > 0


def _commas_per_line(texts: list[str], chars: np.ndarray) -> np.ndarray:
    """How many commas each text holds: one search over all of them at once."""
    # One code unit a character, lone surrogates included.
    codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    at = np.flatnonzero(np.isin(codes, _COMMA_CODES))
    if not len(at):
        return np.zeros(len(texts))
    starts = np.cumsum(chars) - chars
    return np.bincount(np.searchsorted(starts, at, side="right") - 1, minlength=len(texts)
                       ).astype(np.float64)


def _subtree_sums(own: np.ndarray, end: np.ndarray) -> np.ndarray:
    """The sum of `own` over each element and its descendants."""
    total = np.concatenate(([0.0], np.cumsum(own)))
    return total[end] - total[:-1]


def _replaced(cues: list[DomCues | None], rows: list[int], content: list[float],
              in_top: list[bool], in_chrome: list[bool], top_share: float,
              box: list[int]) -> list[DomCues | None]:
    """New cues for the rows; lines that shared cues, scores and a box share them still."""
    out = list(cues)
    made: dict[tuple[int, float, bool, bool, int], DomCues] = {}
    for k, score, inside, chrome, around in zip(rows, content, in_top, in_chrome, box,
                                                strict=True):
        old = cues[k]
        key = (id(old), score, inside, chrome, around)
        new = made.get(key)
        if new is None:  # the constructor, not dataclasses.replace: four times faster
            new = made[key] = DomCues(old.link_share, old.tag, old.heading, old.depth,
                                      old.inside, old.tokens, score, inside, chrome, top_share,
                                      around)
        out[k] = new
    return out
