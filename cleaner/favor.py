"""Precision or recall: how far body is favoured before the argmax, and a floor on it.

The model scales each label's probability by a decision weight before the argmax
(related x3, comment x2.5 or x1.25: cleaner/model/stacking.py). `--favor` moves
body's weight against the rest, by a factor the model's card gives per model of
the pair (`favor` in model.json, chosen on the training sites' out-of-fold
predictions by `python -m cleaner.training.favor`): below 1 (`precision`) a line
must be surer to stay body, above 1 (`recall`) a doubtful line is kept.
`balanced`, the default, is the factor 1: the shipped model's labels unchanged.
The probabilities are renormalised, as the decision weights' are, so what comes
after (a site's template lines, the headline once, the labels and the
probabilities `--lines` prints) sees the favoured ones.

`--min-p P` then keeps a line as body only if its body probability (as `--lines`
prints it, after the favour) is at least P; a line that falls under it takes its
next best label. It only ever removes body lines, and at P 0.5 or under few: a
line is body where its body probability is the highest, mostly over a half.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from cleaner.labels import LABEL_INDEX

FAVORS: tuple[str, ...] = ("balanced", "precision", "recall")
BALANCED = "balanced"
BODY = LABEL_INDEX["body"]
KINDS = ("text", "html")  # the models of a pair: text dumps, HTML pages


def expected_favor(value: object) -> str:
    return f"favor {value!r}: expected one of: {', '.join(FAVORS)}"


def check_favor(favor: str, min_p: float | None) -> None:
    """Raise ValueError for a favor not in FAVORS or a min_p outside [0, 1]."""
    if favor not in FAVORS:
        raise ValueError(expected_favor(favor))
    if min_p is not None and not 0.0 <= float(min_p) <= 1.0:
        raise ValueError(f"min_p {min_p!r}: expected a probability from 0 to 1")


@dataclass(frozen=True)
class Decision:
    """How a page's probabilities become labels: body's extra weight for the model
    that classified it (by the page's kind) and the body probability floor."""

    body_weights: Mapping[str, float] = field(default_factory=dict)  # kind -> factor
    min_p: float | None = None

    @property
    def neutral(self) -> bool:
        """Whether it leaves the model's labels as they are (balanced, no floor)."""
        return self.min_p is None and all(w == 1.0 for w in self.body_weights.values())

    def favoured(self, kind: str, probs: np.ndarray) -> np.ndarray:
        """A page's probabilities with body's weight scaled for its model, rows
        renormalised (the same array when the weight is 1)."""
        weight = self.body_weights.get(kind, 1.0)
        if weight == 1.0 or not len(probs):
            return probs
        out = probs.copy()
        out[:, BODY] *= weight
        return out / np.maximum(out.sum(axis=1, keepdims=True), 1e-12)


NEUTRAL = Decision()


class FavorError(ValueError):
    """A favor the model cannot give: its card has no weights for it."""


def decision_of(card: Mapping, favor: str = BALANCED, min_p: float | None = None,
                base_card: Mapping | None = None) -> Decision:
    """The Decision for `favor` and `min_p` with a model's card (a site model's card has
    no weights of its own: its base's, `base_card`, are used)."""
    check_favor(favor, min_p)
    if favor == BALANCED:
        return Decision({}, None if min_p is None else float(min_p))
    section = card.get("favor") or (base_card or {}).get("favor")
    if not section:
        raise FavorError(
            f"model {card.get('name', '?')!r} has no favor weights in its card: only "
            f"favor balanced (the weights are chosen for a model by `python -m "
            f"cleaner.training.favor`, docs/training.md)")
    weights = {kind: float(section[kind][favor]) for kind in KINDS if kind in section}
    return Decision(weights, None if min_p is None else float(min_p))


def model_decision(card: Mapping, model_dir, favor: str = BALANCED,
                   min_p: float | None = None) -> Decision:
    """`decision_of` for the model in `model_dir` whose card is `card`: a site model
    without weights of its own takes its base model's."""
    base = None
    check_favor(favor, min_p)
    if favor != BALANCED and not card.get("favor") and card.get("base"):
        from cleaner.model.files import base_folder, read_card

        base = read_card(base_folder(card, model_dir))
    return decision_of(card, favor, min_p, base)
