"""A model for one site: the shipped model's skill, refitted on a few labelled pages.

`cleaner train labels/mysite/ --base default -o models/mysite` builds a
`SiteModel`. The base corpus is not shipped, so adaptation works from the base
model alone plus the new pages: a small forest is fitted on the site's lines,
reading each line's features *and the base model's probabilities* (stacking:
it learns where the base model goes wrong on this site's layout, and trusts it
elsewhere). Its probabilities are blended with the base model's, so a label the
site's pages never showed (say, comments) can still be predicted.

Measured on training-split sites (benchmarks/bench_site_training.py --sites
train, k = 2 labelled pages): this design removes about half of the default
model's body-text errors. Also tried there, and dropped for gaining nothing: a
template memory (a line whose exact text was labelled on the site's pages takes
that label again), the base model's probabilities of neighbouring lines as
more columns, 300 trees, no class weights.
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import ExtraTreesClassifier

from cleaner.model.classifier import UNLABELLED, export_ensemble
from cleaner.model.predictor import blend, ensemble_arrays, site_features

# Weight of the site forest against the base model; the rest is the base's.
# Chosen on training-split sites of the datasets (benchmarks/bench_site_training.py
# --sites train), never on the held-out sites it reports.
SITE_WEIGHT = 0.7


class SiteModel:
    """Base model probabilities, refined by a forest fitted on one site's lines."""

    def __init__(self, base, *, n_estimators: int = 100, site_weight: float = SITE_WEIGHT,
                 class_weight: str | None = "balanced", random_state: int = 0):
        self.base = base
        self.n_estimators = n_estimators
        self.site_weight = site_weight
        self.class_weight = class_weight
        self.random_state = random_state

    def get_params(self, deep: bool = False) -> dict:
        return {"n_estimators": self.n_estimators, "site_weight": self.site_weight,
                "class_weight": self.class_weight, "random_state": self.random_state}

    def fit(self, X, y, *, page_of_row, copy_of_row=None, box_of_row=None, sample_weight=None,
            **_ignored):
        y = np.asarray(y, dtype=np.int64)
        labelled = y != UNLABELLED
        base_probs = self.base.predict_proba(X, page_of_row=page_of_row,
                                             copy_of_row=copy_of_row, box_of_row=box_of_row)
        Z = site_features(X, base_probs)
        self.forest_ = ExtraTreesClassifier(
            n_estimators=self.n_estimators, min_samples_leaf=1, max_features="sqrt",
            class_weight=self.class_weight, n_jobs=1, random_state=self.random_state,
        ).fit(Z[labelled], y[labelled],
              sample_weight=None if sample_weight is None else
              np.asarray(sample_weight)[labelled])
        return self

    def predict_proba(self, X, *, page_of_row, copy_of_row=None, box_of_row=None):
        base_probs = self.base.predict_proba(X, page_of_row=page_of_row,
                                             copy_of_row=copy_of_row, box_of_row=box_of_row)
        if len(base_probs) == 0:
            return base_probs
        site = np.zeros_like(base_probs)
        site[:, self.forest_.classes_] = self.forest_.predict_proba(
            site_features(X, base_probs))
        return blend(site, base_probs, self.site_weight)

    def predict(self, X, *, page_of_row, copy_of_row=None, box_of_row=None):
        return self.predict_proba(X, page_of_row=page_of_row, copy_of_row=copy_of_row,
                                  box_of_row=box_of_row).argmax(axis=1)

    def export(self) -> tuple[dict, dict[str, np.ndarray]]:
        """The site's own forest as a model file holds it (predictor.py's "site"); the
        base is another model file, which the card names."""
        forest = export_ensemble(self.forest_)
        meta = {"type": "site", "site_weight": self.site_weight, "forest": forest.meta()}
        return meta, ensemble_arrays(forest, "forest.")
