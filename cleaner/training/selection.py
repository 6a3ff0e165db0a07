"""Choosing what acts only when a model predicts, out of fold on the training sites.

The decision weights (how far rare labels are favoured before the argmax) and
the gate (pass two only for lines pass one is unsure of) change no tree, so
one cross-validation gives every setting's figures: each fold fits the whole
two-pass classifier on the other folds' sites and keeps, for its own rows,
pass one's and pass two's probabilities before any weight or gate. Every
setting of the grid is then scored on those probabilities, set by set, with
the figures `cleaner eval` prints. The held-out sites are never read.

    python -m cleaner.training.selection fit     # the out-of-fold probabilities (slow)
    python -m cleaner.training.selection choose  # every setting's figures, as JSON

`--classifier boosting` does the same for the boosted trees issue 16 tried in
the recipe's place, so the two are compared on the same folds.
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold

from cleaner.model.classifier import LineClassifier
from cleaner.model.stacking import weighted
from cleaner.training import recipe
from cleaner.training.train import LabelledBatch, combine_batches, score_probabilities

log = logging.getLogger("cleaner.training.selection")

OUT = Path("data/build/selection")
N_SPLITS = 3
# Scoring a setting means cleaning every training page's text again (a minute or
# two a setting for the HTML sets): the grid is kept small. Issue 16 chose the gate
# (0.9) and the related weight (3) on this grid with (None, 0.9) and (1, 3); issue 17,
# with wcxb's pages of 2025 in the training data, chooses the nav and comment weights.
GATES = (0.9,)
NAV_WEIGHTS = (1.0, 1.5)
RELATED_WEIGHTS = (3.0,)
COMMENT_WEIGHTS = (1.25, 2.5, 4.0)


@dataclass
class Passes:
    """Out-of-fold probabilities of both passes for every row of the training data."""

    first: np.ndarray
    second: np.ndarray

    def probabilities(self, gate: float | None, decision_weights) -> np.ndarray:
        """What the classifier predicts with this gate and these weights: pass one's
        where its top probability reaches the gate (stacking.second_pass), weighted."""
        if gate is None:
            probs = self.second
        else:
            sure = self.first.max(axis=1) >= gate
            probs = np.where(sure[:, None], self.first, self.second)
        return weighted(probs, decision_weights)


def training_parts(corpus: Path, sets) -> list[tuple[str, LabelledBatch]]:
    return [(spec.folder, recipe.training_data(corpus, (spec,))) for spec in sets]


def out_of_fold(data: LabelledBatch, params: dict, n_splits: int = N_SPLITS) -> Passes:
    """Each row's pass-one and pass-two probabilities from a classifier fitted
    without its site (folds grouped by registrable domain)."""
    first = np.zeros((len(data.y), 4))
    second = np.zeros((len(data.y), 4))
    batch = data.batch
    for fold, (train, test) in enumerate(GroupKFold(n_splits).split(batch.X, data.y,
                                                                     data.groups)):
        log.info("fold %d: fitting on %d rows", fold, len(train))
        clf = LineClassifier(**params).fit(
            batch.X[train], data.y[train], page_of_row=batch.page_of_row[train],
            copy_of_row=_rows(batch.copy_of_row, train), box_of_row=_rows(batch.box_of_row, train),
            groups=data.groups[train], sample_weight=data.weight[train])
        first[test], second[test] = clf.both_passes(
            batch.X[test], page_of_row=batch.page_of_row[test],
            copy_of_row=_rows(batch.copy_of_row, test), box_of_row=_rows(batch.box_of_row, test))
    return Passes(first, second)


def _rows(ids: np.ndarray | None, rows: np.ndarray) -> np.ndarray | None:
    return None if ids is None else ids[rows]


MODELS = {"text": (recipe.TRAINING_SETS, recipe.PARAMS),
          "html": (recipe.HTML_TRAINING_SETS, recipe.HTML_PARAMS)}
# The recipe's classifier, or the boosted trees tried in its place (recipe.py):
# the HTML model's decision weights are the recipe's for both.
CLASSIFIERS = {"extra-trees": None, "boosting": recipe.BOOSTED_PARAMS}


def fit(corpus: Path, out: Path, kinds: list[str], classifier: str) -> None:
    for kind in kinds:
        sets, params = MODELS[kind]
        if CLASSIFIERS[classifier]:
            params = {**CLASSIFIERS[classifier], "decision_weights": params["decision_weights"]}
        parts = training_parts(corpus, sets)
        passes = out_of_fold(combine_batches([part for _, part in parts]),
                             {**params, "n_jobs": 1})
        out.mkdir(parents=True, exist_ok=True)
        np.savez(out / f"{kind}.npz", first=passes.first, second=passes.second)
        log.info("%s: saved", kind)


def grid() -> list[tuple[float | None, tuple[float, ...]]]:
    return [(gate, (1.0, nav, related, comment)) for gate, nav, related, comment
            in itertools.product(GATES, NAV_WEIGHTS, RELATED_WEIGHTS, COMMENT_WEIGHTS)]


def figures(report: dict) -> dict:
    """The few figures the choice looks at, from score_probabilities' report."""
    text = report["text"]
    out = {"body_text_f1": text["body"]["f1"]}
    if report["lines"]:  # a set with every line labelled (not partial gold)
        out["macro_f1"] = report["macro_f1"]
    if text["pages_with_comments"]:
        out["comment_text_f1"] = text["comment"]["f1"]
        out["comment_leak"] = text["comment_leak"]
    return out


def score_grid(corpus: Path, out: Path, kind: str) -> list[dict]:
    parts = training_parts(corpus, MODELS[kind][0])
    saved = np.load(out / f"{kind}.npz")
    passes = Passes(saved["first"], saved["second"])
    rows = []
    for gate, weights in grid():
        probs = passes.probabilities(gate, weights)
        row, start = {"gate": gate, "decision_weights": weights}, 0
        for folder, part in parts:
            end = start + len(part.y)
            row[folder] = figures(score_probabilities(part, probs[start:end]))
            start = end
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("fit", "choose"))
    parser.add_argument("--corpus", type=Path, default=recipe.CORPUS)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--kind", choices=sorted(MODELS), action="append",
                        help="Only this model of the pair (repeatable; default: both).")
    parser.add_argument("--classifier", choices=sorted(CLASSIFIERS), default="extra-trees",
                        help="The recipe's classifier, or the boosted trees tried in its place.")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    out = args.out / args.classifier
    if args.step == "fit":
        fit(args.corpus, out, args.kind or list(MODELS), args.classifier)
        return
    for kind in args.kind or list(MODELS):
        rows = score_grid(args.corpus, out, kind)
        (out / f"{kind}-grid.json").write_text(json.dumps(rows, indent=1))
        print(f"{kind}: {len(rows)} settings scored, {out / (kind + '-grid.json')}")


if __name__ == "__main__":
    main()
