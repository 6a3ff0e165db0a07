"""Label rendered lines by aligning them to a dataset's gold text.

dragnet, CleanEval and Readability give the article (and dragnet the
comments) as text, not as labelled lines. The rendered page and the gold
are both turned into word tokens; runs of tokens the two share are found
from k-token seeds, and the set of runs that is consistent with one reading
order (gold follows page order) and covers the most tokens is kept, so a
teaser that repeats the first sentence, or a "Share" that occurs in both by
chance, is not taken for the article. Long runs outside that order (a gold
that lists some part out of page order) are then added where they claim
text nothing else claimed. Each line takes the class that covers most of its
characters; lines with no match are "nav" (nav or related: the gold cannot
tell).

The thresholds were tuned on l3s-gn1, where the marker method gives the
true labels (validate.py; figures in data/README.md).
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from dataclasses import dataclass

NAV = "nav"

# Tokens: runs of ASCII letters and digits, runs of other letters, and single
# CJK characters (those scripts put no spaces between words). Splitting
# ASCII from non-ASCII letters keeps "humanity’s", a mis-decoded
# "humanityâ€™s" and a gold "humanity�s" from becoming three different words.
TOKEN = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]"
    r"|[a-z0-9]+"
    r"|[^\W\da-z_\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+"
)
# Letters outside ASCII, whose compatibility forms are folded (see _compatible).
NON_ASCII_LETTER = re.compile(r"[^\W\x00-\x7f]")
# A run must contain a seed of this many tokens. Chance matches of short seeds
# between a menu and the article rarely survive the reading-order chain, so the
# shortest seed that is not a single word wins. l3s-gn1 body F1 with 2, 3, 4:
# 0.992, 0.990, 0.987; with 5% of the gold words garbled, 0.987 with 2 and
# 0.979 with 3. Runs grow past their seed both ways.
SEED_TOKENS = 2
# A seed this frequent in the gold ("of the", boilerplate repeated in every
# comment) starts no run of its own; runs through it still grow from rarer
# seeds. On l3s-gn1, 10 gave the same labels as 50 in 60% of the time.
MAX_SEED_REPEATS = 10
# A run outside the chosen reading order is added only if at least this long
# (and claims page and gold text nothing else claimed): shorter ones are more
# often a repeated phrase than displaced gold. l3s-gn1 comment recall with 4,
# 8, 16: 0.991, 0.986, 0.982; body scores unchanged.
MIN_OFF_ORDER_TOKENS = 4
# A gap of exactly this many tokens between two consecutive runs, on the page
# and in the gold alike, is a changed word and taken as matched. With 5% of
# the l3s-gn1 gold words garbled it raised body recall 0.974 -> 0.977 and
# comment recall 0.972 -> 0.979 at unchanged precision (clean gold: no change).
BRIDGE_TOKENS = 1
# A line is labelled by the gold when matched characters are at least this
# share of its word characters (LABELING.md: a line takes the kind of most of
# its characters). l3s-gn1 body F1 with 0.4, 0.5, 0.6: 0.990, 0.992, 0.985.
MIN_LINE_SHARE = 0.5


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens, accents kept."""
    text = text.lower()
    if not text.isascii():
        text = NON_ASCII_LETTER.sub(_compatible, unicodedata.normalize("NFC", text))
    return TOKEN.findall(text)


def _compatible(match: re.Match[str]) -> str:
    """Fold a letter's compatibility variants (ligatures, full width) to the plain
    letters, but leave symbols alone: NFKC turns the "™" of a mis-decoded "’"
    into letters."""
    return unicodedata.normalize("NFKC", match.group(0))


@dataclass(frozen=True)
class Run:
    """Page tokens [page, page+length) equal gold tokens [gold, gold+length)."""

    page: int
    gold: int
    length: int


@dataclass
class GoldText:
    """Gold as one token sequence, each token carrying its class ("body", "comment")."""

    tokens: list[str]
    classes: list[str]

    @classmethod
    def from_parts(cls, parts: list[tuple[str, str]]) -> GoldText:
        gold = cls([], [])
        for label, text in parts:
            words = tokens(text)
            gold.tokens.extend(words)
            gold.classes.extend([label] * len(words))
        return gold


@dataclass
class Alignment:
    labels: list[str | None]  # per line: a gold class, NAV, or None for blank lines
    gold_matched: int  # gold tokens aligned to some page token


def align_lines(lines: list[str], gold: GoldText) -> Alignment:
    """Label each line with a gold class or NAV; blank lines get None."""
    line_tokens = [tokens(line) for line in lines]
    page = [word for words in line_tokens for word in words]
    matched = match_tokens(page, gold.tokens)
    token_class: list[str | None] = [gold.classes[j] if j >= 0 else None for j in matched]
    labels: list[str | None] = []
    start = 0
    for line, words in zip(lines, line_tokens, strict=True):
        classes = token_class[start : start + len(words)]
        start += len(words)
        labels.append(_line_label(line, words, classes))
    return Alignment(labels, sum(1 for j in matched if j >= 0))


def _line_label(line: str, words: list[str], classes: list[str | None]) -> str | None:
    if not line.strip():
        return None
    if not words:
        # A rule, a bullet, a "|": decoration. Giving it the label of the
        # lines around it cost 0.08 of comment precision and 0.006 of body
        # precision on l3s-gn1 (rules between comments are not comments).
        return NAV
    weight: dict[str | None, int] = {}
    for word, cls in zip(words, classes, strict=True):
        weight[cls] = weight.get(cls, 0) + len(word)
    total = sum(weight.values())
    best = max((c for c in weight if c is not None), key=lambda c: weight[c], default=None)
    if best is not None and weight[best] >= MIN_LINE_SHARE * total:
        return best
    return NAV


