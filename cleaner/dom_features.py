"""Numeric columns from the DOM cues of HTML lines; NaN for text dumps.

The classifier (gradient-boosted trees) treats NaN as "unknown" natively, so
one model serves text dumps (no cues) and rendered HTML (cues) alike.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cleaner.document import DomCues, Page

DOM_FEATURE_NAMES: tuple[str, ...] = ("dom_link_share", "dom_heading", "dom_depth")


def cue_vector(cues: DomCues) -> list[float]:
    return [cues.link_share, float(cues.heading), float(cues.depth)]


def dom_feature_matrix(pages: Sequence[Page], n_rows: int) -> np.ndarray:
    matrix = np.full((n_rows, len(DOM_FEATURE_NAMES)), np.nan, dtype=np.float32)
    row = 0
    for page in pages:
        if page.cues is None:
            row += len(page.content_indices())
            continue
        for line, cues in zip(page.lines, page.cues, strict=True):
            if not line.strip():
                continue
            if cues is not None:
                matrix[row] = cue_vector(cues)
            row += 1
    return matrix
