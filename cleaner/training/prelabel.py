"""Pre-labelled line-label files for a person to correct (`cleaner label`).

Labels come from the current model; the lines it is least sure of carry a
"?" after their label so a person looks there first. HTML pages also get a
`.cues.json` sidecar with the renderer's DOM cues, so that training on the
corrected file sees the same cues the cleaner sees.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from cleaner.atomic import atomic_write_text
from cleaner.document import Page
from cleaner.labels import LABELS
from cleaner.training.labelfile import cues_sidecar, format_label_file

# Lines whose best label has a probability under this are marked unsure.
# At 0.6 about one line in ten of an unseen site is marked (l3s-gn1 held-out
# hosts), and most label errors sit among them.
UNSURE_BELOW = 0.6


def prelabel(page: Page, probs: np.ndarray, unsure_below: float = UNSURE_BELOW):
    """The model's label for every line (None on blank lines) and the unsure line indices."""
    labels: list[str | None] = [None] * len(page.lines)
    unsure: set[int] = set()
    for row, index in enumerate(page.content_indices()):
        labels[index] = LABELS[int(probs[row].argmax())]
        if probs[row].max() < unsure_below:
            unsure.add(index)
    return labels, unsure


def write_prelabelled(path: Path, page: Page, probs: np.ndarray, *, model_name: str,
                      unsure_below: float = UNSURE_BELOW) -> int:
    """Write the label file (and cues sidecar for HTML); return the number of unsure lines."""
    labels, unsure = prelabel(page, probs, unsure_below)
    meta = {"id": page.id, "source": page.source}
    if page.url:
        meta["url"] = page.url
    meta["model"] = model_name
    meta["unsure"] = f"{len(unsure)} lines marked '?' (probability < {unsure_below})"
    atomic_write_text(path, format_label_file(page.lines, labels, meta, unsure))
    if page.cues is not None:
        cues = [c.to_dict() if c is not None else None for c in page.cues]
        atomic_write_text(cues_sidecar(path),
                          json.dumps(cues, ensure_ascii=False))
    return len(unsure)