def match_tokens(page: list[str], gold: list[str]) -> list[int]:
    """For each page token, the gold position it is aligned to, or -1."""
    runs = find_runs(page, gold, SEED_TOKENS)
    chosen = best_chain(runs)
    matched = [-1] * len(page)
    gold_used = [False] * len(gold)
    for run in chosen:
        for k in range(run.length):
            matched[run.page + k] = run.gold + k
            gold_used[run.gold + k] = True
    for before, after in zip(chosen, chosen[1:], strict=False):
        _bridge(before, after, matched, gold_used)
    for run in sorted(runs, key=lambda r: (-r.length, r.page, r.gold)):
        if run.length < MIN_OFF_ORDER_TOKENS:
            break
        page_free = all(matched[run.page + k] < 0 for k in range(run.length))
        gold_free = not any(gold_used[run.gold + k] for k in range(run.length))
        if page_free and gold_free:
            for k in range(run.length):
                matched[run.page + k] = run.gold + k
                gold_used[run.gold + k] = True
    return matched


def _bridge(before: Run, after: Run, matched: list[int], gold_used: list[bool]) -> None:
    """Match a one-token gap between two consecutive runs of the chain, on the
    page and in the gold alike: a misspelt or mis-decoded word, not other text."""
    page_gap = after.page - (before.page + before.length)
    gold_gap = after.gold - (before.gold + before.length)
    if page_gap == gold_gap == BRIDGE_TOKENS:
        for k in range(BRIDGE_TOKENS):
            matched[before.page + before.length + k] = before.gold + before.length + k
            gold_used[before.gold + before.length + k] = True


def find_runs(page: list[str], gold: list[str], k: int) -> list[Run]:
    """Maximal runs of equal tokens that contain a shared k-token seed."""
    seeds: dict[tuple[str, ...], list[int]] = {}
    for j in range(len(gold) - k + 1):
        seeds.setdefault(tuple(gold[j : j + k]), []).append(j)
    seeds = {seed: where for seed, where in seeds.items() if len(where) <= MAX_SEED_REPEATS}
    runs: list[Run] = []
    run_end: dict[int, int] = {}  # diagonal (page - gold) -> page index where its last run ends
    for i in range(len(page) - k + 1):
        for j in seeds.get(tuple(page[i : i + k]), ()):
            if run_end.get(i - j, -1) > i:
                continue  # inside a run already found on this diagonal
            start_i, start_j = i, j
            while start_i > 0 and start_j > 0 and page[start_i - 1] == gold[start_j - 1]:
                if run_end.get(i - j, -1) >= start_i:
                    break
                start_i, start_j = start_i - 1, start_j - 1
            end = i + k
            while end < len(page) and end - i + j < len(gold) and page[end] == gold[end - i + j]:
                end += 1
            runs.append(Run(start_i, start_j, end - start_i))
            run_end[i - j] = end
    return runs


def best_chain(runs: list[Run]) -> list[Run]:
    """The runs, increasing in both page and gold position and not overlapping,
    that together cover the most tokens (a weighted longest common
    subsequence over runs, O(n log n) with a max-Fenwick tree over gold end).

    Between equally good predecessors the one ending last on the page wins:
    of two copies of a headline, the one next to the article's text.
    """
    if not runs:
        return []
    order = sorted(range(len(runs)), key=lambda r: (runs[r].page, runs[r].gold))
    tree = _MaxTree(max(run.gold + run.length for run in runs) + 1)
    best: list[tuple[int, int]] = [(0, 0)] * len(runs)  # (tokens covered, page end)
    previous = [-1] * len(runs)
    pending: list[tuple[int, int]] = []  # (page end, run) not yet usable as predecessors
    for r in order:
        run = runs[r]
        while pending and pending[0][0] <= run.page:
            _, done = heapq.heappop(pending)
            tree.update(runs[done].gold + runs[done].length, best[done], done)
        (covered, _), before = tree.query(run.gold)
        best[r] = (covered + run.length, run.page + run.length)
        previous[r] = before
        heapq.heappush(pending, (run.page + run.length, r))
    r = max(range(len(runs)), key=lambda k: best[k])
    chain = []
    while r >= 0:
        chain.append(runs[r])
        r = previous[r]
    return chain[::-1]


class _MaxTree:
    """Fenwick tree over positions 0..size-1 answering "the best key, and the
    run holding it, at or below position p"; keys are compared as tuples."""

    def __init__(self, size: int) -> None:
        self.keys: list[tuple[int, int]] = [(0, -1)] * (size + 1)
        self.ids = [-1] * (size + 1)

    def update(self, position: int, key: tuple[int, int], ident: int) -> None:
        i = position + 1
        while i < len(self.keys):
            if key > self.keys[i]:
                self.keys[i], self.ids[i] = key, ident
            i += i & -i

    def query(self, position: int) -> tuple[tuple[int, int], int]:
        i = min(position + 1, len(self.keys) - 1)
        best, ident = (0, -1), -1
        while i > 0:
            if self.keys[i] > best:
                best, ident = self.keys[i], self.ids[i]
            i -= i & -i
        return best, ident
