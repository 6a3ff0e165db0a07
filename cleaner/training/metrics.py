"""Scores: per-label line figures, and body-text shingle F1 per page.

The text score follows the Scrapinghub article-extraction benchmark
(github.com/scrapinghub/article-extraction-benchmark, evaluate.py): tokens are
runs of word characters, shingles are 4-grams of tokens counted as a multiset,
each page's true/false positives and false negatives are normalised to sum to
one, precision is averaged over pages that predicted anything, recall over
pages whose gold has text, and F1 is taken from those two averages.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from cleaner.labels import LABELS

SHINGLE_SIZE = 4
TOKEN = re.compile(r"\w+")


def shingles(text: str, n: int = SHINGLE_SIZE) -> Counter:
    tokens = TOKEN.findall(text or "")
    if len(tokens) < n:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


@dataclass(frozen=True, slots=True)
class PageMatch:
    """Shingle agreement of one page, normalised so every page weighs the same."""

    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float | None:
        if self.tp + self.fp == 0:
            return None  # nothing predicted: no precision to average
        return 1.0 if self.fp == self.fn == 0 else self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        if self.tp + self.fn == 0:
            return None
        return 1.0 if self.fp == self.fn == 0 else self.tp / (self.tp + self.fn)


def match_text(predicted: str, gold: str) -> PageMatch:
    pred, true = shingles(predicted), shingles(gold)
    tp = sum((pred & true).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    total = tp + fp + fn
    if total == 0:
        return PageMatch(0.0, 0.0, 0.0)
    return PageMatch(tp / total, fp / total, fn / total)


def text_scores(matches: Iterable[PageMatch]) -> dict[str, float]:
    """Mean precision, mean recall and their F1 over pages."""
    matches = list(matches)
    precisions = [m.precision for m in matches if m.precision is not None]
    recalls = [m.recall for m in matches if m.recall is not None]
    precision = float(np.mean(precisions)) if precisions else 0.0
    recall = float(np.mean(recalls)) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": f1, "precision": precision, "recall": recall, "pages": len(matches)}


@dataclass(frozen=True, slots=True)
class WordMatch:
    """WCXB's figure of one page: its words as a bag, against the gold's."""

    precision: float
    recall: float
    f1: float


def word_match(predicted: str, gold: str) -> WordMatch:
    """WCXB's word F1 of one page: lower-cased `\\w+` tokens, counted as a bag (the
    benchmark averages it over pages)."""
    pred = Counter(TOKEN.findall(predicted.lower()))
    true = Counter(TOKEN.findall(gold.lower()))
    overlap = sum((pred & true).values())
    if not overlap:
        return WordMatch(0.0, 0.0, 0.0)
    precision = overlap / sum(pred.values())
    recall = overlap / sum(true.values())
    return WordMatch(precision, recall, 2 * precision * recall / (precision + recall))


def leak_share(predicted: str, unwanted: str) -> float:
    """Share of the shingles of `unwanted` text (e.g. comments) found in `predicted`."""
    bad = shingles(unwanted)
    total = sum(bad.values())
    return sum((shingles(predicted) & bad).values()) / total if total else 0.0


def line_report(y_true: np.ndarray, y_pred: np.ndarray) -> dict:
    """Per-label precision, recall, F1 and support, macro-F1, and the confusion matrix.

    Rows of the confusion matrix are gold labels, columns predicted labels,
    both in LABELS order.
    """
    k = len(LABELS)
    confusion = np.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k)
    per_label = {}
    for i, label in enumerate(LABELS):
        tp = confusion[i, i]
        predicted = confusion[:, i].sum()
        support = confusion[i, :].sum()
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {"precision": float(precision), "recall": float(recall),
                            "f1": float(f1), "support": int(support)}
    present = [v["f1"] for v in per_label.values() if v["support"]]
    return {
        "labels": per_label,
        "macro_f1": float(np.mean(present)) if present else 0.0,
        "accuracy": float(np.trace(confusion) / max(confusion.sum(), 1)),
        "lines": int(confusion.sum()),
        "confusion": confusion.tolist(),
    }
