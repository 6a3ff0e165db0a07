"""One model for text dumps and one for HTML, picked page by page (training side).

A page rendered from HTML carries DOM cues on its lines; a text dump has
none (its DOM columns are unknown, NaN). Both models read the same feature
schema; each page's rows go to the model for its kind, whole pages at a time
(the second pass looks at neighbouring lines), and the probabilities come back
in the batch's order (predictor.route_by_kind, which cleaning uses too).

`PairedModel` holds the two fitted line classifiers while a model is trained
and scored; `export` writes them as one model file, which cleaning reads as a
`predictor.Paired` without scikit-learn.
"""

from __future__ import annotations

import numpy as np

from cleaner.features import feature_names
from cleaner.model.predictor import DOM_COLUMN_FEATURE, route_by_kind

DOM_COLUMN = feature_names().index(DOM_COLUMN_FEATURE)
KINDS = ("text", "html")


class PairedModel:
    """`text` scores pages without DOM cues, `html` pages with them."""

    def __init__(self, text, html):
        self.text, self.html = text, html

    def get_params(self, deep: bool = False) -> dict:
        return {"text": type(self.text).__name__, "html": type(self.html).__name__}

    def predict_proba(self, X, *, page_of_row, copy_of_row=None, box_of_row=None):
        return route_by_kind(lambda kind: getattr(self, kind), DOM_COLUMN, X, page_of_row,
                             copy_of_row, box_of_row)

    def predict(self, X, *, page_of_row, copy_of_row=None, box_of_row=None):
        return self.predict_proba(X, page_of_row=page_of_row, copy_of_row=copy_of_row,
                                  box_of_row=box_of_row).argmax(axis=1)

    def export(self) -> tuple[dict, dict[str, np.ndarray]]:
        """Both models as one model file holds them (predictor.py's "paired")."""
        meta: dict = {"type": "paired", "dom_column": DOM_COLUMN}
        arrays: dict[str, np.ndarray] = {}
        for kind in KINDS:
            meta[kind], part = getattr(self, kind).export(kind + ".")
            arrays.update(part)
        return meta, arrays
