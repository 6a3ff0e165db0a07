"""The shipped pair of models: text dumps to one, HTML pages to the other, in one batch;
each read from the model file only when a page of its kind comes."""

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import invoke

from cleaner.clean import Cleaner
from cleaner.features import batch_features
from cleaner.model.files import CARD_FILE, MODEL_FILE, LoadedModel, file_sha256
from cleaner.model.paired import DOM_COLUMN
from cleaner.model.predictor import Paired, html_pages_rows, predictor, read_npz, write_npz
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
    assert isinstance(cleaner.model.estimator, Paired)
    assert set(cleaner.model.card["inputs"]) >= {"text", "html"}


def test_pages_are_sorted_by_kind(pages):
    batch = batch_features(pages)
    rows = html_pages_rows(batch.X, batch.page_of_row, DOM_COLUMN)
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
                               pair.model("html").predict_proba(batch.X, **args))
    text = batch_features(pages[:1])
    args = {"page_of_row": text.page_of_row, "copy_of_row": text.copy_of_row}
    np.testing.assert_allclose(pair.predict_proba(text.X, **args),
                               pair.model("text").predict_proba(text.X, **args))


@pytest.fixture
def fresh_pair(cleaner):
    """The shipped pair as a worker gets it: read from the model file, nothing used yet."""
    return predictor(*read_npz(cleaner.model.path / MODEL_FILE))


def test_a_batch_of_dumps_never_reads_the_html_model(cleaner, fresh_pair, pages):
    assert fresh_pair.loaded() == ()
    fresh = Cleaner(LoadedModel(fresh_pair, cleaner.model.card, cleaner.model.path))
    dumps = [pages[0], pages[2]]
    for got, want in zip(fresh.probabilities(dumps), cleaner.probabilities(dumps), strict=True):
        np.testing.assert_array_equal(got, want)
    assert fresh_pair.loaded() == ("text",)
    html = fresh.probabilities(pages[1:2])[0]
    np.testing.assert_array_equal(html, cleaner.probabilities(pages[1:2])[0])
    assert fresh_pair.loaded() == ("text", "html")


def test_load_all_reads_both_models_up_front(fresh_pair):
    fresh_pair.load_all()  # what the benchmarks do before their clocks start
    assert fresh_pair.loaded() == ("text", "html")


def test_a_model_file_cut_short_stops_the_run_with_one_clear_error(cleaner, tmp_path,
                                                                    seed_files):
    """A file its card vouches for whose text model is missing an array: the run stops
    with one line, rather than failing every page."""
    broken = tmp_path / "broken"
    broken.mkdir()
    meta, arrays_of = read_npz(cleaner.model.path / MODEL_FILE)
    arrays = {**{"text." + k: v for k, v in arrays_of("text.").items()
                 if k != "first.values"},
              **{"html." + k: v for k, v in arrays_of("html.").items()}}
    write_npz(broken / MODEL_FILE, {k: v for k, v in meta.items() if k != "format"}, arrays)
    card = {**cleaner.model.card, "model_sha256": file_sha256(broken / MODEL_FILE)}
    (broken / CARD_FILE).write_text(json.dumps(card))
    result = invoke("clean", seed_files[0], "--model", broken)
    assert result.exit_code == 2
    assert "the text model of the pair cannot be read" in result.stderr
