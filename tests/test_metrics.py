"""Shingle F1 as the Scrapinghub benchmark computes it, and line reports."""

import numpy as np
import pytest

from cleaner.training.metrics import (
    leak_share,
    line_report,
    match_text,
    shingles,
    text_scores,
    word_match,
)


def test_shingles_are_4_grams_of_word_tokens_as_a_multiset():
    assert shingles("a b c d e") == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    assert shingles("too short") == {("too", "short"): 1}
    assert shingles("") == {}


def test_perfect_partial_and_empty_matches():
    gold = "one two three four five six seven eight"
    assert match_text(gold, gold).precision == 1.0
    half = match_text("one two three four five", gold)  # 2 of 5 shingles
    assert half.precision == 1.0
    assert half.recall == pytest.approx(2 / 5)
    nothing = match_text("", gold)
    assert nothing.precision is None  # pages that predict nothing do not count for precision
    assert nothing.recall == 0.0


def test_scores_average_precision_and_recall_over_pages_then_take_f1():
    gold = "one two three four five six seven eight"
    scores = text_scores([match_text(gold, gold), match_text("", gold)])
    assert scores["precision"] == 1.0
    assert scores["recall"] == 0.5
    assert scores["f1"] == pytest.approx(2 / 3)


def test_leak_share_counts_unwanted_shingles_in_the_output():
    comment = "great article thanks for writing this"
    assert leak_share("story text. " + comment, comment) == 1.0
    assert leak_share("story text only here today", comment) == 0.0


def test_line_report_figures_and_confusion():
    y_true = np.array([0, 0, 1, 1, 2, 3])
    y_pred = np.array([0, 1, 1, 1, 1, 3])
    report = line_report(y_true, y_pred)
    assert report["labels"]["body"] == {"precision": 1.0, "recall": 0.5, "f1": 2 / 3,
                                        "support": 2}
    assert report["labels"]["related"]["f1"] == 0.0
    assert report["confusion"][2] == [0, 1, 0, 0]
    assert report["macro_f1"] == pytest.approx(np.mean([2 / 3, 2 * 0.5 / 1.5, 0.0, 1.0]))


def test_word_match_is_wcxbs_bag_of_words_f1():
    # Lower-cased \w+ tokens as a bag: order and case do not matter, repeats do.
    same = word_match("Putin met Pezeshkian.", "pezeshkian MET putin")
    assert (same.precision, same.recall, same.f1) == (1.0, 1.0, 1.0)
    # 2 of 3 predicted words are gold, 2 of 4 gold words were found; a word twice in
    # the gold counts twice.
    part = word_match("The talks ended", "the talks were held")
    assert part.precision == pytest.approx(2 / 3) and part.recall == 0.5
    assert part.f1 == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    assert word_match("the", "the the").recall == 0.5
    assert word_match("", "gold text").f1 == 0.0
    assert word_match("nav only", "gold text").f1 == 0.0
