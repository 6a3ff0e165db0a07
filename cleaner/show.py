"""The detailed view of `cleaner show`: every line with its label and why.

One row per input line: the label, its probability, the runner-up label
when the model hesitated, and the line itself, coloured by label on a
terminal. A closing summary counts lines per label.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from cleaner.document import Page
from cleaner.labels import LABELS

COLOURS = {"body": "green", "nav": "bright_black", "related": "yellow", "comment": "cyan"}
# Below this probability the runner-up label is shown: the model hesitated.
HESITANT = 0.7
HEAD_WIDTH = 28  # "comment  0.55 (related 0.41)" fits


@dataclass(frozen=True, slots=True)
class LineView:
    text: str
    label: str | None
    p: float | None
    runner_up: str | None
    runner_up_p: float | None


def line_views(page: Page, probs: np.ndarray) -> list[LineView]:
    views = [LineView(line, None, None, None, None) for line in page.lines]
    for row, index in enumerate(page.content_indices()):
        order = np.argsort(-probs[row])
        first, second = int(order[0]), int(order[1])
        views[index] = LineView(page.lines[index], LABELS[first], float(probs[row, first]),
                                LABELS[second], float(probs[row, second]))
    return views


def render_view(view: LineView, style) -> str:
    """One row; `style(text, colour)` adds colour (or does nothing when piped)."""
    if view.label is None:
        return " " * HEAD_WIDTH + "│"
    doubt = (f" ({view.runner_up} {view.runner_up_p:.2f})"
             if view.p is not None and view.p < HESITANT else "")
    head = f"{view.label:<8} {view.p:.2f}{doubt}"
    colour = COLOURS[view.label]
    return f"{style(f'{head:<{HEAD_WIDTH}}', colour)}│ {style(view.text, colour)}"


def render_summary(views: list[LineView]) -> str:
    counts = Counter(v.label for v in views if v.label)
    total = sum(counts.values()) or 1
    parts = [f"{label} {counts[label]} ({counts[label] / total:.0%})" for label in LABELS]
    hesitant = sum(1 for v in views if v.p is not None and v.p < HESITANT)
    return (f"{total} lines with text: " + ", ".join(parts)
            + f"; {hesitant} below p {HESITANT}")
