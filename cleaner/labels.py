"""The four line labels (see ../shared/LABELING.md), and how probabilities become labels.

The order of LABELS is the column order of every probability array in the
project, so it must never change without a new feature-schema version.
`line_labels` turns a page's probabilities into its lines' labels and
`join_kept` its kept lines into text, for `clean`, `show`, `label` and `eval`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

LABELS: tuple[str, ...] = ("body", "nav", "related", "comment")
LABEL_INDEX: dict[str, int] = {label: i for i, label in enumerate(LABELS)}


def parse_keep(spec: str) -> frozenset[str]:
    """Turn a `--keep` value such as "body,comment" into a label set."""
    keep = frozenset(part.strip() for part in spec.split(",") if part.strip())
    unknown = keep - set(LABELS)
    if not keep or unknown:
        raise ValueError(
            f"--keep takes a comma-separated subset of {','.join(LABELS)}; got {spec!r}"
        )
    return keep


DEFAULT_KEEP = frozenset({"body"})
# Lines whose best label has a probability under this are unsure (`cleaner label`
# marks them "?"). At 0.6 about one line in ten of an unseen site is marked
# (l3s-gn1 held-out hosts), and most label errors sit among them.
UNSURE_BELOW = 0.6


def line_labels(n_lines: int, line_of_row: Sequence[int], probs: np.ndarray,
                digits: int | None = None, min_body: float | None = None
                ) -> tuple[list[str | None], list[float | None]]:
    """The one place probabilities become labels: each labelled line's best label and
    its probability (rounded to `digits`), None on the lines no row covers (blank ones).
    `probs` has a row per labelled line; `line_of_row` says which line each row is.
    With `min_body`, a line whose body probability is under it is not body: it takes
    its best other label (`--min-p`, cleaner/favor.py)."""
    labels: list[str | None] = [None] * n_lines
    ps: list[float | None] = [None] * n_lines
    if not len(probs):
        return labels, ps
    best = probs.argmax(axis=1)
    if min_body is None:
        top = probs.max(axis=1)
    else:
        best = floored(probs, best, min_body, digits)
        top = probs[np.arange(len(probs)), best]
    best = best.tolist()
    if digits is not None:
        top = np.round(top, digits)
    for line, label, p in zip(line_of_row, best, top.tolist(), strict=True):
        labels[line] = LABELS[label]
        ps[line] = p
    return labels, ps


def floored(probs: np.ndarray, best: np.ndarray, min_body: float,
            digits: int | None = None) -> np.ndarray:
    """`best` with the body lines whose body probability (rounded to `digits`, as it is
    printed) is under `min_body` moved to their best other label."""
    body = LABEL_INDEX["body"]
    p_body = probs[:, body] if digits is None else np.round(probs[:, body], digits)
    under = (best == body) & (p_body < min_body)
    if under.any():
        others = probs[under].copy()
        others[:, body] = -1.0
        best = best.copy()
        best[under] = others.argmax(axis=1)
    return best


def join_kept(lines: Sequence[str], labels: Sequence[str | None], keep: frozenset[str]) -> str:
    """Kept lines, one per line; a blank line wherever the input had a gap or dropped text."""
    parts: list[str] = []
    previous = -2
    for index, (line, label) in enumerate(zip(lines, labels, strict=True)):
        if label not in keep:
            continue
        if parts:
            parts.append("\n" if index == previous + 1 else "\n\n")
        parts.append(line.strip())
        previous = index
    return "".join(parts)
