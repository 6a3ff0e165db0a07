"""Evaluation gate: the shipped model must keep the figures pinned in eval_floors.json.

Held-out pages are built from ../shared/datasets with w3m and cleaner's
renderer into the git-ignored data/build/gate/, once for each state of the
datasets and of the code that builds them (cleaner/training/corpus/cache.py):
the figures are those of the real corpus as the code builds it now, and a
second run of the suite does not build it again. Floors only go up: see
eval_floors.json.
"""

import json
import shutil
from functools import reduce
from pathlib import Path

import pytest
from conftest import REPO

from cleaner import Cleaner
from cleaner.model.files import load_model
from cleaner.readers.decode import decode_bytes
from cleaner.training.labelfile import read_label_file
from cleaner.training.train import evaluate, load_label_files
from cleaner.training.wcxb_scores import word_f1_by_type

FLOORS = json.loads((Path(__file__).parent / "eval_floors.json").read_text())["gates"]
FORUM_SEED = "003_106c6ee7f5bce682"


# What the gate builds: l3s-gn1 and wcxb in both renderings; dragnet's HTML (its
# comment gold is the comment figure); readability's and cleaneval's HTML (body only).
GATE_PARTS = ((("l3s-gn1", "wcxb"), ("w3m", "cleaner")), (("dragnet",), ("cleaner",)),
              (("readability", "cleaneval"), ("cleaner",)))
# wcxb's figures also hold its own word F1 against the gold main text, by page type
# (cleaner/training/wcxb_scores.py), under "word_f1".
WCXB = "wcxb/"
CACHE = REPO / "data" / "build" / "gate"


@pytest.fixture(scope="module")
def corpus(datasets_dir):
    if shutil.which("w3m") is None:
        pytest.skip("w3m is not installed (apt-get install -y w3m)")
    from cleaner.training.corpus.cache import cached_corpus

    return cached_corpus(datasets_dir, CACHE, GATE_PARTS, jobs=2)


def scored(gate: dict) -> str:
    """What a gate scores: its data, alone or as one batch with site stats."""
    return gate["data"] + (" with site stats" if gate.get("site_stats") else "")


@pytest.fixture(scope="module")
def figures(corpus, seeds_dir, datasets_dir):
    model = load_model()
    results = {}
    for gate in FLOORS:
        if gate["data"] != "seeds" and scored(gate) not in results:
            files = load_label_files([corpus / gate["data"]])
            site_stats = gate.get("site_stats", False)
            results[scored(gate)] = evaluate(model.estimator, files, site_stats=site_stats)
            if gate["data"].startswith(WCXB):
                results[scored(gate)]["word_f1"] = word_f1_by_type(
                    model.estimator, files, datasets_dir, site_stats=site_stats)
    results["seeds"] = evaluate(model.estimator, load_label_files([seeds_dir / "labeled"]))
    results["seeds"]["seed_003_comment_lines_kept"] = forum_comment_lines_kept(seeds_dir)
    return results


def forum_comment_lines_kept(seeds_dir: Path) -> int:
    """Gold comment lines of seed 003 that the cleaner keeps in its clean text."""
    gold = read_label_file(seeds_dir / "labeled" / f"{FORUM_SEED}.tsv")
    text = decode_bytes((seeds_dir / f"{FORUM_SEED}.txt").read_bytes())[0]
    result = Cleaner.load().clean(text)
    return sum(1 for label, kept in zip(gold.labels, result.labels, strict=True)
               if label == "comment" and kept == "body")


def metric(report: dict, path: str) -> float:
    return reduce(lambda value, key: value[key], path.split("."), report)


@pytest.mark.parametrize("gate", FLOORS, ids=lambda g: f"{scored(g)}:{g['metric']}")
def test_floor(gate, figures):
    value = metric(figures[scored(gate)], gate["metric"])
    if "min" in gate:
        assert value >= gate["min"], f"{gate['metric']} fell to {value:.4f} (floor {gate['min']})"
    if "max" in gate:
        assert value <= gate["max"], f"{gate['metric']} rose to {value} (ceiling {gate['max']})"


def test_card_figures_are_reproduced(corpus, figures):
    """The held-out figures in model.json (page by page) are what this corpus and model
    give now, for every held-out set the gate builds."""
    model = load_model()
    compared = []
    for data, recorded in model.card["metrics"].items():
        if not (corpus / data).is_dir():
            continue
        report = figures.get(data) or evaluate(model.estimator, load_label_files([corpus / data]))
        assert recorded["macro_f1"] == pytest.approx(report["macro_f1"], abs=1e-9), data
        assert recorded["confusion"] == report["confusion"], data
        compared.append(data)
    assert sorted(compared) == ["cleaneval/cleaner/heldout", "dragnet/cleaner/heldout",
                                "l3s-gn1/cleaner/heldout", "l3s-gn1/w3m/heldout",
                                "readability/cleaner/heldout", "wcxb/cleaner/heldout",
                                "wcxb/w3m/heldout"]
