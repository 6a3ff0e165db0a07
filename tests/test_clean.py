"""Cleaner: the Python API over the shipped model."""

import numpy as np
import pytest

from cleaner import Cleaner
from cleaner.clean import join_kept
from cleaner.document import Page, Result
from cleaner.readers.decode import decode_bytes
from cleaner.training.labelfile import read_label_file


@pytest.fixture(scope="module")
def cleaner():
    return Cleaner.load()


def test_join_kept_keeps_paragraph_breaks():
    lines = ["Title", "", "First para.", "Menu", "Second para.", "Third para."]
    labels = ["body", None, "body", "nav", "body", "body"]
    assert join_kept(lines, labels, frozenset({"body"})) == (
        "Title\n\nFirst para.\n\nSecond para.\nThird para.")
    assert join_kept(lines, labels, frozenset({"nav"})) == "Menu"


def test_lines_map_one_to_one_with_the_dump(cleaner, seed_files):
    for path in seed_files:
        text = decode_bytes(path.read_bytes())[0]
        result = cleaner.clean(text)
        gold = read_label_file(path.parent / "labeled" / (path.stem + ".tsv"))
        assert [line.text for line in result.lines] == gold.lines
        for line in result.lines:
            assert (line.label is None) == (not line.text.strip())
            assert line.label is None or 0.25 <= line.p <= 1.0


def test_kept_text_is_made_of_body_lines_only(cleaner, seed_files):
    result = cleaner.clean(seed_files[0].read_bytes())
    body_lines = {line.text.strip() for line in result.lines if line.label == "body"}
    assert result.text
    assert set(result.text.split("\n")) - {""} <= body_lines


def test_keep_chooses_the_labels_of_the_text(cleaner, seed_files):
    forum = next(p for p in seed_files if p.name.startswith("003"))
    page = forum.read_bytes()
    both = cleaner.clean(page, keep={"body", "comment"})
    body = cleaner.clean(page)
    assert len(both.text) > len(body.text)
    comment_lines = [ln.text.strip() for ln in both.lines if ln.label == "comment"]
    assert comment_lines and all(line in both.text for line in comment_lines)


def test_batch_equals_one_by_one(cleaner, seed_files):
    pages = [Page(lines=decode_bytes(p.read_bytes())[0].split("\n"), id=p.stem)
             for p in seed_files]
    together = list(cleaner.clean_many(pages))
    alone = [cleaner.clean_pages([p])[0] for p in pages]
    assert [r.text for r in together] == [r.text for r in alone]
    assert [r.id for r in together] == [p.stem for p in seed_files]


def test_error_results_pass_through_in_order(cleaner):
    bad = Result(id="bad", source="bad.txt", url=None, text="", error="binary")
    good = Page(lines=["A paragraph of an article about the weather, said the forecaster."],
                id="good")
    out = list(cleaner.clean_many([good, bad, good]))
    assert [r.id for r in out] == ["good", "bad", "good"]
    assert out[1].error == "binary"


def test_probabilities_per_page(cleaner, seed_files):
    pages = [Page(lines=decode_bytes(p.read_bytes())[0].split("\n")) for p in seed_files[:2]]
    probs = cleaner.probabilities(pages)
    assert [len(p) for p in probs] == [len(page.content_indices()) for page in pages]
    np.testing.assert_allclose(probs[0].sum(axis=1), 1.0)


def test_empty_page(cleaner):
    result = cleaner.clean("")
    assert result.text == "" and result.lines == [] and result.error is None
