"""The shipped pair of models: text dumps to one, HTML pages to the other, in one batch."""

import copyreg
import pickle
from pathlib import Path

import joblib
import numpy as np
import pytest
from typer.testing import CliRunner

from cleaner.clean import Cleaner
from cleaner.cli import app
from cleaner.features import batch_features
from cleaner.model.files import MODEL_FILE, LoadedModel, save_model
from cleaner.model.paired import PairedModel, html_pages_rows
from cleaner.readers.pages import page_from_bytes

ARTICLE = Path(__file__).parent / "data" / "news_article.html"


@pytest.fixture(scope="module")
def cleaner():
    return Cleaner.load()


@pytest.fixture(scope="module")
def pages(seed_files):
    return [page_from_bytes(seed_files[0].read_bytes()), page_from_bytes(ARTICLE.read_bytes()),
            page_from_bytes(seed_files[3].read_bytes())]


def test_the_default_model_is_a_pair(cleaner):
    assert isinstance(cleaner.model.estimator, PairedModel)
    assert set(cleaner.model.card["inputs"]) >= {"text", "html"}


def test_pages_are_sorted_by_kind(pages):
    batch = batch_features(pages)
    rows = html_pages_rows(batch.X, batch.page_of_row)
    assert rows[batch.rows_of(1)].all()
    assert not rows[batch.rows_of(0)].any() and not rows[batch.rows_of(2)].any()


def test_a_mixed_batch_gives_what_each_page_gives_alone(cleaner, pages):
    together = cleaner.probabilities(pages)
    for page, probs in zip(pages, together, strict=True):
        np.testing.assert_allclose(probs, cleaner.probabilities([page])[0])


def test_html_pages_go_to_the_html_model(cleaner, pages):
    pair = cleaner.model.estimator
    batch = batch_features(pages[1:2])
    args = {"page_of_row": batch.page_of_row, "copy_of_row": batch.copy_of_row,
            "box_of_row": batch.box_of_row}
    assert (batch.box_of_row >= 0).all()
    np.testing.assert_allclose(pair.predict_proba(batch.X, **args),
                               pair.html.predict_proba(batch.X, **args))
    text = batch_features(pages[:1])
    args = {"page_of_row": text.page_of_row, "copy_of_row": text.copy_of_row}
    np.testing.assert_allclose(pair.predict_proba(text.X, **args),
                               pair.text.predict_proba(text.X, **args))


@pytest.fixture
def fresh_pair(cleaner):
    """The shipped pair as a worker gets it: unpickled from the model file, nothing used yet."""
    return joblib.load(cleaner.model.path / MODEL_FILE)


def test_a_batch_of_dumps_never_unpickles_the_html_model(cleaner, fresh_pair, pages):
    assert fresh_pair.loaded() == ()
    fresh = Cleaner(LoadedModel(fresh_pair, cleaner.model.card, cleaner.model.path))
    dumps = [pages[0], pages[2]]
    for got, want in zip(fresh.probabilities(dumps), cleaner.probabilities(dumps), strict=True):
        np.testing.assert_array_equal(got, want)
    assert fresh_pair.loaded() == ("text",)
    html = fresh.probabilities(pages[1:2])[0]
    np.testing.assert_array_equal(html, cleaner.probabilities(pages[1:2])[0])
    assert fresh_pair.loaded() == ("text", "html")


class _OldStylePair:
    """Pickles as a PairedModel did before the blobs: the class and its __dict__."""

    def __init__(self, text, html):
        self.state = {"text": text, "html": html}

    def __reduce__(self):
        return copyreg._reconstructor, (PairedModel, object, None), self.state


def test_a_pair_pickled_before_the_blobs_still_loads(cleaner, pages):
    shipped = cleaner.model.estimator
    old_bytes = pickle.dumps(_OldStylePair(shipped.text, shipped.html))
    old_style = pickle.loads(old_bytes)
    assert isinstance(old_style, PairedModel) and old_style.loaded() == ("text", "html")
    batch = batch_features(pages)
    args = {"page_of_row": batch.page_of_row, "copy_of_row": batch.copy_of_row}
    want = shipped.predict_proba(batch.X, **args)
    np.testing.assert_array_equal(old_style.predict_proba(batch.X, **args), want)
    again = pickle.loads(pickle.dumps(old_style))  # and it saves in the new form
    assert again.loaded() == ()
    np.testing.assert_array_equal(again.predict_proba(batch.X, **args), want)


def test_a_half_loaded_pair_pickles_whole(cleaner, fresh_pair, pages):
    fresh_pair.n_jobs = 1  # setting it unpickles nothing
    assert fresh_pair.loaded() == ()
    fresh = Cleaner(LoadedModel(fresh_pair, cleaner.model.card, cleaner.model.path))
    fresh.probabilities(pages[:1])
    assert fresh_pair.loaded() == ("text",)
    again = pickle.loads(pickle.dumps(fresh_pair))
    batch = batch_features(pages)
    args = {"page_of_row": batch.page_of_row, "copy_of_row": batch.copy_of_row}
    np.testing.assert_array_equal(again.predict_proba(batch.X, **args),
                                  cleaner.model.estimator.predict_proba(batch.X, **args))
    assert again.html.n_jobs == 1


def test_a_model_that_cannot_be_unpickled_stops_the_run_with_one_clear_error(
        cleaner, tmp_path, seed_files):
    broken = joblib.load(cleaner.model.path / MODEL_FILE)
    broken._blobs["text"] = broken._blobs["text"][:1000]  # cut short, yet vouched for
    card = {k: v for k, v in cleaner.model.card.items() if k != "model_sha256"}
    save_model(broken, card, tmp_path / "broken")
    result = CliRunner().invoke(app, ["clean", str(seed_files[0]), "--model",
                                      str(tmp_path / "broken")])
    assert result.exit_code == 2
    assert "the text model of the pair cannot be loaded" in result.output


def test_load_all_unpickles_both_models_up_front(fresh_pair):
    fresh_pair.load_all()  # what the benchmarks do before their clocks start
    assert fresh_pair.loaded() == ("text", "html")
