"""Model folders: arrays and a card, loaded only when the card vouches for the file."""

import json

import numpy as np
import pytest

from cleaner.model.classifier import LineClassifier
from cleaner.model.files import (
    CARD_FILE,
    MODEL_FILE,
    ModelError,
    base_card,
    load_model,
    resolve_model_dir,
    save_model,
)
from cleaner.model.stacking import fill_missing
from cleaner.training.train import labelled_batch, load_label_files


def saved_classifier(seeds_dir) -> LineClassifier:
    data = labelled_batch(load_label_files([seeds_dir / "labeled"]))
    return LineClassifier(n_estimators=4, n_folds=2).fit(
        data.batch.X, data.y, page_of_row=data.batch.page_of_row, groups=data.groups)


@pytest.fixture(scope="module")
def saved(tmp_path_factory, seeds_dir):
    clf = saved_classifier(seeds_dir)
    folder = tmp_path_factory.mktemp("models") / "tiny"
    save_model(clf, base_card(clf, name="tiny"), folder)
    return folder


def copy_model(saved, tmp_path):
    folder = tmp_path / "copy"
    folder.mkdir()
    for name in (MODEL_FILE, CARD_FILE):
        (folder / name).write_bytes((saved / name).read_bytes())
    return folder


def test_round_trip(saved, seeds_dir):
    loaded = load_model(saved)
    assert loaded.name == "tiny"
    assert loaded.card["labels"] == ["body", "nav", "related", "comment"]
    assert load_model(saved) is loaded  # once per process
    data = labelled_batch(load_label_files([seeds_dir / "labeled"]))
    rows = {"page_of_row": data.batch.page_of_row, "copy_of_row": data.batch.copy_of_row}
    trained = saved_classifier(seeds_dir)
    np.testing.assert_allclose(loaded.estimator.predict_proba(data.batch.X, **rows),
                               trained.predict_proba(data.batch.X, **rows), rtol=0, atol=1e-6)


def test_a_model_file_is_no_pickle(saved):
    with np.load(saved / MODEL_FILE, allow_pickle=False) as arrays:  # raises on any pickle
        assert {"meta", "first.feature", "second.values"} <= set(arrays.files)


def test_a_pickled_model_of_cleaner_0_1_is_refused_with_what_to_do(tmp_path):
    (tmp_path / "model.joblib").write_bytes(b"\x80\x04 a pickle")
    (tmp_path / CARD_FILE).write_text("{}")
    with pytest.raises(ModelError, match="pickled model of cleaner 0.1.*retrain it"):
        load_model(tmp_path)


def test_a_model_file_changed_after_training_is_refused(saved, tmp_path):
    folder = copy_model(saved, tmp_path)
    (folder / MODEL_FILE).write_bytes((folder / MODEL_FILE).read_bytes() + b"\0")
    with pytest.raises(ModelError, match="does not match the SHA-256"):
        load_model(folder)


@pytest.mark.parametrize("field, value, message", [
    ("feature_schema", "lines-v0", "feature schema"),
    ("labels", ["body", "boilerplate"], "labels"),
    ("model_format", "cleaner-trees/0", "model file format"),
])
def test_card_that_does_not_match_the_code_is_refused(saved, tmp_path, field, value, message):
    folder = copy_model(saved, tmp_path)
    card = json.loads((folder / CARD_FILE).read_text())
    card[field] = value
    (folder / CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(ModelError, match=message):
        load_model(folder)


def test_missing_card_or_model(tmp_path):
    (tmp_path / MODEL_FILE).write_bytes(b"not a model")
    with pytest.raises(ModelError, match="no model.json"):
        load_model(tmp_path)
    with pytest.raises(ModelError, match="not found"):
        resolve_model_dir("no-such-model")


def test_a_gated_boosted_model_loads_to_what_it_predicted_when_trained(seeds_dir, tmp_path):
    """Boosted trees in both passes, pass two larger and only where pass one is unsure:
    the file gives the fitted model's probabilities, and the sure rows keep pass one's."""
    data = labelled_batch(load_label_files([seeds_dir / "labeled"]))
    clf = LineClassifier(booster="boosting", n_estimators=6, max_depth=None, n_folds=2,
                         gate=0.9, second={"n_estimators": 10, "max_leaf_nodes": 31}).fit(
        data.batch.X, data.y, page_of_row=data.batch.page_of_row, groups=data.groups)
    save_model(clf, base_card(clf, name="gated"), tmp_path / "gated")
    rows = {"page_of_row": data.batch.page_of_row, "copy_of_row": data.batch.copy_of_row}
    want = clf.predict_proba(data.batch.X, **rows)
    got = load_model(tmp_path / "gated").estimator.predict_proba(data.batch.X, **rows)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)
    first = clf._full_proba(clf.first_, fill_missing(data.batch.X))
    sure = first.max(axis=1) >= 0.9
    assert 0 < sure.sum() < len(sure)
    np.testing.assert_allclose(want[sure], clf._weighted(first)[sure])
