"""The stacked line classifier as a scikit-learn estimator."""

import numpy as np
import pytest
from sklearn.base import clone

from cleaner.labels import LABELS
from cleaner.model.classifier import N_LABELS, UNLABELLED, LineClassifier
from cleaner.training.train import labelled_batch, load_label_files

SMALL = {"n_estimators": 8, "n_folds": 2, "random_state": 0}


@pytest.fixture(scope="module")
def seed_gold(seeds_dir):
    return labelled_batch(load_label_files([seeds_dir / "labeled"]))


def fit(data, **params):
    return LineClassifier(**{**SMALL, **params}).fit(
        data.batch.X, data.y, page_of_row=data.batch.page_of_row, groups=data.groups)


def test_probabilities_cover_every_label_and_sum_to_one(seed_gold):
    probs = fit(seed_gold).predict_proba(seed_gold.batch.X,
                                         page_of_row=seed_gold.batch.page_of_row)
    assert probs.shape == (len(seed_gold.batch.X), len(LABELS))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)


def test_same_seed_same_model(seed_gold):
    X, pages = seed_gold.batch.X, seed_gold.batch.page_of_row
    first = fit(seed_gold).predict_proba(X, page_of_row=pages)
    second = fit(seed_gold).predict_proba(X, page_of_row=pages)
    np.testing.assert_array_equal(first, second)


def test_it_learns_pages_seen_on_several_sites(seeds_dir):
    # Pass two learns from out-of-fold pass-one probabilities, so each kind of
    # page must appear on more than one site for those probabilities to be informed.
    files = load_label_files([seeds_dir / "labeled"])
    copies = []
    for copy in range(3):
        for labelled in files:
            clone_page = type(labelled)(labelled.lines, labelled.labels,
                                        {"host": f"site{copy}.example"}, labelled.path)
            copies.append(clone_page)
    data = labelled_batch(copies)
    clf = fit(data, n_estimators=20, n_folds=3)
    predicted = clf.predict(data.batch.X, page_of_row=data.batch.page_of_row)
    known = data.y != UNLABELLED
    assert (predicted[known] == data.y[known]).mean() > 0.9


def test_unlabelled_rows_give_context_but_no_target(seed_gold):
    y = seed_gold.y.copy()
    y[::2] = UNLABELLED
    clf = LineClassifier(**SMALL).fit(seed_gold.batch.X, y,
                                      page_of_row=seed_gold.batch.page_of_row,
                                      groups=seed_gold.groups)
    assert clf.predict_proba(seed_gold.batch.X[:3],
                             page_of_row=seed_gold.batch.page_of_row[:3]).shape == (3, 4)


def test_second_pass_sees_neighbours_so_line_order_matters(seed_gold):
    clf = fit(seed_gold)
    X, pages = seed_gold.batch.X, seed_gold.batch.page_of_row
    stacked = clf.stack_features(np.eye(4)[np.arange(len(X)) % 4], pages)
    assert stacked.shape[0] == len(X)
    assert np.isnan(stacked[0, :4]).all()  # offset -3 of the first row is off the page


def test_estimator_is_cloneable_with_its_params():
    clf = LineClassifier(n_estimators=5, stack_radius=4)
    assert clone(clf).get_params() == clf.get_params()


def test_empty_input_gives_empty_probabilities(seed_gold):
    clf = fit(seed_gold)
    assert clf.predict_proba(seed_gold.batch.X[:0], page_of_row=np.zeros(0)).shape == (0, 4)


def test_second_pass_sees_the_other_lines_of_each_lines_box():
    probs = np.array([[1.0, 0, 0, 0], [0.5, 0.5, 0, 0], [0, 0, 0, 1.0], [0, 1.0, 0, 0],
                      [0, 0, 1.0, 0]])
    boxes = np.array([0, 0, 1, -1, 0])
    pages = np.zeros(5, dtype=np.int64)
    stacked = LineClassifier(stack_offsets=()).stack_features(probs, pages, box_of_row=boxes)
    box = stacked[:, -N_LABELS:]
    np.testing.assert_allclose(box[0], (probs[1] + probs[4]) / 2)  # the others of box 0
    np.testing.assert_allclose(box[4], (probs[0] + probs[1]) / 2)
    assert np.isnan(box[2]).all() and np.isnan(box[3]).all()  # alone, and in no box
    text_dump = LineClassifier(stack_offsets=()).stack_features(probs, pages)
    assert np.isnan(text_dump[:, -N_LABELS:]).all()


def test_box_ids_as_sparse_as_a_huge_page_cost_what_the_lines_cost():
    probs = np.array([[1.0, 0, 0, 0], [0, 1.0, 0, 0], [0, 0, 1.0, 0]])
    boxes = np.array([40_000_000, 10**15, 10**15])  # element numbers of a page of 4 MB of divs
    stacked = LineClassifier(stack_offsets=()).stack_features(probs, np.zeros(3, dtype=np.int64),
                                                              box_of_row=boxes)
    box = stacked[:, -N_LABELS:]
    assert np.isnan(box[0]).all()
    np.testing.assert_allclose(box[1:], probs[[2, 1]])


def test_ignored_columns_are_never_read_by_the_trees_nor_by_the_model_file(seed_gold):
    from cleaner.features import HTML_PAGE_FEATURES, feature_names
    from cleaner.model.predictor import predictor

    X, pages = seed_gold.batch.X, seed_gold.batch.page_of_row
    model = fit(seed_gold, ignore_features=HTML_PAGE_FEATURES)
    ignored = [feature_names().index(name) for name in HTML_PAGE_FEATURES]
    shuffled = X.copy()
    shuffled[:, ignored] = np.random.default_rng(0).normal(size=(len(X), len(ignored)))
    probs = model.predict_proba(X, page_of_row=pages)
    np.testing.assert_array_equal(probs, model.predict_proba(shuffled, page_of_row=pages))
    meta, arrays = model.export()  # its trees renumbered to read the full rows

    def arrays_of(prefix):
        return {name[len(prefix):]: a for name, a in arrays.items() if name.startswith(prefix)}

    from_file = predictor(meta, arrays_of).predict_proba(shuffled, page_of_row=pages)
    np.testing.assert_allclose(from_file, probs, atol=1e-6)
    assert meta["first"]["n_features"] == X.shape[1]
