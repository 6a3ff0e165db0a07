"""--favor precision|recall|balanced and --min-p: the API, the command, its workers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO, cleaner_subprocess, invoke, records

from cleaner import Cleaner
from cleaner.batch import BatchOptions, run
from cleaner.favor import FAVORS, Decision, FavorError, check_favor, decision_of
from cleaner.labels import line_labels
from cleaner.training.favor import choose

EXAMPLES = REPO / "examples"


@pytest.fixture(scope="module")
def cleaner():
    return Cleaner.load()


@pytest.fixture(scope="module")
def pages(seed_files) -> list[Path]:
    """The seeds (text dumps) and the examples (an HTML page and its dump)."""
    return [*seed_files, EXAMPLES / "article.html", EXAMPLES / "article.txt"]


def body_lines(result) -> set[int]:
    return {i for i, label in enumerate(result.labels) if label == "body"}


def test_the_shipped_card_gives_both_models_a_factor_each_way(cleaner):
    section = cleaner.model.card["favor"]
    assert section["rule"] and section["command"]
    for kind in ("text", "html"):
        factors = section[kind]
        assert factors["balanced"] == 1.0
        assert 0 < factors["precision"] < 1 < factors["recall"]
        figures = factors["out_of_fold"]
        assert figures["precision"]["precision"] > figures["balanced"]["precision"]
        assert figures["recall"]["recall"] > figures["balanced"]["recall"]


def test_precision_keeps_a_subset_and_recall_a_superset(cleaner, pages):
    dropped = added = 0
    for path in pages:
        page = path.read_bytes()
        balanced = body_lines(cleaner.clean(page))
        precision = body_lines(cleaner.clean(page, favor="precision"))
        recall = body_lines(cleaner.clean(page, favor="recall"))
        assert precision <= balanced <= recall, path.name
        dropped += len(balanced - precision)
        added += len(recall - balanced)
    assert dropped and added  # the factors move some lines on these pages


def test_balanced_is_the_default_to_the_last_digit(cleaner, pages):
    for path in pages:
        page = path.read_bytes()
        default, balanced = cleaner.clean(page), cleaner.clean(page, favor="balanced")
        assert (balanced.text, balanced.labels, balanced.probabilities) == (
            default.text, default.labels, default.probabilities)


def test_min_p_keeps_only_body_lines_that_sure(cleaner, pages):
    for path in pages:
        page = path.read_bytes()
        balanced = cleaner.clean(page)
        sure = cleaner.clean(page, min_p=0.9)
        assert body_lines(sure) <= body_lines(balanced)
        assert all(p >= 0.9 for label, p in zip(sure.labels, sure.probabilities, strict=True)
                   if label == "body")
        # a line dropped from body takes its next best label
        for i in body_lines(balanced) - body_lines(sure):
            assert sure.labels[i] in ("nav", "related", "comment")


def test_a_cleaner_loaded_with_a_favor_uses_it_by_default(pages):
    page = pages[-2].read_bytes()
    favoured = Cleaner.load(favor="precision", min_p=0.5)
    assert favoured.clean(page).text == Cleaner.load().clean(page, favor="precision",
                                                             min_p=0.5).text
    assert favoured.clean(page, favor="balanced", min_p=0.0).text == Cleaner.load().clean(
        page).text


@pytest.mark.parametrize("favor, min_p, message", [
    ("speed", None, "expected one of: balanced, precision, recall"),
    ("balanced", 1.5, "from 0 to 1"), ("recall", -0.1, "from 0 to 1")])
def test_invalid_values_are_refused(cleaner, favor, min_p, message):
    with pytest.raises(ValueError, match=message):
        check_favor(favor, min_p)
    with pytest.raises(ValueError, match=message):
        cleaner.clean("Some text.", favor=favor, min_p=min_p)
    with pytest.raises(ValueError, match=message):
        BatchOptions(favor=favor, min_p=min_p)


def test_line_labels_floor_moves_body_lines_to_their_next_label():
    probs = np.array([[0.55, 0.40, 0.03, 0.02], [0.95, 0.05, 0, 0], [0.45, 0.10, 0.05, 0.40]])
    labels, ps = line_labels(3, [0, 1, 2], probs, min_body=0.6)
    assert labels == ["nav", "body", "comment"] and ps[0] == 0.40 and ps[2] == 0.40
    assert line_labels(3, [0, 1, 2], probs) == line_labels(3, [0, 1, 2], probs, min_body=0.0)


def test_a_factor_of_one_is_no_change_and_others_renormalise():
    probs = np.array([[0.4, 0.6, 0, 0], [0.8, 0.1, 0.1, 0]])
    assert Decision({"html": 1.0}).favoured("html", probs) is probs
    assert Decision({"html": 2.0}).favoured("text", probs) is probs
    favoured = Decision({"html": 2.0}).favoured("html", probs)
    assert np.allclose(favoured.sum(axis=1), 1) and favoured[0].argmax() == 0


def test_a_model_without_factors_gives_balanced_only(tmp_path, seed_files):
    model = tmp_path / "plain"
    shutil.copytree(REPO / "models" / "default", model)
    card = json.loads((model / "model.json").read_text())
    del card["favor"]
    (model / "model.json").write_text(json.dumps(card))
    with pytest.raises(FavorError, match="no favor weights"):
        decision_of(card, "precision")
    assert decision_of(card, "balanced", 0.5) == Decision({}, 0.5)
    result = invoke("clean", seed_files[0], "--model", model, "--favor", "recall")
    assert result.exit_code == 2
    assert "no favor weights" in result.stderr and "Traceback" not in result.stderr
    assert invoke("clean", seed_files[0], "--model", model, "--min-p", "0.5").exit_code == 0


def test_a_site_model_takes_its_base_models_factors():
    base = {"name": "default", "favor": {"html": {"precision": 0.5}, "text": {"precision": 0.7}}}
    site = {"name": "mysite", "base": {"name": "default"}}
    assert decision_of(site, "precision", base_card=base).body_weights == {"html": 0.5,
                                                                          "text": 0.7}


def test_the_rule_takes_the_most_precision_and_recall_within_a_point_of_f1():
    rows = [{"factor": f, "precision": p, "recall": r, "f1": f1} for f, p, r, f1 in (
        (0.25, 0.99, 0.70, 0.82), (0.5, 0.97, 0.88, 0.915), (0.71, 0.96, 0.90, 0.925),
        (1.0, 0.95, 0.92, 0.930), (1.41, 0.93, 0.935, 0.929), (2.0, 0.91, 0.945, 0.921),
        (4.0, 0.85, 0.95, 0.90))]
    assert choose(rows) == {"balanced": 1.0, "precision": 0.71, "recall": 2.0}


# --- the command -----------------------------------------------------------------------


def test_clean_min_p_through_the_cli(seed_files, tmp_path):
    out = tmp_path / "out.jsonl"
    result = invoke("clean", seed_files[1], "--format", "jsonl", "--lines", "--min-p", "0.9",
                    "-o", out)
    assert result.exit_code == 0, result.stderr
    lines = records(out)[0]["lines"]
    body = [line for line in lines if line["label"] == "body"]
    assert body and all(line["p"] >= 0.9 for line in body)
    plain = invoke("clean", seed_files[1]).stdout
    assert len(records(out)[0]["text"]) < len(plain)


@pytest.mark.parametrize("args, message", [
    (["--favor", "speed"], "expected one of: balanced, precision, recall"),
    (["--min-p", "1.5"], "--min-p"), (["--min-p", "high"], "--min-p")])
def test_clean_refuses_bad_values_with_exit_2(seed_files, args, message):
    result = invoke("clean", seed_files[0], *args)
    assert result.exit_code == 2 and message in result.stderr


def test_clean_favor_balanced_is_the_default_output(seed_files):
    assert invoke("clean", seed_files[0], "--favor", "balanced").stdout == invoke(
        "clean", seed_files[0]).stdout


def test_show_prints_the_labels_a_favor_gives(cleaner):
    page = EXAMPLES / "article.html"
    shown = [json.loads(line) for line in invoke(
        "show", page, "--favor", "precision", "--min-p", "0.6", "--format", "jsonl"
    ).stdout.splitlines()]
    result = cleaner.clean(page.read_bytes(), favor="precision", min_p=0.6)
    assert [line["label"] for line in shown] == result.labels


def test_min_p_and_favor_as_a_subprocess_on_workers(seed_files, tmp_path, cleaner):
    """Workers (-j 2, a page a chunk) and the site pass both get the options."""
    folder = tmp_path / "pages"
    folder.mkdir()
    for path in seed_files:
        shutil.copy(path, folder / path.name)
    for site_stats in ("--no-site-stats", "--site-stats"):
        out = tmp_path / f"out{site_stats}.jsonl"
        done = cleaner_subprocess("clean", folder, "--format", "jsonl", "--lines", "-o", out,
                                  "-j", "2", "--chunk", "1", "--favor", "precision",
                                  "--min-p", "0.7", site_stats)
        assert done.returncode == 0, done.stderr
        for record in records(out):
            path = folder / record["source"].split("/")[-1]
            balanced = cleaner.clean(path.read_bytes())
            labels = [line["label"] for line in record["lines"]]
            body = {i for i, label in enumerate(labels) if label == "body"}
            assert body <= body_lines(balanced)
            assert all(line["p"] >= 0.7 for line in record["lines"] if line["label"] == "body")
            if site_stats == "--no-site-stats":
                assert labels == cleaner.clean(path.read_bytes(), favor="precision",
                                               min_p=0.7).labels


def test_the_batch_api_takes_favor(seed_files, tmp_path):
    out = tmp_path / "out.jsonl"
    run([str(seed_files[2])], out, BatchOptions(format="jsonl", favor="recall"))
    recall = records(out)[0]["text"]
    run([str(seed_files[2])], out, BatchOptions(format="jsonl", resume=False))
    assert len(recall) >= len(records(out)[0]["text"])


def test_the_docs_give_the_cards_factors(cleaner):
    """docs/cli.md's table of factors is the shipped card's (a retrain that chose
    others must say so)."""
    cli = (REPO / "docs" / "cli.md").read_text()
    section = cleaner.model.card["favor"]
    for favor in FAVORS:
        row = next(line for line in cli.splitlines() if line.startswith(f"| `{favor}`"))
        html, text = row.split("|")[2:4]
        assert html.strip().startswith(f"x{section['html'][favor]:.3g}"), row
        assert text.strip().startswith(f"x{section['text'][favor]:.3g}"), row
    api = (REPO / "docs" / "python-api.md").read_text()
    assert "--min-p" in cli and "min_p=" in api and "favor=" in api


def test_eval_scores_the_labels_a_favor_gives(seeds_dir):
    def body_predicted(*args) -> int:
        result = invoke("eval", seeds_dir / "labeled", "--format", "json", *args)
        assert result.exit_code == 0, result.stderr
        return sum(row[0] for row in json.loads(result.stdout)["confusion"])

    balanced = body_predicted()
    assert body_predicted("--favor", "balanced") == balanced
    assert body_predicted("--favor", "precision") < balanced < body_predicted("--favor",
                                                                              "recall")
    assert body_predicted("--min-p", "0.9") < balanced
    bad = invoke("eval", seeds_dir / "labeled", "--favor", "speed")
    assert bad.exit_code == 2 and "expected one of" in bad.stderr
