"""Site stats: lines on many pages of one site leave the body; everything else as before."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import cleaner_subprocess, invoke, records
from hypothesis import given, settings
from hypothesis import strategies as st

import cleaner.batch.runner
from cleaner.document import Page
from cleaner.site_stats import (
    LineCounts,
    SiteStats,
    line_hash,
    normalised,
    normalised_lines,
    site_key,
    sketch_page,
    without_template_body,
)
from cleaner.training.labelfile import format_label_file, read_label_file

# A paragraph the model takes for body, put into every page of a made-up site.
SHARED = ("The Harbour Gazette has reported on the towns of the north coast since 1887, and its "
          "reporters have covered every election, storm and harvest in the region.")


def with_shared(seed: Path) -> str:
    """The seed dump with SHARED as a paragraph after its middle gold body line."""
    gold = read_label_file(seed.parent / "labeled" / (seed.stem + ".tsv"))
    body = [index for index, label in enumerate(gold.labels) if label == "body"]
    lines = list(gold.lines)
    at = body[len(body) // 2] + 1
    lines[at:at] = ["", SHARED, ""]
    return "\n".join(lines) + "\n"


def site_folder(seed_files, folder: Path, copies: int = 1) -> Path:
    """Every seed `copies` times, each with the SHARED paragraph: one site, 5 distinct pages."""
    folder.mkdir()
    for copy in range(copies):
        for seed in seed_files:
            (folder / f"{copy}_{seed.name}").write_text(with_shared(seed), encoding="utf-8")
    return folder



def shared_lines(record: dict) -> list[dict]:
    return [line for line in record["lines"] if line["text"] == SHARED]


# --- the command -----------------------------------------------------------------------------

def test_a_paragraph_on_every_page_of_a_site_leaves_the_body(seed_files, tmp_path):
    folder = site_folder(seed_files, tmp_path / "site")
    on, off = tmp_path / "on.jsonl", tmp_path / "off.jsonl"
    assert invoke("clean", folder, "--format", "jsonl", "--lines", "-o", on).exit_code == 0
    assert invoke("clean", folder, "--format", "jsonl", "--lines", "-o", off,
                  "--no-site-stats").exit_code == 0
    with_stats, without = records(on), records(off)
    assert len(with_stats) == len(without) == 5
    for got, before in zip(with_stats, without, strict=True):
        assert SHARED in before["text"] and SHARED not in got["text"]
        assert [line["label"] for line in shared_lines(before)] == ["body"]
        [demoted] = shared_lines(got)
        assert demoted["label"] == "nav"
        assert demoted["p"] >= 0.5  # its nav and body probabilities together
        # Every other line keeps its label and probability.
        others = [(i, line) for i, line in enumerate(got["lines"]) if line["text"] != SHARED]
        assert all(line == before["lines"][i] for i, line in others)
        assert got["text"] == before["text"].replace(f"\n\n{SHARED}", "")


def test_no_site_stats_gives_what_each_page_alone_gives(seed_files, tmp_path):
    folder = site_folder(seed_files, tmp_path / "site")
    invoke("clean", folder, "-o", tmp_path / "batch", "--no-site-stats")
    for seed in seed_files:
        alone = invoke("clean", folder / f"0_{seed.name}")  # one page: no pass one
        assert SHARED in alone.stdout
        assert (tmp_path / "batch" / f"0_{seed.stem}.txt").read_text() == alone.stdout


def test_copies_of_one_article_keep_their_text(seed_files, tmp_path):
    folder = tmp_path / "copies"
    folder.mkdir()
    for name in ("a", "b", "c"):  # the same story crawled under three names
        (folder / f"{name}.txt").write_bytes(seed_files[0].read_bytes())
    (folder / "d.txt").write_bytes(seed_files[1].read_bytes())
    on = invoke("clean", folder)
    off = invoke("clean", folder, "--no-site-stats")
    assert on.exit_code == 0 and "Putin" in on.stdout
    assert on.stdout == off.stdout


def test_sites_are_told_apart_by_url_host(seed_files, tmp_path):
    """a.example has SHARED on its three pages; b.example on one of its two pages, where
    it stays. Without URLs the five pages are one site and SHARED leaves all of them."""
    rows = []
    for index, seed in enumerate(seed_files):
        host = "www.a.example" if index < 3 else "b.example"
        text = with_shared(seed) if index != 4 else seed.read_text()
        rows.append({"id": f"p{index}", "url": f"https://{host}/story/{index}", "text": text})
    by_host, one_site = tmp_path / "hosts.jsonl", tmp_path / "nourl.jsonl"
    by_host.write_text("".join(json.dumps(row) + "\n" for row in rows))
    one_site.write_text("".join(json.dumps({**row, "url": None}) + "\n" for row in rows))
    texts = [r["text"] for r in records_of(invoke("clean", by_host, "--format", "jsonl"))]
    assert [SHARED in text for text in texts] == [False, False, False, True, False]
    texts = [r["text"] for r in records_of(invoke("clean", one_site, "--format", "jsonl"))]
    assert [SHARED in text for text in texts] == [False] * 5


def records_of(result) -> list[dict]:
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_two_jobs_give_what_one_gives(seed_files, tmp_path):
    folder = site_folder(seed_files, tmp_path / "site", copies=3)
    (folder / "9_broken.txt").write_bytes(bytes(range(256)) * 16)
    outputs = []
    for jobs in (1, 2):
        out = tmp_path / f"jobs{jobs}.jsonl"
        result = invoke("clean", folder, "--format", "jsonl", "--lines", "-o", out,
                        "--jobs", jobs, "--chunk", 3)
        assert result.exit_code == 1  # the broken page
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    texts = [r["text"] for r in records(tmp_path / "jobs2.jsonl")]
    assert len(texts) == 16 and not any(SHARED in text for text in texts)


def test_a_run_killed_and_resumed_gives_what_one_run_gives(seed_files, tmp_path):
    folder = site_folder(seed_files, tmp_path / "site", copies=3)
    reference = tmp_path / "reference.jsonl"
    assert invoke("clean", folder, "--format", "jsonl", "--lines", "-o", reference,
                  "--jobs", 1).exit_code == 0
    out = tmp_path / "out.jsonl"
    args = ["clean", folder, "--format", "jsonl", "--lines", "-o", out, "--chunk", 4]
    # killed with 4 pages checkpointed
    killed = cleaner_subprocess(*args, "--jobs", "2", faults={"crash_at_page": 7})
    assert killed.returncode == -9 and not out.exists()
    resumed = invoke(*args, "--jobs", 1)
    assert resumed.exit_code == 0 and "resuming after 4 pages" in resumed.stderr
    assert out.read_bytes() == reference.read_bytes()
    assert not any(SHARED in record["text"] for record in records(reference))


def test_one_page_and_stdin_are_cleaned_without_site_stats(seed_files, tmp_path, monkeypatch):
    calls = []
    real = cleaner.batch.runner.classified_chunks

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(cleaner.batch.runner, "classified_chunks", counted)
    folder = site_folder(seed_files, tmp_path / "site")
    page = folder / f"0_{seed_files[0].name}"
    assert SHARED in invoke("clean", page).stdout
    assert SHARED in invoke("clean", "-", input=page.read_bytes()).stdout
    assert calls == []
    assert SHARED not in invoke("clean", folder).stdout
    assert calls == [1]


def test_the_python_api_takes_site_stats(seed_files):
    from cleaner import Cleaner

    pages = [Page(lines=with_shared(seed).split("\n"), id=seed.stem, source=f"site/{seed.name}")
             for seed in seed_files]
    model = Cleaner.load()
    templates = SiteStats.of(pages).templates()
    assert list(templates) == ["folder:site"]
    assert [SHARED in r.text for r in model.clean_many(pages)] == [True] * 5
    assert [SHARED in r.text for r in model.clean_many(pages, templates=templates)] == [False] * 5


# --- the parts -------------------------------------------------------------------------------

def test_lines_are_normalised_and_hashed_the_same_in_every_process():
    assert normalised("  Share this: Facebook / Twitter!! ") == "share this facebook twitter"
    assert normalised("* * *") == ""
    assert line_hash("share this") == 0xDCDB36811C8320B2  # blake2b, 8 bytes, little-endian
    code = "from cleaner.site_stats import line_hash; print(line_hash('share this'))"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env={**os.environ, "PYTHONHASHSEED": "123"}, check=True,
                           cwd=Path(__file__).resolve().parent.parent)
    assert int(other.stdout) == line_hash("share this")


def test_the_site_of_a_page():
    assert site_key(Page(lines=[], url="https://WWW.Example.com/a")) == "example.com"
    assert site_key(Page(lines=[], url=None, meta={"own_url": "http://news.example.org/x"})
                    ) == "news.example.org"
    assert site_key(Page(lines=[], source="crawl/site-a/page.txt")) == "folder:crawl/site-a"
    assert site_key(Page(lines=[], url="not a url", source="x/p.txt")) == "folder:x"


def test_a_template_line_gives_its_body_probability_to_nav():
    page = Page(lines=["Menu", "", "Story text here", "Only body", "Sign in"],
                source="s/p.txt")
    probs = np.array([[0.7, 0.2, 0.06, 0.04], [0.9, 0.05, 0.03, 0.02], [1.0, 0.0, 0.0, 0.0],
                      [0.3, 0.1, 0.0, 0.6]])
    templates = {"folder:s": {line_hash("menu"), line_hash("only body"), line_hash("sign in")}}
    got = without_template_body(page, probs, templates)
    assert np.allclose(got[0], [0.0, 0.9, 0.06, 0.04])
    assert np.array_equal(got[1], probs[1])  # not a template line
    assert np.array_equal(got[2], [0.0, 1.0, 0.0, 0.0])
    assert got[3].argmax() == 3  # a comment stays a comment
    assert np.allclose(got.sum(axis=1), 1.0)
    assert without_template_body(page, probs, {"folder:other": {line_hash("menu")}}) is probs


def test_a_site_needs_two_distinct_pages_and_half_of_them():
    def page(*lines, name):
        return Page(lines=list(lines), source=f"s/{name}.txt")

    story = [f"story {i} " + "word " * i for i in range(1, 5)]
    pages = [page("menu", "footer", story[0], name="a"),
             page("menu", story[1], name="b"),
             page("menu", "footer", story[0], name="a-copy"),  # a copy of a: counts once
             page("menu", story[2], name="c")]
    sketches = [sketch_page(p) for p in pages]
    assert sketches[0].signature == sketches[2].signature != sketches[1].signature
    assert sketch_page(page("", "  ", "--", name="empty")) is None
    found = set(SiteStats.of(pages).templates()["folder:s"].tolist())
    # menu: 3 of 3 distinct pages; footer: 1 of 3 (a and its copy are one page)
    assert found == {line_hash("menu")}
    assert SiteStats.of(pages[:1] + pages[2:3]).templates() == {}


def test_line_counts_are_exact_for_a_small_site():
    counts = LineCounts()
    truth = {}
    rng = np.random.default_rng(0)
    for _ in range(15):  # fewer pages than a bucket: nothing is dropped
        lines = np.unique(rng.integers(0, 40, size=25).astype(np.uint64))
        counts.add(lines)
        for line in lines.tolist():
            truth[line] = truth.get(line, 0) + 1
    assert dict(zip(counts.hashes.tolist(), counts.counts.tolist(), strict=True)) == truth


@pytest.mark.parametrize("unique_per_page", [150, 3_000])
def test_line_counts_stay_bounded_and_find_lines_on_half_of_the_pages(unique_per_page):
    """2,000 pages: 50 template lines on every page, 20 lines on 60 % of them, 20
    on 40 %, and lines of their own (3,000 a page: the cap fills on page 2). The
    counts stay under the cap and never exceed the truth; the template lines and
    those on 60 % are found, those on 40 % are not."""
    counts = LineCounts(max_lines=4096)
    rng = np.random.default_rng(1)
    template, often, sometimes = (np.unique(rng.integers(0, 2**63, n, dtype=np.uint64))
                                  for n in (50, 20, 20))
    truth: dict[int, int] = {}
    largest = 0
    for _ in range(2_000):
        own = rng.integers(0, 2**63, unique_per_page, dtype=np.uint64)
        shared = np.concatenate([template, often[rng.random(20) < 0.6],
                                 sometimes[rng.random(20) < 0.4]])
        counts.add(np.unique(np.concatenate([shared, own])))
        largest = max(largest, len(counts.hashes))
        for line in shared.tolist():
            truth[line] = truth.get(line, 0) + 1
    assert largest <= 4096
    counted = dict(zip(counts.hashes.tolist(), counts.counts.tolist(), strict=True))
    assert all(count <= truth.get(line, 1) for line, count in counted.items())
    assert min(counted[line] for line in template.tolist()) >= 1_900
    assert all(truth[line] >= 1_100 for line in often.tolist())
    assert all(truth[line] <= 900 for line in sometimes.tolist())
    assert set(counts.on_at_least(1_000).tolist()) == set(template.tolist()) | set(
        often.tolist())


def test_eval_scores_a_batch_with_site_stats_unless_told_not_to(seed_files, tmp_path):
    """The seeds' gold label files, each with SHARED added as nav (the site's
    boilerplate): `cleaner eval` scores what `cleaner clean` on the batch keeps."""
    labelled = tmp_path / "labelled"
    labelled.mkdir()
    for seed in seed_files:
        gold = read_label_file(seed.parent / "labeled" / (seed.stem + ".tsv"))
        body = [index for index, label in enumerate(gold.labels) if label == "body"]
        at = body[len(body) // 2] + 1
        lines = gold.lines[:at] + ["", SHARED, ""] + gold.lines[at:]
        labels = gold.labels[:at] + [None, "nav", None] + gold.labels[at:]
        (labelled / f"{seed.stem}.tsv").write_text(format_label_file(lines, labels),
                                                   encoding="utf-8")

    def body_figures(*flags) -> dict:
        result = invoke("eval", labelled, "--format", "json", *flags)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)["labels"]["body"]

    alone, batch = body_figures("--no-site-stats"), body_figures()
    # the five SHARED lines: false body page by page, nav in the batch
    assert batch["precision"] > alone["precision"]
    assert batch["recall"] == alone["recall"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text().map(lambda text: text.replace("\n", " "))))
def test_a_page_is_normalised_as_its_lines_one_by_one(lines):
    assert normalised_lines(lines) == [normalised(line) for line in lines]


def test_every_page_is_read_once_and_sketched_as_its_lines(tmp_path, monkeypatch):
    """Site stats in one pass: each page is read (and rendered) once, with its cues, and
    its sketch is that of its lines, as a page read on its own gives."""
    import cleaner.batch.workers
    from cleaner.batch.workers import Settings, classify_chunk, read_source
    from cleaner.clean import Cleaner
    from cleaner.readers.sources import iter_sources

    article = (Path(__file__).parent / "data" / "news_article.html").read_text(encoding="utf-8")
    for k in range(3):
        (tmp_path / f"{k}.html").write_text(article.replace("sea wall", f"sea wall {k}"),
                                            encoding="utf-8")
    sources = list(iter_sources([str(tmp_path)]))
    asked = []

    def spy(source, **kwargs):
        asked.append(kwargs.get("cues", True))
        return read_source(source, **kwargs)

    monkeypatch.setattr(cleaner.batch.workers, "read_source", spy)
    classified = classify_chunk(Settings(model="default", keep=frozenset({"body"})), sources,
                                Cleaner.load())
    assert asked == [True, True, True]
    full = [sketch_page(read_source(source)) for source in sources]
    quick = [c.sketch for c in classified]
    assert [(s.site, s.signature) for s in quick] == [(s.site, s.signature) for s in full]
    assert all(np.array_equal(a.lines, b.lines) for a, b in zip(quick, full, strict=True))
    assert all(c.page.cues is None and len(c.probs) for c in classified)  # lines, not cues

