"""Tests for the wcxb corpus builder (cleaner/training/corpus/wcxb.py, posts.py),
on a few real pages of ../shared/datasets/wcxb."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cleaner.readers.decode import decode_bytes
from cleaner.sites import registrable_domain
from cleaner.training.corpus.align import tokens
from cleaner.training.corpus.build import build_records
from cleaner.training.corpus.posts import best_cut, post_texts, split_thread
from cleaner.training.corpus.records import WCXB, page_records
from cleaner.training.corpus.split import split_of
from cleaner.training.corpus.wcxb import POST, gold_parts, ground_truth, main_text
from cleaner.training.labelfile import read_label_file

DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
needs_wcxb = pytest.mark.skipif(not (DATASETS / WCXB).is_dir(), reason="wcxb is absent")
needs_w3m = pytest.mark.skipif(shutil.which("w3m") is None, reason="w3m is not installed")
# Real pages: an article; a Stack Exchange thread (question, then 2 answers); a
# Reddit thread whose posts sit in no repeated container the page serves; a
# product page whose gold has no main text.
ARTICLE, THREAD, UNTOLD, EMPTY = "0001", "0172", "0561", "4802"


@pytest.fixture(scope="module")
def records() -> dict:
    return {r.id: r for r in page_records(DATASETS, (WCXB,))}


def _html(record) -> str:
    return decode_bytes(record.read_html(), html=True)[0]


def test_ground_truth_reads_python_literals() -> None:
    literal = "{'main_content': 'Text.', 'title': 'T', 'with': ['a b c']}"
    doc = ground_truth(json.dumps({"url": "https://x.org/", "ground_truth": literal}).encode())
    assert main_text(doc) == "Text." and doc["ground_truth"]["with"] == ["a b c"]
    doc = ground_truth(b"{'url': 'https://x.org/', 'ground_truth': {'main_content': 'A'}}")
    assert main_text(doc) == "A"


def test_best_cut_agrees_with_most_aligned_words() -> None:
    assert best_cut([None, 0, 0, None, 1, 0, 1, 1]) == (3, 5)  # one stray word
    assert best_cut([1, 1]) == (0, 2)


@needs_wcxb
def test_records_split_by_registrable_domain(records: dict) -> None:
    assert len(records) == 1358
    assert records[THREAD].page_type == "forum" and records[ARTICLE].page_type == "article"
    split_by_site: dict[str, str] = {}
    for record in records.values():
        assert record.split == split_of(record.host)
        site = registrable_domain(record.host)
        assert record.split == split_by_site.setdefault(site, record.split)
    assert records[THREAD].gold_labels == "body,comment"
    assert records[ARTICLE].gold_labels == "body"
    assert _html(records[ARTICLE]).lstrip().lower().startswith("<!doctype html")


@needs_wcxb
def test_a_thread_is_cut_where_the_answers_start(records: dict) -> None:
    record = records[THREAD]
    gold = main_text(ground_truth(record.gold_path.read_bytes()))
    posts = post_texts(_html(record), gold)
    assert len(posts) == 3  # the question and its two answers
    thread = split_thread(tokens(gold), posts)
    assert thread.op_inside and thread.claimed == len(tokens(gold))
    title, (_, body), (_, comment) = gold_parts(record.gold_path.read_bytes(), _html(record),
                                                "forum")  # fmt: skip
    assert title == ("body", "catering event for 1st time how should i prepare")
    assert body.startswith("i m just starting a catering service")
    assert body.endswith("what am i missing what should i prepare more")
    assert comment.startswith("the most important thing is to check everything")


@needs_wcxb
def test_a_thread_without_post_containers_gets_no_target(records: dict) -> None:
    record = records[UNTOLD]
    parts = gold_parts(record.gold_path.read_bytes(), _html(record), "forum")
    assert [cls for cls, _ in parts] == ["body", POST]  # the thread's title, then its posts


@needs_w3m
@needs_wcxb
def test_build_wcxb_pages(records: dict, tmp_path: Path) -> None:
    chosen = [records[i] for i in (ARTICLE, THREAD, UNTOLD, EMPTY)]
    summary = build_records(chosen, tmp_path, renderers=["w3m"])
    pages = {r.id: read_label_file(tmp_path / WCXB / "w3m" / r.split / f"{r.id}.tsv")
             for r in chosen[:3]}  # fmt: skip
    article = pages[ARTICLE]
    assert article.meta["page_type"] == "article" and article.meta["gold"] == "body"
    assert article.meta["gold_title"].startswith("Top Nutrition Trends for Fall 2025")
    assert article.meta["gold_author"] == "Andrew King"
    assert article.meta["gold_date"] == "2025-09-04"
    assert {"body", "nav"} == set(article.labels) - {None}
    headline = "Top Nutrition Trends for Fall 2025: What Fitness Experts Are Eating"
    copies = [label for line, label in zip(article.lines, article.labels, strict=True)
              if line.startswith(headline)]  # fmt: skip
    assert "body" in copies and copies.count("body") == 1  # the headline is body once
    assert {"body", "comment", "nav"} == set(pages[THREAD].labels) - {None}
    untold = pages[UNTOLD]
    assert untold.labels.count("body") == 1 and "comment" not in untold.labels  # the title
    assert any(line.strip() and label is None
               for line, label in zip(untold.lines, untold.labels, strict=True))  # fmt: skip
    assert summary["dropped"] == [f"wcxb/w3m/{EMPTY}: the gold has no main text"]
    threads = {}
    for group in summary["page_types"].values():
        for kind, n in group["threads"].items():
            threads[kind] = threads.get(kind, 0) + n
    assert threads == {"cut": 1, "untold": 1}


class _FromLabels:
    """An 'estimator' that predicts the label files' own labels (nav where none), or
    `every` label for every line."""

    def __init__(self, files, every=None):
        from cleaner.labels import LABELS

        self.rows = [LABELS.index(every or label or "nav") for f in files
                     for line, label in zip(f.lines, f.labels, strict=True) if line.strip()]

    def predict_proba(self, X, **_):
        import numpy as np

        return np.eye(4)[self.rows]


@needs_wcxb
@needs_w3m
def test_word_f1_scores_the_kept_lines_against_wcxbs_own_main_text(records, tmp_path):
    from cleaner.training.wcxb_scores import word_f1_by_type

    chosen = [records[i] for i in (ARTICLE, THREAD)]
    build_records(chosen, tmp_path, renderers=["w3m"])
    files = [read_label_file(tmp_path / WCXB / "w3m" / r.split / f"{r.id}.tsv") for r in chosen]
    aligned = word_f1_by_type(_FromLabels(files), files, DATASETS)
    assert set(aligned) == {"article", "forum", "forum+comment", "all"}
    assert aligned["article"] > 0.95  # the aligned gold lines hold the main text's words
    assert aligned["forum"] < aligned["forum+comment"] > 0.9  # replies are comment lines
    every_line = word_f1_by_type(_FromLabels(files, every="body"), files, DATASETS)
    assert every_line["article"] < aligned["article"]  # the menus' words cost precision
    assert word_f1_by_type(_FromLabels(files, every="nav"), files, DATASETS)["all"] == 0.0
