"""Checking the aligner where the truth is known.

On l3s-gn1 the marker method gives every line its true label. Aligning the
same lines to gold text made from the page's body and comment spans (the
shape of dragnet's gold) and comparing says how far the labels of the
aligned datasets can be trusted. `related` is scored as `nav`: gold text
cannot tell them apart.
"""

from __future__ import annotations

import random
from collections import Counter

from joblib import Parallel, delayed

from cleaner.readers.decode import decode_bytes
from cleaner.training.corpus import l3s
from cleaner.training.corpus.align import GoldText, align_lines
from cleaner.training.corpus.records import PageRecord
from cleaner.training.corpus.render import available_renderers, tidy_lines

SCORED = ("body", "comment", "nav")
AS_NAV = {"related": "nav"}
# Appended to a word to garble it: no token ever holds a "#".
GARBLE_SUFFIX = "#"


class Confusion(Counter):
    """Counts of (true label, aligned label) over non-blank lines."""

    def scores(self) -> dict[str, dict[str, float]]:
        """Precision, recall, F1 and support of each label."""
        out = {}
        for label in SCORED:
            tp = self[(label, label)]
            predicted = sum(n for (_, p), n in self.items() if p == label)
            actual = sum(n for (t, _), n in self.items() if t == label)
            precision = tp / predicted if predicted else 0.0
            recall = tp / actual if actual else 0.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            out[label] = {"precision": round(precision, 4), "recall": round(recall, 4),
                          "f1": round(f1, 4), "lines": actual}  # fmt: skip
        return out


def confusion(truth: list[str | None], aligned: list[str | None]) -> Confusion:
    counts = Confusion()
    for t, a in zip(truth, aligned, strict=True):
        if t is not None:
            counts[(AS_NAV.get(t, t), a or "nav")] += 1
    return counts


def garble(gold: GoldText, share: float, seed: int = 0) -> GoldText:
    """The gold with `share` of its words changed (seeded), to see how the aligner
    copes with gold that was retyped or mis-decoded, as dragnet's partly is."""
    rng = random.Random(seed)
    words = [w + GARBLE_SUFFIX if rng.random() < share else w for w in gold.tokens]
    return GoldText(words, list(gold.classes))


def validate_page(record: PageRecord, renderer_name: str, garble_share: float) -> Confusion:
    """Aligner labels against marker labels for one l3s-gn1 page."""
    (renderer,) = available_renderers([renderer_name])
    html, _ = decode_bytes(record.read_html(), html=True)
    marked = l3s.label_annotated(html, renderer)
    body, comments = l3s.gold_texts(html)
    gold = GoldText.from_parts([("body", body), ("comment", comments)])
    if garble_share:
        gold = garble(gold, garble_share, seed=len(gold.tokens))
    aligned = align_lines(tidy_lines(marked.lines), gold)
    return confusion(marked.labels, aligned.labels)


def validate_alignment(
    records: list[PageRecord], renderer_name: str = "w3m", garble_share: float = 0.0, jobs: int = 1
) -> Confusion:
    """Aligner labels against marker labels over the given l3s-gn1 pages."""
    pages = Parallel(n_jobs=jobs)(
        delayed(validate_page)(record, renderer_name, garble_share) for record in records
    )
    total = Confusion()
    for counts in pages:
        total.update(counts)
    return total
