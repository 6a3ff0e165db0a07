"""What `cleaner show` and `cleaner lines` print: a page line by line.

`cleaner show`, the detailed view: one row per input line, the label, its
probability, the runner-up label when the model hesitated, and the line
itself, coloured by label on a terminal; a closing summary counts lines per
label. `cleaner lines`: the page as the lines cleaner labels, with their DOM
cues on request.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from cleaner.document import Page
from cleaner.labels import LABEL_INDEX, LABELS, line_labels

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


def line_views(page: Page, probs: np.ndarray, min_body: float | None = None
               ) -> list[LineView]:
    labels, ps = line_labels(len(page.lines), page.content_indices(), probs,
                             min_body=min_body)
    views = [LineView(line, None, None, None, None) for line in page.lines]
    for row, index in enumerate(page.content_indices()):
        second = _runner_up(probs[row], LABEL_INDEX[labels[index]])
        views[index] = LineView(page.lines[index], labels[index], ps[index],
                                LABELS[second], float(probs[row, second]))
    return views


def _runner_up(row: np.ndarray, best: int) -> int:
    """The second most likely label: the best one of the others (the first on a tie)."""
    order = np.argsort(-row, kind="stable")
    return int(order[1]) if int(order[0]) == best else int(order[0])


def detailed_view(page: Page, probs: np.ndarray, style, min_body: float | None = None
                  ) -> tuple[list[str], str]:
    """`cleaner show`'s rows for a page, and its summary line."""
    views = line_views(page, probs, min_body)
    return [render_view(view, style) for view in views], render_summary(views)


def lines_view(page: Page, with_cues: bool) -> list[str]:
    """`cleaner lines`: the page's lines, each after its DOM cues with `with_cues`."""
    if not with_cues or page.cues is None:
        return list(page.lines)
    from cleaner.readers.html.render import format_cues

    return [f"{format_cues(cues):<48} | {line}".rstrip() if line.strip() else ""
            for line, cues in zip(page.lines, page.cues, strict=True)]


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
