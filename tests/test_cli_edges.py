"""The rough edges a new user hits (issue 18): each through the CLI, as a user meets it.

Ctrl-C is in test_interrupts.py; compressed WARC bodies in test_containers.py.
"""

from __future__ import annotations

import re

from conftest import invoke, seed_copies

from cleaner.batch import faults

# --- nothing to clean ----------------------------------------------------------------------

def test_an_empty_folder_is_no_pages_found_and_exit_2(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    for command in (["clean", empty], ["clean", empty, "-o", tmp_path / "out"],
                    ["clean", empty, "--format", "jsonl"], ["show", empty]):
        result = invoke(*command)
        assert result.exit_code == 2, command
        assert result.stderr == f"cleaner: error: no pages found under {empty}\n", command
        assert result.stdout == ""
    assert not (tmp_path / "out").exists()


def test_a_glob_that_matches_nothing_is_no_pages_found_and_exit_2(seeds_dir, tmp_path):
    result = invoke("clean", seeds_dir, "--glob", "*.warc.gz", "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr == (f"cleaner: error: no pages found under {seeds_dir} "
                             "matching --glob '*.warc.gz'\n")
    assert not (tmp_path / "out").exists()
    assert invoke("clean", seeds_dir, "--glob", "0*.txt").exit_code == 0  # one that matches


# --- outputs: JSONL onto a folder, one page into a file -----------------------------------

def test_jsonl_onto_an_existing_folder_is_refused_before_any_work(seed_files, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    for attempt in range(2):  # a rerun says the same, no journal to "resume" from
        result = invoke("clean", *seed_files, "--format", "jsonl", "-o", folder)
        assert result.exit_code == 2, attempt
        assert result.stderr == (f"cleaner: error: {folder}: is a folder, and --format jsonl "
                                 f"writes one file (name the file: -o {folder}/out.jsonl)\n")
        assert list(tmp_path.iterdir()) == [folder] and not list(folder.iterdir())


def test_one_page_with_an_output_file_writes_that_file(seed_files, tmp_path):
    page = seed_files[1]
    alone = invoke("clean", page).stdout
    single = tmp_path / "single.txt"
    result = invoke("clean", page, "-o", single)
    assert result.exit_code == 0, result.stderr
    assert single.is_file() and single.read_text() == alone
    existing = tmp_path / "page.out"  # any name, when the file is there already
    existing.write_text("old")
    assert invoke("clean", page, "-o", existing).exit_code == 0
    assert existing.read_text() == alone
    from_stdin = tmp_path / "stdin.txt"
    assert invoke("clean", "-", "-o", from_stdin, input=page.read_bytes()).exit_code == 0
    assert from_stdin.read_text() == alone
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.out", "single.txt",
                                                          "stdin.txt"]  # no temporaries


def test_several_pages_into_a_txt_name_are_refused_and_a_folder_stays_a_folder(
        seed_files, tmp_path):
    result = invoke("clean", *seed_files[:2], "-o", tmp_path / "all.txt")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"cleaner: error: {tmp_path / 'all.txt'}: a file takes "
                                    "the text of one page")
    assert not (tmp_path / "all.txt").exists()
    folder = tmp_path / "pages.txt"  # an existing folder, whatever its name
    folder.mkdir()
    assert invoke("clean", *seed_files[:2], "-o", folder).exit_code == 0
    assert sorted(p.name for p in folder.glob("*.txt")) == sorted(
        p.stem + ".txt" for p in seed_files[:2])


def test_a_page_that_fails_leaves_no_output_file(tmp_path):
    broken = tmp_path / "broken.txt"
    broken.write_bytes(bytes(range(256)) * 16)
    result = invoke("clean", broken, "-o", tmp_path / "out.txt")
    assert result.exit_code == 1 and "binary content" in result.stderr
    assert not (tmp_path / "out.txt").exists()


# --- several pages on stdout: a form feed line between them --------------------------------

def test_pages_on_stdout_are_separated_by_a_form_feed_line(seed_files, tmp_path):
    broken = tmp_path / "broken.txt"
    broken.write_bytes(bytes(range(256)) * 16)
    pages = [seed_files[0], broken, seed_files[2], seed_files[3]]
    result = invoke("clean", *pages, "--no-site-stats")
    assert result.exit_code == 1  # the broken page failed: an empty part keeps the count
    parts = result.stdout.split("\f\n")
    assert parts == [invoke("clean", seed_files[0]).stdout, "",
                     invoke("clean", seed_files[2]).stdout, invoke("clean", seed_files[3]).stdout]
    assert "\f" not in invoke("clean", seed_files[0]).stdout  # one page: no separator


# --- the summary and the progress bar --------------------------------------------------------

def test_the_summary_counts_in_words(seed_files, tmp_path):
    broken = tmp_path / "broken.txt"
    broken.write_bytes(bytes(range(256)) * 16)
    result = invoke("clean", seed_files[0], broken, "-o", tmp_path / "out")
    assert result.stderr.splitlines()[-1].startswith("cleaner: 2 pages, 1 error, ")
    result = invoke("clean", seed_files[0], "-o", tmp_path / "one")
    assert result.stderr.startswith("cleaner: 1 page, 0 errors, ")


def test_the_progress_bar_shows_the_total_and_the_time_left(seed_files, tmp_path,
                                                            monkeypatch):
    folder = seed_copies(seed_files, tmp_path / "pages", 40)  # and one broken page: 41
    # A slow page keeps the run going past the bar's first refreshes.
    monkeypatch.setattr(faults, "active", faults.Faults(slow={"003_003_106c6ee7f5bce682": 1.2}))
    result = invoke("clean", folder, "-o", tmp_path / "out", "--progress", "--jobs", 1,
                    "--chunk", 5, "--page-timeout", 0, "--no-site-stats")
    assert result.exit_code == 1
    frames = [frame for frame in re.split(r"[\r\n]", result.stderr) if "pages" in frame]
    during = [frame for frame in frames[:-2] if re.search(r"\b\d+/41 \[", frame)]
    assert during, frames  # before the end: done/total
    assert re.search(r"\d+%\|.*\| \d+/41 \[\d\d:\d\d<\d\d:\d\d", during[-1])  # ... and ETA
    assert "41/41" in result.stderr and "errors=1" in result.stderr
