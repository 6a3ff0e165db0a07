"""Packed trees walk to scikit-learn's probabilities, in C and in numpy, on real pages."""

from __future__ import annotations

import os

import numpy as np
import pytest
from sklearn.ensemble import ExtraTreesClassifier, HistGradientBoostingClassifier

from cleaner.features import batch_features
from cleaner.model import trees
from cleaner.model.stacking import fill_missing
from cleaner.model.trees import Ensemble, Trees, export_boosting, export_forest
from cleaner.readers.pages import page_from_bytes
from cleaner.training.train import labelled_batch, load_label_files

N_LABELS = 4
WALKS = [False, True] if trees._treewalk is not None else [False]


@pytest.fixture(scope="module")
def training(seeds_dir):
    data = labelled_batch(load_label_files([seeds_dir / "labeled"]))
    X = fill_missing(data.batch.X)
    return X, data.y


@pytest.fixture(scope="module")
def pages_X(datasets_dir, seed_files):
    """Feature rows of real pages: 40 dragnet HTML pages (DOM cues) and the seed dumps
    (their DOM columns NaN), as the classifier gets them."""
    html = sorted((datasets_dir / "dragnet" / "html").glob("*.html"))[:40]
    pages = [page_from_bytes(p.read_bytes()) for p in html + seed_files]
    return fill_missing(batch_features(pages).X)


def sklearn_proba(model, X) -> np.ndarray:
    probs = np.zeros((len(X), N_LABELS))
    probs[:, model.classes_] = model.predict_proba(X)
    return probs


@pytest.mark.parametrize("compiled", WALKS)
def test_a_forest_walks_to_scikit_learns_probabilities(training, pages_X, compiled):
    X, y = training
    forest = ExtraTreesClassifier(n_estimators=12, max_depth=14, random_state=0).fit(X, y)
    got = Trees(export_forest(forest, N_LABELS), compiled=compiled).predict_proba(pages_X)
    np.testing.assert_allclose(got, sklearn_proba(forest, pages_X), rtol=0, atol=1e-6)


@pytest.mark.parametrize("compiled", WALKS)
def test_boosted_trees_walk_to_scikit_learns_probabilities(training, pages_X, compiled):
    X, y = training
    model = HistGradientBoostingClassifier(max_iter=15, max_leaf_nodes=15, learning_rate=0.2,
                                           early_stopping=False, random_state=0).fit(X, y)
    raw = pages_X.copy()
    raw[::7, ::5] = np.nan  # unknown values go where training sent them
    got = Trees(export_boosting(model, N_LABELS), compiled=compiled).predict_proba(raw)
    np.testing.assert_allclose(got, sklearn_proba(model, raw), rtol=0, atol=1e-6)


def test_the_compiled_walk_is_built_where_ci_runs():
    """CI builds cleaner with a compiler: the fast walk must be there, not the fallback."""
    if not os.environ.get("CI"):
        pytest.skip("only CI promises a compiler")
    assert trees._treewalk is not None


def test_a_forest_file_that_points_nowhere_is_refused(training):
    X, y = training
    ensemble = export_forest(ExtraTreesClassifier(n_estimators=2, random_state=0).fit(X, y),
                             N_LABELS)
    ensemble.left[0] = 0  # a node that is its own child: a walk that never ends
    with pytest.raises(ValueError, match="child or root is out of range"):
        Ensemble.of(ensemble.meta(), ensemble.arrays())  # as a model file is read
    if trees._treewalk is not None:
        with pytest.raises(ValueError, match="child 0 out of range"):
            Trees(ensemble, compiled=True)
