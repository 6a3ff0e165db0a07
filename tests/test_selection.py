"""Choosing decision weights and the gate out of fold: every row scored by a model
that never saw its site, both passes kept apart."""

from __future__ import annotations

import numpy as np
import pytest

from cleaner.model.classifier import LineClassifier
from cleaner.training.selection import Passes, out_of_fold
from cleaner.training.train import labelled_batch, load_label_files

SMALL = {"n_estimators": 4, "max_depth": 6, "min_samples_leaf": 2, "n_folds": 2,
         "random_state": 0}


@pytest.fixture(scope="module")
def seeds_batch(seeds_dir):
    return labelled_batch(load_label_files([seeds_dir / "labeled"]))


@pytest.fixture(scope="module")
def passes(seeds_batch):
    return out_of_fold(seeds_batch, SMALL, n_splits=2)


def test_every_row_gets_both_passes_from_a_model_without_its_site(seeds_batch, passes):
    assert passes.first.shape == passes.second.shape == (len(seeds_batch.y), 4)
    np.testing.assert_allclose(passes.first.sum(axis=1), 1.0)
    np.testing.assert_allclose(passes.second.sum(axis=1), 1.0)
    # The seeds are five sites: a model fitted on all of them scores its own rows
    # differently from the models that never saw them.
    whole = LineClassifier(**SMALL).fit(
        seeds_batch.batch.X, seeds_batch.y, page_of_row=seeds_batch.batch.page_of_row,
        copy_of_row=seeds_batch.batch.copy_of_row, groups=seeds_batch.groups)
    seen = whole.predict_proba(seeds_batch.batch.X, page_of_row=seeds_batch.batch.page_of_row,
                               copy_of_row=seeds_batch.batch.copy_of_row)
    assert not np.allclose(seen, passes.second)


def test_the_gate_keeps_pass_one_where_it_is_sure(passes):
    gated = Passes(passes.first, passes.second).probabilities(0.9, None)
    sure = passes.first.max(axis=1) >= 0.9
    np.testing.assert_array_equal(gated[sure], passes.first[sure])
    np.testing.assert_array_equal(gated[~sure], passes.second[~sure])
    assert sure.any() and (~sure).any()
