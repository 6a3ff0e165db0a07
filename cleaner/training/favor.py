"""Choosing `--favor`'s body weights out of fold on the training sites.

`--favor precision|recall` multiplies body's decision weight by a factor, per model
of the pair (cleaner/favor.py). The factors are read off the curve body text
precision and recall draw as the factor moves, on the out-of-fold predictions of
the training sites (cleaner.training.selection: each row predicted by a pair fitted
without its site, with the shipped gate and decision weights). The held-out sites
are never read.

The curve: factors 2^(k/4), k = -16..16 (1/16 to 16). Each model is scored on the
pages it serves (the text model on the w3m dumps of its training sets, the HTML
model on their HTML renderings), as `cleaner clean` labels them (a dump's headline
once), with body text 4-gram shingle precision, recall and F1 per set
(cleaner.training.metrics), then their mean over the sets: each set counts the same
whatever its size.

The rule: `precision` is the factor under 1 with the highest mean precision whose
mean F1 is at most F1_BUDGET under the factor 1's; `recall` the factor over 1
with the highest mean recall within the same budget. One point of F1 buys what
precision or recall it can, and no more.

    python -m cleaner.training.selection fit --out data/build/selection   # or `favor fit`
    python -m cleaner.training.favor choose                    # print the curve and the choice
    python -m cleaner.training.favor choose --write models/default   # into its card's `favor`
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import numpy as np

from cleaner.favor import BALANCED, KINDS
from cleaner.labels import join_kept, line_labels
from cleaner.model.stacking import BODY, weighted
from cleaner.training import recipe, selection
from cleaner.training.metrics import PageMatch, shingles, text_scores
from cleaner.training.train import LabelledBatch, gold_labels, with_one_headline

log = logging.getLogger("cleaner.training.favor")

# One point of mean body text F1 is what a favor may cost.
F1_BUDGET = 0.01
FACTORS = tuple(float(2.0 ** (k / 4)) for k in range(-16, 17))
# The renderings each model of the pair serves: its training sets' folders holding them.
SERVED = {"text": "/w3m/", "html": "/cleaner/"}
COMMAND = ("python -m cleaner.training.selection fit --out data/build/selection && "
           "python -m cleaner.training.favor choose --write models/default")
RULE = (f"body's decision weight times the factor of 2^(k/4), k=-16..16, that gives the "
        f"highest out-of-fold body text precision (precision: factors under 1) or recall "
        f"(recall: over 1) while the mean body text F1 over the training sets of the "
        f"model's inputs stays within {F1_BUDGET} of the factor 1's")


class ServedSet:
    """A training set's pages of one kind, their gold body text, and their rows."""

    def __init__(self, folder: str, data: LabelledBatch, start: int):
        self.folder, self.data = folder, data
        self.rows = slice(start, start + len(data.y))
        self.gold = [shingles(join_kept(f.lines, f.labels, frozenset({"body"})))
                     if "body" in gold_labels(f) else None for f in data.files]

    def scores(self, probs: np.ndarray) -> dict[str, float]:
        """Body text precision, recall and F1 of these pages labelled from `probs`
        (the rows of the whole training data)."""
        data = self.data
        probs = with_one_headline(data, probs[self.rows])
        matches = []
        for index, (labelled, gold) in enumerate(zip(data.files, self.gold, strict=True)):
            if gold is None:
                continue
            rows = data.batch.rows_of(index)
            labels, _ = line_labels(len(labelled.lines), data.batch.line_of_row[rows].tolist(),
                                    probs[rows])
            matches.append(_match(shingles(join_kept(labelled.lines, labels,
                                                     frozenset({"body"}))), gold))
        return text_scores(matches)


