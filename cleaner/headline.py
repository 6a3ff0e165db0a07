"""The headline once: the copy next to the text is body, its other copies are nav.

Pages repeat their headline word for word: in a breadcrumb, over a share bar,
above the photo. LABELING.md keeps one copy, the one next to the text. The line
classifier judges every copy on its own cues, so it may keep two copies (seed 002)
or none (seed 001). After it has spoken, `one_headline` settles it for the page:

- the article starts at its first body line whose text the page does not repeat;
- a headline is a line of 4 to 40 words, not a list item, that the page repeats,
  with a copy among the few lines before the article that the classifier gave a
  fair chance of being body;
- the last copy before the article is body, every other copy is nav.

It moves probability between body and the line's best other label, so the label
file scores (the evaluation gate) see what users get.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from cleaner.document import Page
from cleaner.labels import LABELS

BODY = LABELS.index("body")
NAV = LABELS.index("nav")
# How far above the article's first line the kept copy may stand, in text lines.
WINDOW = 12
MIN_WORDS, MAX_WORDS = 4, 40
# A copy the classifier gives less body probability than this is not the headline.
MIN_BODY = 0.3
WORD = re.compile(r"\w+")
LIST_ITEM = "•"


def one_headline(page: Page, probs: np.ndarray) -> np.ndarray:
    """`probs` (rows: the page's text lines) with one copy of the headline as body."""
    if not len(probs) or page.kind == "html":
        return probs
    texts = [" ".join(page.lines[i].split()) for i in page.content_indices()]
    counts = Counter(texts)
    is_body = probs.argmax(axis=1) == BODY
    start = next((row for row in np.flatnonzero(is_body) if counts[texts[row]] == 1), None)
    if start is None:
        return probs
    kept = _headline_row(texts, counts, start, probs[:, BODY])
    if kept is None:
        return probs
    probs = probs.copy()
    for row, text in enumerate(texts):
        if text == texts[kept] and row != kept and is_body[row]:
            _swap(probs, row, BODY, NAV)
    if not is_body[kept]:
        _swap(probs, kept, BODY, int(probs[kept].argmax()))
    return probs


def _headline_row(texts: list[str], counts: Counter, start: int, body: np.ndarray
                  ) -> int | None:
    """The nearest line above `start` (within WINDOW) that is a repeated headline the
    classifier thought might be body."""
    for row in range(start - 1, max(start - WINDOW, 0) - 1, -1):
        text = texts[row]
        if counts[text] > 1 and body[row] >= MIN_BODY and _headline_like(text):
            return row
    return None


def _headline_like(text: str) -> bool:
    return not text.startswith(LIST_ITEM) and MIN_WORDS <= len(WORD.findall(text)) <= MAX_WORDS


def _swap(probs: np.ndarray, row: int, a: int, b: int) -> None:
    probs[row, a], probs[row, b] = probs[row, b], probs[row, a]
