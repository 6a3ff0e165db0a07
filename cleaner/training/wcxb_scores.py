"""wcxb's own score of a model on wcxb label files: word F1 by page type.

    word_f1_by_type(estimator, files, datasets_dir)
    -> {"article": 0.93, ..., "forum": 0.45, "forum+comment": 0.78, "all": 0.80}

The gold is the page's main text as wcxb gives it (not the aligned line labels),
so words the renderer or the aligner lost count as missed, as they would for a
user. Forum threads are also scored with the comment lines kept ("forum+comment"):
wcxb's gold keeps every post, where cleaner calls the replies comments. The
evaluation gate (tests/test_eval_gate.py) pins these figures on wcxb's held-out
domains; benchmarks/bench_peers.py gives the same metric from raw HTML, beside the
peers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cleaner.labels import LABELS
from cleaner.training.corpus import wcxb
from cleaner.training.labelfile import LabelledPage
from cleaner.training.metrics import word_match
from cleaner.training.train import predicted

BODY = LABELS.index("body")
COMMENT = LABELS.index("comment")


def gold_text(datasets_dir: Path, labelled: LabelledPage) -> str:
    """The wcxb main text of a label file's page."""
    path = datasets_dir / "wcxb" / "dev" / "ground-truth" / f"{labelled.meta['id']}.json"
    return wcxb.main_text(wcxb.ground_truth(path.read_bytes()))


def word_f1_by_type(estimator, files: list[LabelledPage], datasets_dir: Path, *,
                    site_stats: bool = False) -> dict[str, float]:
    """Mean word F1 of the kept body text per page type, and over all pages."""
    data, probs = predicted(estimator, files, site_stats=site_stats)
    labels_of_rows = probs.argmax(axis=1)
    scores: dict[str, list[float]] = {}
    for page, labelled in enumerate(files):
        rows = data.batch.rows_of(page)
        lines, labels = data.batch.line_of_row[rows], labels_of_rows[rows]
        gold = gold_text(datasets_dir, labelled)
        page_type = labelled.meta.get("page_type") or "?"
        body = "\n".join(labelled.lines[i] for i, y in zip(lines, labels, strict=True)
                         if y == BODY)
        scores.setdefault(page_type, []).append(word_match(body, gold).f1)
        scores.setdefault("all", []).append(scores[page_type][-1])
        if page_type == wcxb.FORUM:
            both = "\n".join(labelled.lines[i] for i, y in zip(lines, labels, strict=True)
                             if y in (BODY, COMMENT))
            scores.setdefault("forum+comment", []).append(word_match(both, gold).f1)
    return {name: float(np.mean(values)) for name, values in scores.items()}
