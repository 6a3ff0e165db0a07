"""Site training: `train --base`, `eval --compare`, `clean --models`, on a real held-out site."""

import json
import shutil
from pathlib import Path

import pytest
from conftest import invoke

from cleaner.model.files import resolve_model_dir
from cleaner.training.corpus.__main__ import app as corpus_app

SITE = "canada.com"  # an l3s-gn1 host of the held-out split, with 11 pages


@pytest.fixture(scope="module")
def site(datasets_dir, tmp_path_factory):
    """The tutorial's first steps: a held-out site's pages, two of them labelled."""
    out = tmp_path_factory.mktemp("site")
    result = invoke("site", SITE, "--train", "2", "--out", out, "--datasets", datasets_dir,
                    application=corpus_app)
    assert result.exit_code == 0, result.output
    labels = out / "labels"
    assert invoke("label", out / "pages" / "train", "-o", labels).exit_code == 0
    for gold in (out / "gold" / "train").iterdir():  # the person's corrections
        (labels / gold.name).write_bytes(gold.read_bytes())
    model = out / "models" / "canada"
    trained = invoke("train", labels, "--base", "default", "-o", model)
    assert trained.exit_code == 0, trained.output
    return out, model


def test_site_model_card_names_its_base_and_host(site):
    _, model = site
    card = json.loads((model / "model.json").read_text())
    assert card["hosts"] == [SITE]
    assert card["base"]["name"] == "default"
    assert card["estimator"]["class"] == "SiteModel"
    assert card["training_data"]["pages"] == 2


def test_a_site_model_stores_only_its_own_trees(site):
    _, model = site
    shipped = resolve_model_dir("default") / "model.npz"
    assert (model / "model.npz").stat().st_size < shipped.stat().st_size / 4
    card = json.loads((model / "model.json").read_text())
    assert card["base"]["model_sha256"] == json.loads(
        (shipped.parent / "model.json").read_text())["model_sha256"]


def test_a_site_model_whose_base_changed_is_refused_before_any_work(site, seed_files,
                                                                     tmp_path):
    _, model = site
    moved = tmp_path / "models" / "canada"
    shutil.copytree(model, moved)
    card = json.loads((moved / "model.json").read_text())
    card["base"]["model_sha256"] = "0" * 64  # trained on another default than today's
    (moved / "model.json").write_text(json.dumps(card))
    out = tmp_path / "out.jsonl"
    result = invoke("clean", seed_files[0], seed_files[1], "--models", moved.parent,
                    "--format", "jsonl", "-o", out)
    assert result.exit_code == 2 and "its base model 'default' is not found" in result.stderr
    assert not out.exists() and not out.with_name("out.jsonl.progress").exists()


def test_site_model_beats_the_default_on_the_sites_other_pages(site):
    out, model = site
    result = invoke("eval", out / "gold" / "check", "--model", model, "--compare", "default",
                    "--format", "json")
    assert result.exit_code == 0
    reports = json.loads(result.stdout)
    site_f1 = reports[str(model)]["text"]["body"]["f1"]
    default_f1 = reports["default"]["text"]["body"]["f1"]
    assert site_f1 > default_f1
    table = invoke("eval", out / "gold" / "check", "--model", model, "--compare", "default")
    assert "body text F1" in table.stdout and "default" in table.stdout


def test_clean_with_models_binds_pages_by_host(site, seed_files, tmp_path):
    out, model = site
    crawl = out / "crawl.jsonl"
    routed, plain = tmp_path / "routed.jsonl", tmp_path / "plain.jsonl"
    args = [crawl, seed_files[0], "--format", "jsonl", "--jobs", "1"]
    assert invoke("clean", *args, "--models", model.parent, "-o", routed).exit_code == 0
    assert invoke("clean", *args, "-o", plain).exit_code == 0
    routed_records = [json.loads(line) for line in routed.read_text().splitlines()]
    plain_records = [json.loads(line) for line in plain.read_text().splitlines()]
    assert len(routed_records) == len(plain_records) == 12
    site_pages = [(r, p) for r, p in zip(routed_records, plain_records, strict=True)
                  if r["url"] and SITE in r["url"]]
    assert len(site_pages) == 11
    assert any(r["text"] != p["text"] for r, p in site_pages)  # the site model cleaned them
    assert routed_records[-1]["text"] == plain_records[-1]["text"]  # the seed: the default


def test_models_folder_without_bound_models_is_one_line(tmp_path, seed_files):
    result = invoke("clean", seed_files[0], "--models", tmp_path)
    assert result.exit_code == 2
    assert "names the hosts" in result.stderr


def test_label_marks_the_lines_the_model_is_least_sure_of(site, tmp_path):
    out, _ = site
    result = invoke("label", out / "pages" / "check", "-o", tmp_path)
    assert result.exit_code == 0
    for line in result.stdout.splitlines():
        path, unsure = line.split("\t")
        rows = Path(path).read_text(encoding="utf-8").splitlines()
        marked = [row for row in rows if row.split("\t")[0].endswith("?")]
        assert len(marked) == int(unsure.split()[0])
    assert any(not line.endswith("\t0 unsure lines") for line in result.stdout.splitlines())
