"""The rough edges a new user hits (issue 18): each through the CLI, as a user meets it.

Ctrl-C is in test_interrupts.py; compressed WARC bodies in test_containers.py.
"""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys

import pytest
from conftest import REPO, invoke, seed_copies

from cleaner.batch import faults, options
from cleaner.cli import app, command_example

EXAMPLE_PAGE = REPO / "examples" / "article.html"
ANSI = "\x1b["


# --- show --color always|never|auto ------------------------------------------------------

def test_show_colours_a_pipe_when_told_always(seed_files):
    always = invoke("show", seed_files[0], "--color", "always")
    assert always.exit_code == 0
    assert ANSI in always.stdout  # `cleaner show PAGE --color always | less -R`
    for plain in (["--color", "never"], ["--color", "auto"], ["--no-color"], []):
        result = invoke("show", seed_files[0], *plain)
        assert result.exit_code == 0 and ANSI not in result.stdout, plain
        assert re.sub(r"\x1b\[[0-9;]*m", "", always.stdout) == result.stdout


def test_show_colour_auto_is_on_for_a_terminal_only(seed_files):
    """auto, as ls and grep: colour on a terminal (a pseudo-terminal here), none on a pipe."""
    command = [sys.executable, "-m", "cleaner", "show", str(seed_files[0])]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    leader, follower = pty.openpty()
    done = subprocess.Popen(command, stdout=follower, stderr=subprocess.PIPE, env=env)
    os.close(follower)
    on_terminal = b""
    while True:
        try:
            piece = os.read(leader, 65536)
        except OSError:  # the terminal's other end is closed: the command is done
            break
        if not piece:
            break
        on_terminal += piece
    os.close(leader)
    assert done.wait(timeout=120) == 0
    piped = subprocess.run(command, capture_output=True, env=env, timeout=120)
    assert ANSI.encode() in on_terminal
    assert piped.returncode == 0 and ANSI.encode() not in piped.stdout
    never = subprocess.run(command + ["--color", "never"], capture_output=True, env=env,
                           timeout=120)
    assert ANSI.encode() not in never.stdout


def test_show_refuses_an_unknown_colour_mode(seed_files):
    result = invoke("show", seed_files[0], "--color", "sometimes")
    assert result.exit_code == 2
    assert "'sometimes': expected one of: always, never, auto" in result.stderr


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


# --- options that did nothing: --lines without JSONL, show given a folder ----------------

def test_lines_without_jsonl_says_it_is_ignored(seed_files):
    plain = invoke("clean", seed_files[0])
    result = invoke("clean", seed_files[0], "--lines")
    assert result.exit_code == 0 and result.stdout == plain.stdout
    assert result.stderr == ("cleaner: --lines adds every line to JSONL records: text output "
                             "has none, so it is ignored (add --format jsonl)\n")
    assert invoke("clean", seed_files[0], "--lines", "--format", "jsonl").stderr == ""


def test_show_and_lines_given_a_folder_say_which_page_they_print(seeds_dir, seed_files):
    first = seed_files[0]
    for command, doing in (("show", "showing"), ("lines", "printing")):
        folder = invoke(command, seeds_dir, "--format", "jsonl")
        page = invoke(command, first, "--format", "jsonl")
        assert folder.exit_code == 0 and folder.stdout == page.stdout
        assert (f"cleaner: {seeds_dir} holds several pages: {doing} the first, {first} "
                f"(cleaner clean {seeds_dir} cleans them all)\n") in folder.stderr
        assert "holds several pages" not in page.stderr


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
    assert "form feed" in invoke("clean", "--help").stdout


# --- help: examples, option types as words, the format's choices ---------------------------

def test_top_level_help_lists_every_command_with_its_example():
    result = invoke("--help")
    assert result.exit_code == 0
    commands = [c.name or c.callback.__name__ for c in app.registered_commands]
    help_text = result.stdout.split("Commands:")[1]
    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        example = command_example(app_command(name))
        assert example and example.startswith(f"cleaner {name} "), name
        assert re.search(rf"^  {name} ", help_text, re.M), name
        assert f"$ {example}\n" in help_text, name
    assert len(commands) >= 6


def app_command(name: str):
    import typer.main

    return typer.main.get_command(app).commands[name]


@pytest.mark.parametrize("command", ["clean", "show", "lines", "label", "train", "eval"])
def test_option_types_read_as_words(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0
    usage = result.stdout.splitlines()[0]
    assert "{" not in usage and re.search(r"\[OPTIONS\] (PATH\.\.\.|PAGE)$", usage), usage
    for line in result.stdout.splitlines():
        assert not re.search(r"<\w|\{\w|list\[|int range|float range", line), line


def test_an_unknown_format_lists_the_formats_of_the_one_tuple(seed_files, monkeypatch):
    result = invoke("clean", seed_files[0], "--format", "xml")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--format': 'xml': expected one of: text, jsonl, markdown")
    # The message is made from batch/options.py's FORMATS: a format added there is listed.
    monkeypatch.setattr(options, "FORMATS", (*options.FORMATS, "html"))
    result = invoke("clean", seed_files[0], "--format", "xml")
    assert result.stderr.splitlines()[-1].endswith("expected one of: text, jsonl, markdown, html")
    assert "pydantic" not in result.stderr.lower()


def test_every_command_has_machine_readable_output(seeds_dir, seed_files, tmp_path):
    first = seed_files[0]
    shown = [json.loads(line) for line in invoke("show", first, "--format", "jsonl").stdout
             .splitlines()]
    assert len(shown) == len(first.read_text().split("\n"))
    assert set(shown[0]) == {"text", "label", "p", "runner_up", "runner_up_p"}
    listed = [json.loads(line) for line in
              invoke("lines", EXAMPLE_PAGE, "--cues", "--format", "jsonl").stdout.splitlines()]
    assert listed and all(set(r) == {"text", "cues"} for r in listed)
    assert any(r["cues"] and r["cues"]["tag"] == "h1" for r in listed)
    labelled = invoke("label", first, "-o", tmp_path / "labels", "--format", "jsonl")
    (record,) = [json.loads(line) for line in labelled.stdout.splitlines()]
    assert record["source"] == str(first) and record["target"].endswith(".tsv")
    trained = invoke("train", seeds_dir / "labeled", "-o", tmp_path / "model", "--format", "json")
    assert trained.exit_code == 0
    assert json.loads(trained.stdout)["training_data"]["pages"] == 5
    scored = invoke("eval", seeds_dir / "labeled", "--format", "json")
    assert json.loads(scored.stdout)["labels"]["body"]["f1"] > 0
    assert invoke("eval", seeds_dir / "labeled", "--json").stdout == scored.stdout  # old name
    assert "--json" not in invoke("eval", "--help").stdout
    assert invoke("eval", seeds_dir / "labeled", "--format", "jsonl").exit_code == 2


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
