"""`cleaner.batch.run`, the library call behind `cleaner clean`, used from Python."""

from __future__ import annotations

import pytest
from conftest import records, seed_copies

from cleaner.batch import BatchOptions, run
from cleaner.batch.sinks import OutputError
from cleaner.readers.sources import InputError


def crawl(seed_files, folder, count: int = 20):
    """Dumps, the seeds over and over, with a binary file at place 11 (after 010_...)."""
    return seed_copies(seed_files, folder, count, broken="010b_broken.txt")


def test_run_cleans_a_folder_to_jsonl(seed_files, tmp_path):
    folder = crawl(seed_files, tmp_path / "crawl")
    out = tmp_path / "out.jsonl"
    failed = []
    summary = run([folder], out, BatchOptions(format="jsonl", lines=True, jobs=1,
                                              on_error=failed.append))
    got = records(out)
    assert (summary.pages, summary.errors) == (21, 1) == (len(got), len(failed))
    assert failed[0].source.endswith("010b_broken.txt") and "binary content" in got[11]["error"]
    assert [r["id"][:3] for r in got[:3]] == ["000", "001", "002"]
    assert all(r["text"] and r["lines"] for i, r in enumerate(got) if i != 11)
    assert not out.with_name("out.jsonl.progress").exists()


def test_an_interrupted_run_resumes_where_it_stopped(seed_files, tmp_path):
    """Ctrl-C in the middle of a run (here: when the broken page is reported); the
    same call again says how far the first got and gives what one run gives."""
    folder = crawl(seed_files, tmp_path / "crawl")
    reference = tmp_path / "reference.jsonl"
    run([folder], reference, BatchOptions(format="jsonl", jobs=1, page_timeout=0))

    def interrupt(outcome):
        raise KeyboardInterrupt

    out = tmp_path / "out.jsonl"
    options = BatchOptions(format="jsonl", jobs=1, chunk=4, page_timeout=0)
    with pytest.raises(KeyboardInterrupt):
        run([folder], out, BatchOptions(**{**vars(options), "on_error": interrupt}))
    assert not out.exists() and out.with_name("out.jsonl.progress").exists()
    resumed = []
    summary = run([folder], out, BatchOptions(**{**vars(options),
                                                "on_resume": lambda *a: resumed.append(a)}))
    assert resumed == [(8, out.with_name("out.jsonl.progress"))]  # two chunks of 4 were done
    assert (summary.pages, summary.errors, summary.resumed) == (21, 1, 8)
    assert out.read_bytes() == reference.read_bytes()


def test_text_output_mirrors_the_folder_with_site_stats(seed_files, tmp_path):
    folder = crawl(seed_files, tmp_path / "crawl", count=6)
    summary = run([folder], tmp_path / "out", BatchOptions(jobs=1, chunk=2, page_timeout=0))
    assert summary.pages == 7 and summary.errors == 1
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        f"{p.stem}.txt" for p in folder.iterdir() if "broken" not in p.name)


def test_a_run_that_cannot_start_says_why_before_any_work(seed_files, tmp_path):
    with pytest.raises(InputError, match="no such file"):
        run([tmp_path / "missing"], tmp_path / "out")
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(OutputError, match="a file takes the text of one page"):
        run(seed_files[:2], tmp_path / "a-file")
    assert (tmp_path / "a-file").read_text() == "x"
    with pytest.raises(ValueError, match="expected one of: text, jsonl"):
        BatchOptions(format="xml")
