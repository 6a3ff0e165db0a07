"""The line classifier: two randomised-tree passes, the second stacked on the first.

Pass one labels each line from its own features and its neighbours'. Pass
two sees, besides those features, pass one's probabilities for the lines
around it and for the page as a whole ("has the article ended above this
line?"), which is what tells a reader comment from a paragraph of the story,
and, on HTML, for the other lines of its box (the DOM element that holds its
block: one comment, one list, the article's paragraphs). Pass two is fitted
on out-of-fold pass-one probabilities, grouped by site, so it learns from the
same kind of errors it will see on new sites (stacked sequential learning,
Cohen & Carvalho 2005).

Why extremely randomised trees and not gradient boosting: measured on the
same site-grouped folds (cleaner/training/selection.py), a boosted pair that
costs a third of the forests' tree time (12 small iterations for pass one, 60
for pass two where pass one is unsure) is worse on five training sets of six,
and one extra-trees tree gives all four class probabilities where boosting
needs a tree per class per round; fitting takes minutes, which is what
retraining on a new site needs. Boosting stays available (`booster`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.ensemble import ExtraTreesClassifier, HistGradientBoostingClassifier
from sklearn.model_selection import GroupKFold

from cleaner.model.predictor import ensemble_arrays
from cleaner.model.stacking import (
    N_LABELS,
    fill_missing,
    second_pass,
    stack_features,
    weighted,
)
from cleaner.model.trees import Ensemble, export_boosting, export_forest

UNLABELLED = -1
EXTRA_TREES, BOOSTING = "extra-trees", "boosting"


class LineClassifier(ClassifierMixin, BaseEstimator):
    """Stacked two-pass classifier over line feature rows grouped into pages.

    `fit` and `predict_proba` take `page_of_row`: rows of one page must be
    contiguous and in reading order, since pass two looks at neighbours.
    Targets are label indices (see cleaner.labels.LABELS); -1 marks a row
    that gives context but no target.
    """

    def __init__(
        self,
        *,
        booster: str = EXTRA_TREES,
        n_estimators: int = 40,
        max_depth: int | None = 18,
        min_samples_leaf: int = 3,
        max_features: float | str = "sqrt",
        learning_rate: float = 0.2,
        max_leaf_nodes: int | None = 15,
        second_max_features: float | str | None = None,
        second: dict | None = None,
        gate: float | None = None,
        class_weight_power: float = 0.5,
        n_folds: int = 4,
        stack_offsets: tuple[int, ...] = (-3, -2, -1, 0, 1, 2, 3),
        stack_radius: int = 8,
        decision_weights: tuple[float, ...] | None = None,
        ignore_features: tuple[str, ...] = (),
        n_jobs: int | None = None,
        random_state: int = 0,
    ):
        self.booster = booster
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.second_max_features = second_max_features
        self.second = second
        self.gate = gate
        self.class_weight_power = class_weight_power
        self.n_folds = n_folds
        self.stack_offsets = stack_offsets
        self.stack_radius = stack_radius
        self.decision_weights = decision_weights
        self.ignore_features = ignore_features
        self.n_jobs = n_jobs
        self.random_state = random_state

    def fit(self, X, y, *, page_of_row, copy_of_row=None, box_of_row=None, groups=None,
            sample_weight=None):
        X = np.asarray(X, dtype=np.float32)
        y = np.asarray(y, dtype=np.int64)
        page_of_row = np.asarray(page_of_row)
        groups = page_of_row if groups is None else np.asarray(groups)
        labelled = y != UNLABELLED
        if self.booster == BOOSTING and len(np.unique(y[labelled])) < 3:
            # With two labels boosting grows one tree an iteration, a model trees.py
            # does not export: say so before the fit, not after it.
            raise ValueError("boosted trees need lines of at least three labels")
        weight = self._weights(y, sample_weight)
        self.classes_ = np.arange(N_LABELS)
        self.n_columns_ = X.shape[1]
        self.keep_ = self._kept_columns(X.shape[1])
        X = self._seen(fill_missing(X))
        self.first_ = self._booster().fit(X[labelled], y[labelled], sample_weight=weight[labelled])
        first_probs = self._out_of_fold(X, y, groups, weight)
        stacked = self.stack_features(first_probs, page_of_row, copy_of_row, box_of_row)
        X2 = np.hstack([X, fill_missing(stacked)])
        self.second_ = self._booster(second=True).fit(X2[labelled], y[labelled],
                                                      sample_weight=weight[labelled])
        return self

    def predict_proba(self, X, *, page_of_row, copy_of_row=None, box_of_row=None):
        _, probs = self.both_passes(X, page_of_row=page_of_row, copy_of_row=copy_of_row,
                                    box_of_row=box_of_row, gate=self.gate)
        return self._weighted(probs)

    def both_passes(self, X, *, page_of_row, copy_of_row=None, box_of_row=None,
                    gate: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Pass one's probabilities and pass two's, before any decision weight. With a
        `gate`, pass two's only for the rows pass one is unsure of (pass one's for the
        others), as predict_proba gives them; without, pass two's for every row (what
        cleaner.training.selection scores every gate on)."""
        X = np.asarray(X, dtype=np.float32)
        if len(X) == 0:
            return np.zeros((0, N_LABELS)), np.zeros((0, N_LABELS))
        X = self._seen(fill_missing(X))
        first = self._full_proba(self.first_, X)
        stacked = self.stack_features(first, np.asarray(page_of_row), copy_of_row, box_of_row)
        return first, second_pass(first, X, stacked,
                                  lambda X2: self._full_proba(self.second_, X2), gate)

    def _kept_columns(self, n_columns: int) -> np.ndarray | None:
        """The columns the trees read: all (None) but `ignore_features`, named as
        cleaner.features names them."""
        if not self.ignore_features:
            return None
        from cleaner.features import feature_names

        names = feature_names()
        if len(names) != n_columns:
            raise ValueError(f"ignore_features needs the {len(names)} feature columns, "
                             f"not {n_columns}")
        return np.array([i for i, name in enumerate(names) if name not in self.ignore_features])

    def _seen(self, X: np.ndarray) -> np.ndarray:
        keep = getattr(self, "keep_", None)
        return X if keep is None else X[:, keep]

    def _weighted(self, probs: np.ndarray) -> np.ndarray:
        """Shift the decision toward rare labels: probabilities times per-label weights.

        Weights are chosen by site-grouped cross-validation on the training
        data (see cleaner/training/recipe.py), like a prior correction for a skewed
        label distribution; rows are renormalised to sum to one.
        """
        return weighted(probs, self.decision_weights)

    def predict(self, X, *, page_of_row, copy_of_row=None, box_of_row=None):
        return self.predict_proba(X, page_of_row=page_of_row, copy_of_row=copy_of_row,
                                  box_of_row=box_of_row).argmax(axis=1)

    def export(self, prefix: str = "") -> tuple[dict, dict[str, np.ndarray]]:
        """The fitted model as a model file holds it (predictor.py's "two-pass")."""
        first, second = export_ensemble(self.first_), export_ensemble(self.second_)
        keep = getattr(self, "keep_", None)
        if keep is not None:  # the model file's trees read full rows, ignored columns and all
            first = renumbered(first, keep, self.n_columns_)
            second = renumbered(second, keep, self.n_columns_)
        params = {"stack_offsets": [int(o) for o in self.stack_offsets],
                  "stack_radius": int(self.stack_radius), "gate": self.gate,
                  "decision_weights": None if self.decision_weights is None
                  else [float(w) for w in self.decision_weights]}
        meta = {"type": "two-pass", "params": params, "first": first.meta(),
                "second": second.meta()}
        return meta, {**ensemble_arrays(first, prefix + "first."),
                      **ensemble_arrays(second, prefix + "second.")}

    def _booster(self, second: bool = False):
        """A new estimator for pass one, or for pass two (`second` and
        `second_max_features` override the settings there)."""
        settings = {"n_estimators": self.n_estimators, "max_depth": self.max_depth,
                    "min_samples_leaf": self.min_samples_leaf, "max_features": self.max_features,
                    "learning_rate": self.learning_rate, "max_leaf_nodes": self.max_leaf_nodes}
        if second and self.second_max_features is not None:
            # Pass two's strongest columns are the few stacked probabilities:
            # sampling more columns per split lets the trees find them.
            settings["max_features"] = self.second_max_features
        if second:
            settings.update(self.second or {})
        if self.booster == BOOSTING:
            return HistGradientBoostingClassifier(
                max_iter=settings["n_estimators"], learning_rate=settings["learning_rate"],
                max_leaf_nodes=settings["max_leaf_nodes"], max_depth=settings["max_depth"],
                min_samples_leaf=settings["min_samples_leaf"], early_stopping=False,
                random_state=self.random_state)
        return ExtraTreesClassifier(
            n_estimators=settings["n_estimators"], max_depth=settings["max_depth"],
            min_samples_leaf=settings["min_samples_leaf"], max_features=settings["max_features"],
            n_jobs=self.n_jobs, random_state=self.random_state)

    def _weights(self, y, sample_weight) -> np.ndarray:
        """Class weights (n / (k * n_c)) ** power: related and comment are rare.

        power 1 is sklearn's "balanced"; 0.5 lifts the rare classes without
        making nav precision collapse.
        """
        counts = np.bincount(y[y != UNLABELLED], minlength=N_LABELS).astype(float)
        counts = np.maximum(counts, 1)
        class_weight = (counts.sum() / (N_LABELS * counts)) ** self.class_weight_power
        weight = np.where(y == UNLABELLED, 0.0, class_weight[np.clip(y, 0, None)])
        if sample_weight is not None:
            weight = weight * np.asarray(sample_weight, dtype=float)
        return weight

    def _out_of_fold(self, X, y, groups, weight) -> np.ndarray:
        """Pass-one probabilities for every row from a model that never saw its site."""
        probs = np.zeros((len(X), N_LABELS))
        n_groups = len(np.unique(groups))
        folds = GroupKFold(n_splits=min(self.n_folds, n_groups))
        for train, test in folds.split(X, y, groups):
            fit_rows = train[y[train] != UNLABELLED]
            booster = clone(self._booster()).fit(X[fit_rows], y[fit_rows],
                                                 sample_weight=weight[fit_rows])
            probs[test] = self._full_proba(booster, X[test])
        return probs

    @staticmethod
    def _full_proba(booster, X) -> np.ndarray:
        """predict_proba with a column for every label, even one unseen in training."""
        probs = np.zeros((len(X), N_LABELS))
        probs[:, booster.classes_] = booster.predict_proba(X)
        return probs

    def stack_features(self, probs: np.ndarray, page_of_row: np.ndarray,
                       copy_of_row: np.ndarray | None = None,
                       box_of_row: np.ndarray | None = None) -> np.ndarray:
        """Pass-one probabilities around each row (see stacking.stack_features)."""
        return stack_features(probs, page_of_row, copy_of_row, box_of_row,
                              offsets=self.stack_offsets, radius=self.stack_radius)


def renumbered(ensemble: Ensemble, keep: np.ndarray, n_columns: int) -> Ensemble:
    """Trees fitted on the `keep` columns of rows of `n_columns` (and, in pass two,
    the stacked columns after them), made to read the full rows."""
    n_stacked = ensemble.n_features - len(keep)
    where = np.concatenate([keep, n_columns + np.arange(n_stacked)]).astype(np.int16)
    return replace(ensemble, feature=where[ensemble.feature.astype(np.intp)],
                   n_features=n_columns + n_stacked)


def export_ensemble(estimator) -> Ensemble:
    """A fitted forest or gradient-boosting classifier, packed (trees.py)."""
    if hasattr(estimator, "estimators_"):
        return export_forest(estimator, N_LABELS)
    return export_boosting(estimator, N_LABELS)