def _match(pred, true) -> PageMatch:
    """metrics.match_text on shingles counted already (the gold's, once per page)."""
    tp = sum((pred & true).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    total = tp + fp + fn
    return PageMatch(tp / total, fp / total, fn / total) if total else PageMatch(0.0, 0.0, 0.0)


def served_sets(corpus: Path, kind: str) -> tuple[list[ServedSet], int]:
    """The sets of `kind`'s training data it serves, and the training data's rows."""
    sets, start, served = selection.MODELS[kind][0], 0, []
    for folder, data in selection.training_parts(corpus, sets):
        if SERVED[kind] in folder:
            served.append(ServedSet(folder, data, start))
        start += len(data.y)
    return served, start


def favoured(probs: np.ndarray, factor: float) -> np.ndarray:
    weights = np.ones(probs.shape[1])
    weights[BODY] = factor
    return weighted(probs, weights)


def curve(corpus: Path, out: Path, kind: str) -> list[dict]:
    """A row per factor: each served set's body precision, recall, F1, and their means."""
    params = selection.MODELS[kind][1]
    saved = np.load(out / f"{kind}.npz")
    sets, n_rows = served_sets(corpus, kind)
    if len(saved["second"]) != n_rows:
        raise SystemExit(f"{out / kind}.npz holds {len(saved['second'])} rows, the training "
                         f"data {n_rows}: fit it again (python -m cleaner.training.favor fit)")
    probs = selection.Passes(saved["first"], saved["second"]).probabilities(
        params["gate"], params["decision_weights"])
    rows = []
    for factor in FACTORS:
        scored = {s.folder: s.scores(favoured(probs, factor)) for s in sets}
        mean = {key: float(np.mean([v[key] for v in scored.values()]))
                for key in ("precision", "recall", "f1")}
        rows.append({"factor": factor, **mean, "sets": scored})
        log.info("%s x%.3f: P %.4f R %.4f F1 %.4f", kind, factor, mean["precision"],
                 mean["recall"], mean["f1"])
    return rows


def choose(rows: list[dict], budget: float = F1_BUDGET) -> dict[str, float]:
    """The factors of each favor by the rule (module docstring)."""
    balanced = next(row for row in rows if row["factor"] == 1.0)
    within = [row for row in rows if row["f1"] >= balanced["f1"] - budget]
    precision = max((r for r in within if r["factor"] <= 1.0), key=lambda r: r["precision"])
    recall = max((r for r in within if r["factor"] >= 1.0), key=lambda r: r["recall"])
    return {BALANCED: 1.0, "precision": precision["factor"], "recall": recall["factor"]}


def card_section(curves: dict[str, list[dict]]) -> dict:
    """The card's `favor`: each model's factors, and its out-of-fold figures at them."""
    section: dict = {"rule": RULE, "f1_budget": F1_BUDGET, "command": COMMAND}
    for kind, rows in curves.items():
        chosen = choose(rows)
        by_factor = {row["factor"]: row for row in rows}
        section[kind] = {**chosen, "sets": sorted(rows[0]["sets"]), "out_of_fold": {
            favor: {key: round(by_factor[factor][key], 4) for key in ("precision", "recall",
                                                                        "f1")}
            for favor, factor in chosen.items()}}
    return section


def format_curve(kind: str, rows: list[dict]) -> str:
    chosen = {factor: favor for favor, factor in choose(rows).items()}
    folders = list(rows[0]["sets"])
    head = ("| body weight x | " + " | ".join(f"{f} P / R / F1" for f in folders)
            + " | mean P | mean R | mean F1 | favor |")
    lines = [f"{kind} model, out of fold on the training sites", "", head,
             "|" + " --- |" * (len(folders) + 5)]
    for row in rows:
        cells = " | ".join(f"{s['precision']:.3f} / {s['recall']:.3f} / {s['f1']:.3f}"
                           for s in row["sets"].values())
        lines.append(f"| {row['factor']:.3g} | {cells} | {row['precision']:.4f} "
                     f"| {row['recall']:.4f} | {row['f1']:.4f} "
                     f"| {chosen.get(row['factor'], '')} |")
    return "\n".join(lines)


def write_card(model: Path, section: dict) -> None:
    """Put `section` into the model's card as `favor` (the trees and their SHA-256 stay)."""
    card_path = model / "model.json"
    card = json.loads(card_path.read_text(encoding="utf-8"))
    card["favor"] = section
    card_path.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("fit", "choose"))
    parser.add_argument("--corpus", type=Path, default=recipe.CORPUS)
    parser.add_argument("--out", type=Path, default=selection.OUT,
                        help="Where selection's out-of-fold probabilities are.")
    parser.add_argument("--kind", choices=KINDS, action="append",
                        help="Only this model of the pair (repeatable; default: both).")
    parser.add_argument("--write", type=Path, metavar="MODEL",
                        help="Write the chosen factors into this model folder's card "
                             "(both models).")
    parser.add_argument("--json", type=Path, help="Also write the curves as JSON.")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    out = args.out / "extra-trees"
    if args.step == "fit":
        selection.fit(args.corpus, out, list(KINDS), "extra-trees")
        return
    kinds = args.kind or list(KINDS)
    if args.write and set(kinds) != set(KINDS):
        parser.error("--write needs both models of the pair")
    curves = {kind: curve(args.corpus, out, kind) for kind in kinds}
    for kind, rows in curves.items():
        print(format_curve(kind, rows), end="\n\n")
    section = card_section(curves)
    print(json.dumps({kind: section[kind] for kind in kinds}, indent=1))
    if args.json:
        args.json.write_text(json.dumps(curves, indent=1))
    if args.write:
        write_card(args.write, section)
        print(f"written into {args.write / 'model.json'}")


if __name__ == "__main__":
    main()
