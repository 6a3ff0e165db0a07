"""Model folders load only when their card vouches for the pickle."""

import json

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
from cleaner.training.train import labelled_batch, load_label_files


@pytest.fixture(scope="module")
def saved(tmp_path_factory, seeds_dir):
    data = labelled_batch(load_label_files([seeds_dir / "labeled"]))
    clf = LineClassifier(n_estimators=4, n_folds=2).fit(
        data.batch.X, data.y, page_of_row=data.batch.page_of_row, groups=data.groups)
    folder = tmp_path_factory.mktemp("models") / "tiny"
    save_model(clf, base_card(clf, name="tiny"), folder)
    return folder


def copy_model(saved, tmp_path):
    folder = tmp_path / "copy"
    folder.mkdir()
    for name in (MODEL_FILE, CARD_FILE):
        (folder / name).write_bytes((saved / name).read_bytes())
    return folder


def test_round_trip(saved):
    loaded = load_model(saved)
    assert loaded.name == "tiny"
    assert loaded.card["labels"] == ["body", "nav", "related", "comment"]
    assert load_model(saved) is loaded  # once per process


def test_tampered_pickle_is_refused(saved, tmp_path):
    folder = copy_model(saved, tmp_path)
    (folder / MODEL_FILE).write_bytes((folder / MODEL_FILE).read_bytes() + b"\0")
    with pytest.raises(ModelError, match="does not match the SHA-256"):
        load_model(folder)


@pytest.mark.parametrize("field, value, message", [
    ("feature_schema", "lines-v0", "feature schema"),
    ("labels", ["body", "boilerplate"], "labels"),
    ("sklearn_version", "0.24.2", "scikit-learn 0.24.2"),
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
